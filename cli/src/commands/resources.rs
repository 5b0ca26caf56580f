//! `mcpctl resources SERVER` and `mcpctl prompts SERVER`.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use mcpctl_core::Workspace;
use mcpctl_core::client::ClientHooks;
use serde_json::json;

use crate::output::{out, outln};
use crate::progress::{self, Mode};
use crate::render::{self, Width};
use crate::runtime::block_on;

#[derive(Debug, Args)]
pub struct ServerJsonArgs {
    /// The server.
    pub server: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Do not cut table cells to the terminal's width.
    #[arg(long)]
    pub wide: bool,
}

pub fn run_resources(workspace: &Workspace, args: &ServerJsonArgs) -> Result<ExitCode> {
    block_on(async {
        let (session, updates) =
            workspace.start_live(Some(&args.server), ClientHooks::default())?;
        let shown = progress::spawn(updates, session.server_names(), Mode::TerminalOnly);
        let listing = session.resources().await;
        let _ = shown.await;
        let listing = listing?;
        let resources = serde_json::to_value(&listing.resources)?;
        let templates = serde_json::to_value(&listing.templates)?;
        if args.json {
            outln(&render::json_text(
                &json!({"resources": resources, "resourceTemplates": templates}),
            )?)?;
        } else {
            out(&render::listings::resources(
                &resources,
                &templates,
                Width::detect(args.wide),
            ))?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn run_prompts(workspace: &Workspace, args: &ServerJsonArgs) -> Result<ExitCode> {
    block_on(async {
        let (session, updates) =
            workspace.start_live(Some(&args.server), ClientHooks::default())?;
        let shown = progress::spawn(updates, session.server_names(), Mode::TerminalOnly);
        let prompts = session.prompts().await;
        let _ = shown.await;
        let prompts = serde_json::to_value(prompts?)?;
        if args.json {
            outln(&render::json_text(&prompts)?)?;
        } else {
            out(&render::listings::prompts(
                &prompts,
                Width::detect(args.wide),
            ))?;
        }
        Ok(ExitCode::SUCCESS)
    })
}
