//! `mcpctl resources SERVER`, `mcpctl prompts SERVER` and `mcpctl prompts get SERVER PROMPT`.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
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

/// `mcpctl prompts SERVER` lists; `mcpctl prompts get SERVER PROMPT KEY=VALUE...` renders one.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct PromptsArgs {
    #[command(subcommand)]
    pub command: Option<PromptsCommand>,
    #[command(flatten)]
    pub list: Option<ServerJsonArgs>,
}

#[derive(Debug, Subcommand)]
pub enum PromptsCommand {
    /// List a server's prompts (the same as `mcpctl prompts SERVER`, for a server named `get`).
    List(ServerJsonArgs),
    /// Render one prompt with its arguments filled in.
    Get(PromptGetArgs),
}

#[derive(Debug, Args)]
pub struct PromptGetArgs {
    /// The server.
    pub server: String,
    /// The prompt.
    pub prompt: String,
    /// The prompt's arguments, as KEY=VALUE (values are strings, as MCP prompt arguments are).
    #[arg(value_name = "KEY=VALUE")]
    pub arguments: Vec<String>,
    /// Print the server's answer as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run_prompts(workspace: &Workspace, args: &PromptsArgs) -> Result<ExitCode> {
    match (&args.command, &args.list) {
        (Some(PromptsCommand::Get(get)), _) => run_prompt_get(workspace, get),
        (Some(PromptsCommand::List(list)), _) | (None, Some(list)) => list_prompts(workspace, list),
        (None, None) => Err(super::UsageError(
            "give a server: `mcpctl prompts SERVER`, or `mcpctl prompts get SERVER PROMPT [KEY=VALUE...]`".to_string(),
        )
        .into()),
    }
}

fn list_prompts(workspace: &Workspace, args: &ServerJsonArgs) -> Result<ExitCode> {
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

fn run_prompt_get(workspace: &Workspace, args: &PromptGetArgs) -> Result<ExitCode> {
    let mut arguments = Vec::new();
    for pair in &args.arguments {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(super::UsageError(format!("expected KEY=VALUE, got '{pair}'")).into());
        };
        arguments.push((key.to_string(), value.to_string()));
    }
    block_on(async {
        let (session, updates) =
            workspace.start_live(Some(&args.server), ClientHooks::default())?;
        let shown = progress::spawn(updates, session.server_names(), Mode::TerminalOnly);
        let result = session.prompt(&args.prompt, &arguments).await;
        let _ = shown.await;
        let result = serde_json::to_value(result?)?;
        if args.json {
            outln(&render::json_text(&result)?)?;
        } else {
            out(&render::listings::prompt_messages(&result))?;
        }
        Ok(ExitCode::SUCCESS)
    })
}
