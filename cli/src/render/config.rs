//! `mcpctl features list`, `config explain` and `config paths`.

use mcpctl_core::{ExplainEntry, FeatureState, ProjectStatus, Workspace};
use serde_json::{Value, json};

use super::{Width, json_text, table};

/// `mcpctl features list`.
pub fn features_table(features: &[FeatureState], width: Width) -> String {
    let rows: Vec<Vec<String>> = features
        .iter()
        .map(|f| {
            vec![
                f.key.clone(),
                f.stage
                    .map_or_else(|| "unknown".to_string(), |s| s.to_string()),
                if f.enabled { "on" } else { "off" }.to_string(),
                f.decided_by.to_string(),
            ]
        })
        .collect();
    table(&["Feature", "Stage", "Enabled", "Set by"], &rows, width)
}

/// `mcpctl features list --json`.
pub fn features_json(features: &[FeatureState]) -> anyhow::Result<String> {
    let list: Vec<Value> = features
        .iter()
        .map(|f| {
            json!({
                "name": f.key,
                "stage": f.stage.map_or_else(|| "unknown".to_string(), |s| s.to_string()),
                "enabled": f.enabled,
                "source": f.decided_by.to_string(),
                "description": f.description,
            })
        })
        .collect();
    json_text(&list)
}

/// `mcpctl config explain`.
pub fn explain_table(entries: &[ExplainEntry], width: Width) -> String {
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| vec![e.key.clone(), e.value.clone(), explain_source(e)])
        .collect();
    table(&["Key", "Value", "Source"], &rows, width)
}

/// The layer that set a value, and the `-c` flags it beat.
fn explain_source(entry: &ExplainEntry) -> String {
    let mut source = entry.source.to_string();
    for lost in &entry.overridden {
        source.push_str(&format!(" (overrides {lost})"));
    }
    source
}

/// `mcpctl config explain --json`: values as JSON values, not TOML text.
pub fn explain_json(entries: &[ExplainEntry]) -> anyhow::Result<String> {
    let list: Vec<Value> = entries
        .iter()
        .map(|e| {
            let mut entry = json!({"key": e.key, "value": e.json, "source": e.source.to_string(), "layer": e.source.kind()});
            if !e.overridden.is_empty() {
                entry["overridden"] = e.overridden.iter().map(ToString::to_string).collect();
            }
            entry
        })
        .collect();
    json_text(&list)
}

/// `mcpctl config paths`.
pub fn paths_table(workspace: &Workspace) -> String {
    let paths = workspace.paths();
    let mut rows = vec![
        ("home", paths.home().to_path_buf()),
        ("system config", paths.system_config()),
        ("user config", paths.user_config()),
    ];
    let project_note = match &workspace.loaded().project {
        ProjectStatus::Ignored(_) => Some("exists, not trusted"),
        ProjectStatus::Changed { .. } => Some("exists, changed since trusted (not read)"),
        _ => None,
    };
    if let Some(project) = paths.project_config(workspace.cwd()) {
        rows.push(("project config", project.file));
    }
    for managed in paths.managed_configs() {
        rows.push(("managed config", managed));
    }
    for requirements in paths.requirements() {
        rows.push(("requirements", requirements));
    }
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(what, path)| {
            let exists = match (what, project_note) {
                ("project config", Some(note)) => note,
                _ if path.exists() => "exists",
                _ => "missing",
            };
            vec![
                what.to_string(),
                path.display().to_string(),
                exists.to_string(),
            ]
        })
        .collect();
    table(&["What", "Path", "State"], &rows, Width::UNLIMITED)
}
