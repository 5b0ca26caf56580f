//! The command line: global flags and the list of subcommands. Each subcommand's own flags
//! live beside its code in `commands/<verb>.rs`.

use clap::{Parser, Subcommand};
use mcpctl_utils_cli::ConfigOverrides;

use crate::commands::{
    add::AddArgs, add_json::AddJsonArgs, auth::AuthCommand, call::CallArgs,
    callback_url::CallbackUrlArgs, completions::CompletionsArgs, config::ConfigCommand,
    features::FeaturesCommand, get::GetArgs, import::ImportArgs, list::ListArgs, login::LoginArgs,
    logout::LogoutArgs, read::ReadArgs, toggle::NameArg, tools::ToolsArgs, trust::TrustArgs,
    trust::UntrustArgs,
};

const AFTER_HELP: &str = "\
Files:
  $MCPCTL_HOME/config.toml      the user config, the only file mcpctl writes (MCPCTL_HOME
                                defaults to ~/.mcpctl; MCPCTL_HOME=~/.codex shares Codex's file)
  /etc/mcpctl/config.toml       the system config
  /etc/mcpctl/requirements.toml the administrator's allowlist (cannot be overridden)
  .mcpctl/config.toml           a project's config, read once the project is trusted
  `mcpctl config paths` shows every file and whether it exists.

Exit codes:
  0  success
  1  error (the message says what was wrong and how to fix it)
  2  usage error (a flag or argument is wrong)";

/// Manage the MCP servers your AI agents use: configure, check and police them.
#[derive(Debug, Parser)]
#[command(
    name = "mcpctl",
    version,
    about,
    propagate_version = true,
    // The README promises no colours: clap's errors and help too, on a terminal as elsewhere.
    color = clap::ColorChoice::Never,
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub overrides: ConfigOverrides,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add an MCP server to the user config.
    Add(Box<AddArgs>),
    /// Add an MCP server given as JSON, in the form Claude Code's add-json takes.
    AddJson(Box<AddJsonArgs>),
    /// Import MCP servers from Claude Code, Claude Desktop or a .mcp.json file (dry run
    /// unless --write).
    Import(ImportArgs),
    /// List configured MCP servers (never touches the network; --check connects).
    List(ListArgs),
    /// Show one MCP server's configuration.
    Get(GetArgs),
    /// List the tools of running servers (starts them).
    Tools(ToolsArgs),
    /// Call one tool of a server and print its result.
    Call(CallArgs),
    /// List the resources of a server.
    Resources(crate::commands::resources::ServerJsonArgs),
    /// Read one resource of a server.
    Read(ReadArgs),
    /// List the prompts of a server, or render one: `prompts get SERVER PROMPT KEY=VALUE...`.
    Prompts(crate::commands::resources::PromptsArgs),
    /// Remove an MCP server from the user config.
    Remove(NameArg),
    /// Enable an MCP server.
    Enable(NameArg),
    /// Disable an MCP server (it stays configured).
    Disable(NameArg),
    /// Log in to an HTTP server with OAuth (opens the browser; --no-browser prints the URL).
    Login(LoginArgs),
    /// Log out of an HTTP server: revoke its OAuth tokens and delete them.
    Logout(LogoutArgs),
    /// OAuth logins: `mcpctl auth status [NAME]`.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Print the exact OAuth redirect URI of a server's logins, to register with a provider.
    CallbackUrl(CallbackUrlArgs),
    /// Trust a project as its config is now, so its .mcpctl/config.toml is read.
    Trust(TrustArgs),
    /// Stop trusting a project.
    Untrust(UntrustArgs),
    /// Feature flags.
    #[command(subcommand)]
    Features(FeaturesCommand),
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Serve JSON-RPC on stdin/stdout for editors (Codex's app-server methods for MCP and config).
    AppServer(crate::commands::app_server::AppServerArgs),
    /// Serve every enabled, allowed MCP server as one MCP server on stdio (the gateway).
    Serve(crate::commands::serve::ServeArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
