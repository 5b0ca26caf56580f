//! `mcpctl tools`.

use std::fmt::Write as _;

use mcpctl_core::approval_types::{DecidedBy, Decision, Outcome};
use mcpctl_core::{NotReady, ToolArgument, ToolEntry};
use serde_json::{Value, json};

use super::{Width, first_line, one_line, table as grid, text_block};

/// One row per tool.
pub fn table(entries: &[ToolEntry], ranked: bool, width: Width) -> String {
    if entries.is_empty() {
        return if ranked {
            "No tool matches.\n".to_string()
        } else {
            "No tools.\n".to_string()
        };
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let mut flags = Vec::new();
            if e.read_only {
                flags.push("read-only".to_string());
            }
            if e.destructive {
                flags.push("destructive".to_string());
            }
            if let Some(by) = &e.filtered_by {
                flags.push(format!("filtered by {by}"));
            }
            vec![
                e.server.clone(),
                e.name.clone(),
                first_line(&e.description, 200),
                approval_cell(&e.approval),
                if flags.is_empty() {
                    "-".to_string()
                } else {
                    flags.join(", ")
                },
            ]
        })
        .collect();
    grid(
        &["Server", "Tool", "Description", "Approval", "Notes"],
        &rows,
        width,
    )
}

/// `ask (writes, server)`: what a call through the gateway does, the mode that applied and the
/// setting that chose it.
pub fn approval_cell(decision: &Decision) -> String {
    let outcome = match decision.outcome {
        Outcome::Run => "run",
        Outcome::Ask => "ask",
        Outcome::Deny => "deny",
    };
    let by = match decision.decided_by {
        DecidedBy::ToolMode => "tool",
        DecidedBy::ServerMode => "server",
        DecidedBy::Preset => "preset",
        DecidedBy::Default => "default",
        DecidedBy::AdminCap => "admin cap",
    };
    format!("{outcome} ({}, {by})", decision.mode)
}

/// `tools --json`: the tools, the servers that did not start, and those with no cache entry.
pub fn json(entries: &[ToolEntry], failures: &[(String, NotReady)], missing: &[String]) -> Value {
    let tools: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({
                "server": e.server,
                "name": e.name,
                "qualified_name": e.qualified,
                "description": e.description,
                "read_only": e.read_only,
                "destructive": e.destructive,
                "enabled": e.filtered_by.is_none(),
                "filtered_by": e.filtered_by,
                "approval": e.approval,
                "input_schema": e.tool.get("inputSchema"),
                "annotations": e.tool.get("annotations"),
            })
        })
        .collect();
    let failed: Vec<Value> = failures
        .iter()
        .map(|(name, why)| json!({"server": name, "error": why.sentence(name)}))
        .collect();
    json!({"tools": tools, "failed": failed, "not_cached": missing})
}

/// `tools <server> <tool>`: the tool's description and notes, then its arguments.
pub fn detail(entry: &ToolEntry, arguments: &[ToolArgument], width: Width) -> String {
    let mut out = format!(
        "{} ({})\n",
        one_line(&entry.name),
        one_line(&entry.qualified)
    );
    if !entry.description.is_empty() {
        for line in text_block(entry.description.trim()).lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    let mut notes = Vec::new();
    if entry.read_only {
        notes.push("read-only".to_string());
    }
    if entry.destructive {
        notes.push("destructive".to_string());
    }
    if let Some(by) = &entry.filtered_by {
        notes.push(format!("filtered by {by}"));
    }
    notes.push(format!("approval: {}", approval_cell(&entry.approval)));
    if !notes.is_empty() {
        let _ = writeln!(out, "  notes: {}", notes.join(", "));
    }
    out.push('\n');
    if arguments.is_empty() {
        out.push_str("No arguments.\n");
        return out;
    }
    let rows: Vec<Vec<String>> = arguments
        .iter()
        .map(|a| {
            let choices: Vec<String> = a
                .choices
                .iter()
                .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_string))
                .collect();
            vec![
                a.name.clone(),
                a.kind.clone(),
                if a.required { "yes" } else { "no" }.to_string(),
                a.default
                    .as_ref()
                    .map_or_else(|| "-".to_string(), ToString::to_string),
                if choices.is_empty() {
                    "-".to_string()
                } else {
                    choices.join(", ")
                },
                first_line(&a.description, 200),
            ]
        })
        .collect();
    out.push_str(&grid(
        &[
            "Argument",
            "Type",
            "Required",
            "Default",
            "Choices",
            "Description",
        ],
        &rows,
        width,
    ));
    out
}
