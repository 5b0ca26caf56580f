//! Live connections to many servers at once.
//!
//! [`ConnectionManager::start`] starts every enabled, policy-allowed server concurrently and
//! reports each state change (starting → ready | failed | cancelled, with elapsed time) on a
//! channel that front ends render. Required servers fail fast: the first failure of one cancels
//! the servers still starting. Optional servers never block: callers can take what is ready now
//! and the rest as it arrives.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mcpctl_config::Transport;
use mcpctl_rmcp_client::oauth::OAuthSource;
use mcpctl_rmcp_client::{ClientError, ClientHooks, HttpSpec, McpClient, StdioSpec, Tool};
use tokio::sync::{mpsc, watch};

use crate::error::{CoreError, NotReady, StartFailure};
use crate::policy::{EffectiveServer, EffectiveServers};
use crate::tools_cache::ToolsCache;

/// Startup timeout when a server sets none (`startup_timeout_sec`).
pub const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
/// Tool-call timeout when a server sets none (`tool_timeout_sec`).
pub const DEFAULT_TOOL_TIMEOUT: Duration = Duration::from_secs(60);

/// How to start connections.
#[derive(Debug, Clone)]
pub struct ManagerOptions {
    /// Folder for stdio servers' stderr logs (`<log_dir>/<name>.log`).
    pub log_dir: PathBuf,
    /// Callbacks for elicitation and notifications, shared by every connection.
    pub hooks: ClientHooks,
    /// Start only these servers (all enabled ones when `None`).
    pub only: Option<Vec<String>>,
    /// Where each server's last successful tools list is saved (nothing saved when `None`).
    pub tools_cache: Option<ToolsCache>,
    /// OAuth tokens of HTTP servers, by server name.
    pub oauth: BTreeMap<String, OAuthSource>,
}

/// Where a server is in its startup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerState {
    /// Spawning or connecting, initializing, listing tools.
    Starting,
    /// Connected; its tools are known.
    Ready,
    /// It could not start; the error says why.
    Failed(StartFailure),
    /// Its start was abandoned because a required server failed or mcpctl stopped.
    Cancelled,
}

impl ServerState {
    /// `starting`, `ready`, `failed` or `cancelled`.
    pub fn label(&self) -> &'static str {
        match self {
            ServerState::Starting => "starting",
            ServerState::Ready => "ready",
            ServerState::Failed(_) => "failed",
            ServerState::Cancelled => "cancelled",
        }
    }

    /// True once the state can no longer change.
    pub fn is_settled(&self) -> bool {
        !matches!(self, ServerState::Starting)
    }

    /// Why a settled server is not usable: `None` while starting or once ready.
    pub fn not_ready(&self) -> Option<NotReady> {
        match self {
            ServerState::Failed(why) => Some(NotReady::Failed(why.clone())),
            ServerState::Cancelled => Some(NotReady::Cancelled),
            ServerState::Starting | ServerState::Ready => None,
        }
    }
}

/// One state change, as sent on the updates channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartupUpdate {
    /// The server.
    pub server: String,
    /// Its new state.
    pub state: ServerState,
    /// Time since the manager started.
    pub elapsed: Duration,
}

/// What the manager knows about one server.
#[derive(Clone)]
pub struct ServerConnection {
    /// The server as configured, after policy.
    pub server: EffectiveServer,
    /// Its current state.
    pub state: ServerState,
    /// Time from the manager's start to the last state change.
    pub elapsed: Duration,
    /// The live client, once ready.
    pub client: Option<Arc<McpClient>>,
    /// The server's tools (unfiltered), once ready.
    pub tools: Vec<Tool>,
}

impl std::fmt::Debug for ServerConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConnection")
            .field("server", &self.server.name())
            .field("state", &self.state)
            .field("elapsed", &self.elapsed)
            .field("tools", &self.tools.len())
            .finish()
    }
}

