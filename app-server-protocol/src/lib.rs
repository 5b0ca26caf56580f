//! The messages mcpctl's app server speaks: JSON-RPC envelopes, each method's params and
//! result, and the notifications and server-to-client requests. Names follow Codex's app
//! server (v2) wherever a method exists there, so Codex clients work unchanged.
//!
//! [`write_json_schemas`] writes the JSON schema of every message, as
//! `mcpctl app-server generate-json-schema` does; [`write_typescript`] the TypeScript
//! declarations, as `mcpctl app-server generate-ts` does.

mod config;
mod envelope;
mod initialize;
mod mcp;
mod methods;
mod schema;
mod thread;
mod typescript;

pub use config::*;
pub use envelope::*;
pub use initialize::*;
pub use mcp::*;
pub use methods::{
    CLIENT_NOTIFICATIONS, CLIENT_REQUESTS, MethodSpec, SERVER_NOTIFICATIONS, SERVER_REQUESTS,
};
pub use schema::{SchemaError, json_schemas, write_json_schemas};
pub use thread::*;
pub use typescript::{
    PrettierError, TS_HEADER, find_prettier, locate_prettier, run_prettier, typescript_files,
    write_typescript,
};
