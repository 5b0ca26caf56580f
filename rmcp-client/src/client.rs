//! [`McpClient`]: one live connection to one MCP server.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use rmcp::ServiceExt;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, CompleteRequestParams, CompleteResult,
    GetPromptRequestParams, GetPromptResult, Prompt, ReadResourceRequestParams, ReadResourceResult,
    Resource, ResourceTemplate, ServerPeerInfo, SubscribeRequestParams, Tool,
    UnsubscribeRequestParams,
};
// Logging is deprecated in rmcp (SEP-2577) but is part of every protocol version mcpctl speaks.
#[allow(deprecated)]
use rmcp::model::{LoggingLevel, SetLevelRequestParams};
use rmcp::service::{ClientInitializeError, RoleClient, RunningService, ServiceError};
use rmcp::transport::streamable_http_client::StreamableHttpError;

use crate::error::{BoxError, Cause, ClientError, Operation, StderrTail, escape_line};
use crate::handler::{Handler, ToolsChanged};
use crate::hooks::ClientHooks;
use crate::http::{self, HttpSpec};
use crate::oauth::AuthorizedClient;
use crate::pages::{self, MAX_ITEMS, MAX_PAGES, PageError};
use crate::sse::{MAX_SSE_EVENT, SseConnectError, SseFault, SseState, SseTransport};
use crate::stdio::{self, ProcessGroup, StderrCollector, StdioSpec};
use crate::stdout::{GuardedStdout, MAX_DEPTH, MAX_LINE, StdoutFault, StdoutWatch};
use crate::transport::{MAX_QUEUED, Outgoing, StdioTransport};

/// How long a failed start waits for the child's last stderr lines.
const STDERR_GRACE: Duration = Duration::from_millis(500);
/// How long a server that closed its stdout gets to exit before it is called still running.
const EXIT_GRACE: Duration = Duration::from_millis(500);

/// A live connection to one MCP server.
///
/// Dropping it closes the connection and, for a stdio server, kills the server's whole
/// process group. Prefer [`McpClient::shutdown`] where you can await: it also reaps the child.
pub struct McpClient {
    name: String,
    // Declared before `stdio` so the connection closes before the group is killed.
    service: RunningService<RoleClient, Handler>,
    stdio: Option<Stdio>,
    /// How a legacy SSE server's stream ended, for a legacy SSE server.
    sse: Option<Arc<SseState>>,
    tools_changed: ToolsChanged,
    refused_tools: std::sync::Mutex<Vec<RefusedTool>>,
}

/// The longest tool name MCP allows, in characters.
pub const MAX_TOOL_NAME_CHARS: usize = 128;

/// A tool left out of a listing because its name is longer than [`MAX_TOOL_NAME_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedTool {
    /// The name's first characters.
    pub preview: String,
    /// Its length in characters.
    pub chars: usize,
}

/// The parts of a stdio connection besides rmcp's service.
struct Stdio {
    group: ProcessGroup,
    stderr: StderrCollector,
    stdout: Arc<StdoutWatch>,
    outgoing: Arc<Outgoing>,
}

impl Stdio {
    /// Why the connection ended, from what the process and its pipes did.
    async fn lost(&self, source: Option<BoxError>) -> Cause {
        if self.outgoing.stalled() {
            return Cause::NotReading { limit: MAX_QUEUED };
        }
        match self.stdout.fault() {
            Some(StdoutFault::TooLarge) => return Cause::TooLarge { limit: MAX_LINE },
            Some(StdoutFault::TooDeep) => return Cause::TooDeep { limit: MAX_DEPTH },
            Some(StdoutFault::ReadFailed(kind)) => {
                return Cause::ConnectionLost {
                    source: Some(Box::new(std::io::Error::from(kind))),
                };
            }
            None => {}
        }
        let grace = if self.stdout.ended() {
            EXIT_GRACE
        } else {
            Duration::ZERO
        };
        if let Some(status) = self.group.exit_status(grace).await {
            return Cause::Exited {
                status,
                stdout: self.stray(),
            };
        }
        if self.stdout.ended() {
            return Cause::StdoutClosed;
        }
        Cause::ConnectionLost { source }
    }

