//! Commands that talk to running servers: `list --check`, `tools`, `call`, `resources`, `read`,
//! `prompts`. Each starts the servers it needs through `mcpctl_core::ConnectionManager`,
//! renders progress on stderr, and stops every server before returning (also on Ctrl-C).

use std::future::Future;
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use mcpctl_core::{
    AuthStatusStore, ConnectionManager, CoreError, ManagerOptions, ServerConnection, ServerState,
    StartupUpdate, ToolsCache, Workspace, probe_auth_statuses,
};
use mcpctl_rmcp_client::{
    BoxFuture, ClientHooks, DeclineElicitation, DefaultsElicitation, ElicitRequestParams,
    ElicitResult, ElicitationAction, ElicitationHandler,
};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::args::{CallArgs, ElicitMode, ReadArgs, ServerJsonArgs, ToolsArgs};
use crate::live_render as render;

/// Runs `job` on a fresh runtime; Ctrl-C or SIGTERM stops every server and exits 130/143.
pub fn block_on<F>(job: F) -> Result<ExitCode>
where
    F: Future<Output = Result<ExitCode>>,
{
    // One thread: the work is waiting on pipes and sockets, and a single-threaded scheduler
    // hands a reply to its caller without waking another thread (see bench/live.sh).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let outcome = runtime.block_on(async {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .context("cannot install the SIGTERM handler")?;
        tokio::select! {
            result = job => result,
            _ = tokio::signal::ctrl_c() => {
                mcpctl_rmcp_client::kill_all_process_groups();
                eprintln!("\ninterrupted: stopped every server");
                Ok(ExitCode::from(130))
            }
            _ = terminate.recv() => {
                mcpctl_rmcp_client::kill_all_process_groups();
                Ok(ExitCode::from(143))
            }
        }
    });
    // Dropping the runtime drops every connection, which kills stdio servers' process groups.
    runtime.shutdown_timeout(Duration::from_secs(2));
    mcpctl_rmcp_client::kill_all_process_groups();
    outcome
}

fn start(
    workspace: &Workspace,
    only: Option<Vec<String>>,
    hooks: ClientHooks,
) -> (ConnectionManager, mpsc::UnboundedReceiver<StartupUpdate>) {
    ConnectionManager::start(
        workspace.servers(),
        ManagerOptions {
            log_dir: workspace.paths().log_dir(),
            hooks,
            only,
            tools_cache: Some(ToolsCache::in_home(workspace.paths().home())),
        },
    )
}

/// Refuses a server that is unknown or disabled, before anything starts.
fn require_enabled(workspace: &Workspace, name: &str) -> Result<(), CoreError> {
    let server = workspace.server(name)?;
    if let mcpctl_core::ServerStatus::Disabled(reason) = server.status() {
        return Err(CoreError::ServerDisabled {
            name: name.to_string(),
            reason: reason.label(),
        });
    }
    Ok(())
}

/// Renders startup progress on stderr until every server has settled.
///
/// On a terminal: one line per server, redrawn with a ticking elapsed time. Otherwise: one
/// line per settled server.
async fn show_progress(
    mut updates: mpsc::UnboundedReceiver<StartupUpdate>,
    names: Vec<String>,
    quiet: bool,
) {
    let live = std::io::stderr().is_terminal() && !quiet;
    let started = Instant::now();
    let mut states: Vec<(String, ServerState, Duration)> = names
        .into_iter()
        .map(|n| (n, ServerState::Starting, Duration::ZERO))
        .collect();
    let width = states.iter().map(|(n, _, _)| n.len()).max().unwrap_or(0);
    let mut drawn = false;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            update = updates.recv() => {
                let Some(update) = update else { break };
                if let Some(entry) = states.iter_mut().find(|(n, _, _)| *n == update.server) {
                    entry.1 = update.state.clone();
                    entry.2 = update.elapsed;
                }
                if !live && !quiet && update.state.is_settled() {
                    eprintln!("{}", progress_line(&update.server, &update.state, update.elapsed, width));
                }
            }
            _ = tick.tick() => {}
        }
        if live {
            let mut err = std::io::stderr().lock();
            if drawn {
                let _ = write!(err, "\x1b[{}A", states.len());
            }
            for (name, state, elapsed) in &states {
                let shown = if state.is_settled() {
                    *elapsed
                } else {
                    started.elapsed()
                };
                let _ = writeln!(err, "\x1b[2K{}", progress_line(name, state, shown, width));
            }
            drawn = true;
        }
        if states.iter().all(|(_, s, _)| s.is_settled()) {
            break;
        }
    }
}

