//! A tool's behaviour hints (MCP `ToolAnnotations`), with the spec's defaults.

use serde::{Deserialize, Serialize};

/// The hints a server gave for a tool; `None` where it gave none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolHints {
    /// `readOnlyHint`: the tool does not modify its environment (default false).
    pub read_only_hint: Option<bool>,
    /// `destructiveHint`: updates may be destructive (default true; meaningful only when the
    /// tool is not read-only).
    pub destructive_hint: Option<bool>,
    /// `openWorldHint`: the tool reaches outside systems (default true).
    pub open_world_hint: Option<bool>,
}

impl ToolHints {
    /// True when the tool says it is read-only.
    pub fn read_only(&self) -> bool {
        self.read_only_hint.unwrap_or(false)
    }

    /// True when the tool may be destructive: the spec's default (true) applies only to tools
    /// that are not read-only; a read-only tool counts as destructive only when it says so.
    pub fn destructive(&self) -> bool {
        if self.read_only() {
            self.destructive_hint == Some(true)
        } else {
            self.destructive_hint.unwrap_or(true)
        }
    }

    /// True when the tool may reach outside systems (default true).
    pub fn open_world(&self) -> bool {
        self.open_world_hint.unwrap_or(true)
    }
}
