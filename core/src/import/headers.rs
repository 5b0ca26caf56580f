//! HTTP headers written the way Claude Code users write them (`Authorization: Bearer ${TOKEN}`),
//! turned into mcpctl's three header keys: `bearer_token_env_var`, `env_http_headers` and
//! `http_headers`.

use std::collections::BTreeMap;

use super::error::EntryProblem;

/// Where each header of a server ends up, and what the user should be told about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderSettings {
    /// `bearer_token_env_var`: from `Authorization: Bearer ${VAR}`.
    pub bearer_token_env_var: Option<String>,
    /// `http_headers`: literal values.
    pub http_headers: BTreeMap<String, String>,
    /// `env_http_headers`: header name to variable name, from `${VAR}` values.
    pub env_http_headers: BTreeMap<String, String>,
    /// One line per header that was not stored as written (never with its value).
    pub notes: Vec<String>,
}

/// Parses a `-H`/`--header` flag: `Name: value` (curl's and Claude Code's form) or
/// `Name=value` (mcpctl's and Codex's form), whichever separator comes first (neither can
/// occur in a header name). Around `:` spaces are trimmed; with `=` nothing is.
///
/// The error never repeats the value, which may be a credential.
pub fn parse_header_flag(flag: &str) -> Result<(String, String), String> {
    let Some(at) = flag.find([':', '=']) else {
        return Err("expected 'Name: value' or 'Name=value' (no ':' or '=' found)".to_string());
    };
    let (name, rest) = flag.split_at(at);
    let (name, value) = match rest.strip_prefix(':') {
        Some(value) => (name.trim(), value.trim()),
        None => (name, rest.get(1..).unwrap_or("")),
    };
    check_header_name(name)?;
    Ok((name.to_string(), value.to_string()))
}

/// An HTTP header name is a token: letters, digits and ``!#$%&'*+-.^_`|~``.
fn check_header_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the header name is empty; expected 'Name: value' or 'Name=value'".into());
    }
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    match name.chars().find(|c| !token(*c)) {
        Some(bad) => Err(format!(
            "{name:?} is not a valid header name ({bad:?} is not allowed)"
        )),
        None => Ok(()),
    }
}

/// A `${VAR}` or `${VAR:-default}` reference: the variable and whether a default was given.
pub(crate) fn env_reference(text: &str) -> Option<(&str, bool)> {
    let inner = text.strip_prefix("${")?.strip_suffix('}')?;
    let (var, has_default) = match inner.split_once(":-") {
        Some((var, _)) => (var, true),
        None => (inner, false),
    };
    is_env_name(var).then_some((var, has_default))
}

/// `[A-Za-z_][A-Za-z0-9_]*`.
fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// True when `text` holds a `${...}` that Claude Code would expand and mcpctl does not.
pub(crate) fn has_expansion(text: &str) -> bool {
    text.contains("${")
}

