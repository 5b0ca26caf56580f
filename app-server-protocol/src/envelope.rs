//! JSON-RPC envelopes: one JSON object per line, `"jsonrpc": "2.0"` optional on input and
//! omitted on output (as Codex does).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The id of a request: a number or a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RequestId {
    /// A numeric id.
    Integer(i64),
    /// A string id.
    String(String),
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestId::Integer(n) => write!(f, "{n}"),
            RequestId::String(s) => f.write_str(s),
        }
    }
}

/// Any message read from the client, before it is classified.
#[derive(Debug, Clone, Deserialize)]
pub struct IncomingMessage {
    /// Present on requests and responses.
    #[serde(default)]
    pub id: Option<Value>,
    /// Present on requests and notifications.
    #[serde(default)]
    pub method: Option<Value>,
    /// The params of a request or notification.
    #[serde(default)]
    pub params: Option<Value>,
    /// The result of a response (to a server-to-client request).
    #[serde(default)]
    pub result: Option<Value>,
    /// The error of a response (to a server-to-client request).
    #[serde(default)]
    pub error: Option<Value>,
}

/// A request from the client or from the server.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct JsonRpcRequest {
    /// The request id.
    pub id: RequestId,
    /// The method name.
    pub method: String,
    /// The params.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
}

/// A notification (no id, no answer).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct JsonRpcNotification {
    /// The method name.
    pub method: String,
    /// The params; the server's always carry `emittedAtMs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
}

/// A successful answer.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct JsonRpcResponse {
    /// The id of the request answered.
    pub id: RequestId,
    /// The result.
    pub result: Value,
}

/// A failed answer. `id` is null when the request could not be read (parse errors).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct JsonRpcErrorResponse {
    /// The id of the request answered, or null.
    pub id: Option<RequestId>,
    /// What went wrong.
    pub error: JsonRpcError,
}

/// The error object of a failed answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JsonRpcError {
    /// One of the codes below.
    pub code: i64,
    /// What went wrong and how to fix it.
    pub message: String,
    /// Details (for `thread/start`: the failed servers and their causes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// A line that is not JSON.
pub const PARSE_ERROR: i64 = -32700;
/// A message that is not a request, a request before `initialize`, a second `initialize`.
pub const INVALID_REQUEST: i64 = -32600;
/// A method this server does not have.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// Params that do not fit the method; the message names the field.
pub const INVALID_PARAMS: i64 = -32602;
/// The method failed.
pub const INTERNAL_ERROR: i64 = -32603;
/// A config write refused because the file changed since `expectedVersion` was read.
pub const CONFIG_CONFLICT: i64 = -32001;

impl JsonRpcError {
    /// An error with this code and message.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Adds `data`.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
}
