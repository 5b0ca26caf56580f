//! Errors of the callback listener: one sentence each, with the fix.

use std::net::SocketAddr;
use std::time::Duration;

use thiserror::Error;

/// Why the login did not produce an authorization code.
#[derive(Debug, Error)]
pub enum CallbackError {
    /// The configured callback URL cannot be served as given.
    #[error("the OAuth callback URL {url:?} cannot be used: {reason}")]
    InvalidCallbackUrl {
        /// The URL as configured.
        url: String,
        /// What is wrong and what to write instead.
        reason: String,
    },
    /// The callback port is taken by another program.
    #[error(
        "cannot listen for the OAuth callback on {addr}: the port is already in use; stop the \
         program using it, or choose another port with mcp_oauth_callback_port"
    )]
    PortInUse {
        /// The address we tried.
        addr: SocketAddr,
    },
    /// Binding failed for another reason (permissions, no such address).
    #[error("cannot listen for the OAuth callback on {addr}: {source}")]
    Bind {
        /// The address we tried.
        addr: SocketAddr,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The authorization server answered with `error=…` (the user or the server declined).
    #[error("{}", denied_message(error, description.as_deref()))]
    Denied {
        /// The OAuth error code, e.g. `access_denied`.
        error: String,
        /// `error_description`, when given.
        description: Option<String>,
        /// `error_uri`, when given.
        uri: Option<String>,
    },
    /// Nothing valid arrived before the deadline.
    #[error(
        "no OAuth callback arrived within {}s; run the login again (with a longer --timeout if \
         you need more time)",
        after.as_secs()
    )]
    TimedOut {
        /// The deadline that passed.
        after: Duration,
    },
    /// The caller cancelled the wait.
    #[error("the login was cancelled")]
    Cancelled,
    /// The listener stopped serving unexpectedly.
    #[error("the OAuth callback listener stopped: {reason}")]
    ListenerStopped {
        /// What happened.
        reason: String,
    },
}

fn denied_message(error: &str, description: Option<&str>) -> String {
    match description {
        Some(d) if !d.is_empty() => {
            format!("the authorization server refused the login: {error} ({d})")
        }
        _ => format!("the authorization server refused the login: {error}"),
    }
}
