//! `mcpctl`: manage the MCP servers of AI agents. This binary parses arguments, calls
//! `mcpctl-core`, and renders what it gets back; nothing else lives here.
// A front end: printing is its job (the workspace denies it in library crates).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod commands;
mod live;
mod live_render;
mod render;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}