    fn stray(&self) -> Option<String> {
        self.stdout.stray().map(|line| escape_line(&line))
    }
}

impl McpClient {
    /// Starts a stdio server and completes `initialize` within `startup_timeout`.
    ///
    /// `name` is the server's name, used in every error message. Elicitation requests are
    /// declined and notifications only counted; see [`McpClient::connect_stdio_with_hooks`].
    pub async fn connect_stdio(
        name: &str,
        spec: StdioSpec,
        startup_timeout: Duration,
    ) -> Result<Self, ClientError> {
        Self::connect_stdio_with_hooks(name, spec, startup_timeout, ClientHooks::default()).await
    }

    /// [`McpClient::connect_stdio`] with callbacks for elicitation and notifications.
    ///
    /// The client declares the same capabilities whatever the hooks (see [`ClientHooks`]).
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
            stderr,
        } = stdio::spawn(name, &spec)?;
        let watch = Arc::new(StdoutWatch::default());
        let outgoing = Arc::new(Outgoing::default());
        let stdio = Stdio {
            group,
            stderr,
            stdout: Arc::clone(&watch),
            outgoing: Arc::clone(&outgoing),
        };
        // rmcp's own stdio transport, reading through our guard.
        let transport = StdioTransport::new(GuardedStdout::new(stdout, watch), stdin, outgoing);
        let outcome = tokio::time::timeout(startup_timeout, handler.serve(transport)).await;
        let cause = match outcome {
            Ok(Ok(service)) => {
                return Ok(Self {
                    name: name.to_owned(),
                    service,
                    stdio: Some(stdio),
                    sse: None,
                    tools_changed,
                    refused_tools: std::sync::Mutex::new(Vec::new()),
                });
            }
            Ok(Err(error)) => match init_cause(error) {
                Ok(cause) => Some(cause),
                Err(source) => Some(stdio.lost(source).await),
            },
            // Out of time: unless the server is known to have failed otherwise, say so.
            Err(_) => match stdio.lost(None).await {
                Cause::ConnectionLost { .. } => {
                    stdio.stray().map(|line| Cause::NotJsonRpc { line })
                }
                cause => Some(cause),
            },
        };
        // The child's stderr reaches EOF once the group is dead, so its last lines are complete.
        stdio.group.kill_and_wait().await;
        let stderr = stdio.stderr.finish(STDERR_GRACE).await;
        let server = name.to_owned();
        Err(match cause {
            Some(cause) => ClientError::Startup {
                server,
                cause,
                stderr,
            },
            None => ClientError::Timeout {
                server,
                operation: Operation::Startup,
                after: startup_timeout,
                stderr,
            },
        })
    }

    /// Connects to a streamable HTTP server and completes `initialize` within `startup_timeout`.
    ///
    /// Environment variables named by the spec are read now; a missing one is an error naming it.
    /// Elicitation requests are declined; see [`McpClient::connect_http_with_hooks`].
    pub async fn connect_http(
        name: &str,
        spec: HttpSpec,
        startup_timeout: Duration,
    ) -> Result<Self, ClientError> {
        Self::connect_http_with_hooks(name, spec, startup_timeout, ClientHooks::default()).await
    }

    /// [`McpClient::connect_http`] with callbacks for elicitation and notifications.
    ///
    /// The client declares the same capabilities whatever the hooks (see [`ClientHooks`]).
    pub async fn connect_http_with_hooks(
        name: &str,
        spec: HttpSpec,
        startup_timeout: Duration,
        hooks: ClientHooks,
    ) -> Result<Self, ClientError> {
        let handler = Handler::new(name, hooks);
        let tools_changed = handler.tools_changed();
        if spec.legacy_sse {
            return Self::connect_sse(name, &spec, startup_timeout, handler, tools_changed).await;
        }
        // OAuth servers get their tokens through a wrapped client; the service is the same.
        let started = match &spec.oauth {
            Some(source) => {
                let transport = http::oauth_transport(name, &spec, source)?;
                tokio::time::timeout(startup_timeout, handler.serve(transport)).await
            }
            None => {
                let transport = http::transport(name, &spec)?;
                tokio::time::timeout(startup_timeout, handler.serve(transport)).await
            }
        };
        match started {
            Ok(Ok(service)) => Ok(Self {
                name: name.to_owned(),
                service,
                stdio: None,
                sse: None,
                tools_changed,
                refused_tools: std::sync::Mutex::new(Vec::new()),
            }),
            Ok(Err(error)) => Err(match init_cause(error) {
                Ok(cause) => ClientError::Startup {
                    server: name.to_owned(),
                    cause,
                    stderr: StderrTail::default(),
                },
                Err(source) => http::connect_error(
                    name,
                    &spec.url,
                    false,
                    spec.bearer_token_env_var.as_deref(),
                    startup_timeout,
                    source,
                ),
            }),
            Err(_) => Err(ClientError::Timeout {
                server: name.to_owned(),
                operation: Operation::Startup,
                after: startup_timeout,
                stderr: StderrTail::default(),
            }),
        }
    }

    /// The legacy HTTP+SSE connect: the stream and its `endpoint` handshake, then rmcp's
    /// ordinary `initialize` over [`SseTransport`], all within `startup_timeout`.
    async fn connect_sse(
        name: &str,
        spec: &HttpSpec,
        startup_timeout: Duration,
        handler: Handler,
        tools_changed: ToolsChanged,
    ) -> Result<Self, ClientError> {
        let (client, headers, token) = http::sse_parts(name, spec)?;
        let startup = |cause| ClientError::Startup {
            server: name.to_owned(),
            cause,
            stderr: StderrTail::default(),
        };
        let http_error = |source: Option<BoxError>| {
            http::connect_error(
                name,
                &spec.url,
                true,
                spec.bearer_token_env_var.as_deref(),
                startup_timeout,
                source,
            )
        };
        let status = |status: u16| ClientError::HttpStatus {
            server: name.to_owned(),
            url: spec.url.clone(),
            status,
            legacy_sse: true,
        };
        let connect_error = |error: SseConnectError<reqwest::Error>| match error {
            // rmcp's GET reports other error statuses as reqwest's status error, and 405
            // apart: each is the server's answer, not a lost connection.
            SseConnectError::Http(StreamableHttpError::Client(error))
                if let Some(code) = error.status() =>
            {
                status(code.as_u16())
            }
            SseConnectError::Http(StreamableHttpError::ServerDoesNotSupportSse) => status(405),
            SseConnectError::Http(error) => http_error(Some(Box::new(error))),
            other => startup(Cause::Transport {
                source: Box::new(other),
            }),
        };
        let started = tokio::time::timeout(startup_timeout, async {
            match &spec.oauth {
                Some(source) => {
                    let client = AuthorizedClient::new(client, source.clone());
                    let (transport, state) =
                        SseTransport::connect(client, &spec.url, None, headers)
                            .await
                            .map_err(connect_error)?;
                    Ok((handler.serve(transport).await, state))
                }
                None => {
                    let (transport, state) =
                        SseTransport::connect(client, &spec.url, token, headers)
                            .await
                            .map_err(connect_error)?;
                    Ok((handler.serve(transport).await, state))
                }
            }
        })
        .await;
        match started {
            Ok(Ok((Ok(service), state))) => Ok(Self {
                name: name.to_owned(),
                service,
                stdio: None,
                sse: Some(state),
                tools_changed,
                refused_tools: std::sync::Mutex::new(Vec::new()),
            }),
            Ok(Ok((Err(error), state))) => Err(match init_cause(error) {
                Ok(cause) => startup(cause),
                Err(source) => match sse_lost(&state) {
                    Some(cause) => startup(cause),
                    None => http_error(source),
                },
            }),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(ClientError::Timeout {
                server: name.to_owned(),
                operation: Operation::Startup,
                after: startup_timeout,
                stderr: StderrTail::default(),
            }),
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

    /// True once the connection has ended: the server exited or closed its pipes, or the
    /// HTTP session was lost. A closed client answers every request with an error; connect
    /// again to use the server.
    pub fn is_closed(&self) -> bool {
        self.service.is_closed() || self.service.peer().is_transport_closed()
    }

    /// The process id of a stdio server (also its process group id).
    pub fn pid(&self) -> Option<u32> {
        self.stdio.as_ref().and_then(|s| s.group.pid())
    }

    /// The last lines a stdio server wrote to stderr so far (empty for HTTP servers).
    pub fn stderr_tail(&self) -> StderrTail {
        self.stdio
            .as_ref()
            .map(|s| s.stderr.snapshot())
            .unwrap_or_default()
    }

    /// Every tool of the server, following `nextCursor` through all pages (at most
    /// [`MAX_PAGES`] pages and [`MAX_ITEMS`] tools).
    ///
    /// Tools whose names are longer than MCP's limit ([`MAX_TOOL_NAME_CHARS`]) are left out
    /// and remembered: [`McpClient::refused_tools`] says which.
    pub async fn list_tools(&self) -> Result<Vec<Tool>, ClientError> {
        let peer = self.service.peer();
        let listed = pages::list_all(|params| async move {
            peer.list_tools(params)
                .await
                .map(|page| (page.tools, page.next_cursor))
        });
        let mut tools = self.listing(Operation::ListTools, listed).await?;
        let mut refused = Vec::new();
        tools.retain(|tool| {
            let chars = tool.name.chars().count();
            if chars <= MAX_TOOL_NAME_CHARS {
                return true;
            }
            refused.push(RefusedTool {
                preview: tool.name.chars().take(24).collect(),
                chars,
            });
            false
        });
        *self
            .refused_tools
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = refused;
        Ok(tools)
    }

    /// The tools the last `tools/list` left out because their names were too long.
    pub fn refused_tools(&self) -> Vec<RefusedTool> {
        self.refused_tools
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Every resource of the server (`resources/list`, all pages within the same bounds).
    pub async fn list_resources(&self) -> Result<Vec<Resource>, ClientError> {
        let peer = self.service.peer();
        let listed = pages::list_all(|params| async move {
            peer.list_resources(params)
                .await
                .map(|page| (page.resources, page.next_cursor))
        });
        self.listing(Operation::ListResources, listed).await
    }

    /// Every resource template of the server (`resources/templates/list`, all pages within the
    /// same bounds).
    pub async fn list_resource_templates(&self) -> Result<Vec<ResourceTemplate>, ClientError> {
        let peer = self.service.peer();
        let listed = pages::list_all(|params| async move {
            peer.list_resource_templates(params)
                .await
                .map(|page| (page.resource_templates, page.next_cursor))
        });
        self.listing(Operation::ListResourceTemplates, listed).await
    }

    /// Reads one resource (`resources/read`): its text or blob contents.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, ClientError> {
        let operation = Operation::ReadResource {
            uri: uri.to_owned(),
        };
        self.request(
            operation,
            self.service
                .read_resource(ReadResourceRequestParams::new(uri)),
        )
        .await
    }

    /// Every prompt of the server (`prompts/list`, all pages within the same bounds).
    pub async fn list_prompts(&self) -> Result<Vec<Prompt>, ClientError> {
        let peer = self.service.peer();
        let listed = pages::list_all(|params| async move {
            peer.list_prompts(params)
                .await
                .map(|page| (page.prompts, page.next_cursor))
        });
        self.listing(Operation::ListPrompts, listed).await
    }

    /// One prompt with its arguments filled in (`prompts/get`); a server that answers
    /// `input_required` gets its rounds through this connection's handler, as for tools.
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: Option<serde_json::Map<String, serde_json::Value>>,
    ) -> Result<GetPromptResult, ClientError> {
        let operation = Operation::GetPrompt {
            prompt: name.to_owned(),
        };
        let mut params = GetPromptRequestParams::new(name);
        if let Some(arguments) = arguments {
            params = params.with_arguments(arguments);
        }
        self.request(operation, self.service.get_prompt(params))
            .await
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
        let mut params = CallToolRequestParams::new(name.to_owned());
        let got = match arguments {
            serde_json::Value::Object(map) => {
                params = params.with_arguments(map);
                None
            }
            serde_json::Value::Null => None,
            serde_json::Value::Bool(_) => Some("a boolean"),
            serde_json::Value::Number(_) => Some("a number"),
            serde_json::Value::String(_) => Some("a string"),
            serde_json::Value::Array(_) => Some("an array"),
        };
        if let Some(got) = got {
            return Err(ClientError::InvalidArguments {
                server: self.name.clone(),
                tool: name.to_owned(),
                got,
            });
        }
        let operation = Operation::CallTool {
            tool: name.to_owned(),
        };
        // Dropping the pending call on timeout makes rmcp send `notifications/cancelled`.
        match tokio::time::timeout(timeout, self.service.call_tool(params)).await {
            Ok(result) => match result {
                Ok(result) => Ok(result),
                Err(error) => Err(self.request_error(operation, error).await),
            },
            Err(_) => Err(ClientError::Timeout {
                server: self.name.clone(),
                operation,
                after: timeout,
                stderr: StderrTail::default(),
            }),
        }
    }

    /// `logging/setLevel`: the least severe log level the server should send.
    #[allow(deprecated)] // Still the method up to protocol 2025-11-25, which mcpctl speaks.
    pub async fn set_log_level(&self, level: LoggingLevel) -> Result<(), ClientError> {
        self.request(
            Operation::Method("logging/setLevel"),
            self.service.set_level(SetLevelRequestParams::new(level)),
        )
        .await
    }

    /// `completion/complete`: suggestions for a prompt's or a resource template's argument.
    pub async fn complete(
        &self,
        params: CompleteRequestParams,
    ) -> Result<CompleteResult, ClientError> {
        self.request(
            Operation::Method("completion/complete"),
            self.service.complete(params),
        )
        .await
    }

    /// `resources/subscribe`: ask for `notifications/resources/updated` about `uri` (they
    /// reach [`ClientHooks::notices`]).
    #[allow(deprecated)] // Still the method up to protocol 2025-11-25, which mcpctl speaks.
    pub async fn subscribe(&self, uri: &str) -> Result<(), ClientError> {
        self.request(
            Operation::Method("resources/subscribe"),
            self.service.subscribe(SubscribeRequestParams::new(uri)),
        )
        .await
    }

    /// `resources/unsubscribe`.
    #[allow(deprecated)] // Still the method up to protocol 2025-11-25, which mcpctl speaks.
    pub async fn unsubscribe(&self, uri: &str) -> Result<(), ClientError> {
        self.request(
            Operation::Method("resources/unsubscribe"),
            self.service.unsubscribe(UnsubscribeRequestParams::new(uri)),
        )
        .await
    }

    /// Sends `notifications/roots/list_changed` (the roots given by [`ClientHooks::roots`]
    /// changed).
    pub async fn notify_roots_list_changed(&self) -> Result<(), ClientError> {
        self.service
            .peer()
            .notify_roots_list_changed()
            .await
            .map_err(|error| ClientError::Request {
                server: self.name.clone(),
                operation: Operation::Method("notifications/roots/list_changed"),
                cause: Cause::ConnectionLost {
                    source: Some(Box::new(error)),
                },
                stderr: StderrTail::default(),
            })
    }

    /// Sends `ping` and waits for the answer.
    pub async fn ping(&self) -> Result<(), ClientError> {
        self.request(
            Operation::Ping,
            self.service
                .send_request(rmcp::model::ClientRequest::PingRequest(Default::default())),
        )
        .await
        .map(|_| ())
    }

    /// Closes the connection and, for a stdio server, kills its process group and reaps it.
    pub async fn shutdown(mut self) {
        let _ = self
            .service
            .close_with_timeout(Duration::from_secs(1))
            .await;
        if let Some(stdio) = self.stdio.as_ref() {
            stdio.group.kill_and_wait().await;
        }
    }

    async fn request<T>(
        &self,
        operation: Operation,
        request: impl Future<Output = Result<T, ServiceError>>,
    ) -> Result<T, ClientError> {
        match request.await {
            Ok(value) => Ok(value),
            Err(error) => Err(self.request_error(operation, error).await),
        }
    }

    async fn listing<T>(
        &self,
        operation: Operation,
        listed: impl Future<Output = Result<Vec<T>, PageError>>,
    ) -> Result<Vec<T>, ClientError> {
        let cause = match listed.await {
            Ok(items) => return Ok(items),
            Err(PageError::Service(error)) => {
                return Err(self.request_error(operation, error).await);
            }
            Err(PageError::TooManyPages) => Cause::TooManyPages { limit: MAX_PAGES },
            Err(PageError::TooManyItems) => Cause::TooManyItems { limit: MAX_ITEMS },
        };
        Err(ClientError::Request {
            server: self.name.clone(),
            operation,
            cause,
            stderr: StderrTail::default(),
        })
    }

    async fn request_error(&self, operation: Operation, error: ServiceError) -> ClientError {
        let cause = match error {
            ServiceError::McpError(error) => Cause::Server {
                code: error.code.0,
                message: error.message.into_owned(),
            },
            ServiceError::UnexpectedResponse => Cause::InvalidAnswer,
            ServiceError::Cancelled { reason } => Cause::Cancelled { reason },
            ServiceError::InputRequiredRoundsExceeded { max_rounds } => {
                Cause::TooManyRounds { rounds: max_rounds }
            }
            ServiceError::Timeout { timeout } => {
                return ClientError::Timeout {
                    server: self.name.clone(),
                    operation,
                    after: timeout,
                    stderr: StderrTail::default(),
                };
            }
            ServiceError::TransportClosed => self.lost(None).await,
            ServiceError::TransportSend(error) => match (&self.stdio, &self.sse) {
                (Some(stdio), _) => stdio.lost(Some(error.error)).await,
                (None, Some(sse)) => {
                    sse_lost(sse).unwrap_or_else(|| http::request_cause(error.error))
                }
                (None, None) => http::request_cause(error.error),
            },
            other => Cause::Transport {
                source: Box::new(other),
            },
        };
        let stderr = match (&cause, &self.stdio) {
            (Cause::Exited { .. } | Cause::StdoutClosed, Some(stdio)) => {
                stdio.stderr.finish(STDERR_GRACE).await
            }
            _ => StderrTail::default(),
        };
        ClientError::Request {
            server: self.name.clone(),
            operation,
            cause,
            stderr,
        }
    }

    async fn lost(&self, source: Option<BoxError>) -> Cause {
        match (&self.stdio, &self.sse) {
            (Some(stdio), _) => stdio.lost(source).await,
            (None, Some(sse)) => sse_lost(sse).unwrap_or(Cause::ConnectionLost { source }),
            (None, None) => Cause::ConnectionLost { source },
        }
    }
}

