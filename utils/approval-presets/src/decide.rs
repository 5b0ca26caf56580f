//! The decision for one tool call.

use serde::Serialize;

use crate::hints::ToolHints;
use crate::mode::{AdminCap, ApprovalMode, Preset};

/// What the settings say for one tool, from the most specific to the least.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// `[mcp_servers.<n>.tools.<tool>] approval_mode`.
    pub tool_mode: Option<ApprovalMode>,
    /// `[mcp_servers.<n>] default_tools_approval_mode`.
    pub server_mode: Option<ApprovalMode>,
    /// The gateway-wide preset (`approval_preset` or `serve --preset`).
    pub preset: Option<Preset>,
    /// The administrator's cap (`allowed_approval_modes` in requirements.toml).
    pub cap: Option<AdminCap>,
}

/// Whether a call runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It runs without asking.
    Run,
    /// The user is asked first.
    Ask,
    /// It is refused; under the `read-only` preset the tool is not even listed.
    Deny,
}

impl Outcome {
    /// `run`, `ask` or `deny`, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Run => "run",
            Outcome::Ask => "ask",
            Outcome::Deny => "deny",
        }
    }
}

/// Which setting decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecidedBy {
    /// The tool's own `approval_mode`.
    ToolMode,
    /// The server's `default_tools_approval_mode`.
    ServerMode,
    /// The gateway-wide preset.
    Preset,
    /// The built-in default (`auto`).
    Default,
    /// The administrator's cap lowered a more permissive setting.
    AdminCap,
}

impl DecidedBy {
    /// `tool_mode`, `server_mode`, `preset`, `default` or `admin_cap`, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            DecidedBy::ToolMode => "tool_mode",
            DecidedBy::ServerMode => "server_mode",
            DecidedBy::Preset => "preset",
            DecidedBy::Default => "default",
            DecidedBy::AdminCap => "admin_cap",
        }
    }
}

/// The decision for one call, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Run, ask or refuse.
    pub outcome: Outcome,
    /// The mode that applied (after the cap).
    pub mode: ApprovalMode,
    /// The setting that decided.
    pub decided_by: DecidedBy,
}

