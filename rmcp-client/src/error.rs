//! The errors of this crate: [`ClientError`], what failed and where; [`Cause`], why.

use std::fmt;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

/// A boxed error kept as the source of a [`Cause`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// How many stderr lines a [`StderrTail`] keeps.
pub const TAIL_LINES: usize = 20;
/// How many characters of one stderr line a [`StderrTail`] keeps.
pub const TAIL_LINE_CHARS: usize = 300;
/// How many characters of a server's error message are shown.
const MESSAGE_CHARS: usize = 500;

/// The last lines a stdio server wrote to stderr, shown with a failure (at most
/// [`TAIL_LINES`] lines of at most [`TAIL_LINE_CHARS`] characters each).
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

/// What the client was doing when something failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// Starting or connecting, `initialize`, and (for a caller that counts it in) the first
    /// `tools/list`.
    Startup,
    /// `tools/list`.
    ListTools,
    /// `tools/call` of one tool.
    CallTool {
        /// The tool's name.
        tool: String,
    },
    /// `resources/list`.
    ListResources,
    /// `resources/templates/list`.
    ListResourceTemplates,
    /// `resources/read` of one resource.
    ReadResource {
        /// The resource's URI.
        uri: String,
    },
    /// `prompts/list`.
    ListPrompts,
    /// `prompts/get` of one prompt.
    GetPrompt {
        /// The prompt's name.
        prompt: String,
    },
    /// `ping`.
    Ping,
    /// Another request, by its method name (`logging/setLevel`, `completion/complete`,
    /// `resources/subscribe` …).
    Method(&'static str),
}

impl Operation {
    /// The config key (of `[mcp_servers.<name>]`) whose value bounds this operation, if one does.
    pub fn timeout_key(&self) -> Option<&'static str> {
        match self {
            Operation::Startup => Some("startup_timeout_sec"),
            Operation::CallTool { .. } => Some("tool_timeout_sec"),
            _ => None,
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operation::Startup => f.write_str("startup"),
            Operation::ListTools => f.write_str("tools/list"),
            Operation::CallTool { tool } => write!(f, "tools/call `{tool}`"),
            Operation::ListResources => f.write_str("resources/list"),
            Operation::ListResourceTemplates => f.write_str("resources/templates/list"),
            Operation::ReadResource { uri } => write!(f, "resources/read `{uri}`"),
            Operation::ListPrompts => f.write_str("prompts/list"),
            Operation::GetPrompt { prompt } => write!(f, "prompts/get `{prompt}`"),
            Operation::Ping => f.write_str("ping"),
            Operation::Method(method) => f.write_str(method),
        }
    }
}

/// Why a start or a request failed, as far as the client could tell. Each variant keeps what a
/// front end (or an app server mapping it to a JSON-RPC error) needs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Cause {
    /// The server answered with a JSON-RPC error.
    #[error("the server answered error {code}: {}", cut(message, MESSAGE_CHARS))]
    Server {
        /// The JSON-RPC error code.
        code: i32,
        /// The server's message, whole.
        message: String,
    },
    /// The stdio server's process exited.
    #[error("the server exited ({}){}", exit_text(*status), stray_text(stdout.as_deref()))]
    Exited {
        /// How it ended.
        status: ExitStatus,
        /// The first line it wrote to stdout that is not JSON, if any (escaped, cut short).
        stdout: Option<String>,
    },
    /// The stdio server closed its stdout while still running.
    #[error("the server closed its stdout")]
    StdoutClosed,
    /// The stdio server wrote something that is not JSON-RPC to stdout, and no answer came.
    #[error(
        "the server wrote something other than JSON-RPC to stdout: `{line}`; stdout must carry only JSON-RPC messages (servers log to stderr)"
    )]
    NotJsonRpc {
        /// The first such line (escaped, cut short).
        line: String,
    },
    /// The connection broke (the HTTP server went away, a pipe failed).
    #[error("connection to server lost{}", source.as_deref().map(|s| format!(": {}", innermost(s))).unwrap_or_default())]
    ConnectionLost {
        /// What the transport reported, if anything.
        #[source]
        source: Option<BoxError>,
    },
    /// The server's answer (or another message of it) was larger than the limit; the
    /// connection was closed.
    #[error("the server's answer was larger than {} MiB", limit / 1024 / 1024)]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The server's answer was nested more deeply than the limit.
    #[error("the server's answer is too deeply nested (over {limit} levels)")]
    TooDeep {
        /// The limit in levels.
        limit: usize,
    },
    /// The stdio server stopped reading its stdin while messages to it piled up; the
    /// connection was closed.
    #[error(
        "the server is not reading its input (over {limit} messages to it were waiting); the connection was closed"
    )]
    NotReading {
        /// How many messages may wait.
        limit: usize,
    },
    /// A paginated list did not end within the page limit.
    #[error("the server's list did not end within {limit} pages")]
    TooManyPages {
        /// The limit.
        limit: usize,
    },
    /// A paginated list held more items than the limit.
    #[error("the server's list holds more than {limit} items")]
    TooManyItems {
        /// The limit.
        limit: usize,
    },
    /// The answer does not have the shape the request's result must have.
    #[error("the server's answer is not a valid result")]
    InvalidAnswer,
    /// The server kept answering `input_required` (multi round-trip requests).
    #[error("the server asked for more input {rounds} times without giving a result")]
    TooManyRounds {
        /// How many rounds were answered.
        rounds: usize,
    },
    /// The server cancelled the request.
    #[error("the server cancelled the request{}", reason.as_deref().map(|r| format!(" ({})", cut(r, MESSAGE_CHARS))).unwrap_or_default())]
    Cancelled {
        /// The reason it gave.
        reason: Option<String>,
    },
    /// The HTTP server answered an error status.
    #[error("the server answered {}: {}", status_text(*status), status_hint(*status))]
    HttpStatus {
        /// The HTTP status code.
        status: u16,
    },
    /// The server and the client have no protocol version in common.
    #[error("the server supports none of the protocol versions this client speaks")]
    NoCommonProtocol,
    /// Something else went wrong below the protocol.
    #[error("{}", innermost(source.as_ref()))]
    Transport {
        /// What failed.
        #[source]
        source: BoxError,
    },
}