impl ServerConnection {
    /// `(name, version)` from the server's `initialize` answer.
    pub fn server_info(&self) -> Option<(String, String)> {
        let info = self.client.as_ref()?.server_info()?.server_info?;
        Some((info.name, info.version))
    }
}

struct Shared {
    connections: Mutex<BTreeMap<String, ServerConnection>>,
    changed: watch::Sender<u64>,
    cancel: watch::Sender<bool>,
    started: Instant,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, ServerConnection>> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Stores a server's new state (and its client and tools), wakes the waiters and sends the
    /// update.
    fn record(
        &self,
        updates: &mpsc::UnboundedSender<StartupUpdate>,
        name: &str,
        state: ServerState,
        client: Option<Arc<McpClient>>,
        tools: Vec<Tool>,
    ) {
        let elapsed = self.started.elapsed();
        if let Some(connection) = self.lock().get_mut(name) {
            connection.state = state.clone();
            connection.elapsed = elapsed;
            connection.client = client;
            connection.tools = tools;
        }
        self.changed.send_modify(|n| *n += 1);
        let _ = updates.send(StartupUpdate {
            server: name.to_string(),
            state,
            elapsed,
        });
    }
}

/// Connections to every started server; dropping it closes them all (and kills stdio servers).
pub struct ConnectionManager {
    shared: Arc<Shared>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// How servers are connected (with the manager's own hooks), for [`Self::live_client`].
    options: ManagerOptions,
    updates: mpsc::UnboundedSender<StartupUpdate>,
    /// One reconnection at a time, and each server's restart history.
    restarts: tokio::sync::Mutex<BTreeMap<String, Restarts>>,
}

/// The restarts of one server whose connection was lost.
#[derive(Debug, Clone, Copy)]
struct Restarts {
    /// Restarts in a row (reset once a connection has lived [`RESTART_RESET`]).
    count: u32,
    /// When the last one happened.
    at: Instant,
}

/// A connection that lived this long resets the restart count.
pub const RESTART_RESET: Duration = Duration::from_secs(60);
/// The longest wait between two restarts of one server.
pub const RESTART_BACKOFF_MAX: Duration = Duration::from_secs(30);

/// The wait before restart number `count + 1`: none for the first, then 1 s, 2 s, 4 s … up
/// to [`RESTART_BACKOFF_MAX`].
pub fn restart_backoff(count: u32) -> Duration {
    if count == 0 {
        return Duration::ZERO;
    }
    Duration::from_secs(1u64 << (count - 1).min(10)).min(RESTART_BACKOFF_MAX)
}

impl ConnectionManager {
    /// Starts every enabled server in `servers` (or those named in `options.only`) at once.
    ///
    /// Must be called inside a tokio runtime. The receiver gets every state change.
    pub fn start(
        servers: &EffectiveServers,
        options: ManagerOptions,
    ) -> (Self, mpsc::UnboundedReceiver<StartupUpdate>) {
        let (updates, receiver) = mpsc::unbounded_channel();
        let selected: Vec<EffectiveServer> = servers
            .enabled()
            .filter(|s| {
                options
                    .only
                    .as_ref()
                    .is_none_or(|only| only.iter().any(|n| n == s.name().as_str()))
            })
            .cloned()
            .collect();
        let shared = Arc::new(Shared {
            connections: Mutex::new(
                selected
                    .iter()
                    .map(|server| {
                        (
                            server.name().to_string(),
                            ServerConnection {
                                server: server.clone(),
                                state: ServerState::Starting,
                                elapsed: Duration::ZERO,
                                client: None,
                                tools: Vec::new(),
                            },
                        )
                    })
                    .collect(),
            ),
            changed: watch::channel(0).0,
            cancel: watch::channel(false).0,
            started: Instant::now(),
        });
        let options = ManagerOptions {
            hooks: refresh_on_list_changed(
                &shared,
                options.hooks.clone(),
                options.tools_cache.clone(),
            ),
            ..options
        };
        let tasks = selected
            .into_iter()
            .map(|server| {
                let _ = updates.send(StartupUpdate {
                    server: server.name().to_string(),
                    state: ServerState::Starting,
                    elapsed: Duration::ZERO,
                });
                tokio::spawn(run_start(
                    Arc::clone(&shared),
                    server,
                    options.clone(),
                    updates.clone(),
                ))
            })
            .collect();
        (
            Self {
                shared,
                tasks,
                options,
                updates,
                restarts: tokio::sync::Mutex::new(BTreeMap::new()),
            },
            receiver,
        )
    }