fn progress_line(name: &str, state: &ServerState, elapsed: Duration, width: usize) -> String {
    let mark = match state {
        ServerState::Starting => "…",
        ServerState::Ready => "✓",
        ServerState::Failed(_) => "✗",
        ServerState::Cancelled => "-",
    };
    format!(
        "  {mark} {name:<width$}  {:<9}  {:>6.2}s",
        state.label(),
        elapsed.as_secs_f64()
    )
}

/// How long `list --check` waits for OAuth discovery of HTTP servers.
const AUTH_PROBE_DEADLINE: Duration = Duration::from_secs(3);

/// `mcpctl list --check`.
pub async fn list_check(workspace: &Workspace, json: bool) -> Result<ExitCode> {
    let (manager, updates) = start(workspace, None, ClientHooks::default());
    let names = manager
        .snapshot()
        .iter()
        .map(|c| c.server.name().to_string())
        .collect();
    let progress = tokio::spawn(show_progress(updates, names, json));
    // OAuth discovery of HTTP servers runs beside the startups, bounded by one short deadline.
    let (connections, probed) = tokio::join!(
        manager.wait_all(),
        probe_auth_statuses(workspace.servers(), AUTH_PROBE_DEADLINE)
    );
    let _ = progress.await;
    let store = AuthStatusStore::in_home(workspace.paths().home());
    let recorded: Vec<_> = probed
        .into_iter()
        .filter_map(|(name, status)| {
            let server = workspace.servers().get(name.as_str())?;
            match &server.config().transport {
                mcpctl_config::Transport::StreamableHttp(mcpctl_config::HttpTransport {
                    url,
                    ..
                }) => Some((name, url.clone(), status)),
                mcpctl_config::Transport::Stdio(_) => None,
            }
        })
        .collect();
    if let Err(err) = store.record(&recorded) {
        eprintln!("warning: cannot remember auth statuses: {err}");
    }
    let auth = store.load();
    let required_failed: Vec<&ServerConnection> = connections
        .iter()
        .filter(|c| c.server.config().required && !matches!(c.state, ServerState::Ready))
        .collect();
    if json {
        println!("{}", render::check_json(workspace, &connections, &auth));
    } else {
        print!("{}", render::check_table(workspace, &connections, &auth));
    }
    let failed = !required_failed.is_empty();
    if failed {
        let names: Vec<&str> = required_failed
            .iter()
            .map(|c| c.server.name().as_str())
            .collect();
        eprintln!("error: required MCP server(s) failed: {}", names.join(", "));
    }
    manager.shutdown().await;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `mcpctl tools [SERVER]`.
pub async fn tools(workspace: &Workspace, args: &ToolsArgs) -> Result<ExitCode> {
    if let Some(name) = &args.server {
        require_enabled(workspace, name)?;
    }
    if args.cached {
        return cached_tools(workspace, args);
    }
    let (manager, updates) = start(
        workspace,
        args.server.clone().map(|s| vec![s]),
        ClientHooks::default(),
    );
    // `tools` prints only its result; failures become warnings below.
    drop(updates);
    let connections = manager.wait_all().await;
    for connection in &connections {
        if let ServerState::Failed(why) = &connection.state {
            eprintln!(
                "warning: MCP server '{}' failed to start: {why}",
                connection.server.name()
            );
        }
    }
    let mut entries = render::tool_entries(&connections);
    if let Some(query) = &args.search {
        entries = render::rank_tools(entries, query);
    }
    if args.json {
        println!("{}", render::tools_json(&entries));
    } else {
        print!("{}", render::tools_table(&entries, args.search.is_some()));
    }
    let failed_requested = args.server.is_some()
        && connections
            .iter()
            .any(|c| !matches!(c.state, ServerState::Ready));
    manager.shutdown().await;
    Ok(if failed_requested {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `mcpctl tools --cached`: the last tools lists saved on disk, without starting anything.
fn cached_tools(workspace: &Workspace, args: &ToolsArgs) -> Result<ExitCode> {
    let cache = ToolsCache::in_home(workspace.paths().home());
    let mut missing = Vec::new();
    let mut cached = Vec::new();
    for server in workspace.servers().enabled() {
        if args
            .server
            .as_deref()
            .is_some_and(|only| only != server.name().as_str())
        {
            continue;
        }
        match cache.load(server.name(), server.config()) {
            Some(tools) => cached.push((server.clone(), tools.tools)),
            None => missing.push(server.name().to_string()),
        }
    }
    if !missing.is_empty() {
        eprintln!(
            "note: no cached tools for {} (run `mcpctl tools` once to fill the cache)",
            missing.join(", ")
        );
    }
    let mut entries = render::cached_tool_entries(&cached);
    if let Some(query) = &args.search {
        entries = render::rank_tools(entries, query);
    }
    if args.json {
        println!("{}", render::tools_json(&entries));
    } else {
        print!("{}", render::tools_table(&entries, args.search.is_some()));
    }
    Ok(ExitCode::SUCCESS)
}

/// Asks the user on the terminal for each field of an elicitation request.
struct TerminalElicitation;

impl ElicitationHandler for TerminalElicitation {
    fn elicit<'a>(
        &'a self,
        server: &'a str,
        request: ElicitRequestParams,
    ) -> BoxFuture<'a, ElicitResult> {
        let server = server.to_string();
        Box::pin(async move {
            let request = serde_json::to_value(&request).unwrap_or(Value::Null);
            tokio::task::spawn_blocking(move || ask_on_terminal(&server, &request))
                .await
                .unwrap_or_else(|_| ElicitResult::new(ElicitationAction::Cancel))
        })
    }
}

fn ask_on_terminal(server: &str, request: &Value) -> ElicitResult {
    let message = request.get("message").and_then(Value::as_str).unwrap_or("");
    eprintln!("\nMCP server '{server}' asks: {message}");
    let Some(properties) = request
        .pointer("/requestedSchema/properties")
        .and_then(Value::as_object)
    else {
        return ElicitResult::new(ElicitationAction::Decline);
    };
    eprintln!("(press Enter for the default; type :decline or :cancel to refuse)");
    let mut content = serde_json::Map::new();
    for (name, property) in properties {
        let title = property
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or(name);
        let default = property.get("default");
        let kind = property
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("string");
        loop {
            let shown_default = default.map(|d| format!(" [{d}]")).unwrap_or_default();
            eprint!("  {title} ({kind}){shown_default}: ");
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            if std::io::stdin().read_line(&mut line).unwrap_or(0) == 0 {
                return ElicitResult::new(ElicitationAction::Cancel);
            }
            let line = line.trim();
            match line {
                ":decline" => return ElicitResult::new(ElicitationAction::Decline),
                ":cancel" => return ElicitResult::new(ElicitationAction::Cancel),
                "" => {
                    if let Some(d) = default {
                        content.insert(name.clone(), d.clone());
                    }
                    break;
                }
                text => {
                    let value = match kind {
                        "number" | "integer" => serde_json::from_str::<Value>(text)
                            .ok()
                            .filter(Value::is_number),
                        "boolean" => match text {
                            "true" | "yes" | "y" => Some(Value::Bool(true)),
                            "false" | "no" | "n" => Some(Value::Bool(false)),
                            _ => None,
                        },
                        _ => Some(Value::String(text.to_string())),
                    };
                    match value {
                        Some(value) => {
                            content.insert(name.clone(), value);
                            break;
                        }
                        None => eprintln!("    expected a {kind}; try again"),
                    }
                }
            }
        }
    }
    ElicitResult::new(ElicitationAction::Accept).with_content(Value::Object(content))
}

fn elicitation_hooks(mode: Option<ElicitMode>) -> ClientHooks {
    let handler: Arc<dyn ElicitationHandler> = match mode {
        Some(ElicitMode::Defaults) => Arc::new(DefaultsElicitation),
        Some(ElicitMode::Decline) => Arc::new(DeclineElicitation),
        None if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => {
            Arc::new(TerminalElicitation)
        }
        None => Arc::new(DeclineElicitation),
    };
    // Progress goes to stderr on a terminal only; scripts get just the result.
    let progress: Option<mcpctl_rmcp_client::ProgressHook> =
        std::io::stderr()
            .is_terminal()
            .then(|| -> mcpctl_rmcp_client::ProgressHook {
                Arc::new(
                    |server: &str, p: &mcpctl_rmcp_client::ProgressNotificationParam| {
                        let total = p.total.map(|t| format!("/{t}")).unwrap_or_default();
                        let message = p.message.as_deref().unwrap_or("");
                        eprintln!("  {server}: progress {}{total} {message}", p.progress);
                    },
                )
            });
    ClientHooks {
        elicitation: Some(handler),
        progress,
        ..ClientHooks::default()
    }
}

/// `mcpctl call SERVER TOOL ...`: exit 1 when the result has `isError`.
pub async fn call(workspace: &Workspace, args: &CallArgs) -> Result<ExitCode> {
    require_enabled(workspace, &args.server)?;
    let (manager, updates) = start(
        workspace,
        Some(vec![args.server.clone()]),
        elicitation_hooks(args.elicit),
    );
    drop(updates);
    let result = manager
        .call_tool(&args.server, &args.tool, args.args.as_deref(), &args.params)
        .await;
    manager.shutdown().await;
    let result = result?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        let dir = save_dir(args.save_dir.as_deref())?;
        print!("{}", render::call_result(&result, &dir, &args.tool)?);
    }
    let is_error = result.get("isError").and_then(Value::as_bool) == Some(true);
    Ok(if is_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn save_dir(dir: Option<&Path>) -> Result<PathBuf> {
    let dir = match dir {
        Some(dir) => dir.to_path_buf(),
        None => std::env::temp_dir().join("mcpctl"),
    };
    Ok(dir)
}

async fn one_server(
    workspace: &Workspace,
    name: &str,
) -> Result<(ConnectionManager, ServerConnection)> {
    require_enabled(workspace, name)?;
    let (manager, updates) = start(
        workspace,
        Some(vec![name.to_string()]),
        ClientHooks::default(),
    );
    drop(updates);
    let connection = manager.ready(name).await;
    match connection {
        Ok(connection) => Ok((manager, connection)),
        Err(err) => {
            manager.shutdown().await;
            Err(err.into())
        }
    }
}

/// `mcpctl resources SERVER`.
pub async fn resources(workspace: &Workspace, args: &ServerJsonArgs) -> Result<ExitCode> {
    let (manager, connection) = one_server(workspace, &args.server).await?;
    let Some(client) = connection.client.clone() else {
        bail!("MCP server '{}' is not connected", args.server);
    };
    let resources = client.list_resources().await;
    let templates = client.list_resource_templates().await.unwrap_or_default();
    manager.shutdown().await;
    let resources = serde_json::to_value(resources.map_err(CoreError::from)?)?;
    let templates = serde_json::to_value(templates)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &json!({"resources": resources, "resourceTemplates": templates})
            )?
        );
    } else {
        print!("{}", render::resources_table(&resources, &templates));
    }
    Ok(ExitCode::SUCCESS)
}

