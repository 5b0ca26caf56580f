//! Bringing MCP servers over from other clients: Claude Code (`~/.claude.json`, a project's
//! `.mcp.json`), Claude Desktop, and any `.mcp.json`; the JSON form of `add-json`; Claude-style
//! header flags; and the hint for Codex users.
//!
//! Reading and deciding live here; front ends render an [`ImportPlan`] and call
//! [`Workspace::write_import`](crate::Workspace::write_import), which writes through the one
//! config writer.

mod claude_json;
mod codex;
mod error;
mod headers;
mod names;
mod plan;
mod sources;

pub use claude_json::{ConvertedServer, parse_server_json};
pub use codex::{CodexHint, codex_hint};
pub use error::{EntryProblem, ImportError, ServerJsonError};
pub use headers::{HeaderSettings, classify_headers, parse_header_flag};
pub use plan::{
    ImportAction, ImportOutcome, ImportPlan, ImportRequest, PlannedServer, SkipReason,
    SkippedServer,
};
pub use sources::{ImportLocations, ImportSource, Origin, Scope};