    /// The live client of `name`, connecting it again first when its connection has been
    /// lost (a stdio server that crashed, an HTTP session that ended) or its start failed.
    ///
    /// Restarts back off: the first is immediate, each next one within [`RESTART_RESET`] of
    /// the last waits [`restart_backoff`] longer; until then the error is
    /// [`NotReady::BackingOff`], at once, so a caller never waits for it. Concurrent callers
    /// share one restart. A failed restart leaves the server `failed` with its cause; the next
    /// call past the backoff tries again.
    pub async fn live_client(&self, name: &str) -> Result<Arc<McpClient>, CoreError> {
        if let Some(client) = self.client(name)
            && !client.is_closed()
        {
            return Ok(client);
        }
        let not_ready = |state| CoreError::ServerNotReady {
            name: name.to_string(),
            state,
        };
        let mut restarts = self.restarts.lock().await;
        // Another caller may have restarted it while this one waited for the lock.
        let (server, old, failure) = {
            let connections = self.shared.lock();
            let Some(connection) = connections.get(name) else {
                return Err(not_ready(NotReady::NotStarted));
            };
            // A failed start counts as the first attempt (at the time it failed): the next
            // waits its backoff.
            let failure = match (&connection.state, &connection.client) {
                (ServerState::Ready, Some(client)) if !client.is_closed() => {
                    return Ok(Arc::clone(client));
                }
                (ServerState::Ready, _) => None,
                (ServerState::Failed(why), None) => {
                    Some((why.clone(), self.shared.started + connection.elapsed))
                }
                (state, _) => {
                    return Err(not_ready(state.not_ready().unwrap_or(NotReady::Closed)));
                }
            };
            (
                connection.server.clone(),
                connection.client.clone(),
                failure,
            )
        };
        let now = Instant::now();
        let history = match (restarts.get(name), &failure) {
            (Some(last), _) if now.duration_since(last.at) < RESTART_RESET => *last,
            (None, Some((_, at))) if now.duration_since(*at) < RESTART_RESET => {
                Restarts { count: 1, at: *at }
            }
            _ => Restarts { count: 0, at: now },
        };
        let wait = restart_backoff(history.count);
        let due = history.at + wait;
        if history.count > 0 && now < due {
            return Err(not_ready(NotReady::BackingOff {
                restarts: history.count,
                retry_in: due - now,
                failure: failure.map(|(why, _)| why),
            }));
        }
        restarts.insert(
            name.to_string(),
            Restarts {
                count: history.count + 1,
                at: now,
            },
        );
        self.shared
            .record(&self.updates, name, ServerState::Starting, None, Vec::new());
        // The old connection's process group goes first.
        if let Some(old) = old
            && let Ok(old) = Arc::try_unwrap(old)
        {
            old.shutdown().await;
        }
        match connect(&server, &self.options).await {
            Ok((client, tools)) => {
                let client = Arc::new(client);
                self.shared.record(
                    &self.updates,
                    name,
                    ServerState::Ready,
                    Some(Arc::clone(&client)),
                    tools,
                );
                Ok(client)
            }
            Err(error) => {
                let why = StartFailure::new(error);
                self.shared.record(
                    &self.updates,
                    name,
                    ServerState::Failed(why.clone()),
                    None,
                    Vec::new(),
                );
                Err(not_ready(NotReady::Failed(why)))
            }
        }
    }

    /// A copy of every server's current state, sorted by name.
    pub fn snapshot(&self) -> Vec<ServerConnection> {
        self.shared.lock().values().cloned().collect()
    }

