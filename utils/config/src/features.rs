//! Feature flags (`[features]`): the known ones, their stage, and which layer decided each.

use std::fmt;

use serde::Serialize;

use crate::layers::{LayerSource, LayerStack};

/// How mature a feature is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// On by default, supported.
    Stable,
    /// Off by default; may change or go away.
    Experimental,
    /// Still honoured, but going away; a warning is shown when set.
    Deprecated,
    /// No longer has any effect; a warning is shown when set.
    Removed,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Stable => "stable",
            Stage::Experimental => "experimental",
            Stage::Deprecated => "deprecated",
            Stage::Removed => "removed",
        })
    }
}

/// A feature mcpctl knows about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureSpec {
    /// The key under `[features]`.
    pub key: &'static str,
    /// Its stage.
    pub stage: Stage,
    /// Whether it is on when nothing sets it.
    pub default_enabled: bool,
    /// One line saying what it does.
    pub description: &'static str,
}

/// Every known feature, in display order.
pub const FEATURES: &[FeatureSpec] = &[
    FeatureSpec {
        key: "rmcp_client",
        stage: Stage::Stable,
        default_enabled: true,
        description: "Use the rmcp-based client for stdio, streamable HTTP and legacy SSE servers",
    },
    FeatureSpec {
        key: "tools_cache",
        stage: Stage::Removed,
        default_enabled: false,
        description: "always on: every live command saves the tools it lists, `tools --cached` shows them",
    },
    FeatureSpec {
        key: "elicitation",
        stage: Stage::Removed,
        default_enabled: false,
        description: "always on: servers may ask for input during a call; `call --elicit` decides without a terminal",
    },
    FeatureSpec {
        key: "legacy_sse_transport",
        stage: Stage::Removed,
        default_enabled: false,
        description: "per server instead: `transport = \"sse\"` (or `add --transport sse`) marks a legacy HTTP+SSE server",
    },
    FeatureSpec {
        key: "stdio_inherit_env",
        stage: Stage::Removed,
        default_enabled: false,
        description: "Gave stdio servers mcpctl's whole environment; list variables in env_vars",
    },
];

/// Legacy top-level keys that map to a feature: (legacy key, feature key).
pub const LEGACY_FEATURE_KEYS: &[(&str, &str)] = &[("experimental_use_rmcp_client", "rmcp_client")];

/// The effective state of one feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureState {
    /// The key under `[features]`.
    pub key: String,
    /// Its stage, or `None` for a key mcpctl does not know (kept, ignored).
    pub stage: Option<Stage>,
    /// Whether it is on.
    pub enabled: bool,
    /// The layer that decided (`Defaults` when nothing set it).
    pub decided_by: LayerSource,
    /// One line saying what it does (empty for unknown keys).
    pub description: String,
}

/// Resolves every known feature plus any unknown keys found under `[features]`.
pub fn resolve_features(stack: &LayerStack) -> Vec<FeatureState> {
    let mut states: Vec<FeatureState> = FEATURES
        .iter()
        // A removed feature gates nothing: listed only when some layer still sets it.
        .filter(|spec| {
            spec.stage != Stage::Removed
                || stack
                    .origin(&["features".to_string(), spec.key.to_string()])
                    .is_some_and(|layer| layer.source() != &LayerSource::Defaults)
        })
        .map(|spec| {
            let key_path = vec!["features".to_string(), spec.key.to_string()];
            let (enabled, decided_by) = match (stack.get(&key_path), stack.origin(&key_path)) {
                (Some(toml::Value::Boolean(b)), Some(layer))
                    if layer.source() != &LayerSource::Defaults =>
                {
                    (*b, layer.source().clone())
                }
                _ => legacy_value(stack, spec.key)
                    .unwrap_or((spec.default_enabled, LayerSource::Defaults)),
            };
            FeatureState {
                key: spec.key.to_string(),
                stage: Some(spec.stage),
                enabled: enabled && spec.stage != Stage::Removed,
                decided_by,
                description: spec.description.to_string(),
            }
        })
        .collect();
    if let Some(toml::Value::Table(table)) = stack.get(&["features".to_string()]) {
        for (key, value) in table {
            if FEATURES.iter().any(|spec| spec.key == key) {
                continue;
            }
            let key_path = vec!["features".to_string(), key.clone()];
            states.push(FeatureState {
                key: key.clone(),
                stage: None,
                enabled: value.as_bool().unwrap_or(false),
                decided_by: stack
                    .origin(&key_path)
                    .map(|l| l.source().clone())
                    .unwrap_or(LayerSource::Defaults),
                description: String::new(),
            });
        }
    }
    states
}

fn legacy_value(stack: &LayerStack, feature: &str) -> Option<(bool, LayerSource)> {
    LEGACY_FEATURE_KEYS
        .iter()
        .filter(|(_, f)| *f == feature)
        .find_map(|(legacy, _)| {
            let key_path = vec![(*legacy).to_string()];
            let value = stack.get(&key_path)?.as_bool()?;
            Some((value, stack.origin(&key_path)?.source().clone()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Layer;

    #[test]
    fn defaults_layers_and_unknown_keys() {
        let user = Layer::parse(
            LayerSource::User("/u.toml".into()),
            "[features]\ntools_cache = true\nsomething_else = true\n",
        )
        .unwrap();
        let over = Layer::single(
            LayerSource::Override("--disable rmcp_client".into()),
            &["features".into(), "rmcp_client".into()],
            toml::Value::Boolean(false),
        );
        let states = resolve_features(&LayerStack::new(vec![user, over]));
        let get = |k: &str| states.iter().find(|s| s.key == k).unwrap();
        assert!(!get("rmcp_client").enabled);
        assert_eq!(
            get("rmcp_client").decided_by.to_string(),
            "--disable rmcp_client"
        );
        // Removed features are listed (off) only when a layer sets them.
        assert!(!get("tools_cache").enabled);
        assert_eq!(get("tools_cache").decided_by.kind(), "user");
        assert!(!states.iter().any(|s| s.key == "elicitation"));
        assert_eq!(get("something_else").stage, None);
    }

    #[test]
    fn legacy_key_decides_when_features_table_is_silent() {
        let user = Layer::parse(
            LayerSource::User("/u.toml".into()),
            "experimental_use_rmcp_client = false\n",
        )
        .unwrap();
        let states = resolve_features(&LayerStack::new(vec![user]));
        let rmcp = states.iter().find(|s| s.key == "rmcp_client").unwrap();
        assert!(!rmcp.enabled);
        assert_eq!(rmcp.decided_by.kind(), "user");
    }
}
