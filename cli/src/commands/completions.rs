//! `mcpctl completions <SHELL>`: a completion script for the shell, from the clap definition.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, CommandFactory as _};
use clap_complete::Shell;

use crate::args::Cli;
use crate::output::out;

const EXAMPLES: &str = "Install:
  bash        mcpctl completions bash > ~/.local/share/bash-completion/completions/mcpctl
  zsh         mcpctl completions zsh > \"${fpath[1]}/_mcpctl\"
  fish        mcpctl completions fish > ~/.config/fish/completions/mcpctl.fish
  powershell  mcpctl completions powershell >> $PROFILE
  elvish      mcpctl completions elvish >> ~/.config/elvish/rc.elv";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct CompletionsArgs {
    /// The shell to write the script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &CompletionsArgs) -> Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "mcpctl", &mut script);
    out(&String::from_utf8_lossy(&script))?;
    Ok(ExitCode::SUCCESS)
}