/// Sorts headers into mcpctl's keys:
/// - `Authorization: Bearer ${VAR}` becomes `bearer_token_env_var = "VAR"`;
/// - a value that is exactly `${VAR}` becomes `env_http_headers`;
/// - anything else is a literal `http_headers` value (masked wherever it is shown).
///
/// `bearer_token_env_var` is one already given (by a flag); a second bearer token is refused.
pub fn classify_headers(
    headers: impl IntoIterator<Item = (String, String)>,
    bearer_token_env_var: Option<String>,
) -> Result<HeaderSettings, EntryProblem> {
    let mut settings = HeaderSettings {
        bearer_token_env_var,
        ..HeaderSettings::default()
    };
    for (name, value) in headers {
        check_header_name(&name).map_err(|message| EntryProblem::invalid("headers", message))?;
        let trimmed = value.trim();
        let bearer = trimmed
            .split_once(char::is_whitespace)
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .and_then(|(_, rest)| env_reference(rest.trim()));
        if name.eq_ignore_ascii_case("authorization")
            && let Some((var, has_default)) = bearer
        {
            if let Some(existing) = &settings.bearer_token_env_var {
                return Err(EntryProblem::invalid(
                    format!("headers.{name}"),
                    format!("a bearer token is already read from {existing}; give the token once"),
                ));
            }
            settings.bearer_token_env_var = Some(var.to_string());
            settings.notes.push(format!(
                "header {name}: the bearer token is read from ${var} when connecting (bearer_token_env_var){}",
                dropped_default(has_default)
            ));
        } else if let Some((var, has_default)) = env_reference(trimmed) {
            settings
                .env_http_headers
                .insert(name.clone(), var.to_string());
            settings.notes.push(format!(
                "header {name}: the value is read from ${var} when connecting (env_http_headers){}",
                dropped_default(has_default)
            ));
        } else {
            if has_expansion(&value) {
                settings.notes.push(format!(
                    "header {name}: mcpctl does not expand ${{...}} inside a value; it is sent as written (use a value that is exactly ${{VAR}}, or `Bearer ${{VAR}}` for Authorization)"
                ));
            } else if name.eq_ignore_ascii_case("authorization") {
                settings.notes.push(format!(
                    "header {name}: a literal credential is stored in config.toml (shown masked); consider --bearer-token-env-var"
                ));
            }
            settings.http_headers.insert(name, value);
        }
    }
    Ok(settings)
}

fn dropped_default(has_default: bool) -> &'static str {
    if has_default {
        "; the default after :- is dropped, mcpctl has none"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn header_flags_take_colon_or_equals() {
        assert_eq!(
            parse_header_flag("X-Key: abc"),
            Ok(("X-Key".into(), "abc".into()))
        );
        assert_eq!(
            parse_header_flag("Authorization: Bearer a=b"),
            Ok(("Authorization".into(), "Bearer a=b".into()))
        );
        assert_eq!(
            parse_header_flag("X-Team=blue:green"),
            Ok(("X-Team".into(), "blue:green".into()))
        );
        assert_eq!(
            parse_header_flag("X-Empty="),
            Ok(("X-Empty".into(), String::new()))
        );
        let err = parse_header_flag("sk-secret-token").unwrap_err();
        assert!(!err.contains("secret"), "{err}");
        assert!(parse_header_flag(": v").is_err());
        assert!(
            parse_header_flag("Bad Name: v")
                .unwrap_err()
                .contains("' '")
        );
    }

    #[test]
    fn references_become_env_keys_and_literals_stay() {
        let settings = classify_headers(
            [
                (
                    "Authorization".to_string(),
                    "Bearer ${API_TOKEN}".to_string(),
                ),
                ("X-Key".to_string(), "${KEY:-none}".to_string()),
                ("X-Team".to_string(), "blue".to_string()),
                ("X-Mixed".to_string(), "id ${ID}".to_string()),
            ],
            None,
        )
        .unwrap();
        assert_eq!(settings.bearer_token_env_var.as_deref(), Some("API_TOKEN"));
        assert_eq!(settings.env_http_headers["X-Key"], "KEY");
        assert_eq!(settings.http_headers["X-Team"], "blue");
        assert_eq!(settings.http_headers["X-Mixed"], "id ${ID}");
        assert_eq!(settings.notes.len(), 3, "{:?}", settings.notes);
        assert!(settings.notes[1].contains("default after :- is dropped"));
    }

    #[test]
    fn two_bearer_tokens_are_refused() {
        let err = classify_headers(
            [("authorization".to_string(), "bearer ${B}".to_string())],
            Some("A".to_string()),
        )
        .unwrap_err();
        assert!(err.to_string().contains("already read from A"), "{err}");
    }

    #[test]
    fn env_references_need_a_variable_name() {
        assert_eq!(env_reference("${A_1}"), Some(("A_1", false)));
        assert_eq!(env_reference("${A:-x}"), Some(("A", true)));
        assert_eq!(env_reference("${1A}"), None);
        assert_eq!(env_reference("$A"), None);
        assert_eq!(env_reference("x${A}"), None);
    }
}