/// Decides a call of a tool with `hints` under `settings`.
///
/// The most specific setting wins (tool, then server, then preset, then `auto`); the admin cap
/// then lowers a mode it does not allow; the `read-only` preset refuses every tool that is not
/// read-only, whatever the other settings say. Then the mode's rule:
/// - `approve` runs; `prompt` asks;
/// - `writes` asks unless the tool is read-only;
/// - `auto` asks for a destructive tool, runs a read-only one, and otherwise asks unless the
///   tool is neither destructive nor open-world.
pub fn decide(hints: &ToolHints, settings: &Settings) -> Decision {
    let (chosen, mut decided_by) = match (settings.tool_mode, settings.server_mode, settings.preset)
    {
        (Some(mode), _, _) => (mode, DecidedBy::ToolMode),
        (None, Some(mode), _) => (mode, DecidedBy::ServerMode),
        (None, None, Some(preset)) => (preset.default_mode(), DecidedBy::Preset),
        (None, None, None) => (ApprovalMode::Auto, DecidedBy::Default),
    };
    let mode = match &settings.cap {
        Some(cap) => {
            let capped = cap.clamp(chosen);
            if capped != chosen {
                decided_by = DecidedBy::AdminCap;
            }
            capped
        }
        None => chosen,
    };
    if settings.preset == Some(Preset::ReadOnly) && !hints.read_only() {
        return Decision {
            outcome: Outcome::Deny,
            mode,
            decided_by: DecidedBy::Preset,
        };
    }
    let outcome = match mode {
        ApprovalMode::Approve => Outcome::Run,
        ApprovalMode::Prompt => Outcome::Ask,
        ApprovalMode::Writes => {
            if hints.read_only() {
                Outcome::Run
            } else {
                Outcome::Ask
            }
        }
        ApprovalMode::Auto => {
            if hints.destructive() {
                Outcome::Ask
            } else if hints.read_only() || !hints.open_world() {
                Outcome::Run
            } else {
                Outcome::Ask
            }
        }
    };
    Decision {
        outcome,
        mode,
        decided_by,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serialised_ones() {
        for outcome in [Outcome::Run, Outcome::Ask, Outcome::Deny] {
            assert_eq!(serde_json::to_value(outcome).unwrap(), outcome.as_str());
        }
        for by in [
            DecidedBy::ToolMode,
            DecidedBy::ServerMode,
            DecidedBy::Preset,
            DecidedBy::Default,
            DecidedBy::AdminCap,
        ] {
            assert_eq!(serde_json::to_value(by).unwrap(), by.as_str());
        }
    }

    const TRI: [Option<bool>; 3] = [None, Some(false), Some(true)];

    fn hints(r: Option<bool>, d: Option<bool>, o: Option<bool>) -> ToolHints {
        ToolHints {
            read_only_hint: r,
            destructive_hint: d,
            open_world_hint: o,
        }
    }

    fn mode(mode: ApprovalMode) -> Settings {
        Settings {
            tool_mode: Some(mode),
            ..Settings::default()
        }
    }

    /// Every mode against every combination of the three hints (27), written out as the rule
    /// reads, independently of the implementation.
    #[test]
    fn every_mode_against_every_annotation_combination() {
        let mut cases = 0;
        for r in TRI {
            for d in TRI {
                for o in TRI {
                    let h = hints(r, d, o);
                    let read_only = r == Some(true);
                    let destructive = if read_only {
                        d == Some(true)
                    } else {
                        d != Some(false)
                    };
                    let open_world = o != Some(false);
                    let expect = |m: ApprovalMode| match m {
                        ApprovalMode::Approve => Outcome::Run,
                        ApprovalMode::Prompt => Outcome::Ask,
                        ApprovalMode::Writes if read_only => Outcome::Run,
                        ApprovalMode::Writes => Outcome::Ask,
                        ApprovalMode::Auto if destructive => Outcome::Ask,
                        ApprovalMode::Auto if read_only => Outcome::Run,
                        ApprovalMode::Auto if !open_world => Outcome::Run,
                        ApprovalMode::Auto => Outcome::Ask,
                    };
                    for m in ApprovalMode::ALL {
                        assert_eq!(
                            decide(&h, &mode(m)).outcome,
                            expect(m),
                            "mode {m} hints {h:?}"
                        );
                        cases += 1;
                    }
                }
            }
        }
        assert_eq!(cases, 108);
    }

    #[test]
    fn missing_hints_take_the_spec_defaults() {
        // No hints at all: not read-only, destructive, open-world: auto asks.
        assert_eq!(
            decide(&ToolHints::default(), &Settings::default()).outcome,
            Outcome::Ask
        );
        // Read-only alone runs under auto (its destructive default does not apply).
        let read_only = hints(Some(true), None, None);
        assert_eq!(
            decide(&read_only, &Settings::default()).outcome,
            Outcome::Run
        );
        // Explicitly safe and closed-world runs.
        let safe = hints(None, Some(false), Some(false));
        assert_eq!(decide(&safe, &Settings::default()).outcome, Outcome::Run);
        // Not destructive but open-world asks.
        let open = hints(None, Some(false), None);
        assert_eq!(decide(&open, &Settings::default()).outcome, Outcome::Ask);
    }

    #[test]
    fn the_most_specific_setting_wins() {
        let h = ToolHints::default();
        let settings = Settings {
            tool_mode: Some(ApprovalMode::Approve),
            server_mode: Some(ApprovalMode::Prompt),
            preset: Some(Preset::Ask),
            cap: None,
        };
        let d = decide(&h, &settings);
        assert_eq!(
            (d.outcome, d.decided_by),
            (Outcome::Run, DecidedBy::ToolMode)
        );
        let d = decide(
            &h,
            &Settings {
                tool_mode: None,
                ..settings
            },
        );
        assert_eq!(
            (d.outcome, d.decided_by),
            (Outcome::Ask, DecidedBy::ServerMode)
        );
        let d = decide(
            &h,
            &Settings {
                tool_mode: None,
                server_mode: None,
                preset: Some(Preset::FullAccess),
                cap: None,
            },
        );
        assert_eq!((d.outcome, d.decided_by), (Outcome::Run, DecidedBy::Preset));
        assert_eq!(
            decide(&h, &Settings::default()).decided_by,
            DecidedBy::Default
        );
    }

    #[test]
    fn the_admin_cap_cannot_be_raised_by_any_user_setting() {
        let cap = AdminCap::new([ApprovalMode::Prompt, ApprovalMode::Writes]).unwrap();
        let h = ToolHints::default();
        for m in ApprovalMode::ALL {
            for preset in [None, Some(Preset::FullAccess), Some(Preset::Auto)] {
                let d = decide(
                    &h,
                    &Settings {
                        tool_mode: Some(m),
                        server_mode: Some(ApprovalMode::Approve),
                        preset,
                        cap: Some(cap.clone()),
                    },
                );
                assert!(d.mode <= ApprovalMode::Writes, "{m} {preset:?} → {d:?}");
                assert_eq!(d.outcome, Outcome::Ask, "{m} {preset:?}");
            }
        }
        let d = decide(&h, &mode(ApprovalMode::Approve));
        assert_eq!(d.outcome, Outcome::Run);
        let capped = decide(
            &h,
            &Settings {
                cap: Some(cap),
                ..mode(ApprovalMode::Approve)
            },
        );
        assert_eq!(capped.decided_by, DecidedBy::AdminCap);
        assert_eq!(capped.mode, ApprovalMode::Writes);
    }

    #[test]
    fn clamp_lowers_to_the_most_permissive_allowed_stricter_mode() {
        let cap = AdminCap::new([ApprovalMode::Prompt, ApprovalMode::Auto]).unwrap();
        assert_eq!(cap.clamp(ApprovalMode::Approve), ApprovalMode::Auto);
        assert_eq!(cap.clamp(ApprovalMode::Writes), ApprovalMode::Prompt);
        assert_eq!(cap.clamp(ApprovalMode::Auto), ApprovalMode::Auto);
        let only_approve = AdminCap::new([ApprovalMode::Approve]).unwrap();
        assert_eq!(
            only_approve.clamp(ApprovalMode::Prompt),
            ApprovalMode::Approve
        );
        assert!(AdminCap::new([]).is_none());
    }

    #[test]
    fn read_only_preset_refuses_every_other_tool_whatever_the_modes_say() {
        let settings = Settings {
            tool_mode: Some(ApprovalMode::Approve),
            preset: Some(Preset::ReadOnly),
            ..Settings::default()
        };
        let writer = hints(Some(false), Some(false), Some(false));
        let d = decide(&writer, &settings);
        assert_eq!(
            (d.outcome, d.decided_by),
            (Outcome::Deny, DecidedBy::Preset)
        );
        let reader = hints(Some(true), None, None);
        assert_eq!(decide(&reader, &settings).outcome, Outcome::Run);
    }

    #[test]
    fn names_parse_and_print() {
        for m in ApprovalMode::ALL {
            assert_eq!(m.as_str().parse::<ApprovalMode>(), Ok(m));
        }
        assert!(
            "always"
                .parse::<ApprovalMode>()
                .unwrap_err()
                .to_string()
                .contains("prompt, writes, auto, approve")
        );
        assert_eq!("full-access".parse::<Preset>(), Ok(Preset::FullAccess));
        assert!("yolo".parse::<Preset>().is_err());
    }
}
