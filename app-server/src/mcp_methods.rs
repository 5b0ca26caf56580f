//! `mcpServerStatus/list`, `mcpServer/oauth/login` and `mcpServer/resource/read`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use mcpctl_app_server_protocol::{
    JsonRpcError, ListMcpServerStatusParams, ListMcpServerStatusResponse, McpAuthStatus,
    McpResourceReadParams, McpResourceReadResponse, McpServerConnectionStatus, McpServerInfo,
    McpServerOauthClientRegistration, McpServerOauthLoginCompletedNotification,
    McpServerOauthLoginParams, McpServerOauthLoginResponse, McpServerStatus, McpServerStatusDetail,
};
use mcpctl_core::client::ClientHooks;
use mcpctl_core::{
    AuthStatus, BrowserMode, LoginEvent, LoginOptions, RegistrationMode, ServerConnection,
    ServerState, ServerStatus, Transport, Workspace, read_resource,
};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::config_methods::{raw, to_value};
use crate::error::{internal, invalid};
use crate::memo::Inputs;
use crate::outgoing::Answer;
use crate::server::State;

const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

fn auth(status: AuthStatus) -> McpAuthStatus {
    match status {
        AuthStatus::Unsupported => McpAuthStatus::Unsupported,
        AuthStatus::Unknown => McpAuthStatus::Unknown,
        AuthStatus::NotLoggedIn => McpAuthStatus::NotLoggedIn,
        AuthStatus::BearerToken => McpAuthStatus::BearerToken,
        AuthStatus::OAuth => McpAuthStatus::OAuth,
    }
}

fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    Some(format!("{scheme}://{host}"))
}

fn tool_map(tools: impl IntoIterator<Item = Value>) -> BTreeMap<String, Value> {
    tools
        .into_iter()
        .filter_map(|tool| Some((tool.get("name")?.as_str()?.to_string(), tool)))
        .collect()
}

pub(crate) async fn status_list(
    state: &State,
    params: ListMcpServerStatusParams,
) -> Result<Answer, JsonRpcError> {
    let workspace = state.workspace()?;
    if params.thread_id.is_some() {
        // Live connections change under the answer: built every time.
        return status_page(state, &workspace, &params)
            .await
            .map(Answer::Raw);
    }
    // Without a thread the answer is read from the config and the offline caches: kept while
    // those are unchanged.
    let key = format!(
        "mcpServerStatus/list:{}",
        serde_json::to_string(&params).map_err(internal)?
    );
    if let Some(answer) = state.memo.get(&key, &workspace) {
        return Ok(Answer::Raw(answer));
    }
    let inputs = Inputs::stamp(workspace.offline_status_files());
    let answer = status_page(state, &workspace, &params).await?;
    state.memo.put(key, &workspace, inputs, Arc::clone(&answer));
    Ok(Answer::Raw(answer))
}

async fn status_page(
    state: &State,
    workspace: &Workspace,
    params: &ListMcpServerStatusParams,
) -> Result<Arc<RawValue>, JsonRpcError> {
    let start = match &params.cursor {
        Some(cursor) => cursor
            .parse::<usize>()
            .map_err(|_| invalid("cursor", "not a cursor this server returned"))?,
        None => 0,
    };
    let limit = match params.limit {
        Some(0) => return Err(invalid("limit", "must be at least 1")),
        Some(n) => usize::try_from(n).unwrap_or(MAX_PAGE).min(MAX_PAGE),
        None => DEFAULT_PAGE,
    };
    let full = params.detail != Some(McpServerStatusDetail::ToolsAndAuthOnly);
    let live: BTreeMap<String, ServerConnection> = match &params.thread_id {
        Some(id) => state
            .threads
            .get(id)?
            .manager
            .snapshot()
            .into_iter()
            .map(|c| (c.server.name().to_string(), c))
            .collect(),
        None => BTreeMap::new(),
    };
    if let Some(name) = &params.server_name {
        workspace
            .server(name)
            .map_err(|e| invalid("serverName", e))?;
    }
    let selected: Vec<_> = workspace
        .servers()
        .iter()
        .filter(|s| {
            params
                .server_name
                .as_deref()
                .is_none_or(|n| n == s.name().as_str())
        })
        .collect();
    let page: Vec<_> = selected.iter().skip(start).take(limit).collect();
    let next_cursor =
        (start + page.len() < selected.len()).then(|| (start + page.len()).to_string());
    let auth_statuses = workspace.auth_statuses();
    let cache = workspace.tools_cache();
    let mut data = Vec::with_capacity(page.len());
    for server in page {
        let name = server.name().to_string();
        let enabled = matches!(server.status(), ServerStatus::Enabled);
        let connection = live.get(&name);
        let mut entry = McpServerStatus {
            name: name.clone(),
            server_info: None,
            server_capabilities: None,
            runtime_status: Some(if !enabled {
                McpServerConnectionStatus::Disabled
            } else {
                McpServerConnectionStatus::NotStarted
            }),
            tools: BTreeMap::new(),
            tools_error: None,
            resources: Vec::new(),
            resource_templates: Vec::new(),
            auth_status: auth(auth_statuses.status_of(server)),
            http_origin: match &server.config().transport {
                Transport::StreamableHttp(http) => origin(&http.url),
                Transport::Stdio(_) => None,
            },
        };
        match connection {
            Some(connection) => live_entry(&mut entry, connection, full).await,
            None if enabled => match cache.load(server.name(), server.config()) {
                Some(cached) => {
                    entry.server_info = cached.server_info.map(|i| McpServerInfo {
                        name: i.name,
                        version: i.version,
                    });
                    entry.tools = tool_map(cached.tools);
                }
                None => {
                    entry.tools_error = Some(format!(
                        "no tools known yet: start `{name}` in a thread (thread/start) or run `mcpctl tools {name}`"
                    ));
                }
            },
            None => {
                entry.tools_error = Some(format!("`{name}` is disabled"));
            }
        }
        data.push(entry);
    }
    raw(ListMcpServerStatusResponse { data, next_cursor })
}

