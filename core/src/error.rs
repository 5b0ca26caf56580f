//! Errors of core operations.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use mcpctl_allowlist::AllowlistError;
use mcpctl_config::{ConfigError, WriteError};
use thiserror::Error;

/// Everything a core operation can fail with; each message is ready to show to a user.
#[derive(Debug, Error)]
pub enum CoreError {
    /// A config file or flag is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The admin requirements file is wrong; every command refuses to run (fail closed).
    ///
    /// The message already holds the cause, so the inner error is not also a `source()`
    /// (which would print it twice in an error chain).
    #[error(
        "{0}\nmcpctl refuses to run until the requirements file is fixed (ask your administrator)"
    )]
    Requirements(AllowlistError),
    /// Writing the user config failed; the file is unchanged.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// No server has this name.
    #[error("No MCP server named '{name}'.{}", suggestion.as_ref().map(|s| format!(" Did you mean '{s}'?")).unwrap_or_default())]
    UnknownServer {
        /// The name asked for.
        name: String,
        /// The closest configured name, if any is close.
        suggestion: Option<String>,
    },
    /// The server exists and `--replace` was not given.
    #[error("MCP server '{name}' already exists (defined in {}); pass --replace to overwrite it, or choose another name", source_file.display())]
    ServerExists {
        /// The name.
        name: String,
        /// Where it is defined.
        source_file: PathBuf,
    },
    /// The server is defined in a file mcpctl does not write.
    #[error("MCP server '{name}' is defined in {} ({kind} config), which mcpctl does not write; edit that file instead", source_file.display())]
    NotUserDefined {
        /// The name.
        name: String,
        /// Where it is defined.
        source_file: PathBuf,
        /// The kind of layer (`system`, `project`, `managed`).
        kind: String,
    },
    /// `mcpctl trust` was given something that is not a folder.
    #[error("{}: not a folder; `mcpctl trust` takes the project folder that holds .mcpctl/", path.display())]
    NotAFolder {
        /// The path given.
        path: PathBuf,
    },
    /// `config explain KEY` for a key nothing sets.
    #[error("no configuration key '{key}' is set in any layer.{}", suggestion.as_ref().map(|s| format!(" Did you mean '{s}'?")).unwrap_or_default())]
    UnknownKey {
        /// The key asked for.
        key: String,
        /// The closest key that is set.
        suggestion: Option<String>,
    },
    /// One or more required servers could not start; the others were cancelled.
    #[error("required MCP server{} failed to start:\n{}", if failures.len() == 1 { "" } else { "s" }, failures.iter().map(|(name, why)| format!("  {}", why.sentence(name))).collect::<Vec<_>>().join("\n"))]
    RequiredServersFailed {
        /// Each failed required server and why.
        failures: Vec<(String, NotReady)>,
    },
    /// A command named a server that is configured but disabled.
    #[error("{}", disabled_message(name, reason))]
    ServerDisabled {
        /// The server.
        name: String,
        /// Why: `enabled = false`, or the admin requirements.
        reason: crate::policy::DisabledReason,
    },
    /// A server was asked for something its `initialize` answer did not declare.
    #[error("MCP server '{server}' offers no {what} (its capabilities do not include them)")]
    NotOffered {
        /// The server.
        server: String,
        /// `resources` or `prompts`.
        what: &'static str,
    },
    /// Tool-call arguments that could not be built or that the tool's schema rejects.
    #[error("invalid arguments for tool '{tool}': {message}")]
    InvalidToolArguments {
        /// The tool.
        tool: String,
        /// What is wrong.
        message: String,
    },
    /// A server has no tool of this name.
    #[error("MCP server '{server}' has no tool named '{tool}'.{}", suggestion.as_ref().map(|s| format!(" Did you mean '{s}'?")).unwrap_or_default())]
    UnknownTool {
        /// The server.
        server: String,
        /// The tool asked for.
        tool: String,
        /// The closest tool name, if any is close.
        suggestion: Option<String>,
    },
    /// A server has no prompt of this name.
    #[error("MCP server '{server}' has no prompt named '{prompt}'.{}", suggestion.as_ref().map(|s| format!(" Did you mean '{s}'?")).unwrap_or_default())]
    UnknownPrompt {
        /// The server.
        server: String,
        /// The prompt asked for.
        prompt: String,
        /// The closest prompt name, if any is close.
        suggestion: Option<String>,
    },
    /// Arguments of `prompts get` that the prompt does not declare, or required ones missing.
    #[error("invalid arguments for prompt '{prompt}': {message}")]
    InvalidPromptArguments {
        /// The prompt.
        prompt: String,
        /// What is wrong, with the arguments the prompt takes.
        message: String,
    },
    /// The tool exists but the configuration hides it.
    #[error("tool '{tool}' of MCP server '{server}' is filtered out by {reason}")]
    ToolFiltered {
        /// The server.
        server: String,
        /// The tool.
        tool: String,
        /// Which key hides it (`mcp_servers.x.disabled_tools`, ...).
        reason: String,
    },
    /// The server could not be started or reached.
    #[error(transparent)]
    Client(#[from] mcpctl_rmcp_client::ClientError),
    /// Content from a server could not be decoded.
    #[error("the server sent {what} that mcpctl cannot use: {message}")]
    BadContent {
        /// What it was.
        what: String,
        /// Why it is unusable.
        message: String,
    },
    /// A file for saved content could not be written.
    #[error("cannot save to {}: {source}", path.display())]
    Save {
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A resource template could not be filled.
    #[error("cannot fill the resource template '{template}': {message}")]
    InvalidTemplate {
        /// The template.
        template: String,
        /// What is wrong.
        message: String,
    },
    /// A value could not be turned into JSON.
    #[error("cannot serialise {what} as JSON: {message}")]
    Serialize {
        /// What was being serialised.
        what: &'static str,
        /// serde_json's message.
        message: String,
    },
    /// A server a command needs did not start.
    #[error("{}", state.sentence(name))]
    ServerNotReady {
        /// The server.
        name: String,
        /// Why it is not ready.
        state: NotReady,
    },
}

impl From<AllowlistError> for CoreError {
    fn from(error: AllowlistError) -> Self {
        CoreError::Requirements(error)
    }
}

fn disabled_message(name: &str, reason: &crate::policy::DisabledReason) -> String {
    match reason.label() {
        Some(label) => format!(
            "MCP server '{name}' is disabled by {label}: ask your administrator (mcpctl cannot enable it)"
        ),
        None => format!("MCP server '{name}' is disabled; enable it with `mcpctl enable {name}`"),
    }
}

/// Why a server could not start: the client's error, shared so that states stay cheap to copy.
#[derive(Debug, Clone)]
pub struct StartFailure(Arc<mcpctl_rmcp_client::ClientError>);

impl StartFailure {
    /// Wraps the client's error.
    pub fn new(error: mcpctl_rmcp_client::ClientError) -> Self {
        Self(Arc::new(error))
    }

    /// The client's error, with its kind (timeout, exit, HTTP status ...).
    pub fn error(&self) -> &mcpctl_rmcp_client::ClientError {
        &self.0
    }
}

impl fmt::Display for StartFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl PartialEq for StartFailure {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.to_string() == other.to_string()
    }
}

