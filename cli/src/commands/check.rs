//! `mcpctl list --check`: connect to every enabled server at once and report.

use std::process::ExitCode;

use anyhow::Result;
use mcpctl_core::Workspace;
use mcpctl_core::client::ClientHooks;

use super::exit;
use super::list::ListArgs;
use crate::output::{errln, out, outln, warn};
use crate::progress::{self, Mode};
use crate::render::{self, Width};
use crate::runtime::block_on;

pub fn run(workspace: &Workspace, args: &ListArgs) -> Result<ExitCode> {
    block_on(async {
        let (session, updates) = workspace.start_live(None, ClientHooks::default())?;
        let mode = if args.json {
            Mode::TerminalOnly
        } else {
            Mode::Lines
        };
        let shown = progress::spawn(updates, session.server_names(), mode);
        let report = session.check().await;
        let _ = shown.await;
        for warning in &report.warnings {
            warn(warning);
        }
        if args.json {
            outln(&render::json_text(&render::check::json(
                workspace, &report,
            ))?)?;
        } else {
            out(&render::check::table(
                workspace,
                &report,
                Width::detect(args.wide),
            ))?;
        }
        if !report.required_failed.is_empty() {
            errln(&format!(
                "error: required MCP server{} failed: {}",
                if report.required_failed.len() == 1 {
                    ""
                } else {
                    "s"
                },
                report.required_failed.join(", ")
            ));
        } else if args.strict && !report.failed.is_empty() {
            errln(&format!(
                "error: MCP server{} failed (--strict): {}",
                if report.failed.len() == 1 { "" } else { "s" },
                report.failed.join(", ")
            ));
        }
        Ok(exit(report.is_failure(args.strict)))
    })
}
