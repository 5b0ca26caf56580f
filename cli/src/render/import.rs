//! `mcpctl import`: the table of what would be (or was) imported, skipped entries and notes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use mcpctl_core::{
    ImportAction, ImportOutcome, ImportPlan, Origin, PlannedServer, Redacted, SkipReason, Transport,
};

use super::{Width, dash, one_line, table};

/// The files read, the servers with their action, the skipped entries and the notes.
pub fn plan(plan: &ImportPlan, reveal: bool, width: Width) -> String {
    let mut out = String::new();
    let found = plan.servers.len() + plan.skipped.len();
    let _ = writeln!(
        out,
        "Found {found} MCP server entr{} in {}:",
        if found == 1 { "y" } else { "ies" },
        if plan.files.len() == 1 {
            "one file"
        } else {
            "these files"
        }
    );
    for file in &plan.files {
        let _ = writeln!(out, "  {}", one_line(&home_relative(file)));
    }
    if plan.not_selected > 0 {
        let _ = writeln!(out, "({} more left out by --only)", plan.not_selected);
    }
    if !plan.servers.is_empty() {
        out.push('\n');
        let rows: Vec<Vec<String>> = plan
            .servers
            .iter()
            .map(|s| {
                vec![
                    s.name.to_string(),
                    transport(s).to_string(),
                    target(s),
                    dash(&secrets(s, reveal)),
                    origin(&s.origin),
                    action(s),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "Name",
                "Transport",
                "Command / Url",
                "Env / Headers",
                "From",
                "Action",
            ],
            &rows,
            width,
        ));
    }
    if !plan.skipped.is_empty() {
        out.push_str("\nSkipped:\n");
        let rows: Vec<Vec<String>> = plan
            .skipped
            .iter()
            .map(|s| {
                let why = match &s.reason {
                    SkipReason::Shadowed { by } => {
                        format!("shadowed by the same name in {}", origin(by))
                    }
                    other => other.to_string(),
                };
                vec![s.source_name.clone(), origin(&s.origin), why]
            })
            .collect();
        out.push_str(&table(&["Name", "From", "Why"], &rows, width));
    }
    let notes: Vec<(&PlannedServer, &String)> = plan
        .servers
        .iter()
        .flat_map(|s| s.notes.iter().map(move |n| (s, n)))
        .collect();
    if !notes.is_empty() {
        out.push_str("\nNotes:\n");
        for (server, line) in notes {
            let _ = writeln!(out, "  {}: {}", server.name, one_line(line));
        }
    }
    out
}

/// The last lines of a dry run: what `--write` would do, or why it would refuse.
pub fn dry_run_footer(plan: &ImportPlan) -> String {
    let count = plan.to_write().count();
    let blocked = plan.blocked().len();
    let mut out = String::from("\n");
    if count == 0 && blocked == 0 {
        let unchanged = plan
            .servers
            .iter()
            .filter(|s| s.action == ImportAction::Unchanged)
            .count();
        if unchanged > 0 {
            out.push_str("Nothing to import: the user config already has these servers.\n");
        } else {
            out.push_str("Nothing to import.\n");
        }
        return out;
    }
    let _ = write!(
        out,
        "Dry run: nothing was written. Run again with --write to add {count} server{} to {}",
        plural(count),
        home_relative(&plan.target)
    );
    if blocked > 0 {
        let _ = write!(
            out,
            ", once the {blocked} server{} marked above {} resolved (--replace, or leave {} out with --only)",
            plural(blocked),
            if blocked == 1 { "is" } else { "are" },
            if blocked == 1 { "it" } else { "them" }
        );
    }
    out.push_str(".\n");
    out
}

/// The line after `--write`.
pub fn written(outcome: &ImportOutcome) -> String {
    let names = |list: &[mcpctl_core::ServerName]| {
        list.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    if !outcome.added.is_empty() {
        parts.push(format!(
            "Added {} MCP server{} ({})",
            outcome.added.len(),
            plural(outcome.added.len()),
            names(&outcome.added)
        ));
    }
    if !outcome.replaced.is_empty() {
        parts.push(format!(
            "replaced {} ({})",
            outcome.replaced.len(),
            names(&outcome.replaced)
        ));
    }
    if parts.is_empty() {
        return "\nNothing to import: nothing was written.".to_string();
    }
    format!(
        "\n{} in {}.",
        parts.join(", "),
        home_relative(&outcome.path)
    )
}

/// `path` with the home folder written as `~`, to keep the table narrow.
pub fn home_relative(path: &Path) -> String {
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    match home.as_deref().and_then(|h| path.strip_prefix(h).ok()) {
        Some(rest) if !rest.as_os_str().is_empty() => format!("~/{}", rest.display()),
        _ => path.display().to_string(),
    }
}

fn origin(origin: &Origin) -> String {
    format!(
        "{} ({})",
        home_relative(&origin.file),
        origin.scope.as_str()
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn transport(server: &PlannedServer) -> &'static str {
    match &server.config.transport {
        Transport::Stdio(_) => "stdio",
        Transport::StreamableHttp(http) if http.legacy_sse => "sse",
        Transport::StreamableHttp(_) => "http",
    }
}

fn target(server: &PlannedServer) -> String {
    match &server.config.transport {
        Transport::Stdio(stdio) => std::iter::once(stdio.command.as_str())
            .chain(stdio.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        Transport::StreamableHttp(http) => http.url.clone(),
    }
}

/// Env and header settings, secret values masked unless `reveal`; variables shown as `$VAR`.
fn secrets(server: &PlannedServer, reveal: bool) -> String {
    let mut parts = Vec::new();
    match &server.config.transport {
        Transport::Stdio(stdio) => {
            for (key, value) in &stdio.env {
                parts.push(format!("{key}={}", Redacted::new(value, reveal)));
            }
            for var in &stdio.env_vars {
                parts.push(format!("{var}=${var}"));
            }
        }
        Transport::StreamableHttp(http) => {
            if let Some(var) = &http.bearer_token_env_var {
                parts.push(format!("Authorization: Bearer ${var}"));
            }
            for (name, value) in &http.http_headers {
                parts.push(format!("{name}: {}", Redacted::new(value, reveal)));
            }
            for (name, var) in &http.env_http_headers {
                parts.push(format!("{name}: ${var}"));
            }
        }
    }
    parts.join(", ")
}

fn action(server: &PlannedServer) -> String {
    let action = match &server.action {
        ImportAction::Add => "add".to_string(),
        ImportAction::Replace => "replace".to_string(),
        ImportAction::Unchanged => "unchanged (already configured)".to_string(),
        ImportAction::Exists => "exists: differs (--replace to overwrite)".to_string(),
        ImportAction::NotUserDefined { file, kind } => {
            format!(
                "blocked: defined in {} ({kind} config)",
                home_relative(file)
            )
        }
    };
    if server.config.enabled {
        action
    } else {
        format!("{action}, disabled")
    }
}
