//! [`McpClient`]: one live connection to one MCP server.

use std::sync::Arc;
use std::time::Duration;

use rmcp::ServiceExt;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, Prompt, ReadResourceRequestParams, ReadResourceResult,
    Resource, ResourceTemplate, ServerPeerInfo, Tool,
};
use rmcp::service::{RoleClient, RunningService, ServiceError};
use rmcp::transport::async_rw::AsyncRwTransport;

use crate::error::{ClientError, StderrTail, error_chain};
use crate::handler::{Handler, ToolsChanged};
use crate::hooks::ClientHooks;
use crate::http::{self, HttpSpec};
use crate::stdio::{self, ProcessGroup, StderrCollector, StdioSpec};
use crate::stdout::{GuardedStdout, StdoutFault, StdoutWatch};

/// How long a failed start waits for the child's last stderr lines.
const STDERR_GRACE: Duration = Duration::from_millis(500);

/// A live connection to one MCP server.
///
/// Dropping it closes the connection and, for a stdio server, kills the server's whole
/// process group. Prefer [`McpClient::shutdown`] where you can await: it also reaps the child.
pub struct McpClient {
    name: String,
    // Declared before `process` so the connection closes before the group is killed.
    service: RunningService<RoleClient, Handler>,
    process: Option<ProcessGroup>,
    stderr: Option<StderrCollector>,
    tools_changed: ToolsChanged,
    /// What the reader of a stdio server's stdout saw.
    stdout: Option<Arc<StdoutWatch>>,
}

impl McpClient {
    /// Starts a stdio server and completes `initialize` within `startup_timeout`.
    ///
    /// `name` is the server's name, used in every error message. Elicitation is not offered
    /// and notifications are only counted; see [`McpClient::connect_stdio_with_hooks`].
    pub async fn connect_stdio(
        name: &str,
        spec: StdioSpec,
        startup_timeout: Duration,
    ) -> Result<Self, ClientError> {
        Self::connect_stdio_with_hooks(name, spec, startup_timeout, ClientHooks::default()).await
    }

