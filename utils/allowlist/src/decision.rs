use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::launch::RefusedEnv;

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

/// Why requirements deny a server. The display text is a sentence meant to follow the
/// requirements file path in a message; [`DenyReason::summary`] is the short form for a
/// status column. Neither ever contains an `env` value.
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
    /// The command is a relative path with a folder (`./x`, `bin/x`), which runs a different
    /// program in every working folder and so never matches an identity.
    RelativeCommand {
        /// The server name that was checked.
        name: String,
        /// The configured command.
        command: String,
    },
    /// The command is allowed, but the requirement pins `args` (or `args_prefix`) and the
    /// server's arguments differ.
    ArgsNotAllowed {
        /// The server name that was checked.
        name: String,
        /// The configured command.
        command: String,
        /// The pinned arguments, described (``args ["/opt/s.js"]``).
        allowed: String,
    },
    /// The command is allowed, but the requirement pins `cwd` and the server's differs.
    CwdNotAllowed {
        /// The server name that was checked.
        name: String,
        /// The configured working folder (`None`: mcpctl's own).
        actual: Option<PathBuf>,
        /// The pinned working folder.
        allowed: PathBuf,
    },
    /// The command is allowed, but the server sets or passes through variables that change
    /// what the program runs or loads, and the requirement's `allow_env` does not list them.
    EnvNotAllowed {
        /// The server name that was checked.
        name: String,
        /// The refused variables (names only, never values).
        refused: Vec<RefusedEnv>,
    },
}

impl DenyReason {
    /// The server name the reason is about.
    pub fn server(&self) -> &str {
        match self {
            Self::NotListed { name }
            | Self::IdentityMismatch { name, .. }
            | Self::RelativeCommand { name, .. }
            | Self::ArgsNotAllowed { name, .. }
            | Self::CwdNotAllowed { name, .. }
            | Self::EnvNotAllowed { name, .. } => name,
        }
    }

    /// A few words naming the refused key, for a status column: ``env.LD_PRELOAD` not in
    /// `allow_env` ``. `None` for a name that is not listed, whose status stays
    /// `requirements (<path>)` as in Codex.
    pub fn summary(&self) -> Option<String> {
        match self {
            Self::NotListed { .. } => None,
            Self::IdentityMismatch { actual, .. } => Some(format!("{actual} is not allowed")),
            Self::RelativeCommand { command, .. } => {
                Some(format!("relative `command` `{}`", command.escape_debug()))
            }
            Self::ArgsNotAllowed { .. } => Some("`args` not allowed".to_owned()),
            Self::CwdNotAllowed { .. } => Some("`cwd` not allowed".to_owned()),
            Self::EnvNotAllowed { refused, .. } => {
                let keys: Vec<String> = refused.iter().map(RefusedEnv::key).collect();
                Some(format!("{} not in `allow_env`", keys.join(", ")))
            }
        }
    }
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
            Self::RelativeCommand { name, command } => write!(
                f,
                "server `{name}` runs `{}`, a relative path that names a different program in \
                 every working folder; requirements only match a bare command name or an \
                 absolute path",
                command.escape_debug()
            ),
            Self::ArgsNotAllowed {
                name,
                command,
                allowed,
            } => write!(
                f,
                "server `{name}` runs `{command}` with other `args` than the requirements \
                 allow ({allowed})"
            ),
            Self::CwdNotAllowed {
                name,
                actual,
                allowed,
            } => match actual {
                Some(actual) => write!(
                    f,
                    "server `{name}` runs in `cwd` `{}`, but the requirements pin `cwd` to `{}`",
                    actual.display(),
                    allowed.display()
                ),
                None => write!(
                    f,
                    "server `{name}` sets no `cwd`, but the requirements pin `cwd` to `{}`",
                    allowed.display()
                ),
            },
            Self::EnvNotAllowed { name, refused } => {
                let items: Vec<String> = refused.iter().map(ToString::to_string).collect();
                let (these, them) = if refused.len() == 1 {
                    ("this variable", "it")
                } else {
                    ("these variables", "them")
                };
                write!(
                    f,
                    "server `{name}` uses {}, which can change the program that runs; the \
                     requirements allow {these} only when the identity's `allow_env` lists {them}",
                    items.join(", ")
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::launch::EnvSource;

    #[test]
    fn not_listed_names_the_server() {
        let reason = DenyReason::NotListed {
            name: "github".to_owned(),
        };
        assert_eq!(
            reason.to_string(),
            "server `github` is not listed in the MCP server requirements"
        );
        assert_eq!(reason.summary(), None);
        assert_eq!(reason.server(), "github");
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
        assert_eq!(
            reason.summary().unwrap(),
            "command `evil-mcp` is not allowed"
        );
        assert!(!Decision::Denied(reason).is_allowed());
        assert!(Decision::Allowed.is_allowed());
    }

    #[test]
    fn env_reasons_name_every_key_and_no_value() {
        let reason = DenyReason::EnvNotAllowed {
            name: "docs".to_owned(),
            refused: vec![
                RefusedEnv {
                    name: "LD_PRELOAD".to_owned(),
                    via: EnvSource::Env,
                    effect: "loads libraries",
                },
                RefusedEnv {
                    name: "PATH".to_owned(),
                    via: EnvSource::EnvVars,
                    effect: "picks the program",
                },
            ],
        };
        assert_eq!(
            reason.to_string(),
            "server `docs` uses `env.LD_PRELOAD` (loads libraries), `env_vars` entry `PATH` \
             (picks the program), which can change the program that runs; the requirements \
             allow these variables only when the identity's `allow_env` lists them"
        );
        assert_eq!(
            reason.summary().unwrap(),
            "`env.LD_PRELOAD`, `env_vars` entry `PATH` not in `allow_env`"
        );
    }

    #[test]
    fn launch_reasons_name_the_key() {
        let relative = DenyReason::RelativeCommand {
            name: "d".to_owned(),
            command: "./run".to_owned(),
        };
        assert!(relative.to_string().starts_with(
            "server `d` runs `./run`, a relative path that names a different program"
        ));
        assert_eq!(relative.summary().unwrap(), "relative `command` `./run`");
        let args = DenyReason::ArgsNotAllowed {
            name: "d".to_owned(),
            command: "node".to_owned(),
            allowed: "args [\"/s.js\"]".to_owned(),
        };
        assert_eq!(
            args.to_string(),
            "server `d` runs `node` with other `args` than the requirements allow (args [\"/s.js\"])"
        );
        let cwd = DenyReason::CwdNotAllowed {
            name: "d".to_owned(),
            actual: None,
            allowed: "/opt".into(),
        };
        assert_eq!(
            cwd.to_string(),
            "server `d` sets no `cwd`, but the requirements pin `cwd` to `/opt`"
        );
        assert_eq!(cwd.summary().unwrap(), "`cwd` not allowed");
    }
}
