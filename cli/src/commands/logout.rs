//! `mcpctl logout`: revoke a server's OAuth tokens at the provider, then forget them.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use mcpctl_core::{Revocation, Workspace};

use crate::output::{note, outln, warn};

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// The HTTP server to log out of.
    pub name: String,
}

pub fn run(workspace: &Workspace, args: &LogoutArgs) -> Result<ExitCode> {
    crate::runtime::block_on(async move {
        let outcome = mcpctl_core::logout(workspace, &args.name).await?;
        match &outcome.revocation {
            Revocation::Revoked { .. } | Revocation::NothingStored => {}
            Revocation::Unsupported => note(format_args!(
                "the provider has no revocation endpoint; the tokens stay valid there until they \
                 expire"
            )),
            Revocation::Failed(reason) => warn(format_args!(
                "could not revoke the tokens at the provider ({reason}); they were deleted here \
                 anyway"
            )),
        }
        let places = match (outcome.deleted.keyring, outcome.deleted.file) {
            (true, true) => Some("the OS keyring and the credentials file"),
            (true, false) => Some("the OS keyring"),
            (false, true) => Some("the credentials file"),
            (false, false) => None,
        };
        let line = match (places, &outcome.revocation) {
            (None, _) => format!("MCP server '{}' was not logged in.", outcome.server),
            (Some(places), Revocation::Revoked { .. }) => format!(
                "Logged out of MCP server '{}': tokens revoked at the provider and deleted from {places}.",
                outcome.server
            ),
            (Some(places), _) => format!(
                "Logged out of MCP server '{}': credentials deleted from {places}.",
                outcome.server
            ),
        };
        outln(&line)?;
        Ok(ExitCode::SUCCESS)
    })
}