/// Why a legacy SSE connection ended, once its stream did.
fn sse_lost(state: &SseState) -> Option<Cause> {
    Some(match state.fault()? {
        SseFault::TooLarge => Cause::TooLarge {
            limit: MAX_SSE_EVENT,
        },
        SseFault::Ended => Cause::ConnectionLost {
            source: Some("the server closed the SSE stream".into()),
        },
        SseFault::Broken(reason) => Cause::ConnectionLost {
            source: Some(format!("the SSE stream broke ({reason})").into()),
        },
        SseFault::NotReading => Cause::NotReading { limit: MAX_QUEUED },
    })
}

/// The cause of a failed `initialize` the server's answer explains; `Err` with what the
/// transport said when the connection failed instead (its owner knows more).
fn init_cause(error: ClientInitializeError) -> Result<Cause, Option<BoxError>> {
    match error {
        ClientInitializeError::JsonRpcError(error) => Ok(Cause::Server {
            code: error.code.0,
            message: error.message.into_owned(),
        }),
        ClientInitializeError::ExpectedInitResponse(_)
        | ClientInitializeError::ExpectedInitResult(_)
        | ClientInitializeError::ConflictInitResponseId(..)
        | ClientInitializeError::UncorrelatedErrorResponse { .. } => Ok(Cause::InvalidAnswer),
        ClientInitializeError::NoCompatibleProtocolVersion { .. } => Ok(Cause::NoCommonProtocol),
        ClientInitializeError::TransportError { error, .. } => Err(Some(error.error)),
        _ => Err(None),
    }
}
