//! Rendering of live results: `list --check`, `tools`, `call`, `resources`, `read`, `prompts`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use base64::Engine as _;
use mcpctl_core::{
    EffectiveServer, RememberedAuthStatuses, ServerConnection, ServerState, ServerStatus, Workspace,
};
use serde_json::{Value, json};

use crate::render::table;

fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() > max {
        let cut: String = line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        line.to_string()
    }
}

fn secs(d: std::time::Duration) -> String {
    format!("{:.2}s", d.as_secs_f64())
}

/// `mcpctl list --check`: one row per configured server.
pub fn check_table(
    workspace: &Workspace,
    connections: &[ServerConnection],
    auth: &RememberedAuthStatuses,
) -> String {
    let mut rows = Vec::new();
    let mut details = Vec::new();
    for server in workspace.servers().iter() {
        let name = server.name().to_string();
        let required = if server.config().required {
            " (required)"
        } else {
            ""
        };
        match connections
            .iter()
            .find(|c| c.server.name() == server.name())
        {
            Some(c) => {
                let info = c
                    .server_info()
                    .map(|(n, v)| format!("{n} {v}"))
                    .unwrap_or_else(|| "-".to_string());
                let (tools, error) = match &c.state {
                    ServerState::Ready => (c.tools.len().to_string(), "-".to_string()),
                    ServerState::Failed(why) => {
                        details.push(format!("{name}: {why}"));
                        ("-".to_string(), first_line(why, 60))
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
                    auth.status_of(server).label().to_string(),
                    error,
                ]);
            }
            None => {
                let status = match server.status() {
                    ServerStatus::Disabled(reason) => reason
                        .label()
                        .map(|l| format!("disabled: {l}"))
                        .unwrap_or_else(|| "disabled".to_string()),
                    ServerStatus::Enabled => "not started".to_string(),
                };
                rows.push(vec![
                    format!("{name}{required}"),
                    status,
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    auth.status_of(server).label().to_string(),
                    "-".into(),
                ]);
            }
        }
    }
    if rows.is_empty() {
        return "No MCP servers configured yet. Try `mcpctl add my-tool -- my-command`.\n"
            .to_string();
    }
    let mut out = table(
        &[
            "Name", "Status", "Server", "Tools", "Startup", "Auth", "Error",
        ],
        &rows,
    );
    if !details.is_empty() {
        out.push_str("\nErrors:\n");
        for detail in details {
            for (i, line) in detail.lines().enumerate() {
                let indent = if i == 0 { "  " } else { "    " };
                let _ = writeln!(out, "{indent}{line}");
            }
        }
    }
    out
}

/// `mcpctl list --check --json`.
pub fn check_json(
    workspace: &Workspace,
    connections: &[ServerConnection],
    auth: &RememberedAuthStatuses,
) -> String {
    let list: Vec<Value> = workspace
        .servers()
        .iter()
        .map(|server| {
            let connection = connections
                .iter()
                .find(|c| c.server.name() == server.name());
            let (state, error, elapsed, tools, info) = match connection {
                Some(c) => (
                    c.state.label().to_string(),
                    match &c.state {
                        ServerState::Failed(why) => Some(why.clone()),
                        _ => None,
                    },
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
                "auth_status": auth.status_of(server),
                "error": error,
            })
        })
        .collect();
    serde_json::to_string_pretty(&list).unwrap_or_default()
}

/// One tool of one server, as `tools` shows it.
#[derive(Debug, Clone)]
pub struct ToolEntry {
    server: String,
    name: String,
    qualified: String,
    description: String,
    read_only: bool,
    destructive: bool,
    filtered_by: Option<String>,
    tool: Value,
}

/// Every tool of every ready server, with its qualified name and filter status.
pub fn tool_entries(connections: &[ServerConnection]) -> Vec<ToolEntry> {
    let listed: Vec<(EffectiveServer, Vec<Value>)> = connections
        .iter()
        .map(|c| {
            let tools = c
                .tools
                .iter()
                .filter_map(|t| serde_json::to_value(t).ok())
                .collect();
            (c.server.clone(), tools)
        })
        .collect();
    cached_tool_entries(&listed)
}

