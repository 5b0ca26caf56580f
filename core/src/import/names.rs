//! Server names that other clients allow and mcpctl does not (`my server`, `docs+search`),
//! mapped to valid mcpctl names.

use std::collections::BTreeSet;

use mcpctl_config::{ConfigError, MAX_SERVER_NAME_LEN, ServerName};

/// `raw` as a valid mcpctl name: every run of characters mcpctl does not allow becomes one
/// `-`, leading and trailing `-` from such runs are dropped, and the name is cut to the
/// longest length allowed. A name with nothing usable left becomes `server`.
pub fn map_server_name(raw: &str) -> Result<ServerName, ConfigError> {
    let mut out = String::with_capacity(raw.len());
    let mut replaced = false;
    for c in raw.chars() {
        if is_name_char(c) {
            if replaced && !out.is_empty() {
                out.push('-');
            }
            replaced = false;
            out.push(c);
        } else {
            replaced = true;
        }
    }
    let mut name: String = out.chars().take(MAX_SERVER_NAME_LEN).collect();
    if name.is_empty() {
        name = "server".to_string();
    }
    ServerName::parse(&name)
}

/// `base`, or `base-2`, `base-3` ... : the first that is not in `taken`.
pub fn unique_name(base: &ServerName, taken: &BTreeSet<String>) -> Result<ServerName, ConfigError> {
    let mut candidate = base.to_string();
    let mut n = 1usize;
    while taken.contains(&candidate) {
        n += 1;
        let suffix = format!("-{n}");
        let keep = MAX_SERVER_NAME_LEN.saturating_sub(suffix.len());
        let stem: String = base.as_str().chars().take(keep).collect();
        candidate = format!("{stem}{suffix}");
    }
    ServerName::parse(&candidate)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '@' | '/' | '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_characters_become_one_dash() {
        assert_eq!(map_server_name("my server").unwrap().as_str(), "my-server");
        assert_eq!(
            map_server_name("  docs + search ").unwrap().as_str(),
            "docs-search"
        );
        assert_eq!(
            map_server_name("Ünïcode ✓ tools").unwrap().as_str(),
            "n-code-tools"
        );
        assert_eq!(
            map_server_name("github.com/acme").unwrap().as_str(),
            "github.com/acme"
        );
        assert_eq!(map_server_name("✓✓").unwrap().as_str(), "server");
        assert_eq!(
            map_server_name(&"x".repeat(300)).unwrap().as_str().len(),
            MAX_SERVER_NAME_LEN
        );
    }

    #[test]
    fn taken_names_get_a_number() {
        let taken: BTreeSet<String> = ["a".to_string(), "a-2".to_string()].into();
        let a = ServerName::parse("a").unwrap();
        assert_eq!(unique_name(&a, &taken).unwrap().as_str(), "a-3");
        let b = ServerName::parse("b").unwrap();
        assert_eq!(unique_name(&b, &taken).unwrap().as_str(), "b");
        let long = ServerName::parse(&"y".repeat(MAX_SERVER_NAME_LEN)).unwrap();
        let taken: BTreeSet<String> = [long.to_string()].into();
        assert_eq!(
            unique_name(&long, &taken).unwrap().as_str().len(),
            MAX_SERVER_NAME_LEN
        );
    }
}