async fn live_entry(entry: &mut McpServerStatus, connection: &ServerConnection, full: bool) {
    entry.runtime_status = Some(match &connection.state {
        ServerState::Starting => McpServerConnectionStatus::Starting,
        ServerState::Ready => McpServerConnectionStatus::Connected,
        ServerState::Failed(why)
            if matches!(
                why.error(),
                mcpctl_rmcp_client::ClientError::NeedsLogin { .. }
            ) =>
        {
            McpServerConnectionStatus::AuthenticationRequired
        }
        ServerState::Failed(_) => McpServerConnectionStatus::Failed,
        ServerState::Cancelled => McpServerConnectionStatus::Cancelled,
    });
    entry.server_info = connection
        .server_info()
        .map(|(name, version)| McpServerInfo { name, version });
    if let Some(client) = &connection.client {
        entry.server_capabilities = client
            .server_info()
            .and_then(|info| serde_json::to_value(info.capabilities).ok());
    }
    entry.tools = tool_map(
        connection
            .tools
            .iter()
            .filter_map(|t| serde_json::to_value(t).ok()),
    );
    if let Some(why) = connection.state.not_ready() {
        entry.tools_error = Some(why.to_string());
    }
    if full && connection.state == ServerState::Ready {
        // A server that offers no resources simply has none to list.
        if let Ok(listing) = mcpctl_core::list_resources(connection).await {
            entry.resources = listing
                .resources
                .iter()
                .filter_map(|r| serde_json::to_value(r).ok())
                .collect();
            entry.resource_templates = listing
                .templates
                .iter()
                .filter_map(|r| serde_json::to_value(r).ok())
                .collect();
        }
    }
}

pub(crate) async fn resource_read(
    state: &State,
    params: McpResourceReadParams,
) -> Result<Value, JsonRpcError> {
    let result = match &params.thread_id {
        Some(id) => {
            let session = state.threads.get(id)?;
            let connection = session
                .manager
                .ready(&params.server)
                .await
                .map_err(internal)?;
            read_resource(&connection, &params.uri)
                .await
                .map_err(internal)?
        }
        None => {
            let workspace = state.workspace()?;
            let (session, _updates) = workspace
                .start_live(Some(&params.server), ClientHooks::default())
                .map_err(|e| invalid("server", e))?;
            session.read(&params.uri).await.map_err(internal)?
        }
    };
    let contents = serde_json::to_value(&result)
        .ok()
        .and_then(|v| v.get("contents").and_then(Value::as_array).cloned())
        .unwrap_or_default();
    to_value(McpResourceReadResponse { contents })
}

pub(crate) async fn oauth_login(
    state: &State,
    params: McpServerOauthLoginParams,
) -> Result<Value, JsonRpcError> {
    let workspace = state.workspace()?;
    workspace
        .require_enabled(&params.name)
        .map_err(|e| invalid("name", e))?;
    let timeout = match params.timeout_secs {
        Some(secs) if secs <= 0 => return Err(invalid("timeoutSecs", "must be positive")),
        Some(secs) => Some(Duration::from_secs(secs.unsigned_abs())),
        None => None,
    };
    let options = LoginOptions {
        scopes: params.scopes.clone(),
        registration: match params.client_registration {
            None | Some(McpServerOauthClientRegistration::Auto) => RegistrationMode::Auto,
            Some(McpServerOauthClientRegistration::Cimd) => RegistrationMode::Cimd,
            Some(McpServerOauthClientRegistration::Dcr) => RegistrationMode::Dcr,
        },
        timeout,
        browser: BrowserMode::Report,
        ..LoginOptions::default()
    };
    let login_id = {
        let mut counter = state.logins.lock().map_err(internal)?;
        *counter += 1;
        format!("login-{}", *counter)
    };
    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    let (finished_tx, finished) = tokio::sync::oneshot::channel();
    let out = state.out.clone();
    let name = params.name.clone();
    let thread_id = params.thread_id.clone();
    let id = login_id.clone();
    let task = tokio::spawn(async move {
        let result = mcpctl_core::login(&workspace, &name, options, Some(events)).await;
        let error = result.as_ref().err().map(ToString::to_string);
        // Whoever still waits for the URL learns of an early failure through the answer.
        let _ = finished_tx.send(error.clone());
        out.notify(
            "mcpServer/oauthLogin/completed",
            McpServerOauthLoginCompletedNotification {
                name,
                thread_id,
                login_id: id,
                success: error.is_none(),
                error,
                emitted_at_ms: 0,
            },
        );
    });
    state.track(task.abort_handle());
    let mut finished = finished;
    loop {
        tokio::select! {
            event = received.recv() => match event {
                Some(LoginEvent::AuthorizationUrl { url, .. }) => {
                    return to_value(McpServerOauthLoginResponse {
                        authorization_url: url,
                        login_id,
                    });
                }
                Some(_) => {}
                None => break,
            },
            outcome = &mut finished => {
                if let Ok(Some(error)) = outcome {
                    return Err(internal(format!("login to `{}` failed: {error}", params.name)));
                }
                break;
            }
        }
    }
    Err(internal(format!(
        "login to `{}` finished without an authorization URL (client credentials need no browser)",
        params.name
    )))
}
