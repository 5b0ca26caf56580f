//! The gateway's MCP server: one rmcp `ServerHandler` over `mcpctl-core`'s connection manager.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use mcpctl_core::approval_types::{ApprovalMode, Decision, Outcome};
use mcpctl_core::client::{
    BoxFuture, ClientHooks, ElicitRequestParams, ElicitResult, ElicitationAction,
    ElicitationHandler, RootsHandler, SamplingHandler, ServerNotice,
};
use mcpctl_core::{ApprovalPolicy, ConnectionManager, ServerConnection, ServerState, Workspace};
#[allow(deprecated)] // Logging (SEP-2577): still in every protocol version the gateway serves.
use rmcp::model::SetLevelRequestParams;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestParams, CompleteResult,
    GetPromptRequestParams, GetPromptResponse, Implementation, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ProgressNotificationParam, ProtocolVersion, ReadResourceRequestParams, ReadResourceResponse,
    ReadResourceResult, Reference, ServerCapabilities, ServerConfig, SubscribeRequestParams, Tool,
    UnsubscribeRequestParams,
};
use rmcp::service::{Peer, RequestContext};
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use crate::audit::{AuditLog, Record};
use crate::names::NameMap;
use crate::preview::{call_digest, redacted_preview};
use crate::sessions::{Route, Sessions};
use crate::{GatewayError, GatewayOptions};

/// The URI of the resource that lists every backend and its state.
pub const STATUS_URI: &str = "mcpctl://status";
/// Tools, prompts and resources per page.
const PAGE: usize = 200;
/// How long a listing waits for servers still starting before it answers without them (they
/// are added, with `tools/list_changed`, once they are up).
const LISTING_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// Writes one line to stderr, the gateway's log (stdout carries the protocol).
pub(crate) fn log(message: &str) {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("mcpctl serve: {message}");
    }
}

/// The gateway; cheap to clone (every clone shares one state).
#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

