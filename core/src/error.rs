//! Errors of core operations.

use std::path::PathBuf;

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
    #[error(
        "{0}\nmcpctl refuses to run until the requirements file is fixed (ask your administrator)"
    )]
    Requirements(#[from] AllowlistError),
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
    #[error("required MCP server{} failed to start:\n{}", if failures.len() == 1 { "" } else { "s" }, failures.iter().map(|(name, why)| format!("  {name}: {why}")).collect::<Vec<_>>().join("\n"))]
    RequiredServersFailed {
        /// Each failed required server and why.
        failures: Vec<(String, String)>,
    },
    /// A command named a server that is configured but disabled.
    #[error("MCP server '{name}' is disabled{}; enable it with `mcpctl enable {name}`", reason.as_ref().map(|r| format!(" by {r}")).unwrap_or_default())]
    ServerDisabled {
        /// The server.
        name: String,
        /// Why, when it is not a plain `enabled = false`.
        reason: Option<String>,
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
    #[error("{0}")]
    Client(#[from] mcpctl_rmcp_client::ClientError),
    /// A server a command needs did not start.
    #[error("MCP server '{name}' {state}: {reason}")]
    ServerNotReady {
        /// The server.
        name: String,
        /// `failed` or `was cancelled`.
        state: String,
        /// Why.
        reason: String,
    },
}