/// Everything that can go wrong while connecting to or talking with an MCP server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    /// The stdio server's working directory does not exist.
    #[error(
        "server `{server}`: cwd `{}` does not exist; create it or change `cwd`",
        cwd.display()
    )]
    CwdNotFound {
        /// The server's name.
        server: String,
        /// The folder as configured.
        cwd: PathBuf,
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
    #[error("{}", needs_login_text(server, token_env_var.as_deref()))]
    NeedsLogin {
        /// The server's name.
        server: String,
        /// The variable the rejected bearer token came from, when one was sent.
        token_env_var: Option<String>,
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
    #[error(
        "server `{server}`: TLS connection to {url} failed: {}",
        innermost(source)
    )]
    Tls {
        /// The server's name.
        server: String,
        /// The URL that was tried.
        url: String,
        /// What the HTTP client reported.
        source: reqwest::Error,
    },
    /// The HTTP server answered with an error status other than 401 while connecting.
    #[error("server `{server}`: the server answered {} at {url}: {}{}", status_text(*.status), status_hint(*.status), sse_hint(url, *.status, *.legacy_sse))]
    HttpStatus {
        /// The server's name.
        server: String,
        /// The URL that was tried.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The URL was tried as a legacy HTTP+SSE stream (`transport = "sse"`).
        legacy_sse: bool,
    },
    /// The arguments of a tool call are not a JSON object.
    #[error(
        "server `{server}`: tools/call `{tool}`: the arguments must be a JSON object, not {got}"
    )]
    InvalidArguments {
        /// The server's name.
        server: String,
        /// The tool.
        tool: String,
        /// What was given instead (`a string`, `an array`…).
        got: &'static str,
    },
    /// An operation did not finish in time.
    #[error("server `{server}`: {operation} timed out after {}{}{stderr}", fmt_duration(*.after), timeout_hint(operation))]
    Timeout {
        /// The server's name.
        server: String,
        /// What timed out.
        operation: Operation,
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
        /// Why.
        cause: Cause,
        /// The last lines of the server's stderr (stdio servers).
        stderr: StderrTail,
    },
    /// A request to a running server failed.
    #[error("server `{server}`: {operation} failed: {cause}{stderr}")]
    Request {
        /// The server's name.
        server: String,
        /// The request.
        operation: Operation,
        /// Why.
        cause: Cause,
        /// The last lines of the server's stderr, when the server went away.
        stderr: StderrTail,
    },
}

impl ClientError {
    /// The server this error is about.
    pub fn server(&self) -> &str {
        match self {
            ClientError::ProgramNotFound { server, .. }
            | ClientError::CwdNotFound { server, .. }
            | ClientError::Spawn { server, .. }
            | ClientError::MissingEnvVar { server, .. }
            | ClientError::InvalidHeader { server, .. }
            | ClientError::NeedsLogin { server, .. }
            | ClientError::ConnectionRefused { server, .. }
            | ClientError::HostNotFound { server, .. }
            | ClientError::Tls { server, .. }
            | ClientError::HttpStatus { server, .. }
            | ClientError::InvalidArguments { server, .. }
            | ClientError::Timeout { server, .. }
            | ClientError::Startup { server, .. }
            | ClientError::Request { server, .. } => server,
        }
    }

    /// The [`Cause`] of a failed start or request.
    pub fn cause(&self) -> Option<&Cause> {
        match self {
            ClientError::Startup { cause, .. } | ClientError::Request { cause, .. } => Some(cause),
            _ => None,
        }
    }
}