struct Inner {
    workspace: Workspace,
    policy: ApprovalPolicy,
    /// The servers served, after `--servers` and the loop check.
    served: Vec<String>,
    /// Servers left out because they are this gateway again.
    loops: Vec<String>,
    eager: bool,
    tool_search: bool,
    /// `gateway_pinned_tools`: exposed names listed even in tool-search mode.
    pinned: Vec<String>,
    manager: OnceCell<ConnectionManager>,
    /// The client sessions and the calls in flight: where what a backend sends goes.
    sessions: Arc<Sessions>,
    /// What is exposed; `None` until built and after a backend's tools changed.
    catalog: Arc<Mutex<Option<Arc<Catalog>>>>,
    /// Progress on its way to the client, in order.
    forward: tokio::sync::mpsc::Sender<Forwarded>,
    queue: Mutex<Option<tokio::sync::mpsc::Receiver<Forwarded>>>,
    /// Set when the client's stdin ended: calls in flight stop at once (rmcp would otherwise
    /// wait up to 5 s for them before closing).
    gone: tokio::sync::watch::Sender<bool>,
    /// The owner of every resource URI listed so far.
    resource_owners: Mutex<BTreeMap<String, String>>,
    audit: AuditLog,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Gateway {
    /// A gateway over the enabled, policy-allowed servers of `workspace`.
    pub fn new(workspace: Workspace, options: GatewayOptions) -> Result<Self, GatewayError> {
        let enabled: Vec<String> = workspace
            .servers()
            .enabled()
            .map(|s| s.name().to_string())
            .collect();
        if let Some(only) = &options.only {
            for name in only {
                if !enabled.contains(name) {
                    let hint = mcpctl_core::did_you_mean(name, enabled.iter().map(String::as_str))
                        .map(|close| format!("; did you mean '{close}'?"))
                        .unwrap_or_default();
                    return Err(GatewayError::UnknownServer(format!(
                        "no enabled server '{name}' (see `mcpctl list`){hint}"
                    )));
                }
            }
        }
        let mut served = Vec::new();
        let mut loops = Vec::new();
        for server in workspace.servers().enabled() {
            let name = server.name().to_string();
            if options
                .only
                .as_ref()
                .is_some_and(|only| !only.contains(&name))
            {
                continue;
            }
            if is_this_gateway(server.config(), options.own_exe.as_deref()) {
                log(&format!(
                    "left out '{name}': it runs `mcpctl serve`, this gateway itself (a loop)"
                ));
                loops.push(name);
                continue;
            }
            served.push(name);
        }
        let audit = AuditLog::open(&workspace.paths().log_dir())?;
        let (forward, queue) = tokio::sync::mpsc::channel(FORWARD_QUEUE);
        let policy = ApprovalPolicy::of(&workspace, options.preset);
        let pinned = workspace.loaded().config.gateway_pinned_tools.clone();
        Ok(Self {
            inner: Arc::new(Inner {
                workspace,
                policy,
                served,
                loops,
                eager: options.eager,
                tool_search: options.tool_search,
                pinned,
                manager: OnceCell::new(),
                sessions: Arc::new(Sessions::default()),
                forward,
                queue: Mutex::new(Some(queue)),
                catalog: Arc::new(Mutex::new(None)),
                gone: tokio::sync::watch::channel(false).0,
                resource_owners: Mutex::new(BTreeMap::new()),
                audit,
            }),
        })
    }

    /// Serves one client on `transport` until it goes away, then stops every backend.
    pub async fn run<T, E, A>(self, transport: T) -> Result<(), GatewayError>
    where
        T: rmcp::transport::IntoTransport<RoleServer, E, A>,
        E: std::error::Error + Send + Sync + 'static,
    {
        self.prepare().await;
        let running = match self.clone().serve(transport).await {
            Ok(running) => running,
            // The client went away before it initialized: nothing was started, a clean stop.
            Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => {
                log("the client closed the connection before initializing");
                return Ok(());
            }
            Err(err) => return Err(GatewayError::Session(err.to_string())),
        };
        let _ = running.waiting().await;
        if let Some(manager) = self.inner.manager.get() {
            manager.cancel();
        }
        // The last holder of the state shuts the backends down (kills stdio process groups).
        if let Ok(inner) = Arc::try_unwrap(self.inner)
            && let Some(manager) = inner.manager.into_inner()
        {
            manager.shutdown().await;
        }
        Ok(())
    }

    /// Tries again, in the background, each server whose start failed, within its backoff
    /// (1 s, 2 s … 30 s after the last attempt): one that comes up joins the tools, and every
    /// session gets `tools/list_changed`. Called when a client lists tools.
    fn retry_failed(&self) {
        let Some(manager) = self.inner.manager.get() else {
            return;
        };
        let failed: Vec<String> = manager
            .snapshot()
            .iter()
            .filter(|c| matches!(c.state, ServerState::Failed(_)))
            .map(|c| c.server.name().to_string())
            .collect();
        if failed.is_empty() {
            return;
        }
        let gateway = self.clone();
        tokio::spawn(async move {
            for name in failed {
                if let Err(error) = gateway.manager().await.live_client(&name).await {
                    log(&error.to_string());
                }
            }
        });
    }

    /// Tells the gateway its client went away (stdin ended): calls in flight are cancelled.
    pub(crate) fn client_gone(&self) -> tokio::sync::watch::Sender<bool> {
        self.inner.gone.clone()
    }

    /// Starts the progress forwarder. (With `--eager`, the backends start as soon as the
    /// client has initialized: what they are offered depends on what the client offers.)
    pub(crate) async fn prepare(&self) {
        if let Some(queue) = lock(&self.inner.queue).take() {
            tokio::spawn(forward_in_order(queue, Arc::clone(&self.inner.sessions)));
        }
    }

    /// The connection manager, started on first use.
    async fn manager(&self) -> &ConnectionManager {
        self.inner
            .manager
            .get_or_init(|| async {
                let hooks = self.hooks();
                let (manager, mut updates) = self
                    .inner
                    .workspace
                    .start_servers(Some(self.inner.served.clone()), hooks);
                // Log each failure with its cause; the rest of the gateway keeps serving. A
                // server that becomes ready after the catalog was built (a late start, a
                // restart) changes the tools: drop the catalog and tell the client.
                let catalog = Arc::clone(&self.inner.catalog);
                let sessions = Arc::clone(&self.inner.sessions);
                tokio::spawn(async move {
                    // A server's first start is in the first listing; only a restart changes it.
                    let mut started = BTreeSet::new();
                    while let Some(update) = updates.recv().await {
                        match &update.state {
                            ServerState::Failed(why) => {
                                log(&format!("'{}' failed to start: {why}", update.server));
                            }
                            ServerState::Ready => {
                                // Its first start is in the listing built after it; a restart,
                                // or a start the listing did not include, changes the tools.
                                let first = started.insert(update.server.clone());
                                let changed = {
                                    let mut current = lock(&catalog);
                                    let included = current
                                        .as_ref()
                                        .is_some_and(|c| c.servers.contains(&update.server));
                                    (!first || !included) && current.take().is_some()
                                };
                                if changed {
                                    for peer in sessions.all() {
                                        let _ = peer.notify_tool_list_changed().await;
                                    }
                                }
                            }
                            ServerState::Starting | ServerState::Cancelled => {}
                        }
                    }
                });
                manager
            })
            .await
    }

    fn hooks(&self) -> ClientHooks {
        // Sampling, roots and elicitation are declared to a backend only when the client has
        // them: a server may offer some tools only to clients that can answer it. The backends
        // start after the client's `initialized`; over HTTP, the session that started them
        // decides.
        let offers = self
            .inner
            .sessions
            .latest()
            .as_ref()
            .and_then(Peer::peer_info)
            .map(|info| {
                (
                    info.capabilities.sampling.is_some(),
                    info.capabilities.roots.is_some(),
                    info.capabilities.elicitation.is_some(),
                )
            })
            .unwrap_or_default();
        let forward_to = Arc::new(ForwardToClient {
            sessions: Arc::clone(&self.inner.sessions),
        });
        let sampling: Option<Arc<dyn SamplingHandler>> = offers
            .0
            .then(|| Arc::clone(&forward_to) as Arc<dyn SamplingHandler>);
        let roots: Option<Arc<dyn RootsHandler>> =
            offers.1.then_some(forward_to as Arc<dyn RootsHandler>);
        let elicit_sessions = Arc::clone(&self.inner.sessions);
        let listed = Arc::clone(&self.inner.sessions);
        let routes = Arc::clone(&self.inner.sessions);
        let forward = self.inner.forward.clone();
        let notices = self.inner.forward.clone();
        let catalog = Arc::clone(&self.inner.catalog);
        ClientHooks {
            // A backend's progress goes to the client under the token of the client's call.
            // The backend's token is rmcp's own, so a notification is routed by server; with
            // several calls in flight on one server it cannot be told apart and is dropped.
            // One task forwards in order; a call flushes it before answering, so no progress
            // arrives after the result.
            progress: Some(Arc::new(
                move |server: &str, note: &ProgressNotificationParam| {
                    let Some((peer, token)) = routes.progress(server) else {
                        return;
                    };
                    let mut note = note.clone();
                    note.progress_token = token;
                    queue_or_drop(&forward, Forwarded::Progress(peer, note));
                },
            )),
            elicitation: Some(Arc::new(ForwardElicitation {
                sessions: elicit_sessions,
            })),
            sampling,
            roots,
            without_elicitation: !offers.2,
            notices: Some(Arc::new(move |server: &str, notice: ServerNotice| {
                queue_or_drop(&notices, Forwarded::Notice(server.to_string(), notice));
            })),
            // The manager stores the new list right after this hook returns: the catalog is
            // dropped and the client told on a task that runs after that.
            tools_listed: Some(Arc::new(move |_server: &str, _tools: Vec<Tool>| {
                let peers = listed.all();
                let catalog = Arc::clone(&catalog);
                tokio::spawn(async move {
                    *lock(&catalog) = None;
                    for peer in peers {
                        let _ = peer.notify_tool_list_changed().await;
                    }
                });
            })),
            ..ClientHooks::default()
        }
    }

    /// Every served server's final start state (waits for those still starting).
    async fn settled(&self) -> Vec<ServerConnection> {
        self.current().await.0
    }

    /// Every served server's state once all have settled, or after [`LISTING_GRACE`] with
    /// those still starting as they are (then `false`): a slow server does not hold up the
    /// others' tools.
    async fn current(&self) -> (Vec<ServerConnection>, bool) {
        let manager = self.manager().await;
        match tokio::time::timeout(LISTING_GRACE, manager.wait_all()).await {
            Ok(all) => (all, true),
            Err(_) => (manager.snapshot(), false),
        }
    }

    fn remember_client(&self, peer: &Peer<RoleServer>) {
        self.inner.sessions.seen(peer);
    }

    /// Every exposed tool: filtered tools and, under the `read-only` preset, tools that are not
    /// read-only are left out.
    /// The current catalog (built on first use, and again after a backend's tools changed).
    async fn catalog(&self) -> Arc<Catalog> {
        // A cached catalog means the backends have settled: calls skip the snapshot.
        if let Some(catalog) = lock(&self.inner.catalog).clone() {
            return catalog;
        }
        let (connections, complete) = self.current().await;
        for warning in mcpctl_core::refused_tool_warnings(&connections) {
            log(&warning);
        }
        let catalog = Arc::new(self.build_catalog(&connections));
        *lock(&self.inner.catalog) = Some(Arc::clone(&catalog));
        if !complete {
            // Some servers were still starting: once they settle, list again if any of them
            // came up, and tell every session.
            let gateway = self.clone();
            let listed = Arc::clone(&catalog);
            tokio::spawn(async move {
                let all = gateway.manager().await.wait_all().await;
                let ready: BTreeSet<String> = all
                    .iter()
                    .filter(|c| matches!(c.state, ServerState::Ready))
                    .map(|c| c.server.name().to_string())
                    .collect();
                if ready != listed.servers {
                    *lock(&gateway.inner.catalog) = None;
                    for peer in gateway.inner.sessions.all() {
                        let _ = peer.notify_tool_list_changed().await;
                    }
                }
            });
        }
        catalog
    }

    fn build_catalog(&self, connections: &[ServerConnection]) -> Catalog {
        let ready: Vec<&ServerConnection> = connections
            .iter()
            .filter(|c| matches!(c.state, ServerState::Ready))
            .collect();
        let names = NameMap::new(ready.iter().flat_map(|c| {
            c.tools
                .iter()
                .map(move |t| (c.server.name().as_str(), t.name.as_ref()))
        }));
        let mut tools = Vec::new();
        let mut decisions = BTreeMap::new();
        for connection in &ready {
            let server = connection.server.name().as_str();
            for tool in &connection.tools {
                if mcpctl_core::filtered_reason(&connection.server, &tool.name).is_some() {
                    continue;
                }
                let value = serde_json::to_value(tool).unwrap_or(Value::Null);
                let decision = self.inner.policy.decide(connection.server.config(), &value);
                if decision.outcome == Outcome::Deny {
                    continue;
                }
                let Some(exposed) = names.exposed(server, &tool.name) else {
                    continue;
                };
                let mut renamed = tool.clone();
                renamed.name = exposed.to_string().into();
                decisions.insert(exposed.to_string(), (value, decision));
                tools.push(renamed);
            }
        }
        let timeouts = connections
            .iter()
            .map(|c| {
                (
                    c.server.name().to_string(),
                    mcpctl_core::tool_timeout(&c.server),
                )
            })
            .collect();
        Catalog {
            tools,
            names,
            decisions,
            timeouts,
            servers: ready.iter().map(|c| c.server.name().to_string()).collect(),
        }
    }

    async fn call(
        &self,
        request: CallToolRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let started = Instant::now();
        let catalog = self.catalog().await;
        let (names, decisions) = (&catalog.names, &catalog.decisions);
        let Some((server, tool)) = names.backend(&request.name).cloned() else {
            let hint = mcpctl_core::did_you_mean(&request.name, names.exposed_names())
                .map(|close| format!("; did you mean '{close}'?"))
                .unwrap_or_default();
            return Err(ErrorData::invalid_params(
                format!(
                    "unknown tool '{}': the gateway's tools are named <server>__<tool> (see tools/list){hint}",
                    request.name
                ),
                None,
            ));
        };
        let Some((_, decision)) = decisions.get(request.name.as_ref()).cloned() else {
            return Err(ErrorData::invalid_params(
                format!(
                    "tool '{}' ({tool} on {server}) is not exposed: the config filters it (enabled_tools/disabled_tools) or the read-only preset hides it",
                    request.name
                ),
                None,
            ));
        };
        let arguments = Value::Object(request.arguments.clone().unwrap_or_default());
        let digest = call_digest(&server, &tool, &arguments);
        let client_name = context
            .peer
            .peer_info()
            .map(|info| format!("{} {}", info.client_info.name, info.client_info.version))
            .unwrap_or_default();
        let record = |result: &str, decided_by: &str, is_error: bool| {
            self.inner.audit.append(&Record {
                time: mcpctl_private_file::utc_now(),
                client: &client_name,
                server: &server,
                tool: &tool,
                decision: decision.outcome.as_str(),
                result,
                decided_by,
                mode: decision.mode.as_str(),
                duration_ms: started.elapsed().as_millis(),
                is_error,
                arguments_digest: &digest,
            });
        };
        let settled_by = decision.decided_by.as_str();
        let mut answered_by = settled_by;
        if decision.outcome == Outcome::Ask {
            let rememberable =
                !matches!(decision.mode, ApprovalMode::Prompt | ApprovalMode::Writes);
            let sessions = &self.inner.sessions;
            if rememberable && sessions.is_remembered(&context.peer, &server, &tool) {
                answered_by = "remembered";
            } else {
                match self
                    .ask(
                        context,
                        &server,
                        &tool,
                        &arguments,
                        &digest,
                        &decision,
                        rememberable,
                    )
                    .await
                {
                    Answer::Approved { remember } => {
                        if remember && rememberable {
                            sessions.remember(&context.peer, &server, &tool);
                        }
                        answered_by = "user";
                    }
                    Answer::Declined(why) => {
                        record("declined", "user", true);
                        return Ok(error_result(format!(
                            "The call of {tool} on {server} was not approved: {why}."
                        )));
                    }
                    Answer::CannotAsk => {
                        record("refused", settled_by, true);
                        return Ok(error_result(cannot_ask_message(&server, &tool, &decision)));
                    }
                }
            }
        }
        // A backend whose connection was lost (a crashed stdio server) starts again here,
        // with backoff.
        let client = match self.manager().await.live_client(&server).await {
            Ok(client) => client,
            Err(error) => {
                log(&error.to_string());
                record("failed", answered_by, true);
                return Ok(error_result(format!(
                    "{error} (see the mcpctl://status resource)"
                )));
            }
        };
        let timeout = catalog
            .timeouts
            .get(&server)
            .copied()
            .unwrap_or(mcpctl_core::DEFAULT_TOOL_TIMEOUT);
        let token = context.meta.get_progress_token();
        let wants_progress = token.is_some();
        let call_id = self
            .inner
            .sessions
            .begin_call(&server, &context.peer, token);
        // The client's `notifications/cancelled` cancels `context.ct`: dropping the backend
        // call then sends the backend its own `notifications/cancelled`.
        let mut gone = self.inner.gone.subscribe();
        let outcome = tokio::select! {
            outcome = client.call_tool(&tool, arguments, timeout) => Ok(outcome),
            () = context.ct.cancelled() => Err("was cancelled by the client"),
            _ = gone.wait_for(|gone| *gone) => Err("was stopped: the client went away"),
        };
        if wants_progress {
            // The backend's connection may hand over progress sent just before the result
            // after the result itself. A call that has had progress gives the rest a moment
            // (20 ms); one that has had none pays nothing (a first notification sent at the
            // same instant as the result may then be lost). Then the flush waits until the
            // forwarder has sent everything queued: no progress goes out after the result.
            if self.inner.sessions.progress_seen(&server, call_id) > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            let (done, flushed) = tokio::sync::oneshot::channel();
            if self
                .inner
                .forward
                .send(Forwarded::Flush(done))
                .await
                .is_ok()
            {
                let _ = flushed.await;
            }
        }
        self.inner.sessions.end_call(&server, call_id);
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(why) => {
                record("cancelled", answered_by, true);
                return Err(ErrorData::internal_error(
                    format!("the call of {tool} on {server} {why}"),
                    None,
                ));
            }
        };
        match outcome {
            Ok(result) => {
                let is_error = result.is_error == Some(true);
                record(
                    if answered_by == settled_by {
                        "ran"
                    } else {
                        "approved"
                    },
                    answered_by,
                    is_error,
                );
                Ok(result)
            }
            Err(error) => {
                record("failed", answered_by, true);
                Ok(error_result(error.to_string()))
            }
        }
    }

