//! `mcpctl list --check`.

use std::fmt::Write as _;

use mcpctl_core::{CheckReport, ServerState, ServerStatus, Workspace};
use serde_json::{Value, json};

use super::{Width, first_line, table as grid, text_block};

fn secs(d: std::time::Duration) -> String {
    format!("{:.2}s", d.as_secs_f64())
}

/// One row per configured server, then the full cause of each failure.
pub fn table(workspace: &Workspace, report: &CheckReport, width: Width) -> String {
    let mut rows = Vec::new();
    let mut details = Vec::new();
    for server in workspace.servers().iter() {
        let name = server.name().to_string();
        let required = if server.config().required {
            " (required)"
        } else {
            ""
        };
        let auth = mcpctl_core::auth_label(
            report.auth.status_of(server),
            report.auth.login_of(server),
            std::time::SystemTime::now(),
        );
        let Some(c) = report
            .connections
            .iter()
            .find(|c| c.server.name() == server.name())
        else {
            let status = match server.status() {
                ServerStatus::Disabled(reason) => reason
                    .label()
                    .map_or_else(|| "disabled".to_string(), |l| format!("disabled: {l}")),
                ServerStatus::Enabled => "not started".to_string(),
            };
            rows.push(vec![
                format!("{name}{required}"),
                status,
                "-".into(),
                "-".into(),
                "-".into(),
                auth,
                "-".into(),
            ]);
            continue;
        };
        let info = c
            .server_info()
            .map_or_else(|| "-".to_string(), |(n, v)| format!("{n} {v}"));
        let (tools, error) = match &c.state {
            ServerState::Ready => (c.tools.len().to_string(), "-".to_string()),
            ServerState::Failed(_) => {
                let why = report.failure_text(c).unwrap_or_default();
                details.push(format!("{name}: {why}"));
                ("-".to_string(), first_line(&why, 60))
            }
            ServerState::Cancelled => ("-".to_string(), "cancelled".to_string()),
            ServerState::Starting => ("-".to_string(), "-".to_string()),
        };
        rows.push(vec![
            format!("{name}{required}"),
            c.state.label().to_string(),
            info,
            tools,
            secs(c.elapsed),
            auth,
            error,
        ]);
    }
    if rows.is_empty() {
        return "No MCP servers configured yet. Try `mcpctl add my-tool -- my-command`.\n"
            .to_string();
    }
    let mut out = grid(
        &[
            "Name", "Status", "Server", "Tools", "Startup", "Auth", "Error",
        ],
        &rows,
        width,
    );
    if !details.is_empty() {
        out.push_str("\nErrors:\n");
        for detail in details {
            for (i, line) in text_block(&detail).lines().enumerate() {
                let indent = if i == 0 { "  " } else { "    " };
                let _ = writeln!(out, "{indent}{line}");
            }
        }
    }
    out
}

/// `mcpctl list --check --json`: one object per configured server.
pub fn json(workspace: &Workspace, report: &CheckReport) -> Value {
    let list: Vec<Value> = workspace
        .servers()
        .iter()
        .map(|server| {
            let connection = report
                .connections
                .iter()
                .find(|c| c.server.name() == server.name());
            let (state, error, elapsed, tools, info) = match connection {
                Some(c) => (
                    c.state.label().to_string(),
                    report.failure_text(c),
                    Some(c.elapsed.as_secs_f64()),
                    matches!(c.state, ServerState::Ready).then_some(c.tools.len()),
                    c.server_info()
                        .map(|(n, v)| json!({"name": n, "version": v})),
                ),
                None => ("disabled".to_string(), None, None, None, None),
            };
            json!({
                "name": server.name().as_str(),
                "required": server.config().required,
                "state": state,
                "server_info": info,
                "tool_count": tools,
                "startup_sec": elapsed,
                "auth_status": report.auth.status_of(server),
                "error": error,
            })
        })
        .collect();
    Value::Array(list)
}