/// `; raise `tool_timeout_sec` (or `call --timeout SECS`) to wait longer`, for operations a
/// config key bounds: the key, and the flag that sets it.
fn timeout_hint(operation: &Operation) -> String {
    let flag = match operation {
        Operation::Startup => "`mcpctl add --startup-timeout SECS`",
        Operation::CallTool { .. } => "or `mcpctl call --timeout SECS` for one call",
        _ => return String::new(),
    };
    operation
        .timeout_key()
        .map(|key| format!("; raise `{key}` ({flag}) to wait longer"))
        .unwrap_or_default()
}

/// `404 Not Found`, or just the code when it has no standard reason.
pub(crate) fn status_text(status: u16) -> String {
    match reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

/// A streamable HTTP request refused at a URL ending in `/sse`: likely a legacy HTTP+SSE
/// server (a `POST` there gets 404, 405 or 400), which needs `transport = "sse"`.
fn sse_hint(url: &str, status: u16, legacy_sse: bool) -> &'static str {
    let path_is_sse = reqwest::Url::parse(url)
        .map(|u| u.path().trim_end_matches('/').ends_with("/sse"))
        .unwrap_or(false);
    if !legacy_sse && path_is_sse && matches!(status, 400 | 404 | 405) {
        "; if this is a legacy HTTP+SSE server, set `transport = \"sse\"` (`mcpctl add --replace --transport sse NAME URL`)"
    } else {
        ""
    }
}

/// What a user can do about an HTTP error status.
fn status_hint(status: u16) -> &'static str {
    match status {
        401 => "the credentials are missing or no longer valid",
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

/// `exit status 3`, `killed by signal 9 (SIGKILL)`.
fn exit_text(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => match nix::sys::signal::Signal::try_from(signal) {
            Ok(name) => format!("killed by signal {signal} ({})", name.as_str()),
            Err(_) => format!("killed by signal {signal}"),
        },
        (None, None) => "exit status unknown".to_owned(),
    }
}

fn stray_text(stdout: Option<&str>) -> String {
    stdout
        .map(|line| format!("; it wrote to stdout: `{line}`"))
        .unwrap_or_default()
}

/// The first `max` characters of `text`, with `…` when cut.
pub(crate) fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// `text` with control characters escaped, for showing a server's bytes on one line.
pub(crate) fn escape_line(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// The message of the last error in a source chain (the root cause), which names the actual
/// problem without the wrappers' words (some of which name Rust types).
pub(crate) fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// The 401 message: a rejected token is named as such (logging in would not help), otherwise
/// the server wants a login.
fn needs_login_text(server: &str, token_env_var: Option<&str>) -> String {
    match token_env_var {
        Some(var) => format!(
            "server `{server}` rejected the bearer token in `{var}` (HTTP 401): check or renew the token in `{var}`"
        ),
        None => format!("server `{server}` needs login (HTTP 401): run `mcpctl login {server}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn causes_read_as_one_sentence_each() {
        let cases: Vec<(Cause, &str)> = vec![
            (
                Cause::Server {
                    code: -32602,
                    message: "unknown tool `x`".to_owned(),
                },
                "the server answered error -32602: unknown tool `x`",
            ),
            (
                Cause::Exited {
                    status: ExitStatus::from_raw(3 << 8),
                    stdout: None,
                },
                "the server exited (exit status 3)",
            ),
            (
                Cause::Exited {
                    status: ExitStatus::from_raw(9),
                    stdout: Some("Usage: x".to_owned()),
                },
                "the server exited (killed by signal 9 (SIGKILL)); it wrote to stdout: `Usage: x`",
            ),
            (
                Cause::ConnectionLost { source: None },
                "connection to server lost",
            ),
            (
                Cause::TooLarge {
                    limit: 16 * 1024 * 1024,
                },
                "the server's answer was larger than 16 MiB",
            ),
            (
                Cause::HttpStatus { status: 503 },
                "the server answered 503 Service Unavailable: the server failed; try again later or check the server's logs",
            ),
        ];
        for (cause, text) in cases {
            assert_eq!(cause.to_string(), text);
        }
    }

    #[test]
    fn a_long_server_message_is_cut_for_display_but_kept_whole() {
        let cause = Cause::Server {
            code: 1,
            message: "x".repeat(10_000),
        };
        assert!(cause.to_string().len() < 600);
        assert!(matches!(cause, Cause::Server { message, .. } if message.len() == 10_000));
    }

    #[test]
    fn timeouts_name_the_key_that_changes_them() {
        let error = ClientError::Timeout {
            server: "demo".to_owned(),
            operation: Operation::CallTool {
                tool: "slow".to_owned(),
            },
            after: Duration::from_millis(200),
            stderr: StderrTail::default(),
        };
        assert_eq!(
            error.to_string(),
            "server `demo`: tools/call `slow` timed out after 200 ms; raise `tool_timeout_sec` (or `mcpctl call --timeout SECS` for one call) to wait longer"
        );
    }

    #[test]
    fn stray_bytes_are_escaped() {
        assert_eq!(escape_line("a\u{1b}[31mb\tc"), "a\\u{1b}[31mb\\tc");
        assert_eq!(cut("héllo", 2), "hé…");
        assert_eq!(cut("hé", 2), "hé");
    }
}
