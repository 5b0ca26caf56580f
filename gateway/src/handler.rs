//! The gateway's MCP server: one rmcp `ServerHandler` over `mcpctl-core`'s connection manager.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use mcpctl_core::{ApprovalPolicy, ConnectionManager, ServerConnection, ServerState, Workspace};
use rmcp::model::ServerCapabilities;
use rmcp::service::Peer;
use rmcp::{ErrorData, RoleServer, ServiceExt};
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use crate::audit::AuditLog;
use crate::sessions::Sessions;
use crate::{GatewayError, GatewayOptions};

mod call;
mod catalog;
mod forward;
mod server;

use catalog::Catalog;
use forward::{FORWARD_QUEUE, Forwarded, forward_in_order};

/// The URI of the resource that lists every backend and its state.
pub const STATUS_URI: &str = "mcpctl://status";
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
    /// Progress and notices on their way to the client, in order (bounded).
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
                                    announce_tools_changed(&sessions).await;
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

    /// Every served server's state, after waiting up to [`LISTING_GRACE`] for those still
    /// starting.
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

/// Tells every session the tools changed (after the catalog was dropped).
async fn announce_tools_changed(sessions: &Sessions) {
    for peer in sessions.all() {
        let _ = peer.notify_tool_list_changed().await;
    }
}

/// A protocol result built as JSON (the backends' items pass through as JSON).
fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ErrorData> {
    serde_json::from_value(value).map_err(|err| ErrorData::internal_error(err.to_string(), None))
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
