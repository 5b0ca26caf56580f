//! `mcpctl serve`: every enabled, policy-allowed server as one MCP server on stdio.

use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum};
use mcpctl_core::Workspace;
use mcpctl_core::approval_types::Preset;
use mcpctl_gateway::{GatewayOptions, PrintTarget};

use crate::output::out;
use crate::runtime::block_on;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Serve only these servers (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub servers: Option<Vec<String>>,
    /// Start every server as soon as the client has initialized, instead of at the first
    /// request that needs one.
    #[arg(long)]
    pub eager: bool,
    /// List only `search_tools` and `call_tool` (and `gateway_pinned_tools`) instead of every
    /// tool.
    #[arg(long)]
    pub tool_search: bool,
    /// The approval preset for the whole gateway, over `approval_preset` in the config.
    #[arg(long, value_enum)]
    pub preset: Option<PresetArg>,
    /// Serve streamable HTTP at http://HOST:PORT/mcp instead of stdio (HOST defaults to
    /// 127.0.0.1; port 0 picks a free one, printed on stderr).
    #[arg(long, value_name = "[HOST:]PORT")]
    pub http: Option<String>,
    /// Listen on this address instead of loopback (with --http); needs --token-env-var.
    #[arg(long, value_name = "ADDR", requires = "http")]
    pub bind: Option<std::net::IpAddr>,
    /// The environment variable holding the bearer token every HTTP request must carry.
    #[arg(long, value_name = "NAME", requires = "http")]
    pub token_env_var: Option<String>,
    /// Print the snippet that adds this gateway to a client, and exit.
    #[arg(long, value_enum, value_name = "CLIENT")]
    pub print_config: Option<ClientArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PresetArg {
    /// Only read-only tools are listed and run.
    ReadOnly,
    /// Every call asks.
    Ask,
    /// Decided from the tools' annotations.
    Auto,
    /// Every call runs.
    FullAccess,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ClientArg {
    /// Claude Code (`.mcp.json`).
    Claude,
    /// Codex (`~/.codex/config.toml`).
    Codex,
    /// Cursor (`~/.cursor/mcp.json`).
    Cursor,
}

pub fn run(workspace: Workspace, args: ServeArgs) -> Result<ExitCode> {
    let own_exe = std::env::current_exe().ok();
    if let Some(client) = args.print_config {
        let target = match client {
            ClientArg::Claude => PrintTarget::Claude,
            ClientArg::Codex => PrintTarget::Codex,
            ClientArg::Cursor => PrintTarget::Cursor,
        };
        let exe = own_exe.context("cannot tell where this mcpctl executable is")?;
        let home = std::env::var_os("MCPCTL_HOME").map(std::path::PathBuf::from);
        out(&mcpctl_gateway::print_config(target, &exe, home.as_deref()))?;
        return Ok(ExitCode::SUCCESS);
    }
    let options = GatewayOptions {
        only: args.servers,
        eager: args.eager,
        tool_search: args.tool_search,
        preset: args.preset.map(|p| match p {
            PresetArg::ReadOnly => Preset::ReadOnly,
            PresetArg::Ask => Preset::Ask,
            PresetArg::Auto => Preset::Auto,
            PresetArg::FullAccess => Preset::FullAccess,
        }),
        own_exe,
    };
    let http = match &args.http {
        None => None,
        Some(text) => Some(http_options(
            text,
            args.bind,
            args.token_env_var.as_deref(),
        )?),
    };
    if let Some(http) = &http {
        http.check()?;
    }
    block_on(async move {
        match http {
            Some(http) => mcpctl_gateway::serve_http(workspace, options, http).await?,
            None => mcpctl_gateway::serve_stdio(workspace, options).await?,
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `--http [HOST:]PORT`, `--bind` and `--token-env-var` as one address and token.
fn http_options(
    text: &str,
    bind: Option<std::net::IpAddr>,
    token_env_var: Option<&str>,
) -> Result<mcpctl_gateway::HttpOptions> {
    let usage = |why: String| crate::commands::UsageError(why);
    let mut addr: std::net::SocketAddr = match text.parse::<u16>() {
        Ok(port) => std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Err(_) => text.parse().map_err(|_| {
            usage(format!(
                "--http '{text}': expected PORT or HOST:PORT, such as 8080 or 127.0.0.1:8080"
            ))
        })?,
    };
    if let Some(ip) = bind {
        addr.set_ip(ip);
    } else if !addr.ip().is_loopback() {
        return Err(usage(format!(
            "--http '{text}' is not a loopback address: say so with --bind {} (and a token with --token-env-var)",
            addr.ip()
        ))
        .into());
    }
    let token = match token_env_var {
        None => None,
        Some(name) => match std::env::var(name) {
            Ok(token) if !token.trim().is_empty() => Some(token),
            _ => {
                return Err(usage(format!(
                    "--token-env-var {name}: the variable is not set or empty"
                ))
                .into());
            }
        },
    };
    Ok(mcpctl_gateway::HttpOptions { addr, token })
}
