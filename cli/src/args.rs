//! Command-line arguments.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};
use mcpctl_config::ServerName;
use mcpctl_utils_cli::{ConfigOverrides, parse_key_value};

/// Manage the MCP servers your AI agents use: configure, check and police them.
#[derive(Debug, Parser)]
#[command(name = "mcpctl", version, about, propagate_version = true)]
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
    /// List configured MCP servers (never touches the network).
    List(ListArgs),
    /// Show one MCP server's configuration.
    Get(GetArgs),
    /// List the tools of running servers (starts them).
    Tools(ToolsArgs),
    /// Call one tool of a server and print its result.
    Call(CallArgs),
    /// List the resources of a server.
    Resources(ServerJsonArgs),
    /// Read one resource of a server.
    Read(ReadArgs),
    /// List the prompts of a server.
    Prompts(ServerJsonArgs),
    /// Remove an MCP server from the user config.
    Remove(NameArg),
    /// Enable an MCP server.
    Enable(NameArg),
    /// Disable an MCP server (it stays configured).
    Disable(NameArg),
    /// Trust a project folder, so its .mcpctl/config.toml is read.
    Trust(TrustArgs),
    /// Feature flags.
    #[command(subcommand)]
    Features(FeaturesCommand),
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
}

fn server_name(value: &str) -> Result<ServerName, String> {
    ServerName::parse(value).map_err(|err| err.to_string())
}

fn seconds(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 => Ok(secs),
        _ => Err(format!(
            "expected a positive number of seconds, got '{value}'"
        )),
    }
}

#[derive(Debug, Args)]
#[command(
    override_usage = "mcpctl add [OPTIONS] <NAME> [--url <URL> | -- <COMMAND>...]",
    group(ArgGroup::new("transport").required(true).args(["url", "command"])),
    after_help = "Examples:\n  mcpctl add docs -- npx -y docs-mcp --port 3000\n  mcpctl add web --url https://example.com/mcp --bearer-token-env-var WEB_TOKEN"
)]
pub struct AddArgs {
    /// Name of the server (letters, digits and - _ : @ / .).
    #[arg(value_parser = server_name)]
    pub name: ServerName,

    /// URL of a streamable HTTP server.
    #[arg(long, conflicts_with = "command")]
    pub url: Option<String>,

    /// Command (and arguments) that starts a stdio server.
    #[arg(last = true, value_name = "COMMAND", num_args = 1..)]
    pub command: Vec<String>,

    /// stdio: set an environment variable for the server.
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_key_value, conflicts_with = "url")]
    pub env: Vec<(String, String)>,

    /// stdio: pass this variable through from mcpctl's environment.
    #[arg(long = "env-var", value_name = "NAME", conflicts_with = "url")]
    pub env_vars: Vec<String>,

    /// stdio: working directory of the server.
    #[arg(long, value_name = "DIR", conflicts_with = "url")]
    pub cwd: Option<PathBuf>,

    /// HTTP: environment variable holding a bearer token.
    #[arg(long, value_name = "ENV_VAR", conflicts_with = "command")]
    pub bearer_token_env_var: Option<String>,

    /// HTTP: a static header sent with every request.
    #[arg(long = "header", value_name = "NAME=VALUE", value_parser = parse_key_value, conflicts_with = "command")]
    pub headers: Vec<(String, String)>,

    /// HTTP: a header whose value is read from an environment variable.
    #[arg(long = "env-header", value_name = "NAME=ENV_VAR", value_parser = parse_key_value, conflicts_with = "command")]
    pub env_headers: Vec<(String, String)>,

    /// OAuth scopes to request at login (comma-separated).
    #[arg(long, value_name = "SCOPES", value_delimiter = ',')]
    pub scopes: Vec<String>,

    /// HTTP: a pre-registered OAuth client id.
    #[arg(long, value_name = "ID", conflicts_with = "command")]
    pub oauth_client_id: Option<String>,

    /// HTTP: the RFC 8707 resource indicator sent at login.
    #[arg(long, value_name = "URI", conflicts_with = "command")]
    pub oauth_resource: Option<String>,

    /// Startup fails when this server cannot start.
    #[arg(long)]
    pub required: bool,

    /// Add the server disabled.
    #[arg(long)]
    pub disabled: bool,

    /// Only expose these tools (comma-separated).
    #[arg(long, value_name = "TOOLS", value_delimiter = ',')]
    pub enabled_tools: Option<Vec<String>>,

    /// Hide these tools (comma-separated).
    #[arg(long, value_name = "TOOLS", value_delimiter = ',')]
    pub disabled_tools: Option<Vec<String>>,

    /// Seconds allowed for start, initialize and the first tools/list.
    #[arg(long = "startup-timeout", value_name = "SECS", value_parser = seconds)]
    pub startup_timeout: Option<f64>,

    /// Seconds allowed for each tool call.
    #[arg(long = "tool-timeout", value_name = "SECS", value_parser = seconds)]
    pub tool_timeout: Option<f64>,

    /// Overwrite a server of the same name.
    #[arg(long)]
    pub replace: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Connect to every enabled server at once and report status, tools and startup time.
    #[arg(long)]
    pub check: bool,
    /// Print env and header values unmasked.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
pub struct ToolsArgs {
    /// Only this server (default: every enabled server).
    pub server: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Rank tools by a fuzzy match of their name and description.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Show the tools saved at the last successful start, without starting any server.
    #[arg(long)]
    pub cached: bool,
}

/// How to answer a server's request for user input during a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ElicitMode {
    /// Answer with the default values of the requested schema.
    Defaults,
    /// Decline every request.
    Decline,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  mcpctl call docs search query=rust limit=5\n  mcpctl call docs search --args '{\"query\": \"rust\"}'"
)]
pub struct CallArgs {
    /// The server.
    pub server: String,
    /// The tool.
    pub tool: String,
    /// Arguments as KEY=VALUE, typed by the tool's input schema.
    #[arg(value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Arguments as one JSON object (KEY=VALUE pairs are added to it).
    #[arg(long, value_name = "JSON")]
    pub args: Option<String>,
    /// Print the whole result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Answer elicitation requests without asking (default on a terminal: ask; otherwise: decline).
    #[arg(long, value_enum, value_name = "MODE")]
    pub elicit: Option<ElicitMode>,
    /// Folder for images, audio and blobs in the result (default: a temporary folder).
    #[arg(long, value_name = "DIR")]
    pub save_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServerJsonArgs {
    /// The server.
    pub server: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// The server.
    pub server: String,
    /// The resource URI.
    pub uri: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Folder for binary contents (default: a temporary folder).
    #[arg(long, value_name = "DIR")]
    pub save_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// The server's name.
    pub name: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Print env and header values unmasked.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
pub struct NameArg {
    /// The server's name.
    pub name: String,
}

#[derive(Debug, Args)]
pub struct TrustArgs {
    /// The project folder (default: the current folder).
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum FeaturesCommand {
    /// Show every known feature, its stage, whether it is on and which layer decided.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show each effective value and the layer (file or -c flag) that set it.
    Explain {
        /// A key or table, e.g. `mcp_servers.docs` (default: everything).
        key: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Print secret values unmasked.
        #[arg(long)]
        show_secrets: bool,
    },
    /// Print the JSON schema of config.toml.
    Schema,
    /// Print the files mcpctl reads and writes, and whether each exists.
    Paths,
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
