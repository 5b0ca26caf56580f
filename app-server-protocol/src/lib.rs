//! The messages mcpctl's app server speaks: JSON-RPC envelopes, each method's params and
//! result, and the notifications and server-to-client requests. Names follow Codex's app
//! server (v2) wherever a method exists there, so Codex clients work unchanged.
//!
//! [`write_json_schemas`] writes the JSON schema of every message, as
//! `mcpctl app-server generate-json-schema` does.

mod config;
mod envelope;
mod initialize;
mod mcp;
mod schema;
mod thread;

pub use config::*;
pub use envelope::*;
pub use initialize::*;
pub use mcp::*;
pub use schema::{SchemaError, json_schemas, write_json_schemas};
pub use thread::*;
