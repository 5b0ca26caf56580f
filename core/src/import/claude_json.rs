//! One MCP server written in Claude's JSON form (the value of an `mcpServers` entry, or the
//! argument of `claude mcp add-json`), converted into an mcpctl server configuration.
//!
//! The forms:
//! - `{"type": "stdio", "command": "...", "args": [...], "env": {...}}` (`type` optional);
//! - `{"type": "http", "url": "...", "headers": {...}, "oauth": {...}}` (`type` optional);
//! - `{"type": "sse", ...}`: legacy HTTP+SSE, which mcpctl's config cannot hold yet.

use std::collections::BTreeMap;
use std::path::Path;

use mcpctl_config::{HttpTransport, McpServerConfig, OAuthClientConfig, StdioTransport, Transport};
use serde_json::{Map, Value};

use super::error::{EntryProblem, ServerJsonError};
use super::headers::{classify_headers, env_reference, has_expansion};

/// A server converted from another client's config, and what changed on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvertedServer {
    /// The mcpctl configuration.
    pub config: McpServerConfig,
    /// One line per thing that was not kept as written (never with a secret value).
    pub notes: Vec<String>,
}

/// Keys other clients write that mcpctl has no equivalent for and drops with a note.
const KNOWN_DROPPED: &[(&str, &str)] = &[
    (
        "headersHelper",
        "mcpctl cannot run a program to make headers; set them with -H or env_http_headers",
    ),
    ("alwaysAllow", "mcpctl has no tool approval list"),
    ("autoApprove", "mcpctl has no tool approval list"),
    (
        "timeout",
        "set startup_timeout_sec or tool_timeout_sec instead",
    ),
    ("description", "mcpctl does not store descriptions"),
];

/// Parses the JSON text of one server (`mcpctl add-json NAME JSON`). A relative `cwd` is taken
/// relative to `base_dir`.
pub fn parse_server_json(text: &str, base_dir: &Path) -> Result<ConvertedServer, ServerJsonError> {
    let value: Value = serde_json::from_str(text).map_err(|err| ServerJsonError::Json {
        line: err.line(),
        column: err.column(),
        message: json_message(&err),
    })?;
    convert_entry(&value, base_dir).map_err(ServerJsonError::Entry)
}