    /// Asks the client's user to approve one call, through MCP elicitation.
    #[allow(clippy::too_many_arguments)]
    async fn ask(
        &self,
        context: &RequestContext<RoleServer>,
        server: &str,
        tool: &str,
        arguments: &Value,
        digest: &str,
        decision: &Decision,
        rememberable: bool,
    ) -> Answer {
        let can_elicit = context
            .peer
            .peer_info()
            .is_some_and(|info| info.capabilities.elicitation.is_some());
        if !can_elicit {
            return Answer::CannotAsk;
        }
        let mut properties = serde_json::Map::new();
        if rememberable {
            properties.insert(
                "remember".to_string(),
                json!({
                    "type": "boolean",
                    "title": "Allow this tool for the rest of this session",
                    "default": false,
                }),
            );
        }
        let message = format!(
            "Allow {tool} on {server}?\nArguments: {}\n(approval mode `{}`; call {})",
            redacted_preview(arguments),
            decision.mode.as_str(),
            &digest[..digest.len().min(19)],
        );
        let params: ElicitRequestParams = match serde_json::from_value(json!({
            "mode": "form",
            "message": message,
            "requestedSchema": {"type": "object", "properties": properties},
        })) {
            Ok(params) => params,
            Err(_) => return Answer::CannotAsk,
        };
        match context.peer.create_elicitation(params).await {
            Ok(ElicitResult {
                action: ElicitationAction::Accept,
                content,
                ..
            }) => Answer::Approved {
                remember: content
                    .as_ref()
                    .and_then(|c| c.get("remember"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            },
            Ok(ElicitResult {
                action: ElicitationAction::Decline,
                ..
            }) => Answer::Declined("the user declined".to_string()),
            Ok(_) => Answer::Declined("the user cancelled".to_string()),
            Err(error) => Answer::Declined(format!("the approval request failed ({error})")),
        }
    }

    fn status(&self, connections: &[ServerConnection]) -> Value {
        let mut servers: Vec<Value> = connections
            .iter()
            .map(|c| {
                let error = match &c.state {
                    ServerState::Failed(why) => Some(why.to_string()),
                    _ => None,
                };
                json!({
                    "server": c.server.name().as_str(),
                    "state": c.state.label(),
                    "error": error,
                    "tools": c.tools.len(),
                })
            })
            .collect();
        servers.extend(self.inner.loops.iter().map(|name| {
            json!({"server": name, "state": "left out", "error": "it runs this gateway (a loop)", "tools": 0})
        }));
        json!({ "servers": servers, "preset": self.inner.policy.preset().map(|p| p.as_str()) })
    }

    async fn ready_clients(&self) -> Vec<(String, Arc<mcpctl_core::client::McpClient>)> {
        self.settled()
            .await
            .into_iter()
            .filter_map(|c| Some((c.server.name().to_string(), c.client?)))
            .collect()
    }

    /// The ready backends whose `initialize` answer declares what `offers` looks for.
    async fn clients_offering(
        &self,
        offers: impl Fn(&ServerCapabilities) -> bool,
    ) -> Vec<(String, Arc<mcpctl_core::client::McpClient>)> {
        let mut clients = self.ready_clients().await;
        clients.retain(|(_, c)| {
            c.server_info()
                .is_some_and(|info| offers(&info.capabilities))
        });
        clients
    }
}

/// What the gateway exposes, computed once after the backends settle and again after a
/// backend says its tools changed.
struct Catalog {
    tools: Vec<Tool>,
    names: NameMap,
    /// By exposed name: the backend's tool as JSON and its approval decision.
    decisions: BTreeMap<String, (Value, Decision)>,
    /// The tool-call timeout of each server.
    timeouts: BTreeMap<String, std::time::Duration>,
    /// The servers that were ready when it was built.
    servers: BTreeSet<String>,
}

/// Notifications waiting for a client that is slow to read; past this, new ones are dropped
/// (a backend's flood can't grow the gateway's memory).
const FORWARD_QUEUE: usize = 1024;

/// How many notifications were dropped because the queue was full.
static DROPPED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Queues a notification for the client, or drops it when the client is not keeping up; the
/// first drop and every 10,000th after it are logged.
fn queue_or_drop(queue: &tokio::sync::mpsc::Sender<Forwarded>, item: Forwarded) {
    if queue.try_send(item).is_err() {
        let n = DROPPED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n.is_multiple_of(10_000) {
            log(&format!(
                "the client is not reading fast enough: dropped {} notification(s) from backends so far",
                n + 1
            ));
        }
    }
}

/// What the forwarding task sends to the client.
enum Forwarded {
    /// Progress for the session of the call it belongs to.
    Progress(Peer<RoleServer>, ProgressNotificationParam),
    /// A backend's log message, resource update or list change.
    Notice(String, ServerNotice),
    /// Answered once everything queued before it has been sent.
    Flush(tokio::sync::oneshot::Sender<()>),
}

async fn forward_in_order(
    mut queue: tokio::sync::mpsc::Receiver<Forwarded>,
    sessions: Arc<Sessions>,
) {
    while let Some(item) = queue.recv().await {
        match item {
            Forwarded::Progress(peer, note) => {
                let _ = peer.notify_progress(note).await;
            }
            Forwarded::Notice(server, notice) => {
                // Log messages go where the backend's requests would; a resource update to
                // the sessions subscribed to it; list changes to every session.
                let peers = match &notice {
                    ServerNotice::Log(_) => match sessions.route(&server) {
                        Route::To(peer) => vec![peer],
                        Route::Ambiguous | Route::Nobody => Vec::new(),
                    },
                    ServerNotice::ResourceUpdated(update) => sessions.subscribers(&update.uri),
                    _ => sessions.all(),
                };
                for peer in peers {
                    send_notice(&peer, &server, notice.clone()).await;
                }
            }
            Forwarded::Flush(done) => {
                let _ = done.send(());
            }
        }
    }
}

/// Passes a backend's notification on to the client. A log message names its server as the
/// logger (`<server>` or `<server>/<logger>`).
#[allow(deprecated)] // Logging (SEP-2577): still in every protocol version the gateway serves.
async fn send_notice(peer: &Peer<RoleServer>, server: &str, notice: ServerNotice) {
    let _ = match notice {
        ServerNotice::Log(mut message) => {
            message.logger = Some(match message.logger.take() {
                Some(logger) => format!("{server}/{logger}"),
                None => server.to_string(),
            });
            peer.notify_logging_message(message).await
        }
        ServerNotice::ResourceUpdated(update) => peer.notify_resource_updated(update).await,
        ServerNotice::ResourcesChanged => peer.notify_resource_list_changed().await,
        ServerNotice::PromptsChanged => peer.notify_prompt_list_changed().await,
    };
}

enum Answer {
    Approved { remember: bool },
    Declined(String),
    CannotAsk,
}

/// The refusal a client without elicitation gets: it names the setting that would allow the
/// call, or the administrator's cap when no user setting can.
fn cannot_ask_message(server: &str, tool: &str, decision: &Decision) -> String {
    let capped = matches!(
        decision.decided_by,
        mcpctl_core::approval_types::DecidedBy::AdminCap
    );
    if capped {
        return format!(
            "The call of {tool} on {server} needs approval (mode `{}`, set by the administrator's allowed_approval_modes in requirements.toml), and this client cannot be asked (it does not support MCP elicitation). Use a client that supports elicitation.",
            decision.mode.as_str()
        );
    }
    format!(
        "The call of {tool} on {server} needs approval (mode `{}`, decided by {}), and this client cannot be asked (it does not support MCP elicitation). To allow it without asking, set `approval_mode = \"approve\"` under [mcp_servers.{server}.tools.{tool}] in the mcpctl config, or run the gateway with `--preset full-access`.",
        decision.mode.as_str(),
        decision.decided_by.as_str()
    )
}

/// A protocol result built as JSON (the backends' items pass through as JSON).
fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ErrorData> {
    serde_json::from_value(value).map_err(|err| ErrorData::internal_error(err.to_string(), None))
}

fn error_result(text: String) -> CallToolResult {
    serde_json::from_value(json!({"content": [{"type": "text", "text": text}], "isError": true}))
        .unwrap_or_default()
}

/// True when a backend would run this gateway again: the same executable (or one named
/// `mcpctl`) with `serve` among its arguments.
fn is_this_gateway(config: &mcpctl_core::McpServerConfig, own_exe: Option<&Path>) -> bool {
    let Some(stdio) = config.transport.as_stdio() else {
        return false;
    };
    if !stdio.args.iter().any(|a| a == "serve") {
        return false;
    }
    let command = PathBuf::from(&stdio.command);
    let same_file = own_exe.is_some_and(|own| {
        let canon = |p: &Path| std::fs::canonicalize(p).ok();
        canon(&command).is_some_and(|c| Some(c) == canon(own))
    });
    same_file || command.file_name().is_some_and(|n| n == "mcpctl")
}

/// `(offset, next cursor)` of one page of `total` items.
fn page(cursor: Option<&str>, total: usize) -> Result<(usize, Option<String>), ErrorData> {
    let start = match cursor {
        None => 0,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= total)
            .ok_or_else(|| ErrorData::invalid_params(format!("bad cursor '{text}'"), None))?,
    };
    let end = (start + PAGE).min(total);
    Ok((start, (end < total).then(|| end.to_string())))
}

/// Passes a backend's sampling and roots requests to the gateway's client.
struct ForwardToClient {
    sessions: Arc<Sessions>,
}

impl ForwardToClient {
    /// The session a request of `server` is for.
    fn peer(&self, server: &str) -> Result<Peer<RoleServer>, ErrorData> {
        match self.sessions.route(server) {
            Route::To(peer) => Ok(peer),
            Route::Ambiguous => Err(ErrorData::internal_error(
                "the gateway has calls from several clients in flight on this server and cannot tell which one this request is for",
                None,
            )),
            Route::Nobody => Err(ErrorData::internal_error(
                "no client is connected to the gateway",
                None,
            )),
        }
    }
}

/// The client's own error passes through; a lost connection becomes an internal error.
fn client_error(what: &str, error: rmcp::service::ServiceError) -> ErrorData {
    match error {
        rmcp::service::ServiceError::McpError(error) => error,
        other => {
            ErrorData::internal_error(format!("{what} through the gateway failed: {other}"), None)
        }
    }
}

#[allow(deprecated)] // Sampling (SEP-2577): still in every protocol version the gateway serves.
impl SamplingHandler for ForwardToClient {
    fn create_message<'a>(
        &'a self,
        server: &'a str,
        request: rmcp::model::CreateMessageRequestParams,
    ) -> BoxFuture<'a, Result<rmcp::model::CreateMessageResult, ErrorData>> {
        Box::pin(async move {
            self.peer(server)?
                .create_message(request)
                .await
                .map_err(|error| client_error("sampling/createMessage", error))
        })
    }
}

