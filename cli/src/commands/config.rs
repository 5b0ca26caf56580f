//! `mcpctl config explain | schema | paths`.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use mcpctl_core::Workspace;

use super::UsageError;
use crate::output::{out, outln};
use crate::render::{self, Width};

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show each effective value and the layer (file or -c flag) that set it.
    Explain {
        /// A key or table, e.g. `mcp_servers.docs` (default: everything).
        key: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Print secret values unmasked.
        #[arg(long)]
        show_secrets: bool,
        /// Do not cut table cells to the terminal's width.
        #[arg(long)]
        wide: bool,
    },
    /// Print the JSON schema of config.toml.
    Schema,
    /// Print the files mcpctl reads and writes, and whether each exists.
    Paths,
}

/// `config schema` needs no workspace: it works even when the config is broken.
pub fn schema() -> Result<ExitCode> {
    out(&mcpctl_core::config_schema_json())?;
    Ok(ExitCode::SUCCESS)
}

pub fn run(workspace: &Workspace, command: ConfigCommand) -> Result<ExitCode> {
    match command {
        ConfigCommand::Explain {
            key,
            json,
            show_secrets,
            wide,
        } => {
            let prefix = match key.as_deref() {
                Some(key) => mcpctl_utils_cli::parse_key_path(key)
                    .map_err(|message| UsageError(format!("invalid key '{key}': {message}")))?,
                None => Vec::new(),
            };
            let entries = workspace.explain(&prefix, show_secrets)?;
            if json {
                outln(&render::config::explain_json(&entries)?)?;
            } else {
                out(&render::config::explain_table(
                    &entries,
                    Width::detect(wide),
                ))?;
            }
        }
        ConfigCommand::Paths => out(&render::config::paths_table(workspace))?,
        ConfigCommand::Schema => return schema(),
    }
    Ok(ExitCode::SUCCESS)
}
