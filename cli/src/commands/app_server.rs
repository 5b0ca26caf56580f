//! `mcpctl app-server`: JSON-RPC over stdio for editors (see app-server/README.md), and the
//! generation of its protocol schema.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};
use mcpctl_core::LoadOptions;

use crate::output::outln;

#[derive(Debug, Args)]
pub struct AppServerArgs {
    #[command(subcommand)]
    pub command: Option<AppServerCommand>,
}

#[derive(Debug, Subcommand)]
pub enum AppServerCommand {
    /// Write the JSON schema of every message to DIR (`v2/<Type>.json` and one bundle).
    GenerateJsonSchema {
        /// The folder to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write TypeScript declarations of every message to DIR (one file per type, `v2/`,
    /// `index.ts`), laid out as Codex's `generate-ts` output.
    GenerateTs {
        /// The folder to write.
        #[arg(long)]
        out: PathBuf,
        /// Format the files with prettier (node_modules/.bin/prettier of this folder or a
        /// parent, the checkout's testing/peers, or PATH).
        #[arg(long)]
        prettier: bool,
    },
}

/// Serves stdin/stdout until EOF or `shutdown`; exits 0 then. The config is loaded by the
/// server itself, so a broken config is reported per request instead of refusing to start.
pub fn run(options: LoadOptions, args: AppServerArgs) -> Result<ExitCode> {
    match args.command {
        Some(AppServerCommand::GenerateJsonSchema { out }) => {
            let written = mcpctl_app_server_protocol::write_json_schemas(&out)?;
            outln(&format!(
                "wrote {} schema files to {}",
                written.len(),
                out.display()
            ))?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(AppServerCommand::GenerateTs { out, prettier }) => {
            let prettier = prettier
                .then(mcpctl_app_server_protocol::locate_prettier)
                .transpose()?;
            let written = mcpctl_app_server_protocol::write_typescript(&out)?;
            outln(&format!(
                "wrote {} TypeScript files to {}",
                written.len(),
                out.display()
            ))?;
            if let Some(program) = prettier {
                mcpctl_app_server_protocol::run_prettier(&program, &written)?;
                outln(&format!("formatted them with {}", program.display()))?;
            }
            return Ok(ExitCode::SUCCESS);
        }
        None => {}
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(mcpctl_app_server::run(
        mcpctl_app_server::AppServerOptions { load: options },
        tokio::io::stdin(),
        tokio::io::stdout(),
    ))?;
    Ok(ExitCode::SUCCESS)
}
