//! `mcpctl add`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::{ArgGroup, Args};
use mcpctl_core::{
    AddRequest, HttpTransport, McpServerConfig, OAuthClientConfig, ServerName, StdioTransport,
    Transport, Workspace,
};
use mcpctl_utils_cli::parse_key_value;

use super::report;
use crate::output::outln;

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
    #[arg(long, conflicts_with = "command", value_parser = http_url)]
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

    /// HTTP: OAuth scopes to request at login (comma-separated).
    #[arg(
        long,
        value_name = "SCOPES",
        value_delimiter = ',',
        conflicts_with = "command"
    )]
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
    pub startup_timeout: Option<Duration>,

    /// Seconds allowed for each tool call.
    #[arg(long = "tool-timeout", value_name = "SECS", value_parser = seconds)]
    pub tool_timeout: Option<Duration>,

    /// Overwrite a server of the same name.
    #[arg(long)]
    pub replace: bool,
}

fn server_name(value: &str) -> Result<ServerName, String> {
    ServerName::parse(value).map_err(|err| err.to_string())
}

/// A timeout in seconds: a positive number no larger than a year.
pub fn seconds(value: &str) -> Result<Duration, String> {
    mcpctl_core::parse_timeout_secs(value)
}

/// An `http://` or `https://` URL.
pub fn http_url(value: &str) -> Result<String, String> {
    mcpctl_core::check_http_url(value).map(|()| value.to_string())
}

pub fn run(workspace: &Workspace, args: AddArgs) -> Result<ExitCode> {
    let name = args.name.clone();
    let outcome = workspace.add_server(request(args, workspace.cwd()))?;
    report(&outcome);
    let verb = if outcome.replaced {
        "Replaced"
    } else {
        "Added"
    };
    outln(&format!(
        "{verb} MCP server '{name}' in {}.",
        outcome.path.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn request(args: AddArgs, cwd: &std::path::Path) -> AddRequest {
    let transport = match args.url {
        Some(url) => Transport::StreamableHttp(HttpTransport {
            url,
            bearer_token_env_var: args.bearer_token_env_var,
            http_headers: args.headers.into_iter().collect(),
            env_http_headers: args.env_headers.into_iter().collect(),
        }),
        None => {
            let mut command = args.command.into_iter();
            Transport::Stdio(StdioTransport {
                command: command.next().unwrap_or_default(),
                args: command.collect(),
                env: args.env.into_iter().collect::<BTreeMap<_, _>>(),
                env_vars: args.env_vars,
                cwd: args.cwd.map(|dir| mcpctl_core::absolute_dir(cwd, &dir)),
            })
        }
    };
    let mut config = McpServerConfig::new(transport);
    config.enabled = !args.disabled;
    config.required = args.required;
    config.enabled_tools = args.enabled_tools;
    config.disabled_tools = args.disabled_tools;
    config.startup_timeout = args.startup_timeout;
    config.tool_timeout = args.tool_timeout;
    config.scopes = (!args.scopes.is_empty()).then_some(args.scopes);
    config.oauth_resource = args.oauth_resource;
    config.oauth = args.oauth_client_id.map(|client_id| OAuthClientConfig {
        client_id: Some(client_id),
        ..OAuthClientConfig::default()
    });
    AddRequest {
        name: args.name,
        config,
        replace: args.replace,
    }
}
