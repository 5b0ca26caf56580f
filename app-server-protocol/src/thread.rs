//! `thread/start` and `thread/resume`: a session holding live MCP connections.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::McpServerStartupState;

/// `thread/start` params (Codex's model and sandbox fields are accepted and ignored).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadStartParams {
    /// The thread's working folder (echoed back; the server's folder when absent).
    #[serde(default)]
    pub cwd: Option<String>,
    /// Start only these servers (all enabled ones when absent). An mcpctl extension.
    #[serde(default)]
    pub mcp_servers: Option<Vec<String>>,
}

/// `thread/resume` params.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadResumeParams {
    /// The thread to re-attach to.
    pub thread_id: String,
}

/// The subset of Codex's `Thread` mcpctl returns.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Thread {
    /// The thread id.
    pub id: String,
    /// Same as `id` (one session per thread).
    pub session_id: String,
    /// The working folder.
    pub cwd: String,
    /// Seconds since the epoch.
    pub created_at: u64,
    /// Seconds since the epoch.
    pub updated_at: u64,
    /// mcpctl's version.
    pub cli_version: String,
    /// Always true: mcpctl keeps no thread history on disk.
    pub ephemeral: bool,
    /// Always empty (mcpctl has no turns).
    pub preview: String,
    /// Always empty.
    pub turns: Vec<serde_json::Value>,
}

/// One server's state in a thread.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadMcpServer {
    /// The server.
    pub name: String,
    /// Its state.
    pub status: McpServerStartupState,
    /// Why it is not ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `thread/start` and `thread/resume` result.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadStartResponse {
    /// The thread.
    pub thread: Thread,
    /// The working folder.
    pub cwd: String,
    /// Each started server's state once every required one is ready.
    pub mcp_servers: Vec<ThreadMcpServer>,
}

/// One failed required server, in the `data` of a failed `thread/start`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FailedServer {
    /// The server.
    pub name: String,
    /// Why it did not start.
    pub error: String,
}
