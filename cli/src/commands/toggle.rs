//! `mcpctl enable` and `mcpctl disable`.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use mcpctl_core::Workspace;

use super::report;
use crate::output::outln;

#[derive(Debug, Args)]
pub struct NameArg {
    /// The server's name.
    pub name: String,
}

pub fn run(workspace: &Workspace, args: &NameArg, enable: bool) -> Result<ExitCode> {
    let outcome = workspace.set_server_enabled(&args.name, enable)?;
    report(&outcome);
    let state = if enable { "Enabled" } else { "Disabled" };
    let unchanged = if outcome.changed {
        ""
    } else {
        " (it already was)"
    };
    outln(&format!("{state} MCP server '{}'{unchanged}.", args.name))?;
    Ok(ExitCode::SUCCESS)
}
