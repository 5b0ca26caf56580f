//! MCP methods: `mcpServerStatus/list`, `mcpServer/oauth/login`, `mcpServer/resource/read`,
//! `mcpServer/tool/call`, and their notifications.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How much `mcpServerStatus/list` returns per server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum McpServerStatusDetail {
    /// Tools, resources, templates and auth.
    Full,
    /// Tools and auth only.
    ToolsAndAuthOnly,
}

/// `mcpServerStatus/list` params.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListMcpServerStatusParams {
    /// The `nextCursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Page size (default 100, at most 1000).
    #[serde(default)]
    pub limit: Option<u32>,
    /// How much to return (default `full`).
    #[serde(default)]
    pub detail: Option<McpServerStatusDetail>,
    /// Report this thread's live connections instead of the cached tools.
    #[serde(default)]
    pub thread_id: Option<String>,
    /// Only this server.
    #[serde(default)]
    pub server_name: Option<String>,
}

/// Auth state of a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum McpAuthStatus {
    /// Not known yet (never probed).
    Unknown,
    /// A stdio server, or an HTTP server that offers no OAuth.
    Unsupported,
    /// OAuth offered, no login stored.
    NotLoggedIn,
    /// A bearer token from an environment variable.
    BearerToken,
    /// An OAuth login is stored.
    OAuth,
}

/// Connection state of a server in a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum McpServerConnectionStatus {
    /// No thread runs it.
    NotStarted,
    /// Starting.
    Starting,
    /// Ready.
    Connected,
    /// It needs a login.
    AuthenticationRequired,
    /// Its start failed.
    Failed,
    /// Its start was abandoned.
    Cancelled,
    /// Disabled in the config or by requirements.
    Disabled,
}

/// A server's name and version from its `initialize` answer.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpServerInfo {
    /// `serverInfo.name`.
    pub name: String,
    /// `serverInfo.version`.
    pub version: String,
}

/// One server in `mcpServerStatus/list`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpServerStatus {
    /// The configured name.
    pub name: String,
    /// From its last `initialize` (live or cached).
    pub server_info: Option<McpServerInfo>,
    /// Its capabilities (only from a live thread connection).
    pub server_capabilities: Option<Value>,
    /// Its state in the given thread; `notStarted`/`disabled` without one.
    pub runtime_status: Option<McpServerConnectionStatus>,
    /// Its tools by name, as the server sent them.
    pub tools: BTreeMap<String, Value>,
    /// Why no tools are known (never started, start failed).
    pub tools_error: Option<String>,
    /// Its resources (only from a live thread connection).
    pub resources: Vec<Value>,
    /// Its resource templates (only from a live thread connection).
    pub resource_templates: Vec<Value>,
    /// Its auth state.
    pub auth_status: McpAuthStatus,
    /// `scheme://host[:port]` of an HTTP server.
    pub http_origin: Option<String>,
}

/// `mcpServerStatus/list` result.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListMcpServerStatusResponse {
    /// One page of servers, by name.
    pub data: Vec<McpServerStatus>,
    /// Pass it as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// `mcpServer/oauth/login` params.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpServerOauthLoginParams {
    /// The server.
    pub name: String,
    /// Scopes instead of the configured or discovered ones.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// How long to wait for the browser (default 300 s).
    #[serde(default)]
    pub timeout_secs: Option<i64>,
    /// Echoed in the completion notification.
    #[serde(default)]
    pub thread_id: Option<String>,
    /// `auto` (default), `cimd` or `dcr`.
    #[serde(default)]
    pub client_registration: Option<McpServerOauthClientRegistration>,
}

/// How the login gets an OAuth client when none is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum McpServerOauthClientRegistration {
    /// A metadata document when possible, else dynamic registration.
    Auto,
    /// Only a client ID metadata document.
    Cimd,
    /// Only dynamic client registration.
    Dcr,
}

/// `mcpServer/oauth/login` result; the login goes on until the completion notification.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpServerOauthLoginResponse {
    /// Open this in a browser.
    pub authorization_url: String,
    /// Identifies this login in `mcpServer/oauthLogin/completed`.
    pub login_id: String,
}

/// `mcpServer/oauthLogin/completed` notification.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpServerOauthLoginCompletedNotification {
    /// The server.
    pub name: String,
    /// The thread given in the login request.
    pub thread_id: Option<String>,
    /// The login's id.
    pub login_id: String,
    /// Whether tokens are stored.
    pub success: bool,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When the notification was sent, ms since the epoch.
    pub emitted_at_ms: u64,
}

/// A server's startup state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum McpServerStartupState {
    /// Starting.
    Starting,
    /// Ready.
    Ready,
    /// Failed.
    Failed,
    /// Cancelled.
    Cancelled,
}

/// Why a start failed, when a client can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum McpServerStartupFailureReason {
    /// The server wants an OAuth login.
    ReauthenticationRequired,
}

/// `mcpServer/startupStatus/updated` notification.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpServerStatusUpdatedNotification {
    /// The server.
    pub name: String,
    /// The thread starting it.
    pub thread_id: Option<String>,
    /// Its new state.
    pub status: McpServerStartupState,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// A failure the client can act on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<McpServerStartupFailureReason>,
    /// When the notification was sent, ms since the epoch.
    pub emitted_at_ms: u64,
}

/// `mcpServer/resource/read` params.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpResourceReadParams {
    /// The server.
    pub server: String,
    /// The resource URI.
    pub uri: String,
    /// Read through this thread's connection; a short-lived one is started otherwise.
    #[serde(default)]
    pub thread_id: Option<String>,
}

/// `mcpServer/resource/read` result.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpResourceReadResponse {
    /// The MCP `contents`, as the server sent them.
    pub contents: Vec<Value>,
}

/// `mcpServer/tool/call` params.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpServerToolCallParams {
    /// The thread whose connection is used.
    pub thread_id: String,
    /// The server.
    pub server: String,
    /// The tool, as the server names it.
    pub tool: String,
    /// The arguments object.
    #[serde(default)]
    pub arguments: Option<Value>,
}

/// `mcpServer/tool/call` result: the MCP `CallToolResult`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpServerToolCallResponse {
    /// The content items.
    pub content: Vec<Value>,
    /// Structured content, when the tool gave some.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<Value>,
    /// Whether the tool reported an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    /// The result's `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
}

/// `mcpServer/elicitation/request` (server to client) params.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpServerElicitationRequestParams {
    /// The thread whose server asks.
    pub thread_id: Option<String>,
    /// The server asking.
    pub server_name: String,
    /// The MCP `elicitation/create` params as the server sent them (`mode` `form` with
    /// `requestedSchema`, or `url` with `url` and `elicitationId`).
    pub request: Value,
}

/// The client's answer to `mcpServer/elicitation/request`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpServerElicitationRequestResponse {
    /// `accept`, `decline` or `cancel`.
    pub action: ElicitationAction,
    /// The form's values, with `accept`.
    #[serde(default)]
    pub content: Option<Value>,
    /// Passed back to the server.
    #[serde(rename = "_meta", default)]
    pub meta: Option<Value>,
}

/// What the user did with an elicitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ElicitationAction {
    /// Accepted (with content for a form).
    Accept,
    /// Declined.
    Decline,
    /// Dismissed.
    Cancel,
}

/// `serverRequest/resolved` notification: a server-to-client request is settled.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServerRequestResolvedNotification {
    /// The thread it belonged to.
    pub thread_id: Option<String>,
    /// The id of the server-to-client request.
    pub request_id: crate::RequestId,
    /// When the notification was sent, ms since the epoch.
    pub emitted_at_ms: u64,
}
