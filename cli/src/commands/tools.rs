//! `mcpctl tools [SERVER]`.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use mcpctl_core::client::ClientHooks;
use mcpctl_core::{CoreError, ToolEntry, Workspace, did_you_mean, rank_tools, tool_arguments};

use super::report_failures;
use crate::output::{note, out, outln};
use crate::progress::{self, Mode};
use crate::render::{self, Width};
use crate::runtime::block_on;

#[derive(Debug, Args)]
pub struct ToolsArgs {
    /// Only this server (default: every enabled server).
    pub server: Option<String>,
    /// Show this tool's arguments (name, type, required, default, choices, description).
    #[arg(requires = "server")]
    pub tool: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Rank tools by a fuzzy match of their name and description.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Show the tools saved at the last successful start, without starting any server.
    #[arg(long)]
    pub cached: bool,
    /// Do not cut table cells to the terminal's width.
    #[arg(long)]
    pub wide: bool,
}

pub fn run(workspace: &Workspace, args: &ToolsArgs) -> Result<ExitCode> {
    if args.cached {
        return cached(workspace, args);
    }
    block_on(async {
        let (session, updates) =
            workspace.start_live(args.server.as_deref(), ClientHooks::default())?;
        let shown = progress::spawn(updates, session.server_names(), Mode::TerminalOnly);
        let report = session.tools().await;
        let _ = shown.await;
        let report = report?;
        report_failures(&report.failures);
        for warning in &report.warnings {
            crate::output::warn(warning);
        }
        let mut entries = report.entries;
        if let Some(tool) = &args.tool {
            return one_tool(&entries, args, tool);
        }
        if let Some(query) = &args.search {
            entries = rank_tools(entries, query);
        }
        if args.json {
            outln(&render::json_text(&render::tools::json(
                &entries,
                &report.failures,
                &[],
            ))?)?;
        } else {
            out(&render::tools::table(
                &entries,
                args.search.is_some(),
                Width::detect(args.wide),
            ))?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `tools --cached`: the last tools lists saved on disk, without starting anything.
fn cached(workspace: &Workspace, args: &ToolsArgs) -> Result<ExitCode> {
    let listing = workspace.cached_tools(args.server.as_deref())?;
    if !listing.missing.is_empty() {
        note(format_args!(
            "no cached tools for {} (run `mcpctl tools` once to fill the cache)",
            listing.missing.join(", ")
        ));
    }
    let mut entries = listing.entries;
    if let Some(tool) = &args.tool {
        return one_tool(&entries, args, tool);
    }
    if let Some(query) = &args.search {
        entries = rank_tools(entries, query);
    }
    if args.json {
        outln(&render::json_text(&render::tools::json(
            &entries,
            &[],
            &listing.missing,
        ))?)?;
    } else {
        out(&render::tools::table(
            &entries,
            args.search.is_some(),
            Width::detect(args.wide),
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `tools <server> <tool>`: one tool and its arguments.
fn one_tool(entries: &[ToolEntry], args: &ToolsArgs, tool: &str) -> Result<ExitCode> {
    let server = args.server.as_deref().unwrap_or_default();
    let Some(entry) = entries.iter().find(|e| e.name == tool) else {
        return Err(CoreError::UnknownTool {
            server: server.to_string(),
            tool: tool.to_string(),
            suggestion: did_you_mean(tool, entries.iter().map(|e| e.name.as_str())),
        }
        .into());
    };
    let arguments = tool_arguments(&entry.tool);
    if args.json {
        outln(&render::json_text(&serde_json::json!({
            "tool": render::tools::json(std::slice::from_ref(entry), &[], &[])["tools"][0],
            "arguments": arguments,
        }))?)?;
    } else {
        out(&render::tools::detail(
            entry,
            &arguments,
            Width::detect(args.wide),
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