impl Eq for StartFailure {}

/// Why a server a command needs is not ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReady {
    /// It was not started (disabled or not configured).
    NotStarted,
    /// Its start failed.
    Failed(StartFailure),
    /// Its start was abandoned (a required server failed, or mcpctl is stopping).
    Cancelled,
    /// It was ready, but its connection is closed.
    Closed,
    /// Its connection was lost and it was restarted recently: the next restart waits.
    BackingOff {
        /// How many restarts in a row so far.
        restarts: u32,
        /// How long until the next attempt.
        retry_in: std::time::Duration,
        /// Why the last start failed, when it did (rather than a connection being lost).
        failure: Option<StartFailure>,
    },
}

impl NotReady {
    /// A whole sentence about the server `name`: the client's own error for a failed start
    /// (it already names the server and says it failed), otherwise `MCP server 'x' …`.
    pub fn sentence(&self, name: &str) -> String {
        let NotReady::Failed(why) = self else {
            return format!("MCP server '{name}' {self}");
        };
        // The client's errors start with "server `x`: …" or "server `x` failed to …": say the
        // server's name once, in the same form as every other sentence here.
        let text = why.to_string();
        let tick = format!("server `{name}`");
        match text.strip_prefix(&tick) {
            Some(rest) if rest.starts_with(": ") => {
                format!("MCP server '{name}' failed to start{rest}")
            }
            Some(rest) if rest.starts_with(' ') => format!("MCP server '{name}'{rest}"),
            _ => format!("MCP server '{name}' failed to start: {text}"),
        }
    }
}

impl fmt::Display for NotReady {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotReady::NotStarted => {
                f.write_str("was not started: it is disabled or not configured")
            }
            NotReady::Failed(why) => write!(f, "failed to start: {why}"),
            NotReady::Cancelled => {
                f.write_str("was cancelled: a required server failed or mcpctl is stopping")
            }
            NotReady::Closed => f.write_str("is not connected: its connection was closed"),
            NotReady::BackingOff {
                retry_in,
                failure: Some(why),
                ..
            } => write!(
                f,
                "failed to start ({why}); the next attempt is allowed in {:.1} s",
                retry_in.as_secs_f64()
            ),
            NotReady::BackingOff {
                restarts,
                retry_in,
                failure: None,
            } => write!(
                f,
                "stopped again after {restarts} restart{}: the next restart is allowed in {:.1} s",
                if *restarts == 1 { "" } else { "s" },
                retry_in.as_secs_f64()
            ),
        }
    }
}
