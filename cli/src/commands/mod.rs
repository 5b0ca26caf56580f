//! One module per command. Each parses nothing itself (clap did), calls one function of
//! `mcpctl-core`, and renders what it gets back.

pub mod add;
pub mod add_json;
pub mod app_server;
pub mod auth;
pub mod call;
pub mod callback_url;
pub mod check;
pub mod completions;
pub mod config;
pub mod features;
pub mod get;
pub mod import;
pub mod list;
pub mod login;
pub mod logout;
pub mod read;
pub mod remove;
pub mod resources;
pub mod serve;
pub mod toggle;
pub mod tools;
pub mod trust;

use std::fmt;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use mcpctl_core::{EditOutcome, LoadOptions, Workspace};

use crate::args::{Cli, Command};
use crate::output::{errln, note, warn};

/// A command line that parsed but makes no sense (exit code 2, like clap's own usage errors).
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Runs one parsed command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let cli = match cli.command {
        Command::Add(args) => Cli {
            command: Command::Add(Box::new(
                add::flags_after_url(*args).unwrap_or_else(|err| err.exit()),
            )),
            ..cli
        },
        _ => cli,
    };
    match &cli.command {
        Command::Config(config::ConfigCommand::Schema) => return config::schema(),
        Command::Completions(args) => return completions::run(args),
        Command::AppServer(_) => {}
        // Flags that clap cannot check alone fail like clap's own errors: before anything is
        // loaded, with the usage, exit code 2.
        Command::Add(args) => add::check_usage(args).unwrap_or_else(|err| err.exit()),
        _ => {}
    }
    if matches!(cli.command, Command::AppServer(_)) {
        let options = load_options(&cli)?;
        if let Command::AppServer(args) = cli.command {
            return app_server::run(options, args);
        }
    }
    let workspace = load(&cli)?;
    match cli.command {
        Command::AppServer(_) => Ok(ExitCode::SUCCESS),
        Command::Add(args) => add::run(&workspace, *args),
        Command::AddJson(args) => add_json::run(&workspace, *args),
        Command::Import(args) => import::run(&workspace, &args),
        Command::Completions(_) => Ok(ExitCode::SUCCESS),
        Command::List(args) if args.check => {
            codex_hint(&workspace);
            check::run(&workspace, &args)
        }
        Command::List(args) => {
            codex_hint(&workspace);
            list::run(&workspace, &args)
        }
        Command::Get(args) => get::run(&workspace, &args),
        Command::Tools(args) => tools::run(&workspace, &args),
        Command::Serve(args) => serve::run(workspace, args),
        Command::Call(args) => call::run(&workspace, &args),
        Command::Resources(args) => resources::run_resources(&workspace, &args),
        Command::Read(args) => read::run(&workspace, &args),
        Command::Prompts(args) => resources::run_prompts(&workspace, &args),
        Command::Remove(args) => remove::run(&workspace, &args),
        Command::Enable(args) => toggle::run(&workspace, &args, true),
        Command::Disable(args) => toggle::run(&workspace, &args, false),
        Command::Trust(args) => trust::run(&workspace, &args),
        Command::Untrust(args) => trust::run_untrust(&workspace, &args),
        Command::Login(args) => login::run(&workspace, &args),
        Command::Logout(args) => logout::run(&workspace, &args),
        Command::Auth(command) => auth::run(&workspace, &command),
        Command::CallbackUrl(args) => callback_url::run(&workspace, &args),
        Command::Features(command) => features::run(&workspace, &command),
        Command::Config(command) => config::run(&workspace, command),
    }
}

/// Loads every layer and the policy, with the `-c`/`--enable`/`--disable` flags on top, and
/// prints the notices and warnings that loading produced.
fn load(cli: &Cli) -> Result<Workspace> {
    let options = load_options(cli)?;
    let workspace = Workspace::load(options)?.with_oauth_step_up(login::step_up_policy());
    for notice in workspace.notices() {
        errln(&notice);
    }
    for warning in workspace.warnings() {
        warn(warning);
    }
    Ok(workspace)
}

/// Where to load from, with the `-c`/`--enable`/`--disable` flags.
fn load_options(cli: &Cli) -> Result<LoadOptions> {
    let overrides = cli
        .overrides
        .parse()
        .map_err(|err| UsageError(err.to_string()))?
        .into_iter()
        .map(|o| mcpctl_core::config_override(&o.raw, o.key_path, o.value))
        .collect();
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let mut options = LoadOptions::from_env(cwd, overrides)?;
    options.notice = Some(std::sync::Arc::new(|message: &str| note(message)));
    Ok(options)
}

/// A Codex user running mcpctl for the first time: say how to share Codex's file.
fn codex_hint(workspace: &Workspace) {
    let Some(hint) = mcpctl_core::codex_hint(&workspace.paths().user_config()) else {
        return;
    };
    let tilde = crate::render::import::home_relative;
    let servers = match hint.servers {
        Some(1) => " has 1 MCP server".to_string(),
        Some(n) => format!(" has {n} MCP servers"),
        None => " exists".to_string(),
    };
    note(format_args!(
        "Codex's config {}{servers}; to use it with mcpctl: export MCPCTL_HOME={}",
        tilde(&hint.config),
        tilde(&hint.codex_home)
    ));
}

/// Prints an edit's warnings (a higher layer overrides what was written, ...).
fn report(outcome: &EditOutcome) {
    for warning in &outcome.warnings {
        warn(warning);
    }
}

/// Prints notes about servers that did not start (for commands that go on without them).
fn report_failures(failures: &[(String, mcpctl_core::NotReady)]) {
    for (name, why) in failures {
        note(why.sentence(name));
    }
}

/// `ExitCode` 1 when `failed`, else 0.
fn exit(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
