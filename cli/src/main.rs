//! `mcpctl`: manage the MCP servers of AI agents. This binary parses arguments, calls
//! `mcpctl-core`, and renders what it gets back; nothing else lives here.
// A front end: printing is its job (the workspace denies it in library crates).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod commands;
mod elicit;
mod output;
mod progress;
mod render;
mod runtime;

use std::process::ExitCode;

use clap::Parser;

use crate::commands::UsageError;
use crate::output::{OutputError, errln};

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            if let Some(output) = err.downcast_ref::<OutputError>() {
                // The reader went away (`| head`): nothing left to say, and nobody to say it to.
                if output.is_broken_pipe() {
                    return ExitCode::SUCCESS;
                }
            }
            errln(&format!("error: {}", message(&err)));
            if err.downcast_ref::<UsageError>().is_some() {
                errln("\nFor more information, try '--help'.");
                return ExitCode::from(2);
            }
            ExitCode::from(1)
        }
    }
}

/// The error and its causes, each said once: a cause whose text the message already holds is
/// not repeated (`timed out: … timed out` becomes one sentence).
fn message(err: &anyhow::Error) -> String {
    let mut text = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
