//! `mcpctl callback-url`: the exact redirect URI a login sends, to register with a provider.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use mcpctl_core::Workspace;

use crate::output::{note, outln};

#[derive(Debug, Args)]
pub struct CallbackUrlArgs {
    /// The HTTP server whose logins the redirect URI is for.
    pub name: String,
}

pub fn run(workspace: &Workspace, args: &CallbackUrlArgs) -> Result<ExitCode> {
    let url = mcpctl_core::callback_url(workspace, &args.name)?;
    outln(&url.redirect_uri)?;
    if !url.fixed {
        note(format_args!(
            "each login listens on a port the system picks; providers that follow RFC 8252 accept \
             any port on a loopback redirect URI. To fix the port, set mcp_oauth_callback_port."
        ));
    }
    Ok(ExitCode::SUCCESS)
}
