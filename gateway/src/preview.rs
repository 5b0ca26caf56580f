//! What an approval prompt shows of a call's arguments: a short, redacted preview, and the
//! digest that binds the answer to exactly this call.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The longest preview shown, in characters.
const MAX_PREVIEW: usize = 400;
/// The longest string value shown, in characters.
const MAX_STRING: usize = 80;

/// `sha256:<hex>` of the server, tool and arguments: the audit log's argument digest, and what
/// an approval answer is bound to.
pub(crate) fn call_digest(server: &str, tool: &str, arguments: &Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(server.as_bytes());
    hasher.update([0]);
    hasher.update(tool.as_bytes());
    hasher.update([0]);
    hasher.update(arguments.to_string().as_bytes());
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// The arguments as compact JSON with the values of secret-looking keys masked and long
/// strings cut, at most [`MAX_PREVIEW`] characters.
pub(crate) fn redacted_preview(arguments: &Value) -> String {
    let text = redact(arguments, None).to_string();
    cut(&text, MAX_PREVIEW)
}

fn redact(value: &Value, key: Option<&str>) -> Value {
    if key.is_some_and(secret_looking) {
        return Value::String(MASK.to_string());
    }
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), redact(v, Some(k))))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| redact(v, None)).collect()),
        Value::String(text) => Value::String(cut(text, MAX_STRING)),
        other => other.clone(),
    }
}

/// What a masked value shows.
const MASK: &str = "*****";

/// Argument names whose values are likely credentials: `token`, `api_key`, `password`,
/// `authorization`, `client_secret`, `cookie`, `private_key`...
fn secret_looking(key: &str) -> bool {
    let key = key.to_ascii_lowercase().replace(['-', '_'], "");
    [
        "token",
        "secret",
        "password",
        "passwd",
        "auth",
        "credential",
        "cookie",
        "privatekey",
    ]
    .iter()
    .any(|word| key.contains(word))
        || key.ends_with("key")
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_masked_and_long_values_cut() {
        let preview = redacted_preview(&json!({
            "path": "/tmp/x",
            "api_key": "sk-live-123",
            "nested": {"password": "hunter2", "note": "n".repeat(200)},
        }));
        assert!(!preview.contains("sk-live-123"), "{preview}");
        assert!(!preview.contains("hunter2"), "{preview}");
        assert!(preview.contains("/tmp/x"), "{preview}");
        assert!(preview.contains('…'), "{preview}");
        assert!(preview.chars().count() <= MAX_PREVIEW);
    }

    #[test]
    fn the_digest_binds_server_tool_and_arguments() {
        let a = call_digest("s", "t", &json!({"x": 1}));
        assert!(a.starts_with("sha256:"));
        assert_ne!(a, call_digest("s", "t", &json!({"x": 2})));
        assert_ne!(a, call_digest("s", "u", &json!({"x": 1})));
        assert_ne!(
            call_digest("s_", "t", &json!({})),
            call_digest("s", "_t", &json!({}))
        );
    }
}
