//! Command-line switches of the test server.

use clap::Parser;

/// A configurable MCP server for mcpctl's tests.
///
/// Serves stdio by default. With `--http PORT` it serves streamable HTTP on
/// `http://127.0.0.1:PORT/mcp` (PORT 0 picks a free port) and prints
/// `listening on http://127.0.0.1:N/mcp` as the first line of stdout.
#[derive(Debug, Clone, Parser)]
#[command(name = "mcpctl-test-server", version)]
pub struct Args {
    /// Serve streamable HTTP on this loopback port instead of stdio (0 = any free port).
    #[arg(long, value_name = "PORT")]
    pub http: Option<u16>,
    /// Serve the legacy HTTP+SSE transport (MCP 2024-11-05) on this loopback port instead:
    /// `GET /sse`, then `POST /message?sessionId=N`. Prints `listening on
    /// http://127.0.0.1:N/sse` as the first line of stdout.
    #[arg(long, value_name = "PORT", conflicts_with = "http")]
    pub sse: Option<u16>,
    /// Legacy SSE only: send this as the `endpoint` event's data.
    #[arg(long, value_name = "URL", requires = "sse")]
    pub sse_endpoint: Option<String>,
    /// Legacy SSE only: send a 17 MiB event right after `endpoint`.
    #[arg(long, requires = "sse")]
    pub sse_huge_event: bool,
    /// Wait this long before answering `initialize`.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub init_delay_ms: u64,
    /// Exit with status 3 right after start, before reading any message.
    #[arg(long)]
    pub crash_on_start: bool,
    /// Read the `initialize` request, then exit with status 5 without answering.
    #[arg(long)]
    pub exit_before_init: bool,
    /// Print a line that is not JSON-RPC to stdout before serving (with `--init-delay-ms`
    /// large, it comes instead of the `initialize` answer).
    #[arg(long)]
    pub print_garbage: bool,
    /// Add a tool `crash` that exits the process in the middle of the call.
    #[arg(long)]
    pub crash_mid_call: bool,
    /// Append one line per event to this file: `start PID` at start, `cancelled slow` when a
    /// call of `slow` is cancelled (tests read it to prove what reached the server).
    #[arg(long, value_name = "FILE")]
    pub events: Option<std::path::PathBuf>,
    /// How long the tool `slow` sleeps (it stops early when the call is cancelled).
    #[arg(long, value_name = "N", default_value_t = 5_000)]
    pub slow_ms: u64,
    /// Add N generated tools `tool_0..tool_{N-1}` that echo their `text`.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub tools: usize,
    /// HTTP and legacy SSE only: answer 401 unless `Authorization: Bearer <T>` is sent.
    #[arg(long, value_name = "T")]
    pub bearer_token: Option<String>,
    /// Send `notifications/tools/list_changed` once the client is initialized.
    #[arg(long)]
    pub list_changed: bool,
    /// List an extra tool `confirm` only to clients that declare the elicitation capability.
    #[arg(long)]
    pub elicitation_tool: bool,
    /// Add tools `sample` (asks the client for a model answer through `sampling/createMessage`
    /// and returns its text) and `roots` (asks `roots/list` and returns the URIs), and record
    /// `roots changed` (`--events`) on `notifications/roots/list_changed`.
    #[arg(long)]
    pub client_requests: bool,
    /// Misbehave on purpose instead of serving normally (see each mode).
    #[arg(long, value_enum, value_name = "MODE")]
    pub hostile: Option<crate::hostile::Mode>,
    /// How many notifications, pings, nesting levels or bytes a hostile mode sends.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub count: usize,
    /// Add a tool `mrtr` that answers `input_required` first and the result on the retry.
    #[arg(long)]
    pub mrtr: bool,
}

impl Args {
    /// Appends `line` to the `--events` file, if one was given (best effort: a test that
    /// needs the line fails on its absence).
    // A test fixture's event log, not a user's file: the private-file rules don't apply.
    #[allow(clippy::disallowed_methods)]
    pub fn event(&self, line: &str) {
        use std::io::Write as _;
        if let Some(path) = &self.events
            && let Ok(mut file) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
        {
            let _ = writeln!(file, "{line}");
        }
    }
}
