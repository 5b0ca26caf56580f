//! The read loop: classify each line, answer `initialize` in order, run every other request as
//! its own task, and on EOF or `shutdown` cancel the work and stop every server.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use mcpctl_app_server_protocol::{
    INVALID_REQUEST, InitializeParams, InitializeResponse, JsonRpcError, PARSE_ERROR, RequestId,
};
use mcpctl_core::{LoadOptions, Workspace};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, BufWriter};
use tokio::task::JoinSet;

use crate::error::{AppServerError, internal, parse_params};
use crate::outgoing::Outgoing;
use crate::threads::Threads;

/// How the server loads its configuration.
#[derive(Debug, Clone)]
pub struct AppServerOptions {
    /// Where the config layers are, and the `-c` flags given to `mcpctl app-server`.
    pub load: LoadOptions,
}

/// What every handler shares.
pub(crate) struct State {
    pub(crate) load: LoadOptions,
    /// The workspace as last loaded; `Err` holds the load error's text (a broken config is
    /// reported per request, never crashes the server).
    workspace: RwLock<Result<Arc<Workspace>, String>>,
    pub(crate) out: Outgoing,
    pub(crate) threads: Threads,
    /// Serialises config writes with the reload that follows them.
    pub(crate) write_lock: tokio::sync::Mutex<()>,
    pub(crate) logins: Mutex<u64>,
    /// Answers kept while their inputs are unchanged (`config/read`, `mcpServerStatus/list`).
    pub(crate) memo: crate::memo::Memo,
    /// Work that outlives its request (logins waiting for the browser), aborted at exit.
    background: Mutex<Vec<tokio::task::AbortHandle>>,
}

impl State {
    /// Remembers a background task so that exit aborts it.
    pub(crate) fn track(&self, handle: tokio::task::AbortHandle) {
        if let Ok(mut tasks) = self.background.lock() {
            tasks.retain(|t| !t.is_finished());
            tasks.push(handle);
        }
    }

    /// The current workspace, or the load error as a JSON-RPC error.
    pub(crate) fn workspace(&self) -> Result<Arc<Workspace>, JsonRpcError> {
        match &*self.workspace.read().map_err(internal)? {
            Ok(workspace) => Ok(Arc::clone(workspace)),
            Err(message) => Err(internal(message)),
        }
    }

    /// Loads the config again from disk (after a write, or `config/mcpServer/reload`).
    pub(crate) fn reload(&self) -> Result<Arc<Workspace>, JsonRpcError> {
        let loaded = Workspace::load(self.load.clone())
            .map(Arc::new)
            .map_err(|e| e.to_string());
        let result = loaded.clone();
        if let Ok(mut slot) = self.workspace.write() {
            *slot = loaded;
        }
        result.map_err(internal)
    }
}

/// Serves one client on `input`/`output` until EOF or `shutdown`, then stops every server it
/// started. Returns an error only when the pipes themselves fail.
pub async fn run<R, W>(options: AppServerOptions, input: R, output: W) -> Result<(), AppServerError>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (out, mut lines) = Outgoing::new();
    let writer = tokio::spawn(async move {
        let mut output = BufWriter::new(output);
        while let Some(line) = lines.recv().await {
            output.write_all(line.as_bytes()).await?;
            output.write_all(b"\n").await?;
            // Flush only when nothing else is queued: pipelined answers go out in one write.
            if lines.is_empty() {
                output.flush().await?;
            }
        }
        output.flush().await
    });
    let state = Arc::new(State {
        workspace: RwLock::new(
            Workspace::load(options.load.clone())
                .map(Arc::new)
                .map_err(|e| e.to_string()),
        ),
        load: options.load,
        out: out.clone(),
        threads: Threads::default(),
        write_lock: tokio::sync::Mutex::new(()),
        logins: Mutex::new(0),
        memo: crate::memo::Memo::default(),
        background: Mutex::new(Vec::new()),
    });
    let initialized = AtomicBool::new(false);
    let mut tasks = JoinSet::new();
    let mut reader = BufReader::new(input).lines();
    let read_result = loop {
        // Reap finished tasks so the set does not grow with every request.
        while tasks.try_join_next().is_some() {}
        let line = match reader.next_line().await {
            Ok(Some(line)) => line,
            Ok(None) => break Ok(()),
            Err(source) => {
                break Err(AppServerError::Io {
                    action: "read",
                    source,
                });
            }
        };
        match handle_line(&state, &initialized, &line) {
            Line::Ignore => {}
            Line::Shutdown(id) => {
                out.respond(&id, Ok(Value::Object(Default::default())));
                break Ok(());
            }
            Line::Spawn(id, method, params) => {
                let state = Arc::clone(&state);
                tasks.spawn(async move {
                    let result = crate::dispatch::dispatch(&state, &method, params).await;
                    state.out.answer(&id, result);
                });
            }
        }
    };
    tasks.shutdown().await;
    if let Ok(background) = state.background.lock() {
        background.iter().for_each(tokio::task::AbortHandle::abort);
    }
    state.threads.close_all().await;
    mcpctl_core::client::kill_all_process_groups();
    drop(state);
    drop(out);
    match writer.await {
        Ok(Ok(())) | Err(_) => {}
        Ok(Err(source)) => {
            return Err(AppServerError::Io {
                action: "write",
                source,
            });
        }
    }
    read_result
}

