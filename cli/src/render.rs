//! Human tables and JSON for every command's output.

use std::fmt::Write as _;

use mcpctl_config::{FeatureState, Transport};
use mcpctl_core::{EffectiveServer, ExplainEntry, RememberedAuthStatuses, ServerStatus, Workspace};
use serde_json::{Value, json};

const MASK: &str = "*****";

/// Left-aligned columns separated by two spaces; trailing spaces trimmed.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| (*h).to_string()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let width = widths.get(i).copied().unwrap_or(0);
            let _ = write!(line, "{cell:<width$}  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn dash(s: &str) -> String {
    if s.is_empty() {
        "-".to_string()
    } else {
        s.to_string()
    }
}

fn pairs<'a>(map: impl IntoIterator<Item = (&'a String, &'a String)>, mask: bool) -> String {
    map.into_iter()
        .map(|(k, v)| {
            if mask {
                format!("{k}={MASK}")
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn status(server: &EffectiveServer) -> String {
    match server.status() {
        ServerStatus::Enabled => "enabled".to_string(),
        ServerStatus::Disabled(reason) => match reason.label() {
            Some(label) => format!("disabled: {label}"),
            None => "disabled".to_string(),
        },
    }
}

/// `mcpctl list`: one table for stdio servers, one for HTTP servers.
pub fn servers_table(
    workspace: &Workspace,
    auth: &RememberedAuthStatuses,
    show_secrets: bool,
) -> String {
    let servers = workspace.servers();
    if servers.is_empty() {
        return "No MCP servers configured yet. Try `mcpctl add my-tool -- my-command`.\n"
            .to_string();
    }
    let mut stdio = Vec::new();
    let mut http = Vec::new();
    for server in servers.iter() {
        match &server.config().transport {
            Transport::Stdio(mcpctl_config::StdioTransport {
                command,
                args,
                env,
                cwd,
                ..
            }) => stdio.push(vec![
                server.name().to_string(),
                command.clone(),
                dash(&args.join(" ")),
                dash(&pairs(env, !show_secrets)),
                dash(
                    &cwd.as_ref()
                        .map(|c| c.display().to_string())
                        .unwrap_or_default(),
                ),
                status(server),
                auth.status_of(server).label().to_string(),
            ]),
            Transport::StreamableHttp(mcpctl_config::HttpTransport {
                url,
                bearer_token_env_var,
                ..
            }) => http.push(vec![
                server.name().to_string(),
                url.clone(),
                dash(bearer_token_env_var.as_deref().unwrap_or("")),
                status(server),
                auth.status_of(server).label().to_string(),
            ]),
        }
    }
    let mut out = String::new();
    if !stdio.is_empty() {
        out.push_str(&table(
            &["Name", "Command", "Args", "Env", "Cwd", "Status", "Auth"],
            &stdio,
        ));
    }
    if !http.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&table(
            &["Name", "Url", "Bearer Token Env Var", "Status", "Auth"],
            &http,
        ));
    }
    out
}

fn masked_map<'a>(map: impl IntoIterator<Item = (&'a String, &'a String)>, mask: bool) -> Value {
    Value::Object(
        map.into_iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    Value::String(if mask { MASK.to_string() } else { v.clone() }),
                )
            })
            .collect(),
    )
}

/// The JSON object of one server (Codex's field names plus mcpctl's).
pub fn server_json(
    server: &EffectiveServer,
    auth: &RememberedAuthStatuses,
    show_secrets: bool,
) -> Value {
    let config = server.config();
    let transport = match &config.transport {
        Transport::Stdio(mcpctl_config::StdioTransport {
            command,
            args,
            env,
            env_vars,
            cwd,
        }) => json!({
            "type": "stdio",
            "command": command,
            "args": args,
            "env": if env.is_empty() { Value::Null } else { masked_map(env, !show_secrets) },
            "env_vars": env_vars,
            "cwd": cwd,
        }),
        Transport::StreamableHttp(mcpctl_config::HttpTransport {
            url,
            bearer_token_env_var,
            http_headers,
            env_http_headers,
        }) => json!({
            "type": "streamable_http",
            "url": url,
            "bearer_token_env_var": bearer_token_env_var,
            "http_headers": if http_headers.is_empty() { Value::Null } else { masked_map(http_headers, !show_secrets) },
            "env_http_headers": if env_http_headers.is_empty() { Value::Null } else { json!(env_http_headers) },
        }),
    };
    let disabled_reason = match server.status() {
        ServerStatus::Disabled(reason) => reason.label(),
        ServerStatus::Enabled => None,
    };
    json!({
        "name": server.name().as_str(),
        "enabled": server.is_enabled(),
        "disabled_reason": disabled_reason,
        "transport": transport,
        "startup_timeout_sec": config.startup_timeout.map(|d| d.as_secs_f64()),
        "tool_timeout_sec": config.tool_timeout.map(|d| d.as_secs_f64()),
        "auth_status": auth.status_of(server),
        "required": config.required,
        "enabled_tools": config.enabled_tools,
        "disabled_tools": config.disabled_tools,
        "scopes": config.scopes,
        "source": server.source().to_string(),
    })
}

/// `mcpctl list --json`.
pub fn servers_json(
    workspace: &Workspace,
    auth: &RememberedAuthStatuses,
    show_secrets: bool,
) -> String {
    let list: Vec<Value> = workspace
        .servers()
        .iter()
        .map(|s| server_json(s, auth, show_secrets))
        .collect();
    serde_json::to_string_pretty(&list).unwrap_or_default()
}

