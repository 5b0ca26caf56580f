//! The approval decision for one tool of one server, from every layer that has a say: the
//! tool's and the server's `approval_mode`, the gateway preset, and the administrator's cap in
//! requirements.toml. `mcpctl tools` shows it and the gateway enforces it, through this one
//! function.

use mcpctl_approval_presets::{AdminCap, Decision, Preset, Settings, ToolHints, decide};
use mcpctl_config::McpServerConfig;
use serde_json::Value;

use crate::workspace::Workspace;

/// The gateway-wide part of the approval settings: the preset and the administrator's cap.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApprovalPolicy {
    preset: Option<Preset>,
    cap: Option<AdminCap>,
}

impl ApprovalPolicy {
    /// The policy of a loaded workspace: `approval_preset` from the config (or `preset` when a
    /// command line gives one, such as `serve --preset`), capped by every requirements file's
    /// `allowed_approval_modes` (a mode must be allowed by all of them).
    pub fn of(workspace: &Workspace, preset: Option<Preset>) -> Self {
        let caps: Vec<&AdminCap> = workspace
            .requirements()
            .iter()
            .filter_map(|r| r.approval_cap())
            .collect();
        let cap = match caps.split_first() {
            None => None,
            Some((first, rest)) => AdminCap::new(
                first
                    .allowed()
                    .iter()
                    .copied()
                    .filter(|mode| rest.iter().all(|cap| cap.allowed().contains(mode))),
            )
            // Caps that share no mode: the strictest of all the allowed modes, so the
            // intersection fails closed instead of lifting every cap.
            .or_else(|| {
                AdminCap::new(
                    caps.iter()
                        .filter_map(|cap| cap.allowed().first().copied())
                        .min(),
                )
            }),
        };
        Self {
            preset: preset.or(workspace.loaded().config.approval_preset),
            cap,
        }
    }

    /// A policy from its parts (tests, and front ends that hold no workspace).
    pub fn new(preset: Option<Preset>, cap: Option<AdminCap>) -> Self {
        Self { preset, cap }
    }

    /// The preset in force, if any.
    pub fn preset(&self) -> Option<Preset> {
        self.preset
    }

    /// Decides a call of `tool` (the tool as the server listed it: its `name` and
    /// `annotations`) on a server configured as `server`.
    pub fn decide(&self, server: &McpServerConfig, tool: &Value) -> Decision {
        let name = tool.get("name").and_then(Value::as_str).unwrap_or_default();
        let settings = Settings {
            tool_mode: server.tools.get(name).and_then(|t| t.approval_mode),
            server_mode: server.default_tools_approval_mode,
            preset: self.preset,
            cap: self.cap.clone(),
        };
        decide(&tool_hints(tool), &settings)
    }
}

/// A tool's annotations as approval hints; a hint that is not a boolean counts as absent.
pub fn tool_hints(tool: &Value) -> ToolHints {
    let hint = |key: &str| {
        tool.get("annotations")
            .and_then(|a| a.get(key))
            .and_then(Value::as_bool)
    };
    ToolHints {
        read_only_hint: hint("readOnlyHint"),
        destructive_hint: hint("destructiveHint"),
        open_world_hint: hint("openWorldHint"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcpctl_approval_presets::{ApprovalMode, DecidedBy, Outcome};
    use mcpctl_config::{StdioTransport, ToolConfig, Transport};
    use serde_json::json;

    fn server() -> McpServerConfig {
        McpServerConfig::new(Transport::Stdio(StdioTransport::new("x")))
    }

    #[test]
    fn tool_setting_wins_and_the_cap_lowers_it() {
        let mut config = server();
        config.default_tools_approval_mode = Some(ApprovalMode::Prompt);
        config.tools.insert(
            "rm".to_string(),
            ToolConfig {
                approval_mode: Some(ApprovalMode::Approve),
            },
        );
        let rm = json!({"name": "rm", "annotations": {"destructiveHint": true}});
        let open = ApprovalPolicy::new(None, None);
        let decision = open.decide(&config, &rm);
        assert_eq!(decision.outcome, Outcome::Run);
        assert_eq!(decision.decided_by, DecidedBy::ToolMode);
        let capped = ApprovalPolicy::new(None, AdminCap::new([ApprovalMode::Prompt]));
        let decision = capped.decide(&config, &rm);
        assert_eq!(decision.outcome, Outcome::Ask);
        assert_eq!(decision.decided_by, DecidedBy::AdminCap);
        let other = json!({"name": "ls", "annotations": {"readOnlyHint": true}});
        assert_eq!(
            open.decide(&config, &other).decided_by,
            DecidedBy::ServerMode
        );
    }

    #[test]
    fn read_only_preset_refuses_writers_and_non_boolean_hints_are_absent() {
        let policy = ApprovalPolicy::new(Some(Preset::ReadOnly), None);
        let writer = json!({"name": "w", "annotations": {"readOnlyHint": "yes"}});
        assert_eq!(tool_hints(&writer), ToolHints::default());
        assert_eq!(policy.decide(&server(), &writer).outcome, Outcome::Deny);
        let reader = json!({"name": "r", "annotations": {"readOnlyHint": true}});
        assert_eq!(policy.decide(&server(), &reader).outcome, Outcome::Run);
    }
}
