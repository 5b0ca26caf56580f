use std::fmt;

use serde::Serialize;

/// The outcome of checking one configured server against the requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", content = "reason", rename_all = "snake_case")]
pub enum Decision {
    /// The server may run.
    Allowed,
    /// The server must be disabled, for the given reason.
    Denied(DenyReason),
}

impl Decision {
    /// Whether the server may run.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allowed)
    }
}

/// Why requirements deny a server. The display text is a sentence fragment meant to follow
/// the server name in a status line; callers add the requirements file path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DenyReason {
    /// No requirement lists this server name.
    NotListed {
        /// The server name that was checked.
        name: String,
    },
    /// The name is listed, but the server's command or URL matches none of the identities
    /// allowed for it (for example, a server renamed to an allowlisted name).
    IdentityMismatch {
        /// The server name that was checked.
        name: String,
        /// The configured identity, described (e.g. ``command `evil-mcp` ``).
        actual: String,
        /// Descriptions of the identities the requirements allow for this name.
        allowed: Vec<String>,
    },
}

impl fmt::Display for DenyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotListed { name } => {
                write!(
                    f,
                    "server `{name}` is not listed in the MCP server requirements"
                )
            }
            Self::IdentityMismatch {
                name,
                actual,
                allowed,
            } => write!(
                f,
                "server `{name}` is configured with {actual}, but the requirements only allow {}",
                allowed.join(" or ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_listed_names_the_server() {
        let reason = DenyReason::NotListed {
            name: "github".to_owned(),
        };
        assert_eq!(
            reason.to_string(),
            "server `github` is not listed in the MCP server requirements"
        );
    }

    #[test]
    fn mismatch_names_actual_and_allowed_identities() {
        let reason = DenyReason::IdentityMismatch {
            name: "docs".to_owned(),
            actual: "command `evil-mcp`".to_owned(),
            allowed: vec![
                "command `docs-mcp`".to_owned(),
                "url `https://example.com/mcp`".to_owned(),
            ],
        };
        assert_eq!(
            reason.to_string(),
            "server `docs` is configured with command `evil-mcp`, but the requirements only allow \
             command `docs-mcp` or url `https://example.com/mcp`"
        );
        assert!(!Decision::Denied(reason).is_allowed());
        assert!(Decision::Allowed.is_allowed());
    }
}