    /// The live client of a ready server.
    pub fn client(&self, name: &str) -> Option<Arc<McpClient>> {
        self.shared.lock().get(name).and_then(|c| c.client.clone())
    }

    /// Waits until every required server is ready. When one fails, the servers still starting
    /// are cancelled and the error lists every required server that failed, and why.
    pub async fn wait_for_required(&self) -> Result<(), CoreError> {
        let mut changed = self.shared.changed.subscribe();
        loop {
            let (failed, pending) = {
                let connections = self.shared.lock();
                let required = connections.values().filter(|c| c.server.config().required);
                let mut failed = Vec::new();
                let mut pending = false;
                for connection in required {
                    match &connection.state {
                        ServerState::Failed(why) => failed.push((
                            connection.server.name().to_string(),
                            NotReady::Failed(why.clone()),
                        )),
                        ServerState::Cancelled => {
                            failed
                                .push((connection.server.name().to_string(), NotReady::Cancelled));
                        }
                        ServerState::Starting => pending = true,
                        ServerState::Ready => {}
                    }
                }
                (failed, pending)
            };
            if !failed.is_empty() {
                self.cancel();
                return Err(CoreError::RequiredServersFailed { failures: failed });
            }
            if !pending {
                return Ok(());
            }
            if changed.changed().await.is_err() {
                return Ok(());
            }
        }
    }

    /// Waits until every server is ready, failed or cancelled; returns the final states.
    ///
    /// Required servers fail fast here too: once one has failed, the servers still starting
    /// are cancelled instead of being waited for.
    pub async fn wait_all(&self) -> Vec<ServerConnection> {
        let mut changed = self.shared.changed.subscribe();
        loop {
            let snapshot = self.snapshot();
            if snapshot.iter().all(|c| c.state.is_settled()) {
                return snapshot;
            }
            if snapshot
                .iter()
                .any(|c| c.server.config().required && matches!(c.state, ServerState::Failed(_)))
            {
                self.cancel();
            }
            if changed.changed().await.is_err() {
                return self.snapshot();
            }
        }
    }

    /// The ready connection of `name`, waiting for its start to settle; an error says why it
    /// is not ready.
    pub async fn ready(&self, name: &str) -> Result<ServerConnection, CoreError> {
        let mut changed = self.shared.changed.subscribe();
        loop {
            let connection = self.shared.lock().get(name).cloned();
            match connection {
                None => {
                    return Err(CoreError::ServerNotReady {
                        name: name.to_string(),
                        state: NotReady::NotStarted,
                    });
                }
                Some(c) => match &c.state {
                    ServerState::Ready => return Ok(c),
                    ServerState::Failed(why) => {
                        return Err(CoreError::ServerNotReady {
                            name: name.to_string(),
                            state: NotReady::Failed(why.clone()),
                        });
                    }
                    ServerState::Cancelled => {
                        return Err(CoreError::ServerNotReady {
                            name: name.to_string(),
                            state: NotReady::Cancelled,
                        });
                    }
                    ServerState::Starting => {}
                },
            }
            if changed.changed().await.is_err() {
                continue;
            }
        }
    }

