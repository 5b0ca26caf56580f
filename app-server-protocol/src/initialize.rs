//! `initialize` and `shutdown`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who the client is.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientInfo {
    /// The client's name.
    pub name: String,
    /// A display title (may be null).
    #[serde(default)]
    pub title: Option<String>,
    /// The client's version.
    pub version: String,
}

/// `initialize` params.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitializeParams {
    /// Who the client is.
    pub client_info: ClientInfo,
    /// The client's capabilities (accepted, not used yet).
    #[serde(default)]
    pub capabilities: Option<Value>,
}

/// `initialize` result.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitializeResponse {
    /// `mcpctl/<version> (<os>; <arch>) <client name>/<client version>`.
    pub user_agent: String,
    /// mcpctl's home folder (`$MCPCTL_HOME`), in Codex's field name.
    pub codex_home: String,
    /// `unix` or `windows`.
    pub platform_family: String,
    /// `linux`, `macos`, `windows`, ...
    pub platform_os: String,
}
