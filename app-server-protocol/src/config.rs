//! `config/read`, `config/value/write`, `config/batchWrite`, `configRequirements/read`,
//! `config/mcpServer/reload`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `config/read` params.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigReadParams {
    /// Also return every layer's own table.
    #[serde(default)]
    pub include_layers: bool,
    /// Read as seen from this folder (project layers); the server's folder when absent.
    #[serde(default)]
    pub cwd: Option<String>,
}

/// Where a layer comes from (Codex's `ConfigLayerSource`, with mcpctl's kinds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ConfigLayerSource {
    /// Built-in defaults.
    #[serde(rename = "packagedDefaults")]
    Defaults {
        /// The mcpctl binary that carries them (Codex requires a path here).
        file: String,
    },
    /// The system config file.
    System {
        /// Its path.
        file: String,
    },
    /// The user's config file.
    User {
        /// Its path.
        file: String,
        /// Always null (mcpctl has no profiles).
        profile: Option<String>,
    },
    /// A trusted project's config.
    Project {
        /// The project's `.mcpctl` folder (Codex's field name).
        #[serde(rename = "dotCodexFolder")]
        dot_codex_folder: String,
    },
    /// A managed config file users cannot override.
    #[serde(rename = "legacyManagedConfigTomlFromFile")]
    Managed {
        /// Its path.
        file: String,
    },
    /// `-c` flags given to `mcpctl app-server`.
    SessionFlags {},
}

/// A layer's name and its content version.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigLayerMetadata {
    /// Where it comes from.
    pub name: ConfigLayerSource,
    /// `sha256:…` of the file's bytes (of nothing for layers without a file).
    pub version: String,
}

/// One layer with its table.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigLayer {
    /// Where it comes from.
    pub name: ConfigLayerSource,
    /// `sha256:…` of the file's bytes.
    pub version: String,
    /// The layer's table as JSON, secrets masked.
    pub config: Value,
    /// Why the layer is ignored, if it is (never set by mcpctl yet).
    #[serde(default)]
    pub disabled_reason: Option<String>,
}

/// `config/read` result.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigReadResponse {
    /// The effective (merged) config, secrets masked.
    pub config: Value,
    /// For every leaf key path (`mcp_servers.docs.command`), the layer that set it.
    pub origins: BTreeMap<String, ConfigLayerMetadata>,
    /// Every layer, lowest precedence first, when `includeLayers` was set.
    #[serde(default)]
    pub layers: Option<Vec<ConfigLayer>>,
}

/// How a written value combines with the one there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum MergeStrategy {
    /// Replace the value (a table replaces the table).
    Replace,
    /// Merge tables key by key; other values are replaced.
    Upsert,
}

/// `config/value/write` params.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigValueWriteParams {
    /// Dotted key path, `mcp_servers.docs.enabled`.
    pub key_path: String,
    /// The value; null removes the key.
    pub value: Value,
    /// How it combines with the value there.
    pub merge_strategy: MergeStrategy,
    /// Refuse (conflict, -32001) unless the file still has this version.
    #[serde(default)]
    pub expected_version: Option<String>,
    /// Only the user config is writable; another path is refused.
    #[serde(default)]
    pub file_path: Option<String>,
}

/// One edit of a `config/batchWrite`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigEdit {
    /// Dotted key path.
    pub key_path: String,
    /// The value; null removes the key.
    pub value: Value,
    /// How it combines with the value there.
    pub merge_strategy: MergeStrategy,
}

/// `config/batchWrite` params: every edit applies, or none.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigBatchWriteParams {
    /// The edits, in order.
    pub edits: Vec<ConfigEdit>,
    /// Refuse unless the file still has this version.
    #[serde(default)]
    pub expected_version: Option<String>,
    /// Only the user config is writable.
    #[serde(default)]
    pub file_path: Option<String>,
    /// Accepted for Codex compatibility; mcpctl reloads its config after every write anyway.
    #[serde(default)]
    pub reload_user_config: bool,
}

/// Whether the written value is the effective one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum WriteStatus {
    /// Written and effective.
    Ok,
    /// Written, but a higher layer sets the same key.
    OkOverridden,
}

/// A higher layer that overrides a written key.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverriddenMetadata {
    /// What happened.
    pub message: String,
    /// The layer that wins.
    pub overriding_layer: ConfigLayerMetadata,
    /// The effective value.
    pub effective_value: Value,
}

/// Result of `config/value/write` and `config/batchWrite`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigWriteResponse {
    /// `ok` or `okOverridden`.
    pub status: WriteStatus,
    /// The file's version after the write.
    pub version: String,
    /// The file written.
    pub file_path: String,
    /// Set with `okOverridden`.
    #[serde(default)]
    pub overridden_metadata: Option<OverriddenMetadata>,
}

/// `configRequirements/read` result: the admin policy in force.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigRequirementsReadResponse {
    /// Null when no requirements file exists.
    pub requirements: Option<ConfigRequirements>,
}

/// The requirements files and what they allow.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigRequirements {
    /// Each requirements file read.
    pub files: Vec<String>,
    /// The allowed MCP servers, by name, with their identity as written (null: no list, all
    /// allowed by that file).
    pub mcp_servers: Option<BTreeMap<String, Value>>,
}

/// `config/mcpServer/reload` result (Codex returns an empty object).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpServerRefreshResponse {}