    /// Calls `tool` on the ready server `server` with arguments from `--args JSON` and/or
    /// `KEY=VALUE` pairs, typed and checked by the tool's input schema before anything is sent.
    /// Returns the MCP `CallToolResult` as JSON.
    pub async fn call_tool(
        &self,
        request: &crate::live::CallRequest,
    ) -> Result<serde_json::Value, CoreError> {
        let server = request.server.as_str();
        let tool = request.tool.as_str();
        let connection = self.ready(server).await?;
        let Some(found) = connection.tools.iter().find(|t| t.name == tool) else {
            return Err(CoreError::UnknownTool {
                server: server.to_string(),
                tool: tool.to_string(),
                suggestion: mcpctl_fuzzy_match::did_you_mean(
                    tool,
                    connection.tools.iter().map(|t| t.name.as_ref()),
                )
                .map(str::to_string),
            });
        };
        if let Some(reason) = filtered_reason(&connection.server, tool) {
            return Err(CoreError::ToolFiltered {
                server: server.to_string(),
                tool: tool.to_string(),
                reason,
            });
        }
        let schema = serde_json::Value::Object((*found.input_schema).clone());
        let arguments = crate::tool_args::build_tool_arguments(
            tool,
            &schema,
            request.args_json.as_deref(),
            &request.pairs,
        )?;
        let client = connection.client.ok_or_else(|| CoreError::ServerNotReady {
            name: server.to_string(),
            state: NotReady::Closed,
        })?;
        let result = client
            .call_tool(
                tool,
                arguments,
                request
                    .timeout
                    .unwrap_or_else(|| tool_timeout(&connection.server)),
            )
            .await?;
        serde_json::to_value(&result).map_err(|err| CoreError::Serialize {
            what: "the tool's result",
            message: err.to_string(),
        })
    }

    /// Abandons every start still in progress (their state becomes cancelled).
    pub fn cancel(&self) {
        let _ = self.shared.cancel.send(true);
    }

    /// Closes every connection and kills every stdio server's process group.
    pub async fn shutdown(self) {
        self.cancel();
        for task in &self.tasks {
            task.abort();
        }
        let clients: Vec<Arc<McpClient>> = {
            let mut connections = self.shared.lock();
            connections
                .values_mut()
                .filter_map(|c| c.client.take())
                .collect()
        };
        for client in clients {
            // Only the last holder can await a clean shutdown; others drop their share.
            if let Ok(client) = Arc::try_unwrap(client) {
                client.shutdown().await;
            }
        }
    }
}

