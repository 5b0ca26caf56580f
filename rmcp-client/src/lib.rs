//! An MCP client for mcpctl, over the `rmcp` crate.
//!
//! [`McpClient`] connects to one server, either a local child process spoken to over
//! stdin/stdout ([`StdioSpec`]) or an HTTP endpoint ([`HttpSpec`]: streamable HTTP, or the
//! legacy HTTP+SSE transport of MCP 2024-11-05), and offers the
//! operations mcpctl needs (tools, resources, prompts, ping). [`ClientHooks`] let a front end
//! answer elicitation requests and hear about progress and tool-list changes. Every failure is
//! a [`ClientError`] that names the server and says what to do about it.

mod client;
mod error;
mod escapees;
mod groups;
mod handler;
mod hooks;
mod http;
pub mod oauth;
mod pages;
mod sse;
mod stdio;
mod stdout;
mod transport;

pub use client::{MAX_TOOL_NAME_CHARS, McpClient, RefusedTool};
pub use error::{BoxError, Cause, ClientError, Operation, StderrTail, TAIL_LINE_CHARS, TAIL_LINES};
pub use escapees::TAG_VAR;
pub use groups::kill_all_process_groups;
pub use hooks::{
    BoxFuture, ClientHooks, DeclineElicitation, DefaultsElicitation, ElicitRequestParams,
    ElicitResult, ElicitationAction, ElicitationHandler, ElicitationSchema, NoticeHook,
    ProgressHook, ProgressNotificationParam, RootsHandler, SamplingHandler, ServerNotice,
    ToolsChangedHook, ToolsListedHook, schema_defaults,
};
pub use http::HttpSpec;
pub use pages::{MAX_ITEMS, MAX_PAGES};
pub use sse::{MAX_SSE_EVENT, SseConnectError};
pub use stdio::{DEFAULT_ENV_VARS, StdioSpec};
pub use stdout::{MAX_DEPTH, MAX_LINE};
pub use transport::MAX_QUEUED;

/// The result type of [`McpClient::call_tool`].
pub use rmcp::model::CallToolResult;
/// A prompt's messages as returned by [`McpClient::get_prompt`].
pub use rmcp::model::GetPromptResult;
/// A prompt as returned by [`McpClient::list_prompts`].
pub use rmcp::model::Prompt;
/// A resource as returned by [`McpClient::list_resources`].
pub use rmcp::model::Resource;
/// A resource template as returned by [`McpClient::list_resource_templates`].
pub use rmcp::model::ResourceTemplate;
/// What the server said about itself in its `initialize` answer.
pub use rmcp::model::ServerPeerInfo as ServerInfo;
/// The tool description type returned by [`McpClient::list_tools`].
pub use rmcp::model::Tool;
/// What [`McpClient::read_resource`] returns: the resource's text or blob contents.
pub use rmcp::model::{ReadResourceResult, ResourceContents};
