//! Threads: sessions that hold live MCP connections (`thread/start`, `thread/resume`,
//! `mcpServer/tool/call`), their startup notifications and elicitation round trips.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use mcpctl_app_server_protocol::{
    FailedServer, INTERNAL_ERROR, JsonRpcError, McpServerElicitationRequestParams,
    McpServerStartupFailureReason, McpServerStartupState, McpServerStatusUpdatedNotification,
    McpServerToolCallParams, Thread, ThreadMcpServer, ThreadResumeParams, ThreadStartParams,
    ThreadStartResponse,
};
use mcpctl_core::client::{
    BoxFuture, ClientHooks, ElicitRequestParams, ElicitResult, ElicitationAction,
    ElicitationHandler,
};
use mcpctl_core::{CallRequest, ConnectionManager, CoreError, ServerState, StartupUpdate};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::config_methods::to_value;
use crate::error::{internal, invalid};
use crate::outgoing::{Outgoing, now_ms};
use crate::server::State;

/// One thread: its connections and what `thread/resume` reports.
pub(crate) struct ThreadSession {
    id: String,
    cwd: String,
    created_at: u64,
    pub(crate) manager: ConnectionManager,
}

/// Every live thread, by id.
#[derive(Default)]
pub(crate) struct Threads {
    map: Mutex<HashMap<String, Arc<ThreadSession>>>,
    next: AtomicU64,
}

impl Threads {
    pub(crate) fn get(&self, id: &str) -> Result<Arc<ThreadSession>, JsonRpcError> {
        self.map
            .lock()
            .map_err(internal)?
            .get(id)
            .cloned()
            .ok_or_else(|| {
                invalid(
                    "threadId",
                    format!("no thread `{id}`; start one with thread/start"),
                )
            })
    }

    /// Stops every thread's servers (EOF or shutdown).
    pub(crate) async fn close_all(&self) {
        let sessions: Vec<_> = match self.map.lock() {
            Ok(mut map) => map.drain().map(|(_, s)| s).collect(),
            Err(_) => return,
        };
        for session in sessions {
            session.manager.cancel();
            if let Ok(session) = Arc::try_unwrap(session) {
                session.manager.shutdown().await;
            }
        }
    }
}

fn startup_state(state: &ServerState) -> McpServerStartupState {
    match state {
        ServerState::Starting => McpServerStartupState::Starting,
        ServerState::Ready => McpServerStartupState::Ready,
        ServerState::Failed(_) => McpServerStartupState::Failed,
        ServerState::Cancelled => McpServerStartupState::Cancelled,
    }
}

fn status_notification(
    thread_id: &str,
    update: &StartupUpdate,
) -> McpServerStatusUpdatedNotification {
    let (error, failure_reason) = match &update.state {
        ServerState::Failed(why) => (
            Some(why.to_string()),
            matches!(
                why.error(),
                mcpctl_rmcp_client::ClientError::NeedsLogin { .. }
            )
            .then_some(McpServerStartupFailureReason::ReauthenticationRequired),
        ),
        _ => (None, None),
    };
    McpServerStatusUpdatedNotification {
        name: update.server.clone(),
        thread_id: Some(thread_id.to_string()),
        status: startup_state(&update.state),
        error,
        failure_reason,
        emitted_at_ms: 0,
    }
}

fn notify_status(out: &Outgoing, thread_id: &str, update: &StartupUpdate) {
    let mut value =
        serde_json::to_value(status_notification(thread_id, update)).unwrap_or_default();
    if let Value::Object(map) = &mut value {
        map.remove("emittedAtMs");
    }
    out.notify("mcpServer/startupStatus/updated", value);
}

fn now_secs() -> u64 {
    now_ms() / 1000
}

fn response(session: &ThreadSession) -> Result<Value, JsonRpcError> {
    let servers = session
        .manager
        .snapshot()
        .iter()
        .map(|c| ThreadMcpServer {
            name: c.server.name().to_string(),
            status: startup_state(&c.state),
            error: c.state.not_ready().map(|why| why.to_string()),
        })
        .collect();
    to_value(ThreadStartResponse {
        thread: Thread {
            id: session.id.clone(),
            session_id: session.id.clone(),
            cwd: session.cwd.clone(),
            created_at: session.created_at,
            updated_at: now_secs(),
            cli_version: env!("CARGO_PKG_VERSION").to_string(),
            ephemeral: true,
            preview: String::new(),
            turns: Vec::new(),
        },
        cwd: session.cwd.clone(),
        mcp_servers: servers,
    })
}

