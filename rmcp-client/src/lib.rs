//! An MCP client for mcpctl, over the `rmcp` crate.
//!
//! [`McpClient`] connects to one server, either a local child process spoken to over
//! stdin/stdout ([`StdioSpec`]) or a streamable HTTP endpoint ([`HttpSpec`]), and offers the
//! operations mcpctl needs (list tools, call a tool with a timeout, ping). Every failure is a
//! [`ClientError`] that names the server and says what to do about it.

mod client;
mod error;
mod hooks;
mod http;
mod stdio;

pub use client::McpClient;
pub use error::{ClientError, StderrTail};
pub use hooks::{
    BoxFuture, ClientHooks, ElicitRequestParams, ElicitResult, ElicitationAction,
    ElicitationHandler, ProgressNotificationParam,
};
pub use http::HttpSpec;
pub use stdio::{DEFAULT_ENV_VARS, StdioSpec};

/// The result type of [`McpClient::call_tool`].
pub use rmcp::model::CallToolResult;
/// What the server said about itself in its `initialize` answer.
pub use rmcp::model::ServerPeerInfo as ServerInfo;
/// The tool description type returned by [`McpClient::list_tools`].
pub use rmcp::model::Tool;
