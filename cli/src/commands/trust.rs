//! `mcpctl trust`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use mcpctl_core::Workspace;

use super::report;
use crate::output::outln;

#[derive(Debug, Args)]
pub struct TrustArgs {
    /// The project folder (default: the current folder).
    pub dir: Option<PathBuf>,
}

pub fn run(workspace: &Workspace, args: &TrustArgs) -> Result<ExitCode> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let outcome = workspace.trust_project(&dir)?;
    report(&outcome);
    let dir = workspace.cwd().join(&dir);
    let dir = dir.canonicalize().unwrap_or(dir);
    outln(&format!(
        "Trusted {}: its .mcpctl/config.toml will be read.",
        dir.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}
