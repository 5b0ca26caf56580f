//! `mcpctl list` and `mcpctl get`.

use std::fmt::Write as _;

use mcpctl_core::{HttpView, ServerView, TransportView};

use super::{Width, dash, one_line, table as grid};

fn status(view: &ServerView) -> String {
    match (&view.disabled_reason, view.enabled) {
        (_, true) => "enabled".to_string(),
        (Some(reason), false) => format!("disabled: {reason}"),
        (None, false) => "disabled".to_string(),
    }
}

fn pairs(map: Option<&std::collections::BTreeMap<String, String>>) -> String {
    map.map(|m| {
        m.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    })
    .unwrap_or_default()
}

fn list(items: Option<&Vec<String>>) -> String {
    items.map_or_else(|| "-".to_string(), |v| dash(&v.join(", ")))
}

fn secs(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |s| s.to_string())
}

/// `mcpctl list`: one table for stdio servers, one for HTTP servers.
pub fn table(views: &[ServerView], width: Width) -> String {
    if views.is_empty() {
        return "No MCP servers configured yet. Try `mcpctl add my-tool -- my-command`.\n"
            .to_string();
    }
    let mut stdio = Vec::new();
    let mut http = Vec::new();
    for view in views {
        match &view.transport {
            TransportView::Stdio {
                command,
                args,
                env,
                cwd,
                ..
            } => stdio.push(vec![
                view.name.clone(),
                command.clone(),
                dash(&args.join(" ")),
                dash(&pairs(env.as_ref())),
                dash(
                    &cwd.as_ref()
                        .map(|c| c.display().to_string())
                        .unwrap_or_default(),
                ),
                status(view),
                view.auth_label(std::time::SystemTime::now()),
            ]),
            TransportView::StreamableHttp(HttpView {
                url,
                bearer_token_env_var,
                ..
            })
            | TransportView::Sse(HttpView {
                url,
                bearer_token_env_var,
                ..
            }) => http.push(vec![
                view.name.clone(),
                if matches!(view.transport, TransportView::Sse(_)) {
                    format!("{url} (sse)")
                } else {
                    url.clone()
                },
                dash(bearer_token_env_var.as_deref().unwrap_or("")),
                status(view),
                view.auth_label(std::time::SystemTime::now()),
            ]),
        }
    }
    let mut out = String::new();
    if !stdio.is_empty() {
        out.push_str(&grid(
            &["Name", "Command", "Args", "Env", "Cwd", "Status", "Auth"],
            &stdio,
            width,
        ));
    }
    if !http.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&grid(
            &["Name", "Url", "Bearer Token Env Var", "Status", "Auth"],
            &http,
            width,
        ));
    }
    out
}

/// `mcpctl get`: one server, one `key: value` line each.
pub fn details(view: &ServerView) -> String {
    let mut lines: Vec<(&str, String)> = vec![("status", status(view))];
    match &view.transport {
        TransportView::Stdio {
            command,
            args,
            env,
            env_vars,
            cwd,
        } => {
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
            lines.push(("env", dash(&pairs(env.as_ref()))));
            lines.push(("env_vars", dash(&env_vars.join(", "))));
        }
        TransportView::StreamableHttp(HttpView {
            url,
            bearer_token_env_var,
            http_headers,
            env_http_headers,
            http_headers_helper,
        })
        | TransportView::Sse(HttpView {
            url,
            bearer_token_env_var,
            http_headers,
            env_http_headers,
            http_headers_helper,
        }) => {
            let transport = if matches!(view.transport, TransportView::Sse(_)) {
                "sse"
            } else {
                "streamable_http"
            };
            lines.push(("transport", transport.to_string()));
            lines.push(("url", url.clone()));
            lines.push((
                "bearer_token_env_var",
                dash(bearer_token_env_var.as_deref().unwrap_or("")),
            ));
            lines.push(("http_headers", dash(&pairs(http_headers.as_ref()))));
            lines.push(("env_http_headers", dash(&pairs(env_http_headers.as_ref()))));
            if let Some(helper) = http_headers_helper {
                lines.push(("http_headers_helper", helper.clone()));
            }
        }
    }
    lines.push(("required", view.required.to_string()));
    lines.push(("enabled_tools", list(view.enabled_tools.as_ref())));
    lines.push(("disabled_tools", list(view.disabled_tools.as_ref())));
    lines.push(("startup_timeout_sec", secs(view.startup_timeout_sec)));
    lines.push(("tool_timeout_sec", secs(view.tool_timeout_sec)));
    lines.push(("scopes", list(view.scopes.as_ref())));
    if let Some(resource) = &view.oauth_resource {
        lines.push(("oauth_resource", resource.clone()));
    }
    if let Some(mode) = view.default_tools_approval_mode {
        lines.push(("default_tools_approval_mode", mode.to_string()));
    }
    let tool_modes: Vec<String> = view
        .tools
        .iter()
        .filter_map(|(tool, settings)| settings.approval_mode.map(|mode| format!("{tool}={mode}")))
        .collect();
    if !tool_modes.is_empty() {
        lines.push(("tool approval_mode", tool_modes.join(", ")));
    }
    if let Some(parallel) = view.supports_parallel_tool_calls {
        lines.push(("supports_parallel_tool_calls", parallel.to_string()));
    }
    if let Some(oauth) = &view.oauth {
        let mut parts = Vec::new();
        if let Some(id) = &oauth.client_id {
            parts.push(format!("client_id={id}"));
        }
        if let Some(secret) = &oauth.client_secret {
            parts.push(format!("client_secret={secret}"));
        }
        if let Some(url) = &oauth.callback_url {
            parts.push(format!("callback_url={url}"));
        }
        lines.push(("oauth", dash(&parts.join(", "))));
    }
    lines.push(("auth", view.auth_label(std::time::SystemTime::now())));
    lines.push(("source", view.source.clone()));
    if !view.ignored_keys.is_empty() {
        lines.push(("ignored keys", view.ignored_keys.join(", ")));
    }
    lines.push(("remove", format!("mcpctl remove {}", view.name)));
    let mut out = format!("{}\n", one_line(&view.name));
    for (key, value) in lines {
        let _ = writeln!(out, "  {key}: {}", one_line(&value));
    }
    out
}