impl Drop for ConnectionManager {
    fn drop(&mut self) {
        let _ = self.shared.cancel.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn run_start(
    shared: Arc<Shared>,
    server: EffectiveServer,
    options: ManagerOptions,
    updates: mpsc::UnboundedSender<StartupUpdate>,
) {
    let name = server.name().to_string();
    let mut cancel = shared.cancel.subscribe();
    let outcome = tokio::select! {
        outcome = connect(&server, &options) => Some(outcome),
        _ = cancel.wait_for(|cancelled| *cancelled) => None,
    };
    let (state, client, tools) = match outcome {
        Some(Ok((client, tools))) => {
            if let Some(cache) = &options.tools_cache {
                save_tools(cache, &server, &client, &tools);
            }
            (ServerState::Ready, Some(Arc::new(client)), tools)
        }
        Some(Err(error)) => (
            ServerState::Failed(StartFailure::new(error)),
            None,
            Vec::new(),
        ),
        None => (ServerState::Cancelled, None, Vec::new()),
    };
    shared.record(&updates, &name, state, client, tools);
}

/// Saves a server's tools list; a cache that can't be written only costs the next start time.
fn save_tools(cache: &ToolsCache, server: &EffectiveServer, client: &McpClient, tools: &[Tool]) {
    let info = client
        .server_info()
        .and_then(|info| info.server_info)
        .map(|i| (i.name, i.version));
    let tools: Vec<serde_json::Value> = tools
        .iter()
        .filter_map(|t| serde_json::to_value(t).ok())
        .collect();
    let _ = cache.store(server.name(), server.config(), info, &tools);
}

/// Hooks that, besides the caller's own, keep a server's tools current when it says they
/// changed. The client re-lists (coalesced: a flood of notifications costs a couple of
/// listings) and hands the new list to `tools_listed`.
fn refresh_on_list_changed(
    shared: &Arc<Shared>,
    hooks: ClientHooks,
    cache: Option<ToolsCache>,
) -> ClientHooks {
    let weak = Arc::downgrade(shared);
    let caller = hooks.tools_listed.clone();
    let listed = move |server: &str, tools: Vec<Tool>| {
        let Some(shared) = weak.upgrade() else {
            return;
        };
        let connection = shared.lock().get(server).cloned();
        if let (Some(cache), Some(connection)) = (&cache, &connection)
            && let Some(client) = &connection.client
        {
            save_tools(cache, &connection.server, client, &tools);
        }
        if let Some(caller) = &caller {
            caller(server, tools.clone());
        }
        if let Some(entry) = shared.lock().get_mut(server) {
            entry.tools = tools;
        }
        shared.changed.send_modify(|n| *n += 1);
    };
    ClientHooks {
        tools_listed: Some(Arc::new(listed)),
        ..hooks
    }
}

/// Connects and lists tools, both within the server's startup timeout.
async fn connect(
    server: &EffectiveServer,
    options: &ManagerOptions,
) -> Result<(McpClient, Vec<Tool>), ClientError> {
    let name = server.name().as_str();
    let config = server.config();
    let timeout = config.startup_timeout.unwrap_or(DEFAULT_STARTUP_TIMEOUT);
    let started = Instant::now();
    let hooks = options.hooks.clone();
    let client = match &config.transport {
        Transport::Stdio(mcpctl_config::StdioTransport {
            command,
            args,
            env,
            env_vars,
            cwd,
        }) => {
            let spec = StdioSpec {
                program: command.clone(),
                args: args.clone(),
                env: env.clone(),
                env_vars: env_vars.clone(),
                cwd: cwd.clone(),
                stderr_log: Some(
                    options
                        .log_dir
                        .join(format!("{}.log", mcpctl_private_file::safe_file_name(name))),
                ),
            };
            McpClient::connect_stdio_with_hooks(name, spec, timeout, hooks).await?
        }
        Transport::StreamableHttp(mcpctl_config::HttpTransport {
            url,
            bearer_token_env_var,
            http_headers,
            env_http_headers,
            // Not run yet: mcpctl connects with the static and environment headers only.
            http_headers_helper: _,
            legacy_sse,
        }) => {
            let spec = HttpSpec {
                url: url.clone(),
                headers: http_headers.clone(),
                env_headers: env_http_headers.clone(),
                bearer_token_env_var: bearer_token_env_var.clone(),
                oauth: options.oauth.get(name).cloned(),
                legacy_sse: *legacy_sse,
            };
            McpClient::connect_http_with_hooks(name, spec, timeout, hooks).await?
        }
    };
    // The first tools/list counts against the same startup budget.
    let remaining = timeout.saturating_sub(started.elapsed());
    match tokio::time::timeout(remaining, client.list_tools()).await {
        Ok(Ok(tools)) => Ok((client, tools)),
        Ok(Err(error)) => Err(error),
        Err(_) => Err(ClientError::Timeout {
            server: name.to_string(),
            operation: mcpctl_rmcp_client::Operation::Startup,
            after: timeout,
            stderr: client.stderr_tail(),
        }),
    }
}

/// The timeout of a tool call to `server`.
pub fn tool_timeout(server: &EffectiveServer) -> Duration {
    server.config().tool_timeout.unwrap_or(DEFAULT_TOOL_TIMEOUT)
}

/// The config key that hides `tool`, if one does (`enabled_tools` first, then `disabled_tools`).
pub fn filtered_reason(server: &EffectiveServer, tool: &str) -> Option<String> {
    let key = match crate::tool_names::tool_filter_status(server.config(), tool) {
        crate::tool_names::ToolFilterStatus::Enabled => return None,
        crate::tool_names::ToolFilterStatus::NotInEnabledTools => "enabled_tools",
        crate::tool_names::ToolFilterStatus::InDisabledTools => "disabled_tools",
    };
    Some(mcpctl_config::display_key_path(&[
        "mcp_servers".to_string(),
        server.name().to_string(),
        key.to_string(),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcpctl_config::{Layer, LayerSource, LayerStack, build_config};

    #[test]
    fn restarts_back_off_doubling_up_to_the_cap() {
        let waits: Vec<u64> = (0..9).map(|n| restart_backoff(n).as_secs()).collect();
        assert_eq!(waits, [0, 1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(restart_backoff(u32::MAX), RESTART_BACKOFF_MAX);
    }

    fn servers(tables: &[(&str, &[&str], &str)]) -> EffectiveServers {
        let bin = mcpctl_test_support::test_server_bin().display().to_string();
        let text: String = tables
            .iter()
            .map(|(name, args, extra)| {
                let args: Vec<String> = args.iter().map(|a| format!("{a:?}")).collect();
                format!(
                    "[mcp_servers.{name}]\ncommand = {bin:?}\nargs = [{}]\n{extra}\n",
                    args.join(", ")
                )
            })
            .collect();
        let layer = Layer::parse(LayerSource::User("/t.toml".into()), &text).unwrap();
        let (config, _) = build_config(&LayerStack::new(vec![layer])).unwrap();
        EffectiveServers::resolve(&config, None)
    }

    fn options(dir: &std::path::Path) -> ManagerOptions {
        ManagerOptions {
            log_dir: dir.join("log"),
            hooks: ClientHooks::default(),
            only: None,
            tools_cache: Some(ToolsCache::new(dir.join("cache"))),
            oauth: BTreeMap::new(),
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn failing_required_server_fails_fast_and_cancels_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let servers = servers(&[
            ("needed", &["--crash-on-start"], "required = true"),
            (
                "slow",
                &["--init-delay-ms", "20000"],
                "startup_timeout_sec = 30",
            ),
            ("fine", &[], ""),
        ]);
        let started = Instant::now();
        let (manager, mut updates) = ConnectionManager::start(&servers, options(dir.path()));
        let err = manager.wait_for_required().await.unwrap_err().to_string();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert!(
            err.starts_with(
                "required MCP server failed to start:\n  MCP server 'needed' failed to start: "
            ),
            "{err}"
        );
        let settled = manager.wait_all().await;
        let state = |name: &str| {
            settled
                .iter()
                .find(|c| c.server.name().as_str() == name)
                .map(|c| c.state.label())
        };
        assert_eq!(state("slow"), Some("cancelled"));
        assert_eq!(state("needed"), Some("failed"));
        // Every server reported starting, then its final state.
        let mut seen = Vec::new();
        while let Ok(update) = updates.try_recv() {
            seen.push((update.server, update.state.label()));
        }
        assert!(seen.contains(&("slow".to_string(), "starting")));
        assert!(seen.contains(&("slow".to_string(), "cancelled")));
        manager.shutdown().await;
    }

    #[tokio::test(flavor = "current_thread")]
    async fn optional_servers_never_block_and_tools_are_cached() {
        let dir = tempfile::tempdir().unwrap();
        let servers = servers(&[
            ("fast", &[], "required = true"),
            (
                "slow",
                &["--init-delay-ms", "20000"],
                "startup_timeout_sec = 30",
            ),
        ]);
        let started = Instant::now();
        let (manager, _updates) = ConnectionManager::start(&servers, options(dir.path()));
        manager.wait_for_required().await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
        let snapshot = manager.snapshot();
        let fast = snapshot
            .iter()
            .find(|c| c.server.name().as_str() == "fast")
            .unwrap();
        assert_eq!(fast.state, ServerState::Ready);
        assert!(fast.tools.iter().any(|t| t.name == "echo"));
        let slow = snapshot
            .iter()
            .find(|c| c.server.name().as_str() == "slow")
            .unwrap();
        assert_eq!(slow.state, ServerState::Starting);
        let result = manager
            .call_tool(&crate::live::CallRequest {
                server: "fast".into(),
                tool: "add".into(),
                pairs: vec!["a=1".to_string(), "b=2".to_string()],
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(result["structuredContent"]["sum"], 3.0);
        let cached = ToolsCache::new(dir.path().join("cache"))
            .load(fast.server.name(), fast.server.config())
            .unwrap();
        assert_eq!(cached.tools.len(), fast.tools.len());
        manager.shutdown().await;
    }
}
