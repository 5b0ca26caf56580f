//! `mcpctl trust [--show]` and `mcpctl untrust`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use mcpctl_core::{TrustReport, TrustState, Workspace};

use super::report;
use crate::output::outln;

#[derive(Debug, Args)]
pub struct TrustArgs {
    /// The project folder, or any folder inside it (default: the current folder).
    pub dir: Option<PathBuf>,
    /// Show whether the project is trusted and what changed since, without trusting it.
    #[arg(long)]
    pub show: bool,
}

#[derive(Debug, Args)]
pub struct UntrustArgs {
    /// The project folder, or any folder inside it (default: the current folder).
    pub dir: Option<PathBuf>,
}

fn dir(given: Option<&PathBuf>) -> PathBuf {
    given.cloned().unwrap_or_else(|| PathBuf::from("."))
}

pub fn run(workspace: &Workspace, args: &TrustArgs) -> Result<ExitCode> {
    let dir = dir(args.dir.as_ref());
    if args.show {
        let trust = workspace.project_trust(&dir)?;
        outln(&show(&trust))?;
        return Ok(ExitCode::SUCCESS);
    }
    let trust = workspace.trust_project(&dir)?;
    if let Some(edit) = &trust.edit {
        report(edit);
    }
    let what = match &trust.file {
        Some(file) => format!("its {} will be read", file.display()),
        None => "it has no .mcpctl/config.toml yet; one created later is read only after `mcpctl trust` again".to_string(),
    };
    outln(&format!(
        "Trusted {} as it is now: {what}.",
        trust.root.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_untrust(workspace: &Workspace, args: &UntrustArgs) -> Result<ExitCode> {
    let trust = workspace.untrust_project(&dir(args.dir.as_ref()))?;
    if let Some(edit) = &trust.edit {
        report(edit);
    }
    let verb = if trust.edit.as_ref().is_some_and(|e| e.changed) {
        "No longer trusted"
    } else {
        "Was not trusted"
    };
    outln(&format!(
        "{verb}: {}; its .mcpctl/config.toml is not read.",
        trust.root.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// `trust --show`: the project, its state, and what changed (keys only).
fn show(trust: &TrustReport) -> String {
    let root = trust.root.display();
    let mut text = match trust.state {
        TrustState::NotTrusted => {
            format!("{root}: not trusted; run `mcpctl trust {root}` to read its config.")
        }
        TrustState::Trusted => format!("{root}: trusted, unchanged since."),
        TrustState::TrustedWithoutRecord => format!(
            "{root}: trusted (by Codex or an older mcpctl), with no record of what was trusted; run `mcpctl trust {root}` to hold it to its current config."
        ),
        TrustState::Changed => {
            format!("{root}: trusted, but its config changed since, so it is not read:")
        }
    };
    for change in &trust.changes {
        text.push_str(&format!("\n  {change}"));
    }
    if trust.state == TrustState::Changed {
        text.push_str(&format!(
            "\nReview {}, then run `mcpctl trust {root}` to use it.",
            trust
                .file
                .as_ref()
                .map_or_else(|| "the project".to_string(), |f| f.display().to_string())
        ));
    }
    text
}
