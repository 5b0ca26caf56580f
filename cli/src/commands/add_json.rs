//! `mcpctl add-json <NAME> '<JSON>'`: a server in the JSON form Claude Code's `add-json` takes.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use mcpctl_core::{AddRequest, ServerJsonError, ServerName, Workspace};

use super::UsageError;
use super::add::{ServerOptions, added};

const EXAMPLES: &str = r#"Examples:
  mcpctl add-json docs '{"command":"npx","args":["-y","docs-mcp"],"env":{"API_KEY":"abc"}}'
  mcpctl add-json web '{"type":"http","url":"https://example.com/mcp","headers":{"Authorization":"Bearer ${WEB_TOKEN}"}}'

"type" may be "stdio" or "http" (left out, it follows from "command" or "url"). Env values are
stored as given (masked in output); "${VAR}" as the value of env VAR passes VAR through. Header
values "${VAR}" and "Bearer ${VAR}" are read from VAR when connecting; other values are stored
as given."#;

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct AddJsonArgs {
    /// Name of the server (letters, digits and - _ : @ / .).
    #[arg(value_parser = server_name)]
    pub name: ServerName,

    /// The server as JSON: {"type":"stdio","command":...,"args":[...],"env":{...}} or
    /// {"type":"http","url":...,"headers":{...}}.
    #[arg(value_name = "JSON")]
    pub json: String,

    #[command(flatten)]
    pub options: ServerOptions,
}

fn server_name(value: &str) -> Result<ServerName, String> {
    ServerName::parse(value).map_err(|err| err.to_string())
}

pub fn run(workspace: &Workspace, args: AddJsonArgs) -> Result<ExitCode> {
    let converted = match mcpctl_core::parse_server_json(&args.json, workspace.cwd()) {
        Ok(converted) => converted,
        // mcpctl cannot store the transport: an error (exit 1), not a usage mistake.
        Err(err) if err.is_limitation() => return Err(err.into()),
        Err(err @ (ServerJsonError::Json { .. } | ServerJsonError::Entry(_))) => {
            return Err(UsageError(err.to_string()).into());
        }
    };
    let mut config = converted.config;
    args.options.apply(&mut config);
    let request = AddRequest {
        name: args.name,
        config,
        replace: args.options.replace,
    };
    added(workspace, request, &[], &converted.notes)
}
