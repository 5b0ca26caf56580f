//! The line a syntax error quotes, with secret values masked.
//!
//! A TOML error quotes the offending line, and that line may hold an `env` value, a header or
//! a client secret. The file cannot be parsed, so the context is read from the text: the last
//! `[table]` header above the line and the key before `=`. When either names a place that
//! holds secrets, every string on the line is replaced by as many `*` as it has characters, so
//! the caret under it still points at the same column.

/// `line` (line number `line_number`, 1-based, of `text`) with the strings masked when its
/// key or table can hold a secret.
pub(crate) fn masked_line(text: &str, line_number: usize, line: &str) -> String {
    let header = text
        .lines()
        .take(line_number.saturating_sub(1))
        .filter_map(|l| {
            let l = l.trim();
            l.starts_with('[')
                .then(|| l.trim_matches(|c| c == '[' || c == ']'))
        })
        .last()
        .unwrap_or("");
    let key = line.split('=').next().unwrap_or("");
    let segments = header.split('.').chain(key.split('.')).map(|s| {
        s.trim()
            .trim_matches('"')
            .trim_matches('\'')
            .to_ascii_lowercase()
    });
    let mut secret = false;
    for segment in segments {
        secret |= holds_secrets(&segment);
    }
    // An inline table or dotted key on the line itself (`env = { K = "v" }`).
    secret |= line.contains('{') && holds_secrets(key.trim());
    if secret {
        mask_strings(line)
    } else {
        line.to_string()
    }
}

/// Whether a key (lower case) names a secret or a table of them.
fn holds_secrets(segment: &str) -> bool {
    if segment.ends_with("_env_var") || segment.ends_with("_env_vars") || segment == "env_vars" {
        return false;
    }
    matches!(
        segment,
        "env" | "http_headers" | "headers" | "env_http_headers"
    ) || [
        "secret",
        "token",
        "password",
        "passwd",
        "api_key",
        "apikey",
        "authorization",
        "credential",
    ]
    .iter()
    .any(|word| segment.contains(word))
}

/// `line` with the characters inside each quoted string replaced by `*`.
fn mask_strings(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in line.chars() {
        match quote {
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
                out.push(c);
            }
            Some(q) => {
                if escaped {
                    escaped = false;
                    out.push('*');
                } else if c == '\\' && q == '"' {
                    escaped = true;
                    out.push('*');
                } else if c == q {
                    quote = None;
                    out.push(c);
                } else {
                    out.push('*');
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str, line_number: usize) -> String {
        let line = text.lines().nth(line_number - 1).unwrap();
        masked_line(text, line_number, line)
    }

    #[test]
    fn secrets_are_masked_with_their_length_kept() {
        let text = "[mcp_servers.x.env]\nTOKEN = \"s3cret\" x\n";
        assert_eq!(masked(text, 2), "TOKEN = \"******\" x");
        let text = "[mcp_servers.x]\nenv = { A = \"s3cret\", B = 'two' } junk\n";
        assert_eq!(masked(text, 2), "env = { A = \"******\", B = '***' } junk");
        let text = "[mcp_servers.x.oauth]\nclient_secret = \"a\\\"b\" =\n";
        assert_eq!(masked(text, 2), "client_secret = \"****\" =");
        let text = "[mcp_servers.x]\nhttp_headers.Authorization = \"Bearer t\" x\n";
        assert_eq!(
            masked(text, 2),
            "http_headers.Authorization = \"********\" x"
        );
    }

    #[test]
    fn other_lines_are_quoted_as_they_are() {
        let text = "[mcp_servers.x]\ncommand = \"npx\" x\nbearer_token_env_var = \"TOKEN\" x\n";
        assert_eq!(masked(text, 2), "command = \"npx\" x");
        assert_eq!(masked(text, 3), "bearer_token_env_var = \"TOKEN\" x");
    }
}
