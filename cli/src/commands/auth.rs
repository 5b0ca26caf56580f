//! `mcpctl auth status`: where each server's OAuth login lives, its client, scopes and expiry
//! (never the tokens).

use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::Result;
use clap::{Args, Subcommand};
use mcpctl_core::Workspace;

use crate::output::{out, outln};
use crate::render::{self, Width};

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Show the stored OAuth login of every server (or of one), read from the credential
    /// stores: where it lives, its client, scopes and expiry. Never shows tokens.
    Status(StatusArgs),
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only this server.
    pub name: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(workspace: &Workspace, command: &AuthCommand) -> Result<ExitCode> {
    let AuthCommand::Status(args) = command;
    crate::runtime::block_on(async move {
        let entries = mcpctl_core::auth_statuses(workspace, args.name.as_deref()).await?;
        if args.json {
            outln(&render::json_text(&entries)?)?;
            return Ok(ExitCode::SUCCESS);
        }
        if entries.is_empty() {
            outln("No MCP servers configured.")?;
            return Ok(ExitCode::SUCCESS);
        }
        let now = SystemTime::now();
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                let login = e.login.as_ref();
                vec![
                    e.server.clone(),
                    mcpctl_core::auth_label(e.status, login, now),
                    login.map_or_else(|| "-".to_owned(), |l| l.location.clone()),
                    login.map_or_else(|| "-".to_owned(), |l| l.client_id.clone()),
                    login
                        .map(|l| l.scopes.join(" "))
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| "-".to_owned()),
                    login
                        .map(|l| if l.refresh_token { "yes" } else { "no" }.to_owned())
                        .unwrap_or_else(|| "-".to_owned()),
                ]
            })
            .collect();
        out(&render::table(
            &["Name", "Auth", "Stored in", "Client", "Scopes", "Refresh"],
            &rows,
            Width::detect(false),
        ))?;
        Ok(ExitCode::SUCCESS)
    })
}
