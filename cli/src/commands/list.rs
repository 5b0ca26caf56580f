//! `mcpctl list` (offline; `--check` is in `check.rs`).

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use mcpctl_core::{ServerView, Workspace};

use crate::output::{out, outln, warn};
use crate::render::{self, Width};

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Connect to every enabled server at once and report status, tools and startup time.
    #[arg(long)]
    pub check: bool,
    /// With --check: exit 1 when any enabled server fails, not only a required one.
    #[arg(long, requires = "check")]
    pub strict: bool,
    /// Print env and header values unmasked.
    #[arg(long)]
    pub show_secrets: bool,
    /// Do not cut table cells to the terminal's width.
    #[arg(long)]
    pub wide: bool,
}

pub fn run(workspace: &Workspace, args: &ListArgs) -> Result<ExitCode> {
    for warning in workspace
        .servers()
        .iter()
        .filter_map(|s| s.cleartext_warning())
    {
        warn(warning);
    }
    let auth = workspace.auth_statuses();
    let views: Vec<ServerView> = workspace
        .servers()
        .iter()
        .map(|s| ServerView::new(s, &auth, args.show_secrets))
        .collect();
    if args.json {
        outln(&render::json_text(&views)?)?;
    } else {
        out(&render::servers::table(&views, Width::detect(args.wide)))?;
    }
    Ok(ExitCode::SUCCESS)
}
