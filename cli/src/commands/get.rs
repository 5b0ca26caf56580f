//! `mcpctl get`.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use mcpctl_core::{ServerView, Workspace};

use crate::output::{out, outln, warn};
use crate::render;

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

pub fn run(workspace: &Workspace, args: &GetArgs) -> Result<ExitCode> {
    let server = workspace.server(&args.name)?;
    if let Some(warning) = server.cleartext_warning() {
        warn(warning);
    }
    let view = ServerView::new(server, &workspace.auth_statuses(), args.show_secrets);
    if args.json {
        outln(&render::json_text(&view)?)?;
    } else {
        out(&render::servers::details(&view))?;
    }
    Ok(ExitCode::SUCCESS)
}