/// Tool entries from tools as JSON (live or from the cache), per server.
pub fn cached_tool_entries(listed: &[(EffectiveServer, Vec<Value>)]) -> Vec<ToolEntry> {
    let tool_name = |tool: &Value| {
        tool.get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let names = mcpctl_core::qualify_tool_names(listed.iter().flat_map(|(server, tools)| {
        tools.iter().map(move |t| {
            (
                server.name().as_str(),
                t.get("name").and_then(Value::as_str).unwrap_or(""),
            )
        })
    }));
    let mut entries = Vec::new();
    for (server, tools) in listed {
        for value in tools {
            let hint = |key: &str| {
                value.pointer(&format!("/annotations/{key}")) == Some(&Value::Bool(true))
            };
            let name = tool_name(value);
            let server_name = server.name().to_string();
            entries.push(ToolEntry {
                qualified: names
                    .get(&(server_name.clone(), name.clone()))
                    .cloned()
                    .unwrap_or_default(),
                description: value
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                read_only: hint("readOnlyHint"),
                destructive: hint("destructiveHint"),
                filtered_by: mcpctl_core::filtered_reason(server, &name),
                server: server_name,
                name,
                tool: value.clone(),
            });
        }
    }
    entries
}

/// Keeps the tools matching `query`, best first.
pub fn rank_tools(entries: Vec<ToolEntry>, query: &str) -> Vec<ToolEntry> {
    let haystacks: Vec<String> = entries
        .iter()
        .map(|e| format!("{} {} {}", e.server, e.name, e.description))
        .collect();
    let ranked = mcpctl_fuzzy_match::rank(query, haystacks.iter().map(String::as_str));
    ranked
        .into_iter()
        .filter(|(_, score)| *score > 0)
        .filter_map(|(text, _)| haystacks.iter().position(|h| h == text))
        .filter_map(|i| entries.get(i).cloned())
        .collect()
}

/// `mcpctl tools`.
pub fn tools_table(entries: &[ToolEntry], ranked: bool) -> String {
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
                first_line(&e.description, 60),
                if flags.is_empty() {
                    "-".to_string()
                } else {
                    flags.join(", ")
                },
            ]
        })
        .collect();
    table(&["Server", "Tool", "Description", "Notes"], &rows)
}

/// `mcpctl tools --json`.
pub fn tools_json(entries: &[ToolEntry]) -> String {
    let list: Vec<Value> = entries
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
    serde_json::to_string_pretty(&list).unwrap_or_default()
}

fn extension(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/svg+xml" => "svg",
        "audio/wav" | "audio/x-wav" => "wav",
        "audio/mpeg" => "mp3",
        "application/pdf" => "pdf",
        "application/json" => "json",
        _ => "bin",
    }
}

/// Decodes base64 `data` into a new file in `dir`; returns its path.
fn save(dir: &Path, stem: &str, mime: &str, data: &str) -> Result<PathBuf> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .context("the server sent binary content that is not valid base64")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut n = 0u64;
    loop {
        n += 1;
        let path = dir.join(format!("{safe}-{n}.{}", extension(mime)));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                use std::io::Write as _;
                file.write_all(&bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                return Ok(path);
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => {
                return Err(err).with_context(|| format!("cannot write {}", path.display()));
            }
        }
    }
}

fn describe_binary(kind: &str, mime: &str, data: &str, path: &Path) -> String {
    let size = data.trim().len() / 4 * 3;
    format!(
        "[{kind} {mime}, ~{size} bytes, saved to {}]\n",
        path.display()
    )
}