#[allow(deprecated)] // Roots (SEP-2577): still in every protocol version the gateway serves.
impl RootsHandler for ForwardToClient {
    fn list_roots<'a>(
        &'a self,
        server: &'a str,
    ) -> BoxFuture<'a, Result<rmcp::model::ListRootsResult, ErrorData>> {
        Box::pin(async move {
            self.peer(server)?
                .list_roots()
                .await
                .map_err(|error| client_error("roots/list", error))
        })
    }
}

struct ForwardElicitation {
    sessions: Arc<Sessions>,
}

impl ElicitationHandler for ForwardElicitation {
    /// Asks the session the request is for; declined when the gateway cannot tell which one
    /// (calls from several sessions in flight on that server) or it cannot elicit.
    fn elicit<'a>(
        &'a self,
        server: &'a str,
        request: ElicitRequestParams,
    ) -> BoxFuture<'a, ElicitResult> {
        let route = self.sessions.route(server);
        Box::pin(async move {
            let Route::To(peer) = route else {
                return ElicitResult::new(ElicitationAction::Decline);
            };
            let can = peer
                .peer_info()
                .is_some_and(|info| info.capabilities.elicitation.is_some());
            if !can {
                return ElicitResult::new(ElicitationAction::Decline);
            }
            peer.create_elicitation(request)
                .await
                .unwrap_or_else(|_| ElicitResult::new(ElicitationAction::Cancel))
        })
    }
}

