//! `mcpctl serve`: a gateway that shows every enabled, policy-allowed MCP server to any MCP
//! client as one server. Tools and prompts are named `<server>__<name>`; resources keep their
//! URIs. The approval decision of `mcpctl_core::ApprovalPolicy` (tool and server modes, the
//! preset, the administrator's cap) applies to every call, and every decision is appended to
//! the audit log. The CLI only parses flags and calls [`serve_stdio`].

mod audit;
mod handler;
mod http;
mod names;
mod preview;
mod print_config;
mod sessions;
mod stdio;
mod tool_search;

use std::path::PathBuf;

use mcpctl_core::Workspace;
use mcpctl_core::approval_types::Preset;

pub use handler::Gateway;
pub use http::HttpOptions;
pub use print_config::{PrintTarget, print_config};

/// How the gateway runs.
#[derive(Debug, Clone, Default)]
pub struct GatewayOptions {
    /// Serve only these servers (`--servers a,b`); every enabled one when `None`.
    pub only: Option<Vec<String>>,
    /// Start every backend at once (`--eager`) instead of at the first request that needs one.
    pub eager: bool,
    /// `--preset`: the gateway-wide approval preset, over `approval_preset` in the config.
    pub preset: Option<Preset>,
    /// `--tool-search`: list `search_tools` and `call_tool` (plus the pinned tools) instead of
    /// every tool.
    pub tool_search: bool,
    /// The gateway's own executable, so that a backend that is this gateway again is left out
    /// (no loops). Usually `std::env::current_exe()`.
    pub own_exe: Option<PathBuf>,
}

/// Why the gateway could not serve.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// `--servers` named a server that is not configured, enabled and allowed.
    #[error("`--servers`: {0}")]
    UnknownServer(String),
    /// The MCP session with the client could not start.
    #[error("cannot start the MCP session with the client: {0}")]
    Session(String),
    /// HTTP serving could not start.
    #[error("{0}")]
    Http(String),
    /// The audit log could not be opened.
    #[error("cannot open the audit log {}: {source}", path.display())]
    Audit {
        /// The log file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Serves MCP on stdin/stdout until the client closes stdin; then stops every backend.
pub async fn serve_stdio(
    workspace: Workspace,
    options: GatewayOptions,
) -> Result<(), GatewayError> {
    let gateway = Gateway::new(workspace, options)?;
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        handler::log(
            "serving MCP on stdin/stdout for an MCP client to start; to add it to one, run `mcpctl serve --print-config claude|codex|cursor` (Ctrl-D stops)",
        );
    }
    let (input, output) = stdio();
    let transport = stdio::LineTransport::new(input, output).on_end(gateway.client_gone());
    gateway.run(transport).await
}

type BoxedRead = Box<dyn tokio::io::AsyncRead + Send + Unpin>;
type BoxedWrite = Box<dyn tokio::io::AsyncWrite + Send + Unpin>;

/// stdin and stdout for the protocol. When both are pipes (as MCP clients start servers) they
/// are read and written through the runtime's event loop; tokio's own stdin and stdout hand
/// every read and write to a thread of the blocking pool instead, which cost about two
/// thread switches per message (measured: `just bench-gateway`). Anything else (a terminal, a
/// file) goes through tokio's stdin and stdout.
fn stdio() -> (BoxedRead, BoxedWrite) {
    #[cfg(unix)]
    {
        use std::os::fd::{AsFd as _, OwnedFd};
        use std::os::unix::fs::FileTypeExt as _;
        use tokio::net::unix::pipe;
        // Both or neither: converting one sets it non-blocking, which tokio's stdin or
        // stdout would then trip over.
        let pipe_fd = |fd: std::io::Result<OwnedFd>| {
            let fd = fd.ok()?;
            let file = std::fs::File::from(fd);
            let is_pipe = file.metadata().ok()?.file_type().is_fifo();
            is_pipe.then(|| OwnedFd::from(file))
        };
        let input = pipe_fd(std::io::stdin().as_fd().try_clone_to_owned());
        let output = pipe_fd(std::io::stdout().as_fd().try_clone_to_owned());
        if let (Some(input), Some(output)) = (input, output)
            && let (Ok(input), Ok(output)) = (
                pipe::Receiver::from_owned_fd(input),
                pipe::Sender::from_owned_fd(output),
            )
        {
            return (Box::new(input), Box::new(output));
        }
    }
    (Box::new(tokio::io::stdin()), Box::new(tokio::io::stdout()))
}

/// Serves MCP over streamable HTTP at `http://ADDR/mcp` until the process stops.
pub async fn serve_http(
    workspace: Workspace,
    options: GatewayOptions,
    http: HttpOptions,
) -> Result<(), GatewayError> {
    http.check()?;
    let gateway = Gateway::new(workspace, options)?;
    http::serve(gateway, http).await
}
