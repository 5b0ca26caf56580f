//! `mcpctl import`: MCP servers from Claude Code, Claude Desktop or a `.mcp.json` file. A dry run
//! unless `--write`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};
use mcpctl_core::{ImportLocations, ImportRequest, ImportSource, Scope, Workspace};

use crate::output::{note, out, outln};
use crate::render::{self, Width};

const AFTER_HELP: &str = "Where servers are read from:
  claude-code     ~/.claude.json (its mcpServers, and projects.\"<this folder>\".mcpServers) and
                  the project's .mcp.json; where names repeat, Claude Code's precedence holds
                  (local, then project, then user). $CLAUDE_CONFIG_DIR moves ~/.claude.json.
  claude-desktop  ~/.config/Claude/claude_desktop_config.json (Linux),
                  ~/Library/Application Support/Claude/claude_desktop_config.json (macOS)
  mcp-json        ./.mcp.json, or the file given
Without --from, both Claude Code and Claude Desktop are read; a PATH alone is read as the kind
its name or content says.

Nothing is written without --write, and then every server or none: a name that already exists
(unless --replace) or that another config layer defines stops the whole import.";

/// The `--from` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FromFlag {
    /// Claude Code: ~/.claude.json and the project's .mcp.json.
    ClaudeCode,
    /// Claude Desktop's claude_desktop_config.json.
    ClaudeDesktop,
    /// A .mcp.json file.
    McpJson,
}

impl From<FromFlag> for ImportSource {
    fn from(flag: FromFlag) -> Self {
        match flag {
            FromFlag::ClaudeCode => ImportSource::ClaudeCode,
            FromFlag::ClaudeDesktop => ImportSource::ClaudeDesktop,
            FromFlag::McpJson => ImportSource::McpJson,
        }
    }
}

#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct ImportArgs {
    /// Which program's config to read (default: Claude Code and Claude Desktop).
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub from: Option<FromFlag>,

    /// Read this file (or the config file in this folder) instead of the usual places.
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,

    /// Add the servers to the user config (otherwise only show what would be added).
    #[arg(long)]
    pub write: bool,

    /// Overwrite servers of the same name in the user config.
    #[arg(long)]
    pub replace: bool,

    /// Import only these servers (comma-separated; their names in the file or in mcpctl).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Print env and header values unmasked.
    #[arg(long)]
    pub show_secrets: bool,

    /// Do not cut table cells to the terminal's width.
    #[arg(long)]
    pub wide: bool,
}

pub fn run(workspace: &Workspace, args: &ImportArgs) -> Result<ExitCode> {
    let request = ImportRequest {
        from: args.from.map(ImportSource::from),
        path: args.path.clone(),
        only: args.only.clone(),
        replace: args.replace,
    };
    let locations = ImportLocations::from_env(workspace.cwd());
    let plan = workspace.plan_import(&request, &locations)?;
    let width = Width::detect(args.wide);
    if !args.write {
        out(&render::import::plan(&plan, args.show_secrets, width))?;
        out(&render::import::dry_run_footer(&plan))?;
        scope_note(&plan);
        return Ok(ExitCode::SUCCESS);
    }
    let outcome = workspace.write_import(&plan)?;
    for line in &outcome.warnings {
        crate::output::warn(line);
    }
    out(&render::import::plan(&plan, args.show_secrets, width))?;
    outln(&render::import::written(&outcome))?;
    scope_note(&plan);
    Ok(ExitCode::SUCCESS)
}

/// mcpctl writes only the user config, so a server Claude Code kept to one folder becomes
/// available everywhere; say so when that happens.
fn scope_note(plan: &mcpctl_core::ImportPlan) {
    let per_folder = plan
        .to_write()
        .any(|s| matches!(s.origin.scope, Scope::Local | Scope::Project));
    if per_folder {
        note(
            "mcpctl writes only the user config: servers Claude Code keeps to one folder (local and project scopes) are available in every folder once imported",
        );
    }
}
