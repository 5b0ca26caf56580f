//! The errors of this crate.

use std::fmt;
use std::time::Duration;

/// The last lines a stdio server wrote to stderr, shown with a failure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StderrTail(pub Vec<String>);

impl fmt::Display for StderrTail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return Ok(());
        }
        write!(f, "\nlast lines of the server's stderr:")?;
        for line in &self.0 {
            write!(f, "\n  {line}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong while connecting to or talking with an MCP server.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The stdio server's program is not on PATH.
    #[error(
        "server `{server}`: program `{program}` not found on PATH; install it or set `command` to its full path"
    )]
    ProgramNotFound {
        /// The server's name.
        server: String,
        /// The program as configured.
        program: String,
    },
    /// The child process could not be started.
    #[error("server `{server}`: could not start `{program}`: {source}")]
    Spawn {
        /// The server's name.
        server: String,
        /// The program (resolved path).
        program: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// An environment variable named in the config is not set in mcpctl's environment.
    #[error("server `{server}`: environment variable `{var}` (named by `{key}`) is not set")]
    MissingEnvVar {
        /// The server's name.
        server: String,
        /// The variable's name (never its value).
        var: String,
        /// The config key that names it, e.g. `bearer_token_env_var`.
        key: String,
    },
    /// A configured HTTP header name or value is not valid HTTP.
    #[error("server `{server}`: invalid HTTP header `{header}`: {reason}")]
    InvalidHeader {
        /// The server's name.
        server: String,
        /// The header name as configured.
        header: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The HTTP server answered 401: credentials are missing or no longer valid.
    #[error("server `{server}` needs login: run `mcpctl login {server}`")]
    NeedsLogin {
        /// The server's name.
        server: String,
    },
    /// Nothing listens at the HTTP server's address.
    #[error("server `{server}`: connection refused at {url}; is the server running?")]
    ConnectionRefused {
        /// The server's name.
        server: String,
        /// The URL that was tried.
        url: String,
    },
    /// The HTTP server's host name does not resolve.
    #[error(
        "server `{server}`: cannot resolve host `{host}` of {url}; check the URL and the network"
    )]
    HostNotFound {
        /// The server's name.
        server: String,
        /// The host name that did not resolve.
        host: String,
        /// The URL that was tried.
        url: String,
    },
    /// The TLS handshake with the HTTP server failed (bad or untrusted certificate, not TLS…).
    #[error("server `{server}`: TLS connection to {url} failed: {cause}")]
    Tls {
        /// The server's name.
        server: String,
        /// The URL that was tried.
        url: String,
        /// What the TLS library said.
        cause: String,
    },
    /// The HTTP server answered with an error status other than 401.
    #[error("server `{server}`: the server answered {} at {url}: {}", status_text(*.status), status_hint(*.status))]
    HttpStatus {
        /// The server's name.
        server: String,
        /// The URL that was tried.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// An operation did not finish in time.
    #[error("server `{server}`: {operation} timed out after {}{stderr}", fmt_duration(*.after))]
    Timeout {
        /// The server's name.
        server: String,
        /// What timed out, e.g. `startup` or ``tools/call `slow` ``.
        operation: String,
        /// The timeout that ran out.
        after: Duration,
        /// The last lines of the server's stderr (stdio servers, at startup).
        stderr: StderrTail,
    },
    /// The server could not be started or did not complete `initialize`.
    #[error("server `{server}` failed to start: {cause}{stderr}")]
    Startup {
        /// The server's name.
        server: String,
        /// What went wrong.
        cause: String,
        /// The last lines of the server's stderr (stdio servers).
        stderr: StderrTail,
    },
    /// A request to a running server failed.
    #[error("server `{server}`: {operation} failed: {cause}")]
    Request {
        /// The server's name.
        server: String,
        /// The request, e.g. `tools/list`.
        operation: String,
        /// What went wrong.
        cause: String,
    },
}

/// `404 Not Found`, or just the code when it has no standard reason.
fn status_text(status: u16) -> String {
    match reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

/// What a user can do about an HTTP error status.
fn status_hint(status: u16) -> &'static str {
    match status {
        403 => "access denied; check the credentials and the server's permissions",
        404 | 405 | 410 => "check the URL",
        429 => "rate limited; try again later",
        500..=599 => "the server failed; try again later or check the server's logs",
        _ => "check the URL and the server",
    }
}

fn fmt_duration(d: Duration) -> String {
    if d.as_millis().is_multiple_of(1000) {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// The whole `source()` chain of an error, joined with `: `, without repeated parts.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}
