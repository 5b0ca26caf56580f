//! The approval decision table of mcpctl's gateway: for one tool call, whether it runs, asks
//! the user first, or is refused, and which setting decided. Pure functions over values: no
//! I/O, no config parsing, so every front end (the gateway, `mcpctl tools`) gets the same
//! answer.
//!
//! The modes are Codex's (`[mcp_servers.<n>] default_tools_approval_mode` and
//! `[mcp_servers.<n>.tools.<tool>] approval_mode`), with Codex's rules; a gateway-wide
//! [`Preset`] sits below them, and an administrator's cap ([`AdminCap`]) above them all.

mod decide;
mod hints;
mod mode;

pub use decide::{DecidedBy, Decision, Outcome, Settings, decide};
pub use hints::ToolHints;
pub use mode::{AdminCap, ApprovalMode, ParseError, Preset};