impl ServerHandler for Gateway {
    #[allow(deprecated)] // Logging (SEP-2577): still in every protocol version the gateway serves.
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .enable_resources()
                .enable_resources_subscribe()
                .enable_resources_list_changed()
                .enable_prompts()
                .enable_prompts_list_changed()
                .enable_logging()
                .enable_completions()
                .build(),
        )
        .with_server_info(Implementation::new("mcpctl-gateway", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "mcpctl's gateway: every MCP server mcpctl allows, as one server. Tools and prompts are named <server>__<name>; the mcpctl://status resource lists each server and its state.",
        )
    }

    /// Up to 2025-11-25, the last version with the `initialize` handshake: approval asks the
    /// client through an elicitation request, and backends' elicitations, progress and
    /// notifications pass through on the session, which the stateless 2026-07-28 lifecycle
    /// does not have. A client that probes `server/discover` sees only these versions and
    /// falls back to `initialize`.
    fn supported_protocol_versions(&self) -> std::borrow::Cow<'static, [ProtocolVersion]> {
        std::borrow::Cow::Borrowed(ProtocolVersion::known_up_to(
            &ProtocolVersion::LATEST_WITH_INITIALIZE,
        ))
    }

    async fn on_initialized(&self, context: rmcp::service::NotificationContext<RoleServer>) {
        self.remember_client(&context.peer);
        if self.inner.eager {
            let gateway = self.clone();
            tokio::spawn(async move {
                gateway.manager().await;
            });
        }
    }

    /// The client's roots changed: tell the backends that were offered them.
    async fn on_roots_list_changed(&self, context: rmcp::service::NotificationContext<RoleServer>) {
        self.remember_client(&context.peer);
        let Some(manager) = self.inner.manager.get() else {
            return;
        };
        for connection in manager.snapshot() {
            if let Some(client) = connection.client
                && let Err(error) = client.notify_roots_list_changed().await
            {
                log(&format!(
                    "roots/list_changed to '{}': {error}",
                    connection.server.name()
                ));
            }
        }
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        self.remember_client(&context.peer);
        let catalog = self.catalog().await;
        self.retry_failed();
        let searched;
        let tools = if self.inner.tool_search {
            let mut listed = crate::tool_search::meta_tools();
            listed.extend(
                catalog
                    .tools
                    .iter()
                    .filter(|t| self.inner.pinned.iter().any(|p| p == t.name.as_ref()))
                    .cloned(),
            );
            searched = listed;
            &searched
        } else {
            &catalog.tools
        };
        let (start, next) = page(
            request.as_ref().and_then(|r| r.cursor.as_deref()),
            tools.len(),
        )?;
        let end = next
            .as_ref()
            .map_or(tools.len(), |n| n.parse().unwrap_or(tools.len()));
        let mut result = ListToolsResult::with_all_items(tools[start..end].to_vec());
        result.next_cursor = next;
        Ok(result)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        self.remember_client(&context.peer);
        if self.inner.tool_search {
            return self.tool_search_call(request, &context).await;
        }
        self.call(request, &context)
            .await
            .map(CallToolResponse::from)
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        self.remember_client(&context.peer);
        let mut resources = vec![json!({
            "uri": STATUS_URI,
            "name": "mcpctl-status",
            "description": "Every server behind this gateway, its state and why it failed.",
            "mimeType": "application/json",
        })];
        for (server, client) in self.clients_offering(|caps| caps.resources.is_some()).await {
            match client.list_resources().await {
                Ok(list) => {
                    let mut owners = lock(&self.inner.resource_owners);
                    for resource in list {
                        owners.insert(resource.uri.clone(), server.clone());
                        resources.push(serde_json::to_value(&resource).unwrap_or(Value::Null));
                    }
                }
                Err(error) => log(&format!("resources of '{server}': {error}")),
            }
        }
        from_json(json!({ "resources": resources }))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        self.remember_client(&context.peer);
        let mut templates = Vec::new();
        for (server, client) in self.clients_offering(|caps| caps.resources.is_some()).await {
            match client.list_resource_templates().await {
                Ok(list) => templates.extend(
                    list.iter()
                        .map(|t| serde_json::to_value(t).unwrap_or(Value::Null)),
                ),
                Err(error) => log(&format!("resource templates of '{server}': {error}")),
            }
        }
        from_json(json!({ "resourceTemplates": templates }))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        self.remember_client(&context.peer);
        let uri = request.uri.as_str();
        if uri == STATUS_URI {
            let connections = self.settled().await;
            let text = serde_json::to_string_pretty(&self.status(&connections)).unwrap_or_default();
            let result: ReadResourceResult = serde_json::from_value(json!({"contents": [
                {"uri": STATUS_URI, "mimeType": "application/json", "text": text}
            ]}))
            .map_err(|err| ErrorData::internal_error(err.to_string(), None))?;
            return Ok(ReadResourceResponse::from(result));
        }
        let owner = lock(&self.inner.resource_owners).get(uri).cloned();
        // A URI not listed yet (a template's) goes to each server that offers resources until
        // one has it.
        let mut candidates = self.clients_offering(|caps| caps.resources.is_some()).await;
        if let Some(owner) = &owner {
            candidates.retain(|(s, _)| s == owner);
        }
        let mut last = None;
        for (_, client) in candidates {
            match client.read_resource(uri).await {
                Ok(result) => return Ok(ReadResourceResponse::from(result)),
                Err(error) => last = Some(error.to_string()),
            }
        }
        Err(ErrorData::resource_not_found(
            last.unwrap_or_else(|| format!("no server behind the gateway has resource '{uri}'")),
            None,
        ))
    }

    #[allow(deprecated)] // Logging (SEP-2577): still in every protocol version the gateway serves.
    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.remember_client(&context.peer);
        for (server, client) in self.clients_offering(|caps| caps.logging.is_some()).await {
            if let Err(error) = client.set_log_level(request.level).await {
                log(&format!("logging/setLevel on '{server}': {error}"));
            }
        }
        Ok(())
    }

    async fn complete(
        &self,
        mut request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        self.remember_client(&context.peer);
        let mut candidates = self
            .clients_offering(|caps| caps.completions.is_some())
            .await;
        // A prompt's exposed name says its server, and the backend gets its own name. A
        // resource template is asked of each server that completes, until one answers.
        if let Reference::Prompt(prompt) = &mut request.r#ref {
            let listed = self.prompts().await;
            let Some((server, name)) = prompt_names(&listed).backend(&prompt.name).cloned() else {
                return Err(ErrorData::invalid_params(
                    format!("unknown prompt '{}'", prompt.name),
                    None,
                ));
            };
            prompt.name = name;
            candidates.retain(|(s, _)| *s == server);
        }
        for (server, client) in candidates {
            match client.complete(request.clone()).await {
                Ok(result) if !result.completion.values.is_empty() => return Ok(result),
                Ok(_) => {}
                Err(error) => log(&format!("completion/complete on '{server}': {error}")),
            }
        }
        Ok(CompleteResult::default())
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.remember_client(&context.peer);
        let uri = request.uri.as_str();
        // Already subscribed for another session: this one joins; the backend is not asked again.
        if let Some(server) = self.inner.sessions.subscribed_server(uri) {
            self.inner.sessions.subscribe(uri, &server, &context.peer);
            return Ok(());
        }
        let owner = lock(&self.inner.resource_owners).get(uri).cloned();
        let mut candidates = self
            .clients_offering(|caps| {
                caps.resources
                    .as_ref()
                    .is_some_and(|r| r.subscribe == Some(true))
            })
            .await;
        if let Some(owner) = &owner {
            candidates.retain(|(s, _)| s == owner);
        }
        let mut last = None;
        for (server, client) in candidates {
            // Recorded first: a backend may send its first update before it answers.
            self.inner.sessions.subscribe(uri, &server, &context.peer);
            match client.subscribe(uri).await {
                Ok(()) => return Ok(()),
                Err(error) => {
                    self.inner.sessions.unsubscribe(uri, &context.peer);
                    last = Some(error.to_string());
                }
            }
        }
        Err(ErrorData::invalid_params(
            last.unwrap_or_else(|| {
                format!("no server behind the gateway can subscribe to '{uri}'")
            }),
            None,
        ))
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.remember_client(&context.peer);
        let uri = request.uri.as_str();
        // Unsubscribing twice is not an error; the backend is told when the last session left.
        let Some(server) = self.inner.sessions.unsubscribe(uri, &context.peer) else {
            return Ok(());
        };
        let client = self.manager().await.client(&server);
        if let Some(client) = client
            && let Err(error) = client.unsubscribe(uri).await
        {
            return Err(ErrorData::internal_error(error.to_string(), None));
        }
        Ok(())
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        self.remember_client(&context.peer);
        let listed = self.prompts().await;
        let names = prompt_names(&listed);
        let prompts: Vec<Value> = listed
            .iter()
            .map(|(server, prompt)| {
                let name = prompt.get("name").and_then(Value::as_str).unwrap_or("");
                let mut prompt = prompt.clone();
                prompt["name"] = json!(names.exposed(server, name).unwrap_or(name));
                prompt
            })
            .collect();
        from_json(json!({ "prompts": prompts }))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        self.remember_client(&context.peer);
        let listed = self.prompts().await;
        let names = prompt_names(&listed);
        let Some((server, prompt)) = names.backend(&request.name).cloned() else {
            return Err(ErrorData::invalid_params(
                format!(
                    "unknown prompt '{}': the gateway's prompts are named <server>__<prompt>",
                    request.name
                ),
                None,
            ));
        };
        let client = self
            .ready_clients()
            .await
            .into_iter()
            .find(|(s, _)| *s == server)
            .map(|(_, c)| c)
            .ok_or_else(|| ErrorData::internal_error(format!("'{server}' is not ready"), None))?;
        client
            .get_prompt(&prompt, request.arguments)
            .await
            .map(GetPromptResponse::from)
            .map_err(|error| ErrorData::internal_error(error.to_string(), None))
    }
}