/// serde_json's message without its own ` at line L column C` suffix (the location is
/// reported separately).
pub(crate) fn json_message(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Converts one server entry. A relative `cwd` is taken relative to `base_dir` (the folder of
/// the file the entry came from).
pub fn convert_entry(entry: &Value, base_dir: &Path) -> Result<ConvertedServer, EntryProblem> {
    let Value::Object(map) = entry else {
        return Err(EntryProblem::NotAnObject {
            found: json_kind(entry),
        });
    };
    let kind = match map.get("type") {
        None | Some(Value::Null) => None,
        Some(Value::String(kind)) => Some(kind.as_str()),
        Some(_) => return Err(EntryProblem::invalid("type", "expected a string")),
    };
    let has_command = map.contains_key("command");
    let has_url = map.contains_key("url");
    let legacy_sse = kind == Some("sse");
    let stdio = match kind {
        Some("stdio") => true,
        Some("sse") => false,
        Some("http" | "streamable-http" | "streamable_http" | "streamableHttp") => false,
        Some(other) => {
            return Err(EntryProblem::UnsupportedTransport {
                kind: other.to_string(),
            });
        }
        None => match (has_command, has_url) {
            (true, false) => true,
            (false, true) => false,
            (true, true) => return Err(EntryProblem::BothTransports),
            (false, false) => return Err(EntryProblem::NoTransport),
        },
    };
    let mut notes = Vec::new();
    let (transport, used): (Transport, &[&str]) = if stdio {
        if has_url {
            return Err(EntryProblem::invalid(
                "url",
                "a stdio server has no URL (remove \"url\", or set \"type\": \"http\")",
            ));
        }
        (
            stdio_transport(map, base_dir, &mut notes)?,
            &["command", "args", "env", "cwd"],
        )
    } else {
        if has_command {
            return Err(EntryProblem::invalid(
                "command",
                "an HTTP server has no command (remove \"command\", or set \"type\": \"stdio\")",
            ));
        }
        (
            http_transport(map, legacy_sse, &mut notes)?,
            &["url", "headers", "oauth"],
        )
    };
    let mut config = McpServerConfig::new(transport);
    if let Some(oauth) = map.get("oauth").filter(|_| !stdio) {
        oauth_settings(oauth, &mut config, &mut notes)?;
    }
    match map.get("disabled") {
        None | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => {
            config.enabled = false;
            notes.push("added disabled (\"disabled\": true)".to_string());
        }
        Some(_) => return Err(EntryProblem::invalid("disabled", "expected true or false")),
    }
    for key in map.keys() {
        if key == "type" || key == "disabled" || used.contains(&key.as_str()) {
            continue;
        }
        let why = KNOWN_DROPPED
            .iter()
            .find(|(known, _)| known == key)
            .map_or("mcpctl has no equivalent", |(_, why)| why);
        notes.push(format!("\"{key}\" is not imported: {why}"));
    }
    Ok(ConvertedServer { config, notes })
}

fn stdio_transport(
    map: &Map<String, Value>,
    base_dir: &Path,
    notes: &mut Vec<String>,
) -> Result<Transport, EntryProblem> {
    let command = match map.get("command") {
        Some(Value::String(command)) if !command.trim().is_empty() => command.clone(),
        Some(Value::String(_)) => return Err(EntryProblem::invalid("command", "is empty")),
        _ => return Err(EntryProblem::invalid("command", "expected a string")),
    };
    let args = strings(map.get("args"), "args")?;
    let mut stdio = StdioTransport::new(command);
    for (i, arg) in args.iter().enumerate() {
        if has_expansion(arg) {
            notes.push(not_expanded(&format!("args[{i}]")));
        }
    }
    if has_expansion(&stdio.command) {
        notes.push(not_expanded("command"));
    }
    stdio.args = args;
    for (key, value) in string_map(map.get("env"), "env")? {
        match env_reference(&value) {
            Some((var, has_default)) if var == key => {
                notes.push(format!(
                    "env {key}: passed through from your environment (env_vars){}",
                    if has_default {
                        "; the default after :- is dropped"
                    } else {
                        ""
                    }
                ));
                stdio.env_vars.push(key);
            }
            _ => {
                if has_expansion(&value) {
                    notes.push(format!(
                        "env {key}: mcpctl does not expand ${{...}}; the server gets the text as written (set the value, or use `${{{key}}}` to pass {key} through)"
                    ));
                }
                stdio.env.insert(key, value);
            }
        }
    }
    match map.get("cwd") {
        None | Some(Value::Null) => {}
        Some(Value::String(dir)) if !dir.is_empty() => {
            if has_expansion(dir) {
                notes.push(not_expanded("cwd"));
            }
            stdio.cwd = Some(crate::input::absolute_dir(base_dir, Path::new(dir)));
        }
        Some(_) => return Err(EntryProblem::invalid("cwd", "expected a folder")),
    }
    Ok(Transport::Stdio(stdio))
}

fn http_transport(
    map: &Map<String, Value>,
    legacy_sse: bool,
    notes: &mut Vec<String>,
) -> Result<Transport, EntryProblem> {
    let url = match map.get("url") {
        Some(Value::String(url)) => url.clone(),
        _ => return Err(EntryProblem::invalid("url", "expected a string")),
    };
    if has_expansion(&url) {
        return Err(EntryProblem::invalid(
            "url",
            "holds ${...}, which mcpctl does not expand; write the URL out",
        ));
    }
    crate::input::check_http_url(&url).map_err(|message| EntryProblem::invalid("url", message))?;
    if legacy_sse {
        notes.push(
            "legacy HTTP+SSE server (\"type\": \"sse\"): written as transport = \"sse\""
                .to_string(),
        );
    } else if url.trim_end_matches('/').ends_with("/sse") {
        notes.push(
            "the URL ends in /sse: if this is a legacy HTTP+SSE server, it will not connect over streamable HTTP; give it \"type\": \"sse\" (or set transport = \"sse\")"
                .to_string(),
        );
    }
    let headers = string_map(map.get("headers"), "headers")?;
    let settings = classify_headers(headers, None)?;
    notes.extend(settings.notes);
    Ok(Transport::StreamableHttp(HttpTransport {
        url,
        bearer_token_env_var: settings.bearer_token_env_var,
        http_headers: settings.http_headers,
        env_http_headers: settings.env_http_headers,
        http_headers_helper: None,
        legacy_sse,
    }))
}

/// Claude Code's `oauth` object: `clientId`, `clientSecret`, `scopes`, `callbackPort`,
/// `authServerMetadataUrl`.
fn oauth_settings(
    oauth: &Value,
    config: &mut McpServerConfig,
    notes: &mut Vec<String>,
) -> Result<(), EntryProblem> {
    let Value::Object(oauth) = oauth else {
        return Err(EntryProblem::invalid("oauth", "expected an object"));
    };
    let mut client = OAuthClientConfig::default();
    for (key, value) in oauth {
        let path = format!("oauth.{key}");
        match key.as_str() {
            "clientId" => client.client_id = Some(string(value, &path)?),
            "clientSecret" => {
                client.client_secret = Some(string(value, &path)?);
                notes.push(
                    "oauth.clientSecret: stored in config.toml as oauth.client_secret, readable by anyone who can read that file"
                        .to_string(),
                );
            }
            "scopes" => {
                let scopes: Vec<String> = match value {
                    Value::String(text) => text.split_whitespace().map(str::to_string).collect(),
                    other => strings(Some(other), &path)?,
                };
                config.scopes = (!scopes.is_empty()).then_some(scopes);
            }
            "callbackPort" => notes.push(
                "oauth.callbackPort is not imported: mcpctl sets the callback port for every server with mcp_oauth_callback_port"
                    .to_string(),
            ),
            other => notes.push(format!(
                "oauth.{other} is not imported: mcpctl has no equivalent"
            )),
        }
    }
    if client != OAuthClientConfig::default() {
        config.oauth = Some(client);
    }
    Ok(())
}

fn not_expanded(key: &str) -> String {
    format!("{key}: mcpctl does not expand ${{...}}; it is kept as written")
}

fn string(value: &Value, key: &str) -> Result<String, EntryProblem> {
    match value {
        Value::String(text) => Ok(text.clone()),
        _ => Err(EntryProblem::invalid(key, "expected a string")),
    }
}

fn strings(value: Option<&Value>, key: &str) -> Result<Vec<String>, EntryProblem> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(text) => Ok(text.clone()),
                _ => Err(EntryProblem::invalid(key, "expected an array of strings")),
            })
            .collect(),
        Some(_) => Err(EntryProblem::invalid(key, "expected an array of strings")),
    }
}

