//! The one rule for secret values: which keys hold them, and how they are shown.

use std::fmt;

use serde::{Serialize, Serializer};

/// What is shown instead of a secret value.
pub const MASK: &str = "*****";

/// A value that is printed as [`MASK`] unless the user asked to see secrets.
///
/// Every place that shows a possibly secret value (tables, JSON, `config explain`, errors)
/// wraps it in this type, so the masking rule lives in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Redacted<'a> {
    value: &'a str,
    reveal: bool,
}

impl<'a> Redacted<'a> {
    /// `value`, masked unless `reveal` is true.
    pub fn new(value: &'a str, reveal: bool) -> Self {
        Self { value, reveal }
    }

    /// `value`, always masked.
    pub fn masked(value: &'a str) -> Self {
        Self::new(value, false)
    }

    /// What is shown: the value itself or [`MASK`].
    pub fn shown(&self) -> &'a str {
        if self.reveal { self.value } else { MASK }
    }
}

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.shown())
    }
}

impl Serialize for Redacted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.shown())
    }
}

/// True for key paths whose values are secrets: server `env` values, `http_headers` values and
/// OAuth client secrets, and the tables that hold them (an inline table given with `-c`).
pub fn is_secret_key(key_path: &[String]) -> bool {
    match key_path {
        [servers, _, table, rest @ ..] if servers == "mcp_servers" => match table.as_str() {
            "env" | "http_headers" => true,
            "oauth" => rest.is_empty() || rest.first().is_some_and(|k| k == "client_secret"),
            _ => false,
        },
        _ => false,
    }
}

/// True when setting `key_path` to `value` sets a secret: the key itself is secret, or the value
/// is a table with a secret somewhere inside (`-c 'mcp_servers.s={env={K="S"}}'`).
pub fn holds_secret(key_path: &[String], value: &toml::Value) -> bool {
    if is_secret_key(key_path) {
        return true;
    }
    match value {
        toml::Value::Table(table) => table.iter().any(|(key, inner)| {
            let mut path = key_path.to_vec();
            path.push(key.clone());
            holds_secret(&path, inner)
        }),
        _ => false,
    }
}

/// A `-c key=value` flag as the rest of mcpctl sees it, with the text shown in messages
/// (`config explain`'s source column, `get`'s source, warnings) masked when the value holds a
/// secret. `raw` is what the user typed after `-c`, or `--enable X` / `--disable X`.
pub fn config_override(
    raw: &str,
    key_path: Vec<String>,
    value: toml::Value,
) -> mcpctl_config::ConfigOverride {
    let shown = if raw.starts_with("--") {
        raw.to_string()
    } else if holds_secret(&key_path, &value) {
        format!("-c {}={MASK}", mcpctl_config::display_key_path(&key_path))
    } else {
        format!("-c {raw}")
    };
    mcpctl_config::ConfigOverride {
        raw: shown,
        key_path,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kp(s: &str) -> Vec<String> {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn secrets_are_recognised() {
        assert!(is_secret_key(&kp("mcp_servers.x.env.TOKEN")));
        assert!(is_secret_key(&kp("mcp_servers.x.env")));
        assert!(is_secret_key(&kp(
            "mcp_servers.x.http_headers.Authorization"
        )));
        assert!(is_secret_key(&kp("mcp_servers.x.oauth.client_secret")));
        assert!(is_secret_key(&kp("mcp_servers.x.oauth")));
        assert!(!is_secret_key(&kp("mcp_servers.x.oauth.client_id")));
        assert!(!is_secret_key(&kp("mcp_servers.x.env_http_headers.X")));
        assert!(!is_secret_key(&kp("mcp_servers.x.command")));
    }

    #[test]
    fn secrets_inside_inline_tables_are_found() {
        let value: toml::Value =
            toml::from_str::<toml::Table>("v = { command = \"x\", env = { K = \"S\" } }")
                .unwrap()
                .remove("v")
                .unwrap();
        assert!(holds_secret(&kp("mcp_servers.s"), &value));
        assert!(!holds_secret(
            &kp("mcp_servers.s"),
            &toml::Value::Table(toml::Table::new())
        ));
        let shown = config_override("mcp_servers.s={env={K=\"S\"}}", kp("mcp_servers.s"), value);
        assert_eq!(shown.raw, "-c mcp_servers.s=*****");
    }

    #[test]
    fn redacted_shows_the_mask_unless_revealed() {
        assert_eq!(Redacted::masked("s3cret").to_string(), "*****");
        assert_eq!(Redacted::new("s3cret", true).to_string(), "s3cret");
        assert_eq!(
            serde_json::to_string(&Redacted::new("s3cret", false)).unwrap(),
            "\"*****\""
        );
    }
}