pub(crate) async fn start(state: &State, params: ThreadStartParams) -> Result<Value, JsonRpcError> {
    let workspace = state.workspace()?;
    if let Some(only) = &params.mcp_servers {
        for (i, name) in only.iter().enumerate() {
            workspace
                .require_enabled(name)
                .map_err(|e| invalid(&format!("mcpServers[{i}]"), e))?;
        }
    }
    let n = state.threads.next.fetch_add(1, Ordering::Relaxed) + 1;
    let id = format!("thr_{:x}_{n}", now_ms());
    let hooks = ClientHooks {
        elicitation: Some(Arc::new(ClientElicitation {
            out: state.out.clone(),
            thread_id: id.clone(),
        })),
        ..ClientHooks::default()
    };
    let (manager, mut updates) = workspace.start_servers(params.mcp_servers.clone(), hooks);
    let waited = {
        let wait = manager.wait_for_required();
        tokio::pin!(wait);
        loop {
            tokio::select! {
                result = &mut wait => break result,
                Some(update) = updates.recv() => notify_status(&state.out, &id, &update),
            }
        }
    };
    // Everything that happened before the answer is reported before it.
    while let Ok(update) = updates.try_recv() {
        notify_status(&state.out, &id, &update);
    }
    if let Err(err) = waited {
        return Err(match err {
            CoreError::RequiredServersFailed { failures } => {
                let causes: Vec<String> = failures
                    .iter()
                    .map(|(name, why)| format!("{name}: {why}"))
                    .collect();
                let data: Vec<FailedServer> = failures
                    .iter()
                    .map(|(name, why)| FailedServer {
                        name: name.clone(),
                        error: why.to_string(),
                    })
                    .collect();
                JsonRpcError::new(
                    INTERNAL_ERROR,
                    format!(
                        "error creating thread: required MCP servers failed to initialize: {}",
                        causes.join("; ")
                    ),
                )
                .with_data(json!({ "failedServers": data }))
            }
            other => JsonRpcError::new(INTERNAL_ERROR, format!("error creating thread: {other}")),
        });
    }
    forward_updates(state.out.clone(), id.clone(), updates);
    let session = Arc::new(ThreadSession {
        id: id.clone(),
        cwd: params
            .cwd
            .unwrap_or_else(|| state.load.cwd.display().to_string()),
        created_at: now_secs(),
        manager,
    });
    state
        .threads
        .map
        .lock()
        .map_err(internal)?
        .insert(id, Arc::clone(&session));
    response(&session)
}

fn forward_updates(out: Outgoing, id: String, mut updates: mpsc::UnboundedReceiver<StartupUpdate>) {
    tokio::spawn(async move {
        while let Some(update) = updates.recv().await {
            notify_status(&out, &id, &update);
        }
    });
}

pub(crate) fn resume(state: &State, params: ThreadResumeParams) -> Result<Value, JsonRpcError> {
    let session = state.threads.get(&params.thread_id)?;
    response(&session)
}

pub(crate) async fn tool_call(
    state: &State,
    params: McpServerToolCallParams,
) -> Result<Value, JsonRpcError> {
    let session = state.threads.get(&params.thread_id)?;
    let args_json = match params.arguments {
        None | Some(Value::Null) => None,
        Some(value @ Value::Object(_)) => Some(value.to_string()),
        Some(_) => return Err(invalid("arguments", "expected an object")),
    };
    let request = CallRequest {
        server: params.server,
        tool: params.tool,
        args_json,
        pairs: Vec::new(),
        timeout: None,
    };
    session.manager.call_tool(&request).await.map_err(internal)
}

/// Forwards a server's elicitation to the client as `mcpServer/elicitation/request` and
/// returns the client's answer; `serverRequest/resolved` follows either way.
struct ClientElicitation {
    out: Outgoing,
    thread_id: String,
}

impl ElicitationHandler for ClientElicitation {
    fn elicit<'a>(
        &'a self,
        server: &'a str,
        request: ElicitRequestParams,
    ) -> BoxFuture<'a, ElicitResult> {
        Box::pin(async move {
            let params = McpServerElicitationRequestParams {
                thread_id: Some(self.thread_id.clone()),
                server_name: server.to_string(),
                request: serde_json::to_value(&request).unwrap_or_default(),
            };
            let (id, answer) = self.out.request("mcpServer/elicitation/request", params);
            let result = match answer.await {
                Ok(Ok(value)) => serde_json::from_value::<ElicitResult>(value)
                    .unwrap_or_else(|_| ElicitResult::new(ElicitationAction::Decline)),
                // An error answer, or the client went away.
                _ => ElicitResult::new(ElicitationAction::Cancel),
            };
            self.out.notify(
                "serverRequest/resolved",
                json!({"threadId": self.thread_id, "requestId": id}),
            );
            result
        })
    }
}
