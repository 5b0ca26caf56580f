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
    /// Start every server at once instead of at the first request that needs it.
    #[arg(long)]
    pub eager: bool,
    /// The approval preset for the whole gateway, over `approval_preset` in the config.
    #[arg(long, value_enum)]
    pub preset: Option<PresetArg>,
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
        preset: args.preset.map(|p| match p {
            PresetArg::ReadOnly => Preset::ReadOnly,
            PresetArg::Ask => Preset::Ask,
            PresetArg::Auto => Preset::Auto,
            PresetArg::FullAccess => Preset::FullAccess,
        }),
        own_exe,
    };
    block_on(async move {
        mcpctl_gateway::serve_stdio(workspace, options).await?;
        Ok(ExitCode::SUCCESS)
    })
}