fn string_map(value: Option<&Value>, key: &str) -> Result<BTreeMap<String, String>, EntryProblem> {
    match value {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(name, value)| match value {
                Value::String(text) => Ok((name.clone(), text.clone())),
                _ => Err(EntryProblem::invalid(
                    format!("{key}.{name}"),
                    "expected a string",
                )),
            })
            .collect(),
        Some(_) => Err(EntryProblem::invalid(
            key,
            "expected an object of string values",
        )),
    }
}

/// `a string`, `an array` ...: what a JSON value is, for messages.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    fn convert(value: Value) -> Result<ConvertedServer, EntryProblem> {
        convert_entry(&value, Path::new("/proj"))
    }

    #[test]
    fn stdio_entries_keep_env_in_env() {
        let server = convert(json!({
            "command": "npx",
            "args": ["-y", "server-github"],
            "env": {"GITHUB_TOKEN": "ghp_secret", "HOME_DIR": "${HOME_DIR}", "OTHER": "${X}"},
            "cwd": "sub"
        }))
        .unwrap();
        let Transport::Stdio(stdio) = &server.config.transport else {
            panic!("not stdio");
        };
        assert_eq!(stdio.command, "npx");
        assert_eq!(stdio.args, ["-y", "server-github"]);
        assert_eq!(stdio.env["GITHUB_TOKEN"], "ghp_secret");
        assert_eq!(stdio.env["OTHER"], "${X}");
        assert_eq!(stdio.env_vars, ["HOME_DIR"]);
        assert_eq!(stdio.cwd.as_deref(), Some(Path::new("/proj/sub")));
        assert_eq!(server.notes.len(), 2, "{:?}", server.notes);
        assert!(server.notes.iter().all(|n| !n.contains("ghp_secret")));
    }

    #[test]
    fn http_entries_sort_their_headers() {
        let server = convert(json!({
            "type": "http",
            "url": "https://example.com/mcp",
            "headers": {"Authorization": "Bearer ${TOKEN}", "X-Team": "blue"},
            "oauth": {"clientId": "abc", "scopes": "read write", "callbackPort": 8080}
        }))
        .unwrap();
        let Transport::StreamableHttp(http) = &server.config.transport else {
            panic!("not http");
        };
        assert_eq!(http.bearer_token_env_var.as_deref(), Some("TOKEN"));
        assert_eq!(http.http_headers["X-Team"], "blue");
        assert_eq!(
            server.config.oauth.as_ref().unwrap().client_id.as_deref(),
            Some("abc")
        );
        assert_eq!(
            server.config.scopes,
            Some(vec!["read".to_string(), "write".to_string()])
        );
        assert!(server.notes.iter().any(|n| n.contains("callbackPort")));
    }

    #[test]
    fn type_is_optional_when_obvious() {
        assert!(convert(json!({"url": "http://127.0.0.1:1/mcp"})).is_ok());
        assert_eq!(
            convert(json!({"url": "http://h/mcp", "command": "x"})),
            Err(EntryProblem::BothTransports)
        );
        assert_eq!(convert(json!({})), Err(EntryProblem::NoTransport));
        let sse = convert(json!({"type": "sse", "url": "http://h/sse"})).unwrap();
        assert!(sse.config.transport.as_http().unwrap().legacy_sse);
        assert_eq!(sse.config.transport.kind(), "sse");
        assert!(
            convert(json!({"type": "ws", "url": "ws://h"}))
                .unwrap_err()
                .is_limitation()
        );
    }

    #[test]
    fn wrong_shapes_name_the_key() {
        let err = convert(json!({"command": "x", "args": "a b"})).unwrap_err();
        assert_eq!(err.to_string(), "\"args\": expected an array of strings");
        let err = convert(json!({"command": "x", "env": {"A": 1}})).unwrap_err();
        assert_eq!(err.to_string(), "\"env.A\": expected a string");
        let err = convert(json!({"url": "notaurl"})).unwrap_err();
        assert!(err.to_string().starts_with("\"url\": "), "{err}");
        let err = convert(json!(["x"])).unwrap_err();
        assert!(err.to_string().contains("found an array"), "{err}");
    }

    #[test]
    fn unknown_keys_are_dropped_with_a_note() {
        let server =
            convert(json!({"command": "x", "autoApprove": ["t"], "disabled": true, "odd": 1}))
                .unwrap();
        assert!(!server.config.enabled);
        assert_eq!(server.notes.len(), 3, "{:?}", server.notes);
    }

    #[test]
    fn add_json_text_errors_carry_the_location() {
        let err = parse_server_json("{\"command\": ", Path::new("/")).unwrap_err();
        assert!(
            matches!(err, ServerJsonError::Json { line: 1, .. }),
            "{err:?}"
        );
        assert!(!err.is_limitation());
    }
}