/// Exposed names of listed prompts (`<server>__<prompt>`).
fn prompt_names(listed: &[(String, Value)]) -> NameMap {
    NameMap::new(listed.iter().map(|(server, prompt)| {
        (
            server.as_str(),
            prompt.get("name").and_then(Value::as_str).unwrap_or(""),
        )
    }))
}

impl Gateway {
    /// A call in tool-search mode: `search_tools`, `call_tool`, or a pinned tool.
    async fn tool_search_call(
        &self,
        request: CallToolRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let arguments = Value::Object(request.arguments.clone().unwrap_or_default());
        if request.name == crate::tool_search::SEARCH {
            let catalog = self.catalog().await;
            let query = arguments
                .get("query")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ErrorData::invalid_params("search_tools needs a `query` string", None)
                })?;
            let limit = arguments
                .get("limit")
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok());
            let found: Vec<Value> = crate::tool_search::rank(&catalog.tools, query, limit)
                .into_iter()
                .map(|tool| {
                    json!({
                        "name": tool.name,
                        "description": tool.description,
                        "inputSchema": tool.input_schema,
                    })
                })
                .collect();
            let text = serde_json::to_string(&found).unwrap_or_default();
            let result: CallToolResult = serde_json::from_value(json!({
                "content": [{"type": "text", "text": text}],
                "structuredContent": {"tools": found},
            }))
            .map_err(|err| ErrorData::internal_error(err.to_string(), None))?;
            return Ok(CallToolResponse::from(result));
        }
        if request.name == crate::tool_search::CALL {
            let name = arguments
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ErrorData::invalid_params("call_tool needs the `name` of a tool", None)
                })?;
            let mut inner = CallToolRequestParams::new(name.to_string());
            if let Some(Value::Object(args)) = arguments.get("arguments") {
                inner = inner.with_arguments(args.clone());
            }
            return self.call(inner, context).await.map(CallToolResponse::from);
        }
        if !self.inner.pinned.iter().any(|p| p == request.name.as_ref()) {
            return Err(ErrorData::invalid_params(
                format!(
                    "unknown tool '{}': in tool-search mode, find tools with search_tools and call them with call_tool",
                    request.name
                ),
                None,
            ));
        }
        self.call(request, context)
            .await
            .map(CallToolResponse::from)
    }

    async fn prompts(&self) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for (server, client) in self.clients_offering(|caps| caps.prompts.is_some()).await {
            match client.list_prompts().await {
                Ok(list) => out.extend(list.iter().map(|p| {
                    (
                        server.clone(),
                        serde_json::to_value(p).unwrap_or(Value::Null),
                    )
                })),
                Err(error) => log(&format!("prompts of '{server}': {error}")),
            }
        }
        out
    }
}
