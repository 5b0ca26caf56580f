//! `config explain`: each effective value and the layer that set it.

use mcpctl_config::{LayerSource, display_key_path};
use serde::Serialize;

use crate::error::CoreError;
use crate::workspace::Workspace;

/// One effective value and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainEntry {
    /// The dotted key path.
    pub key: String,
    /// The value as inline TOML, masked when it is a secret.
    pub value: String,
    /// The layer that set it.
    pub source: LayerSource,
}

/// The mask shown instead of secret values.
pub const MASK: &str = "*****";

/// True for key paths whose values are secrets: server `env` values, `http_headers` values and
/// OAuth client secrets.
pub fn mask_if_secret(key_path: &[String]) -> bool {
    match key_path {
        [servers, _, table, key] if servers == "mcp_servers" => {
            table == "env"
                || table == "http_headers"
                || (table == "oauth" && key == "client_secret")
        }
        _ => false,
    }
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
                let value = if !show_secrets && mask_if_secret(path) {
                    format!("\"{MASK}\"")
                } else {
                    value.to_string()
                };
                Some(ExplainEntry {
                    key: display_key_path(path),
                    value,
                    source: layer.source().clone(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kp(s: &str) -> Vec<String> {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn secrets_are_recognised() {
        assert!(mask_if_secret(&kp("mcp_servers.x.env.TOKEN")));
        assert!(mask_if_secret(&kp(
            "mcp_servers.x.http_headers.Authorization"
        )));
        assert!(mask_if_secret(&kp("mcp_servers.x.oauth.client_secret")));
        assert!(!mask_if_secret(&kp("mcp_servers.x.env_http_headers.X")));
        assert!(!mask_if_secret(&kp("mcp_servers.x.command")));
    }
}
