//! Validated MCP server names.

use std::fmt;

use crate::error::ConfigError;

/// The name of an MCP server, as used in `[mcp_servers.<name>]`.
///
/// Only letters, digits and `- _ : @ / .` are accepted (the same set Codex accepts), and the name
/// must be 1 to 128 characters long. Construct one with [`ServerName::parse`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServerName(String);

/// The longest server name mcpctl accepts.
pub const MAX_SERVER_NAME_LEN: usize = 128;

impl ServerName {
    /// Checks `name` and wraps it; the error says which character is not allowed.
    pub fn parse(name: &str) -> Result<Self, ConfigError> {
        if name.is_empty() {
            return Err(ConfigError::InvalidServerName {
                name: name.to_string(),
                reason: "the name is empty".to_string(),
            });
        }
        if name.chars().count() > MAX_SERVER_NAME_LEN {
            return Err(ConfigError::InvalidServerName {
                name: name.to_string(),
                reason: format!("the name is longer than {MAX_SERVER_NAME_LEN} characters"),
            });
        }
        if let Some(bad) = name.chars().find(|c| !is_name_char(*c)) {
            return Err(ConfigError::InvalidServerName {
                name: name.to_string(),
                reason: format!("{bad:?} is not allowed; use letters, digits and - _ : @ / . only"),
            });
        }
        Ok(Self(name.to_string()))
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '@' | '/' | '.')
}

impl fmt::Display for ServerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ServerName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_codex_charset() {
        for ok in ["github", "a-b_c", "org/tool", "x@1.2", "ns:tool"] {
            assert_eq!(ServerName::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn rejects_bad_names_with_reason() {
        let err = ServerName::parse("my server").unwrap_err().to_string();
        assert!(err.contains("' ' is not allowed"), "{err}");
        assert!(ServerName::parse("").is_err());
        assert!(ServerName::parse(&"a".repeat(129)).is_err());
    }
}
