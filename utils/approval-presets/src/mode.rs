//! Approval modes, presets and the administrator's cap.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How a tool's calls are approved (Codex's `approval_mode` values).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalMode {
    /// Always ask.
    Prompt,
    /// Ask unless the tool says it is read-only.
    Writes,
    /// Decide from the tool's annotations: run read-only tools and tools that are neither
    /// destructive nor open-world, ask for the rest.
    Auto,
    /// Never ask.
    Approve,
}

impl ApprovalMode {
    /// Every mode, strictest first (the order of [`Ord`]).
    pub const ALL: [ApprovalMode; 4] = [
        ApprovalMode::Prompt,
        ApprovalMode::Writes,
        ApprovalMode::Auto,
        ApprovalMode::Approve,
    ];

    /// The name used in config files.
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalMode::Prompt => "prompt",
            ApprovalMode::Writes => "writes",
            ApprovalMode::Auto => "auto",
            ApprovalMode::Approve => "approve",
        }
    }
}

impl fmt::Display for ApprovalMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value that is not one of the names a setting accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a valid {what}: expected one of {expected}")]
pub struct ParseError {
    /// What was being parsed (`approval mode`, `approval preset`).
    pub what: &'static str,
    /// The value given.
    pub value: String,
    /// The accepted names.
    pub expected: &'static str,
}

impl FromStr for ApprovalMode {
    type Err = ParseError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        ApprovalMode::ALL
            .into_iter()
            .find(|m| m.as_str() == value)
            .ok_or_else(|| ParseError {
                what: "approval mode",
                value: value.to_string(),
                expected: "prompt, writes, auto, approve",
            })
    }
}

/// A gateway-wide starting point (`approval_preset`, `mcpctl serve --preset`), below any mode
/// set for a server or a tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// Only read-only tools are exposed (and they run); every other tool is hidden, whatever
    /// a server or tool setting says.
    ReadOnly,
    /// Every call asks (`prompt`), unless a server or tool setting says otherwise.
    Ask,
    /// Calls are decided from the tools' annotations (`auto`), unless a setting says otherwise.
    Auto,
    /// Calls run without asking (`approve`), unless a setting says otherwise.
    FullAccess,
}

impl Preset {
    /// The name used in config files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::ReadOnly => "read-only",
            Preset::Ask => "ask",
            Preset::Auto => "auto",
            Preset::FullAccess => "full-access",
        }
    }

    /// The mode a tool gets from this preset when no server or tool setting applies.
    pub fn default_mode(self) -> ApprovalMode {
        match self {
            Preset::ReadOnly | Preset::Auto => ApprovalMode::Auto,
            Preset::Ask => ApprovalMode::Prompt,
            Preset::FullAccess => ApprovalMode::Approve,
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Preset {
    type Err = ParseError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        [
            Preset::ReadOnly,
            Preset::Ask,
            Preset::Auto,
            Preset::FullAccess,
        ]
        .into_iter()
        .find(|p| p.as_str() == value)
        .ok_or_else(|| ParseError {
            what: "approval preset",
            value: value.to_string(),
            expected: "read-only, ask, auto, full-access",
        })
    }
}

/// The modes an administrator allows (`allowed_approval_modes` in requirements.toml). A mode
/// more permissive than every allowed one is lowered to the most permissive allowed mode; no
/// user setting can raise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminCap {
    allowed: Vec<ApprovalMode>,
}

impl AdminCap {
    /// A cap from the allowed modes; `None` when the list is empty (nothing would be allowed,
    /// which the requirements parser reports as an error instead).
    pub fn new(allowed: impl IntoIterator<Item = ApprovalMode>) -> Option<Self> {
        let mut allowed: Vec<ApprovalMode> = allowed.into_iter().collect();
        allowed.sort();
        allowed.dedup();
        (!allowed.is_empty()).then_some(Self { allowed })
    }

    /// The allowed modes, strictest first.
    pub fn allowed(&self) -> &[ApprovalMode] {
        &self.allowed
    }

    /// `mode` when allowed; otherwise the most permissive allowed mode that is stricter than
    /// `mode`, or the strictest allowed mode.
    pub fn clamp(&self, mode: ApprovalMode) -> ApprovalMode {
        if self.allowed.contains(&mode) {
            return mode;
        }
        self.allowed
            .iter()
            .rev()
            .find(|allowed| **allowed < mode)
            .or_else(|| self.allowed.first())
            .copied()
            .unwrap_or(ApprovalMode::Prompt)
    }
}
