//! `mcpctl read SERVER URI`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use mcpctl_core::client::ClientHooks;
use mcpctl_core::{Workspace, expand_uri_template, save_resource_contents};

use crate::output::{out, outln};
use crate::progress::{self, Mode};
use crate::render;
use crate::runtime::block_on;

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// The server.
    pub server: String,
    /// The resource URI, or a resource template such as `file:///{path}`.
    pub uri: String,
    /// Values for the template's variables, as KEY=VALUE.
    #[arg(value_name = "KEY=VALUE")]
    pub values: Vec<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Folder for binary contents (default: $MCPCTL_HOME/files).
    #[arg(long, value_name = "DIR")]
    pub save_dir: Option<PathBuf>,
}

pub fn run(workspace: &Workspace, args: &ReadArgs) -> Result<ExitCode> {
    let uri = if args.values.is_empty() && !args.uri.contains('{') {
        args.uri.clone()
    } else {
        expand_uri_template(&args.uri, &args.values)?
    };
    block_on(async {
        let (session, updates) =
            workspace.start_live(Some(&args.server), ClientHooks::default())?;
        let shown = progress::spawn(updates, session.server_names(), Mode::TerminalOnly);
        let result = session.read(&uri).await;
        let _ = shown.await;
        let result = serde_json::to_value(result?)?;
        if args.json {
            outln(&render::json_text(&result)?)?;
        } else {
            let dir = args
                .save_dir
                .clone()
                .unwrap_or_else(|| workspace.default_save_dir());
            let items = save_resource_contents(&result, &dir)?;
            out(&render::call::items(&items))?;
        }
        Ok(ExitCode::SUCCESS)
    })
}