enum Line {
    Ignore,
    Shutdown(RequestId),
    Spawn(RequestId, String, Option<Value>),
}

fn handle_line(state: &State, initialized: &AtomicBool, line: &str) -> Line {
    let out = &state.out;
    if line.trim().is_empty() {
        return Line::Ignore;
    }
    let message: Value = match serde_json::from_str(line) {
        Ok(value) => value,
        Err(err) => {
            out.error_without_id(JsonRpcError::new(
                PARSE_ERROR,
                format!("parse error: the line is not JSON ({err}); send one JSON object per line"),
            ));
            return Line::Ignore;
        }
    };
    let Value::Object(mut message) = message else {
        out.error_without_id(JsonRpcError::new(
            INVALID_REQUEST,
            "invalid request: expected a JSON object (batches are not supported)",
        ));
        return Line::Ignore;
    };
    let id = message.remove("id");
    let method = message.remove("method");
    let params = message.remove("params");
    let (id, method) = match (id, method) {
        // A notification from the client: only `initialized` means something, and nothing
        // answers a notification.
        (None, Some(_)) => return Line::Ignore,
        (Some(id), None) => {
            if message.contains_key("result") || message.contains_key("error") {
                let answer = match message.remove("error") {
                    Some(error) => Err(error),
                    None => Ok(message.remove("result").unwrap_or(Value::Null)),
                };
                out.resolve(&id, answer);
            } else {
                reply_invalid(out, &id, "invalid request: a request needs `method`");
            }
            return Line::Ignore;
        }
        (Some(id), Some(method)) => (id, method),
        (None, None) => {
            out.error_without_id(JsonRpcError::new(
                INVALID_REQUEST,
                "invalid request: neither `method` nor `id`",
            ));
            return Line::Ignore;
        }
    };
    let Ok(id) = serde_json::from_value::<RequestId>(id) else {
        out.error_without_id(JsonRpcError::new(
            INVALID_REQUEST,
            "invalid request: `id` must be a number or a string",
        ));
        return Line::Ignore;
    };
    let Value::String(method) = method else {
        reply_invalid(
            out,
            &Value::from(id.to_string()),
            "invalid request: `method` must be a string",
        );
        return Line::Ignore;
    };
    if method == "initialize" {
        if initialized.load(Ordering::Relaxed) {
            out.respond(
                &id,
                Err(JsonRpcError::new(INVALID_REQUEST, "Already initialized")),
            );
        } else {
            let result = initialize(state, params);
            if result.is_ok() {
                initialized.store(true, Ordering::Relaxed);
            }
            out.respond(&id, result);
        }
        return Line::Ignore;
    }
    if !initialized.load(Ordering::Relaxed) {
        out.respond(
            &id,
            Err(JsonRpcError::new(INVALID_REQUEST, "Not initialized")),
        );
        return Line::Ignore;
    }
    if method == "shutdown" {
        return Line::Shutdown(id);
    }
    Line::Spawn(id, method, params)
}

fn reply_invalid(out: &Outgoing, id: &Value, message: &str) {
    match serde_json::from_value::<RequestId>(id.clone()) {
        Ok(id) => out.respond(&id, Err(JsonRpcError::new(INVALID_REQUEST, message))),
        Err(_) => out.error_without_id(JsonRpcError::new(INVALID_REQUEST, message)),
    }
}

fn initialize(state: &State, params: Option<Value>) -> Result<Value, JsonRpcError> {
    let params: InitializeParams = parse_params(params)?;
    let client = &params.client_info;
    let response = InitializeResponse {
        user_agent: format!(
            "mcpctl/{} ({}; {}) {}/{}",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH,
            client.name,
            client.version
        ),
        codex_home: state.load.paths.home().display().to_string(),
        platform_family: std::env::consts::FAMILY.to_string(),
        platform_os: std::env::consts::OS.to_string(),
    };
    serde_json::to_value(response).map_err(internal)
}