    /// [`McpClient::connect_stdio`] with callbacks for elicitation and notifications.
    ///
    /// The client advertises the elicitation capability only when `hooks.elicitation` is set.
    pub async fn connect_stdio_with_hooks(
        name: &str,
        spec: StdioSpec,
        startup_timeout: Duration,
        hooks: ClientHooks,
    ) -> Result<Self, ClientError> {
        let handler = Handler::new(name, hooks);
        let tools_changed = handler.tools_changed();
        let stdio::Spawned {
            stdin,
            stdout,
            group,
            mut stderr,
        } = stdio::spawn(name, &spec)?;
        let watch = Arc::new(StdoutWatch::default());
        // rmcp's own stdio transport, reading through our guard.
        let transport =
            AsyncRwTransport::new_client(GuardedStdout::new(stdout, Arc::clone(&watch)), stdin);
        let outcome = tokio::time::timeout(startup_timeout, handler.serve(transport)).await;
        let failure = match outcome {
            Ok(Ok(service)) => {
                let mut client = Self::new(name, service, Some(group), Some(stderr), tools_changed);
                client.stdout = Some(watch);
                return Ok(client);
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

    /// Connects to a streamable HTTP server and completes `initialize` within `startup_timeout`.
    ///
    /// Environment variables named by the spec are read now; a missing one is an error naming it.
    /// Elicitation is not offered; see [`McpClient::connect_http_with_hooks`].
    pub async fn connect_http(
        name: &str,
        spec: HttpSpec,
        startup_timeout: Duration,
    ) -> Result<Self, ClientError> {
        Self::connect_http_with_hooks(name, spec, startup_timeout, ClientHooks::default()).await
    }

    /// [`McpClient::connect_http`] with callbacks for elicitation and notifications.
    ///
    /// The client advertises the elicitation capability only when `hooks.elicitation` is set.
    pub async fn connect_http_with_hooks(
        name: &str,
        spec: HttpSpec,
        startup_timeout: Duration,
        hooks: ClientHooks,
    ) -> Result<Self, ClientError> {
        let transport = http::transport(name, &spec)?;
        let handler = Handler::new(name, hooks);
        let tools_changed = handler.tools_changed();
        match tokio::time::timeout(startup_timeout, handler.serve(transport)).await {
            Ok(Ok(service)) => Ok(Self::new(name, service, None, None, tools_changed)),
            Ok(Err(error)) => Err(http::map_connect_error(
                name,
                &spec.url,
                startup_timeout,
                &error,
            )),
            Err(_) => Err(ClientError::Timeout {
                server: name.to_owned(),
                operation: "startup".to_owned(),
                after: startup_timeout,
                stderr: StderrTail::default(),
            }),
        }
    }

    fn new(
        name: &str,
        service: RunningService<RoleClient, Handler>,
        process: Option<ProcessGroup>,
        stderr: Option<StderrCollector>,
        tools_changed: ToolsChanged,
    ) -> Self {
        Self {
            name: name.to_owned(),
            service,
            process,
            stderr,
            tools_changed,
            stdout: None,
        }
    }

    /// How many `notifications/tools/list_changed` the server has sent since connecting.
    ///
    /// A front end that cached [`McpClient::list_tools`] compares it with the count it saw
    /// then, and lists again when it grew.
    pub fn tools_changed_count(&self) -> u64 {
        self.tools_changed.count()
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

    /// Every resource of the server (`resources/list`, all pages).
    pub async fn list_resources(&self) -> Result<Vec<Resource>, ClientError> {
        self.service
            .list_all_resources()
            .await
            .map_err(|e| self.request_error("resources/list", &e))
    }

    /// Every resource template of the server (`resources/templates/list`, all pages).
    pub async fn list_resource_templates(&self) -> Result<Vec<ResourceTemplate>, ClientError> {
        self.service
            .list_all_resource_templates()
            .await
            .map_err(|e| self.request_error("resources/templates/list", &e))
    }

    /// Reads one resource (`resources/read`): its text or blob contents.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, ClientError> {
        self.service
            .read_resource(ReadResourceRequestParams::new(uri))
            .await
            .map_err(|e| self.request_error(&format!("resources/read `{uri}`"), &e))
    }

    /// Every prompt of the server (`prompts/list`, all pages).
    pub async fn list_prompts(&self) -> Result<Vec<Prompt>, ClientError> {
        self.service
            .list_all_prompts()
            .await
            .map_err(|e| self.request_error("prompts/list", &e))
    }

    /// Calls a tool; `arguments` must be a JSON object or null.
    ///
    /// The call goes through rmcp's request path: it carries a progress token, so the server
    /// may send `notifications/progress` (they reach [`ClientHooks::progress`]), and a server
    /// that answers `input_required` (multi round-trip requests) gets its retry with the
    /// answers of this connection's handler (elicitation through [`ClientHooks::elicitation`]).
    ///
    /// When `timeout` runs out (it covers every round), the call is cancelled at the server
    /// (`notifications/cancelled`) and [`ClientError::Timeout`] is returned; the connection
    /// stays usable. Dropping the returned future cancels the call the same way.
    pub async fn call_tool(
        &self,
        name: &str,
        arguments: serde_json::Value,
        timeout: Duration,
    ) -> Result<CallToolResult, ClientError> {
        let operation = || format!("tools/call `{name}`");
        let mut params = CallToolRequestParams::new(name.to_owned());
        match arguments {
            serde_json::Value::Object(map) => params = params.with_arguments(map),
            serde_json::Value::Null => {}
            other => {
                return Err(ClientError::Request {
                    server: self.name.clone(),
                    operation: operation(),
                    cause: format!("arguments must be a JSON object, not `{other}`"),
                });
            }
        }
        // Dropping the pending call on timeout makes rmcp send `notifications/cancelled`.
        match tokio::time::timeout(timeout, self.service.call_tool(params)).await {
            Ok(result) => result.map_err(|e| self.request_error(&operation(), &e)),
            Err(_) => Err(ClientError::Timeout {
                server: self.name.clone(),
                operation: operation(),
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
        if let Some(group) = self.process.as_ref() {
            group.kill_and_wait().await;
        }
    }

    fn request_error(&self, operation: &str, error: &ServiceError) -> ClientError {
        let fault = self.stdout.as_ref().and_then(|watch| watch.fault());
        let cause = match (error, fault) {
            (ServiceError::TransportClosed, Some(StdoutFault::TooLarge)) => format!(
                "the server sent a message larger than {} MiB; the connection was closed",
                crate::stdout::MAX_LINE / 1024 / 1024
            ),
            _ => error_chain(error),
        };
        ClientError::Request {
            server: self.name.clone(),
            operation: operation.to_owned(),
            cause,
        }
    }
}

/// rmcp's wording for a child that exited before answering is about the transport; say it plainly.
fn startup_cause(chain: &str) -> String {
    if chain.contains("connection closed") {
        format!("the server exited or closed stdout before answering `initialize` ({chain})")
    } else {
        chain.to_owned()
    }
}
