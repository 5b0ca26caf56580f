//! `mcpctl features list`.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use mcpctl_core::Workspace;

use crate::output::{out, outln};
use crate::render::{self, Width};

#[derive(Debug, Subcommand)]
pub enum FeaturesCommand {
    /// Show every known feature, its stage, whether it is on and which layer decided.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(workspace: &Workspace, command: &FeaturesCommand) -> Result<ExitCode> {
    let FeaturesCommand::List { json } = command;
    let features = workspace.features();
    if *json {
        outln(&render::config::features_json(&features)?)?;
    } else {
        out(&render::config::features_table(
            &features,
            Width::detect(false),
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
