//! `mcpctl tools`.

use mcpctl_core::{NotReady, ToolEntry};
use serde_json::{Value, json};

use super::{Width, first_line, table as grid};

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
                if flags.is_empty() {
                    "-".to_string()
                } else {
                    flags.join(", ")
                },
            ]
        })
        .collect();
    grid(&["Server", "Tool", "Description", "Notes"], &rows, width)
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
                "input_schema": e.tool.get("inputSchema"),
                "annotations": e.tool.get("annotations"),
            })
        })
        .collect();
    let failed: Vec<Value> = failures
        .iter()
        .map(|(name, why)| json!({"server": name, "error": why.to_string()}))
        .collect();
    json!({"tools": tools, "failed": failed, "not_cached": missing})
}
