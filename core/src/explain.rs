//! `config explain`: each effective value and the layer that set it.

use mcpctl_config::{LayerSource, display_key_path};
use serde::Serialize;

use crate::error::CoreError;
use crate::redact::{MASK, is_secret_key};
use crate::workspace::Workspace;

/// One effective value and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainEntry {
    /// The dotted key path.
    pub key: String,
    /// The value as inline TOML, masked when it is a secret (for tables).
    #[serde(skip)]
    pub value: String,
    /// The same value as JSON, masked when it is a secret (for `--json`).
    #[serde(rename = "value")]
    pub json: serde_json::Value,
    /// The layer that set it.
    pub source: LayerSource,
    /// `-c` flags that set the same key but lost to a higher layer (the managed config, which
    /// is the top layer as in Codex).
    #[serde(skip)]
    pub overridden: Vec<LayerSource>,
}

impl Workspace {
    /// Every leaf value under `prefix` (everything for an empty prefix) with its layer.
    pub fn explain(
        &self,
        prefix: &[String],
        show_secrets: bool,
    ) -> Result<Vec<ExplainEntry>, CoreError> {
        let stack = &self.loaded().stack;
        let entries: Vec<ExplainEntry> = stack
            .leaves(prefix)
            .into_iter()
            .filter_map(|(path, layer)| {
                let value = stack.get(path)?;
                let (value, json) = if !show_secrets && is_secret_key(path) {
                    (format!("\"{MASK}\""), serde_json::Value::from(MASK))
                } else {
                    (
                        value.to_string(),
                        serde_json::to_value(value).unwrap_or(serde_json::Value::Null),
                    )
                };
                let overridden = stack
                    .layers()
                    .iter()
                    .filter(|other| {
                        matches!(other.source(), LayerSource::Override(_))
                            && other.source() != layer.source()
                            && sets(other.table(), path)
                    })
                    .map(|other| other.source().clone())
                    .collect();
                Some(ExplainEntry {
                    key: display_key_path(path),
                    value,
                    json,
                    source: layer.source().clone(),
                    overridden,
                })
            })
            .collect();
        if entries.is_empty() && !prefix.is_empty() {
            let wanted = display_key_path(prefix);
            let all: Vec<String> = stack
                .leaves(&[])
                .into_iter()
                .map(|(path, _)| display_key_path(path))
                .collect();
            return Err(CoreError::UnknownKey {
                suggestion: mcpctl_fuzzy_match::did_you_mean(
                    &wanted,
                    all.iter().map(String::as_str),
                )
                .map(str::to_string),
                key: wanted,
            });
        }
        Ok(entries)
    }
}

/// Whether `table` holds a value at `path`.
fn sets(table: &toml::Table, path: &[String]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut table = table;
    for key in parents {
        match table.get(key) {
            Some(toml::Value::Table(sub)) => table = sub,
            _ => return false,
        }
    }
    table.contains_key(last)
}
