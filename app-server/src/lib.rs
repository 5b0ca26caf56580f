//! mcpctl's app server: JSON-RPC 2.0 over stdio (one JSON object per line) for editors and
//! desktop apps, speaking Codex's method and field names for MCP and config methods.
//!
//! A thin front end over `mcpctl-core`: [`run`] reads requests, runs each one as its own task,
//! and writes answers and notifications; handlers call core and render its values as the
//! protocol types of `mcpctl-app-server-protocol`.

mod config_methods;
mod dispatch;
mod error;
mod mcp_methods;
mod memo;
mod outgoing;
mod server;
mod threads;

pub use error::AppServerError;
pub use server::{AppServerOptions, run};