/// `mcpctl get --json`.
pub fn server_json_text(
    server: &EffectiveServer,
    auth: &RememberedAuthStatuses,
    show_secrets: bool,
) -> String {
    serde_json::to_string_pretty(&server_json(server, auth, show_secrets)).unwrap_or_default()
}

fn list_or_dash(items: Option<&Vec<String>>) -> String {
    items
        .map(|v| dash(&v.join(", ")))
        .unwrap_or_else(|| "-".to_string())
}

fn secs(d: Option<std::time::Duration>) -> String {
    d.map(|d| format!("{}", d.as_secs_f64()))
        .unwrap_or_else(|| "-".to_string())
}

/// `mcpctl get`: one server, one `key: value` line each.
pub fn server_details(
    server: &EffectiveServer,
    auth: &RememberedAuthStatuses,
    show_secrets: bool,
) -> String {
    let config = server.config();
    let mut lines: Vec<(&str, String)> = vec![("status", status(server))];
    match &config.transport {
        Transport::Stdio(mcpctl_config::StdioTransport {
            command,
            args,
            env,
            env_vars,
            cwd,
        }) => {
            lines.push(("transport", "stdio".to_string()));
            lines.push(("command", command.clone()));
            lines.push(("args", dash(&args.join(" "))));
            lines.push((
                "cwd",
                dash(
                    &cwd.as_ref()
                        .map(|c| c.display().to_string())
                        .unwrap_or_default(),
                ),
            ));
            lines.push(("env", dash(&pairs(env, !show_secrets))));
            lines.push(("env_vars", dash(&env_vars.join(", "))));
        }
        Transport::StreamableHttp(mcpctl_config::HttpTransport {
            url,
            bearer_token_env_var,
            http_headers,
            env_http_headers,
        }) => {
            lines.push(("transport", "streamable_http".to_string()));
            lines.push(("url", url.clone()));
            lines.push((
                "bearer_token_env_var",
                dash(bearer_token_env_var.as_deref().unwrap_or("")),
            ));
            lines.push(("http_headers", dash(&pairs(http_headers, !show_secrets))));
            lines.push(("env_http_headers", dash(&pairs(env_http_headers, false))));
        }
    }
    lines.push(("required", config.required.to_string()));
    lines.push(("enabled_tools", list_or_dash(config.enabled_tools.as_ref())));
    lines.push((
        "disabled_tools",
        list_or_dash(config.disabled_tools.as_ref()),
    ));
    lines.push(("startup_timeout_sec", secs(config.startup_timeout)));
    lines.push(("tool_timeout_sec", secs(config.tool_timeout)));
    lines.push(("scopes", list_or_dash(config.scopes.as_ref())));
    lines.push(("auth", auth.status_of(server).label().to_string()));
    lines.push(("source", server.source().to_string()));
    if !server.unknown_keys().is_empty() {
        lines.push(("ignored keys", server.unknown_keys().join(", ")));
    }
    lines.push(("remove", format!("mcpctl remove {}", server.name())));
    let mut out = format!("{}\n", server.name());
    for (key, value) in lines {
        let _ = writeln!(out, "  {key}: {value}");
    }
    out
}

/// `mcpctl features list`.
pub fn features_table(features: &[FeatureState]) -> String {
    let rows: Vec<Vec<String>> = features
        .iter()
        .map(|f| {
            vec![
                f.key.clone(),
                f.stage
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "unknown".to_string()),
                if f.enabled { "on" } else { "off" }.to_string(),
                f.decided_by.to_string(),
            ]
        })
        .collect();
    table(&["Feature", "Stage", "Enabled", "Set by"], &rows)
}

/// `mcpctl features list --json`.
pub fn features_json(features: &[FeatureState]) -> String {
    let list: Vec<Value> = features
        .iter()
        .map(|f| {
            json!({
                "name": f.key,
                "stage": f.stage.map(|s| s.to_string()).unwrap_or_else(|| "unknown".to_string()),
                "enabled": f.enabled,
                "source": f.decided_by.to_string(),
                "description": f.description,
            })
        })
        .collect();
    serde_json::to_string_pretty(&list).unwrap_or_default()
}

/// `mcpctl config explain`.
pub fn explain_table(entries: &[ExplainEntry]) -> String {
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| vec![e.key.clone(), e.value.clone(), e.source.to_string()])
        .collect();
    table(&["Key", "Value", "Source"], &rows)
}

/// `mcpctl config explain --json`.
pub fn explain_json(entries: &[ExplainEntry]) -> String {
    let list: Vec<Value> = entries
        .iter()
        .map(|e| json!({"key": e.key, "value": e.value, "source": e.source.to_string(), "layer": e.source.kind()}))
        .collect();
    serde_json::to_string_pretty(&list).unwrap_or_default()
}

/// `mcpctl config paths`.
pub fn paths_table(workspace: &Workspace) -> String {
    let paths = workspace.paths();
    let mut rows = vec![
        ("home", paths.home().to_path_buf()),
        ("system config", paths.system_config()),
        ("user config", paths.user_config()),
    ];
    if let Some(project) = paths.project_config(workspace.cwd()) {
        rows.push(("project config", project.file));
    }
    for managed in paths.managed_configs() {
        rows.push(("managed config", managed));
    }
    rows.push(("requirements", paths.requirements()));
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(what, path)| {
            let exists = if path.exists() { "exists" } else { "missing" };
            vec![
                what.to_string(),
                path.display().to_string(),
                exists.to_string(),
            ]
        })
        .collect();
    table(&["What", "Path", "State"], &rows)
}