/// `mcpctl call`: text as text, structured content as JSON, binaries saved to files.
pub fn call_result(result: &Value, dir: &Path, tool: &str) -> Result<String> {
    let mut out = String::new();
    let empty = Vec::new();
    let content = result
        .get("content")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let mut had_text = false;
    for item in content {
        let kind = item.get("type").and_then(Value::as_str).unwrap_or("");
        let mime = item
            .get("mimeType")
            .and_then(Value::as_str)
            .unwrap_or("application/octet-stream");
        match kind {
            "text" => {
                had_text = true;
                let text = item.get("text").and_then(Value::as_str).unwrap_or("");
                out.push_str(text);
                if !text.ends_with('\n') {
                    out.push('\n');
                }
            }
            "image" | "audio" => {
                let data = item.get("data").and_then(Value::as_str).unwrap_or("");
                let path = save(dir, tool, mime, data)?;
                out.push_str(&describe_binary(kind, mime, data, &path));
            }
            "resource" => {
                let resource = item.get("resource").cloned().unwrap_or(Value::Null);
                out.push_str(&resource_contents(&json!({"contents": [resource]}), dir)?);
            }
            "resource_link" => {
                let uri = item.get("uri").and_then(Value::as_str).unwrap_or("");
                let name = item.get("name").and_then(Value::as_str).unwrap_or("");
                let _ = writeln!(out, "[resource link {uri} ({name})]");
            }
            other => {
                let _ = writeln!(out, "[{other} content: {item}]");
            }
        }
    }
    if let Some(structured) = result.get("structuredContent").filter(|v| !v.is_null())
        && (!had_text || content.is_empty())
    {
        out.push_str(&serde_json::to_string_pretty(structured)?);
        out.push('\n');
    }
    if result.get("isError").and_then(Value::as_bool) == Some(true) {
        out.insert_str(0, "The tool reported an error:\n");
    }
    Ok(out)
}

/// `mcpctl read`: text contents printed, blobs saved.
pub fn resource_contents(result: &Value, dir: &Path) -> Result<String> {
    let mut out = String::new();
    let empty = Vec::new();
    for item in result
        .get("contents")
        .and_then(Value::as_array)
        .unwrap_or(&empty)
    {
        let uri = item.get("uri").and_then(Value::as_str).unwrap_or("");
        let mime = item
            .get("mimeType")
            .and_then(Value::as_str)
            .unwrap_or("application/octet-stream");
        if let Some(text) = item.get("text").and_then(Value::as_str) {
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
        } else if let Some(blob) = item.get("blob").and_then(Value::as_str) {
            let stem = uri.rsplit('/').next().unwrap_or("resource");
            let path = save(dir, stem, mime, blob)?;
            out.push_str(&describe_binary("resource", mime, blob, &path));
        }
    }
    Ok(out)
}

/// `mcpctl resources`.
pub fn resources_table(resources: &Value, templates: &Value) -> String {
    let empty = Vec::new();
    let rows: Vec<Vec<String>> = resources
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .map(|r| {
            let get = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("-").to_string();
            vec![
                get("uri"),
                get("name"),
                get("mimeType"),
                first_line(&get("description"), 50),
            ]
        })
        .collect();
    let mut out = if rows.is_empty() {
        "No resources.\n".to_string()
    } else {
        table(&["Uri", "Name", "Mime Type", "Description"], &rows)
    };
    let template_rows: Vec<Vec<String>> = templates
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .map(|t| {
            let get = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or("-").to_string();
            vec![
                get("uriTemplate"),
                get("name"),
                first_line(&get("description"), 50),
            ]
        })
        .collect();
    if !template_rows.is_empty() {
        out.push('\n');
        out.push_str(&table(
            &["Uri Template", "Name", "Description"],
            &template_rows,
        ));
    }
    out
}

/// `mcpctl prompts`.
pub fn prompts_table(prompts: &Value) -> String {
    let empty = Vec::new();
    let rows: Vec<Vec<String>> = prompts
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .map(|p| {
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("-")
                .to_string();
            let args: Vec<String> = p
                .get("arguments")
                .and_then(Value::as_array)
                .unwrap_or(&empty)
                .iter()
                .map(|a| {
                    let n = a.get("name").and_then(Value::as_str).unwrap_or("?");
                    if a.get("required").and_then(Value::as_bool) == Some(true) {
                        n.to_string()
                    } else {
                        format!("[{n}]")
                    }
                })
                .collect();
            let description = p.get("description").and_then(Value::as_str).unwrap_or("-");
            vec![
                name,
                if args.is_empty() {
                    "-".to_string()
                } else {
                    args.join(" ")
                },
                first_line(description, 60),
            ]
        })
        .collect();
    if rows.is_empty() {
        return "No prompts.\n".to_string();
    }
    table(&["Prompt", "Arguments", "Description"], &rows)
}
