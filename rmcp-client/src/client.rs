//! [`McpClient`]: one live connection to one MCP server.

use std::time::Duration;

use rmcp::ServiceExt;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    ServerPeerInfo, Tool,
};
use rmcp::service::{RoleClient, RunningService, ServiceError};

use crate::error::{ClientError, StderrTail, error_chain};
use crate::hooks::ClientHooks;
use crate::http::{self, HttpSpec};
use crate::stdio::{self, ProcessGroup, StderrCollector, StdioSpec};

/// How long a failed start waits for the child's last stderr lines.
const STDERR_GRACE: Duration = Duration::from_millis(500);

/// A live connection to one MCP server.
///
/// Dropping it closes the connection and, for a stdio server, kills the server's whole
/// process group. Prefer [`McpClient::shutdown`] where you can await: it also reaps the child.
pub struct McpClient {
    name: String,
    // Declared before `process` so the connection closes before the group is killed.
    service: RunningService<RoleClient, ClientConfig>,
    process: Option<ProcessGroup>,
    stderr: Option<StderrCollector>,
}

impl McpClient {
    /// Starts a stdio server and completes `initialize` within `startup_timeout`.
    ///
    /// `name` is the server's name, used in every error message.
    pub async fn connect_stdio(
        name: &str,
        spec: StdioSpec,
        startup_timeout: Duration,
    ) -> Result<Self, ClientError> {
        let stdio::Spawned {
            stdin,
            stdout,
            mut group,
            mut stderr,
        } = stdio::spawn(name, &spec)?;
        let outcome =
            tokio::time::timeout(startup_timeout, client_config().serve((stdout, stdin))).await;
        let failure = match outcome {
            Ok(Ok(service)) => {
                return Ok(Self {
                    name: name.to_owned(),
                    service,
                    process: Some(group),
                    stderr: Some(stderr),
                });
            }
            Ok(Err(error)) => Err(error_chain(&error)),
            Err(_) => Ok(()),
        };
        // The child's stderr reaches EOF once the group is dead, so its last lines are complete.
        group.kill_and_wait().await;
        let tail = stderr.finish(STDERR_GRACE).await;
        Err(match failure {
            Err(cause) => ClientError::Startup {
                server: name.to_owned(),
                cause: startup_cause(&cause),
                stderr: tail,
            },
            Ok(()) => ClientError::Timeout {
                server: name.to_owned(),
                operation: "startup".to_owned(),
                after: startup_timeout,
                stderr: tail,
            },
        })
    }

    /// [`McpClient::connect_stdio`] with callbacks for elicitation and notifications.
    pub async fn connect_stdio_with_hooks(
        name: &str,
        spec: StdioSpec,
        startup_timeout: Duration,
        hooks: ClientHooks,
    ) -> Result<Self, ClientError> {
        // Hooks are wired into the rmcp handler by the client work of issue 3.
        let _ = hooks;
        Self::connect_stdio(name, spec, startup_timeout).await
    }

    /// [`McpClient::connect_http`] with callbacks for elicitation and notifications.
    pub async fn connect_http_with_hooks(
        name: &str,
        spec: HttpSpec,
        startup_timeout: Duration,
        hooks: ClientHooks,
    ) -> Result<Self, ClientError> {
        let _ = hooks;
        Self::connect_http(name, spec, startup_timeout).await
    }

    /// Connects to a streamable HTTP server and completes `initialize` within `startup_timeout`.
    ///
    /// Environment variables named by the spec are read now; a missing one is an error naming it.
    pub async fn connect_http(
        name: &str,
        spec: HttpSpec,
        startup_timeout: Duration,
    ) -> Result<Self, ClientError> {
        let transport = http::transport(name, &spec)?;
        match tokio::time::timeout(startup_timeout, client_config().serve(transport)).await {
            Ok(Ok(service)) => Ok(Self {
                name: name.to_owned(),
                service,
                process: None,
                stderr: None,
            }),
            Ok(Err(error)) => Err(http::map_connect_error(name, &spec.url, &error)),
            Err(_) => Err(ClientError::Timeout {
                server: name.to_owned(),
                operation: "startup".to_owned(),
                after: startup_timeout,
                stderr: StderrTail::default(),
            }),
        }
    }

    /// The server's name as given at connect time.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the server said about itself (name, version, capabilities, protocol version).
    pub fn server_info(&self) -> Option<ServerPeerInfo> {
        self.service.peer_info().map(|info| (*info).clone())
    }

    /// The process id of a stdio server (also its process group id).
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().and_then(ProcessGroup::pid)
    }

    /// The last lines a stdio server wrote to stderr so far (empty for HTTP servers).
    pub fn stderr_tail(&self) -> StderrTail {
        self.stderr
            .as_ref()
            .map(StderrCollector::snapshot)
            .unwrap_or_default()
    }

    /// Every tool of the server, following `nextCursor` through all pages.
    pub async fn list_tools(&self) -> Result<Vec<Tool>, ClientError> {
        self.service
            .list_all_tools()
            .await
            .map_err(|e| self.request_error("tools/list", &e))
    }

    /// Calls a tool; `arguments` must be a JSON object or null.
    ///
    /// When `timeout` runs out the call is cancelled at the server (`notifications/cancelled`)
    /// and [`ClientError::Timeout`] is returned; the connection stays usable.
    pub async fn call_tool(
        &self,
        name: &str,
        arguments: serde_json::Value,
        timeout: Duration,
    ) -> Result<CallToolResult, ClientError> {
        let operation = format!("tools/call `{name}`");
        let mut params = CallToolRequestParams::new(name.to_owned());
        match arguments {
            serde_json::Value::Object(map) => params = params.with_arguments(map),
            serde_json::Value::Null => {}
            other => {
                return Err(ClientError::Request {
                    server: self.name.clone(),
                    operation,
                    cause: format!("arguments must be a JSON object, not `{other}`"),
                });
            }
        }
        // Dropping the pending call on timeout makes rmcp send `notifications/cancelled`.
        match tokio::time::timeout(timeout, self.service.call_tool(params)).await {
            Ok(result) => result.map_err(|e| self.request_error(&operation, &e)),
            Err(_) => Err(ClientError::Timeout {
                server: self.name.clone(),
                operation,
                after: timeout,
                stderr: StderrTail::default(),
            }),
        }
    }

    /// Sends `ping` and waits for the answer.
    pub async fn ping(&self) -> Result<(), ClientError> {
        self.service
            .send_request(rmcp::model::ClientRequest::PingRequest(Default::default()))
            .await
            .map(|_| ())
            .map_err(|e| self.request_error("ping", &e))
    }

    /// Closes the connection and, for a stdio server, kills its process group and reaps it.
    pub async fn shutdown(mut self) {
        let _ = self
            .service
            .close_with_timeout(Duration::from_secs(1))
            .await;
        if let Some(group) = self.process.as_mut() {
            group.kill_and_wait().await;
        }
    }

    fn request_error(&self, operation: &str, error: &ServiceError) -> ClientError {
        ClientError::Request {
            server: self.name.clone(),
            operation: operation.to_owned(),
            cause: error_chain(error),
        }
    }
}

fn client_config() -> ClientConfig {
    ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("mcpctl", env!("CARGO_PKG_VERSION")),
    )
}

/// rmcp's wording for a child that exited before answering is about the transport; say it plainly.
fn startup_cause(chain: &str) -> String {
    if chain.contains("connection closed") {
        format!("the server exited or closed stdout before answering `initialize` ({chain})")
    } else {
        chain.to_owned()
    }
}
