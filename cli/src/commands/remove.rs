//! `mcpctl remove`.

use std::process::ExitCode;

use anyhow::Result;
use mcpctl_core::Workspace;

use super::report;
use super::toggle::NameArg;
use crate::output::outln;

pub fn run(workspace: &Workspace, args: &NameArg) -> Result<ExitCode> {
    let outcome = workspace.remove_server(&args.name)?;
    report(&outcome);
    outln(&format!(
        "Removed MCP server '{}' from {}.",
        args.name,
        outcome.path.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}