/// `mcpctl read SERVER URI`.
pub async fn read(workspace: &Workspace, args: &ReadArgs) -> Result<ExitCode> {
    let (manager, connection) = one_server(workspace, &args.server).await?;
    let Some(client) = connection.client.clone() else {
        bail!("MCP server '{}' is not connected", args.server);
    };
    let result = client.read_resource(&args.uri).await;
    manager.shutdown().await;
    let result = serde_json::to_value(result.map_err(CoreError::from)?)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        let dir = save_dir(args.save_dir.as_deref())?;
        print!("{}", render::resource_contents(&result, &dir)?);
    }
    Ok(ExitCode::SUCCESS)
}

/// `mcpctl prompts SERVER`.
pub async fn prompts(workspace: &Workspace, args: &ServerJsonArgs) -> Result<ExitCode> {
    let (manager, connection) = one_server(workspace, &args.server).await?;
    let Some(client) = connection.client.clone() else {
        bail!("MCP server '{}' is not connected", args.server);
    };
    let prompts = client.list_prompts().await;
    manager.shutdown().await;
    let prompts = serde_json::to_value(prompts.map_err(CoreError::from)?)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&prompts)?);
    } else {
        print!("{}", render::prompts_table(&prompts));
    }
    Ok(ExitCode::SUCCESS)
}
