//! `mcpctl call SERVER TOOL [KEY=VALUE ...]`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use mcpctl_core::{CallRequest, Workspace, is_error_result, save_call_result};

use super::exit;
use crate::elicit::{self, ElicitMode};
use crate::output::{out, outln};
use crate::progress::{self, Mode};
use crate::render;
use crate::runtime::block_on;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  mcpctl call docs search query=rust limit=5\n  mcpctl call docs search --args '{\"query\": \"rust\"}'\n\nExit code 1 when the tool reports an error (isError)."
)]
pub struct CallArgs {
    /// The server.
    pub server: String,
    /// The tool.
    pub tool: String,
    /// Arguments as KEY=VALUE, typed by the tool's input schema (repeat a key for an array).
    #[arg(value_name = "KEY=VALUE", value_parser = key_value)]
    pub params: Vec<String>,
    /// Arguments as one JSON object (KEY=VALUE pairs are added to it).
    #[arg(long, value_name = "JSON", value_parser = json_object)]
    pub args: Option<String>,
    /// Print the whole result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Answer elicitation requests without asking (default on a terminal: ask; otherwise: decline).
    #[arg(long, value_enum, value_name = "MODE")]
    pub elicit: Option<ElicitMode>,
    /// Folder for images, audio and blobs in the result (default: $MCPCTL_HOME/files).
    #[arg(long, value_name = "DIR")]
    pub save_dir: Option<PathBuf>,
    /// Seconds allowed for this call (default: the server's tool_timeout_sec, else 60).
    #[arg(long, value_name = "SECS", value_parser = super::add::seconds)]
    pub timeout: Option<Duration>,
}

fn key_value(value: &str) -> Result<String, String> {
    match value.split_once('=') {
        Some((key, _)) if !key.trim().is_empty() => Ok(value.to_string()),
        _ => Err(format!(
            "expected KEY=VALUE, got '{value}' (pass a whole JSON object with --args)"
        )),
    }
}

fn json_object(value: &str) -> Result<String, String> {
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(serde_json::Value::Object(_)) => Ok(value.to_string()),
        Ok(_) => Err("expected a JSON object such as '{\"key\": \"value\"}'".to_string()),
        Err(err) => Err(format!("not valid JSON: {err}")),
    }
}

pub fn run(workspace: &Workspace, args: &CallArgs) -> Result<ExitCode> {
    block_on(async {
        let (session, updates) =
            workspace.start_live(Some(&args.server), elicit::hooks(args.elicit))?;
        let shown = progress::spawn(updates, session.server_names(), Mode::TerminalOnly);
        let request = CallRequest {
            server: args.server.clone(),
            tool: args.tool.clone(),
            args_json: args.args.clone(),
            pairs: args.params.clone(),
            timeout: args.timeout,
        };
        let result = session.call(&request).await;
        let _ = shown.await;
        let result = result?;
        if args.json {
            outln(&render::json_text(&result)?)?;
        } else {
            let dir = args
                .save_dir
                .clone()
                .unwrap_or_else(|| workspace.default_save_dir());
            let output = save_call_result(&result, &dir, &args.tool)?;
            out(&render::call::result(&output)?)?;
        }
        Ok(exit(is_error_result(&result)))
    })
}
