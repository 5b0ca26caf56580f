//! What live commands do, as one call each, so every front end (the CLI, the app server) runs
//! the same flow: refuse a disabled server, start servers with the workspace's log folder and
//! tools cache, run `list --check` (startups plus the auth probe) into one report, read cached
//! tools, and use one server's resources and prompts after checking it offers them.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use mcpctl_rmcp_client::{
    ClientHooks, GetPromptResult, McpClient, Prompt, ReadResourceResult, Resource, ResourceTemplate,
};
use tokio::sync::mpsc;

use crate::approval::ApprovalPolicy;
use crate::auth_status::{AuthStatusStore, RememberedAuthStatuses, probe_auth_statuses};
use crate::connections::{
    ConnectionManager, ManagerOptions, ServerConnection, ServerState, StartupUpdate,
};
use crate::error::{CoreError, NotReady};
use crate::policy::{EffectiveServer, ServerStatus};
use crate::tool_list::{ToolEntry, listed_tool_entries, tool_entries};
use crate::tools_cache::ToolsCache;
use crate::workspace::Workspace;

/// How long `list --check` waits for OAuth discovery of HTTP servers.
pub const AUTH_PROBE_DEADLINE: Duration = Duration::from_secs(3);

/// What `list --check` found.
#[derive(Debug)]
pub struct CheckReport {
    /// Every started server's final state.
    pub connections: Vec<ServerConnection>,
    /// Auth statuses, including the ones this check probed.
    pub auth: RememberedAuthStatuses,
    /// Required servers that did not become ready.
    pub required_failed: Vec<String>,
    /// Every enabled server that did not become ready (required or not).
    pub failed: Vec<String>,
    /// Problems worth a line on stderr (for example an auth-status file that can't be written).
    pub warnings: Vec<String>,
}

impl CheckReport {
    /// Why `connection` did not start, in words that agree with its auth status: a server
    /// that answered 401 but offers no OAuth login (the probe found none) gets the bearer-token
    /// hint instead of "run `mcpctl login`". `None` for a server that started.
    pub fn failure_text(&self, connection: &ServerConnection) -> Option<String> {
        let ServerState::Failed(why) = &connection.state else {
            return None;
        };
        if let mcpctl_rmcp_client::ClientError::NeedsLogin {
            server,
            token_env_var: None,
        } = why.error()
            && self.auth.status_of(&connection.server) == crate::policy::AuthStatus::Unsupported
        {
            return Some(format!(
                "server `{server}` refused the request (HTTP 401) and offers no OAuth login: \
                 give it a token with `mcpctl add {server} --url … --bearer-token-env-var VAR --replace`"
            ));
        }
        Some(why.to_string())
    }

    /// The exit decision: true when a required server failed, or, with `strict`, any server.
    pub fn is_failure(&self, strict: bool) -> bool {
        !self.required_failed.is_empty() || (strict && !self.failed.is_empty())
    }
}

/// A request to call one tool (`mcpctl call`, the app server's `mcpServer/tool/call`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallRequest {
    /// The server.
    pub server: String,
    /// The tool, as the server names it.
    pub tool: String,
    /// Arguments as one JSON object (`--args`), if given.
    pub args_json: Option<String>,
    /// Arguments as `KEY=VALUE` pairs, typed by the tool's input schema.
    pub pairs: Vec<String>,
    /// A timeout for this call instead of the server's `tool_timeout_sec`.
    pub timeout: Option<Duration>,
}

/// Every tool of the started servers, and the servers that did not start.
#[derive(Debug, Clone)]
pub struct ToolsReport {
    /// Tools of ready servers, with qualified names and filter status.
    pub entries: Vec<ToolEntry>,
    /// Optional servers that failed or were cancelled, and why.
    pub failures: Vec<(String, NotReady)>,
    /// What a server offered that was left out (tool names over MCP's 128 characters).
    pub warnings: Vec<String>,
}

/// One warning per tool a server offered with a name longer than MCP allows; such tools are
/// left out of every listing.
pub fn refused_tool_warnings(connections: &[ServerConnection]) -> Vec<String> {
    let mut out = Vec::new();
    for connection in connections {
        let Some(client) = &connection.client else {
            continue;
        };
        for refused in client.refused_tools() {
            out.push(format!(
                "server '{}' offered a tool whose name is {} characters long ('{}…'); MCP allows at most {}, so it is left out",
                connection.server.name(),
                refused.chars,
                refused.preview.escape_debug(),
                mcpctl_rmcp_client::MAX_TOOL_NAME_CHARS,
            ));
        }
    }
    out
}

/// Servers started for one live command: a `list --check`, `tools`, `call`, ... in progress.
///
/// Each consuming method waits for what it needs, does its work, stops every server and
/// returns the result, so no front end has to remember to shut servers down.
pub struct LiveSession<'w> {
    workspace: &'w Workspace,
    manager: ConnectionManager,
    only: Option<String>,
}

impl LiveSession<'_> {
    /// The names of the servers being started, in order.
    pub fn server_names(&self) -> Vec<String> {
        self.manager
            .snapshot()
            .iter()
            .map(|c| c.server.name().to_string())
            .collect()
    }

    /// `list --check`: waits for every start and the auth probe, records the probed statuses,
    /// stops every server and returns the report. A required server that fails cancels the
    /// starts still in progress.
    pub async fn check(self) -> CheckReport {
        let (connections, probed) = tokio::join!(
            self.manager.wait_all(),
            probe_auth_statuses(self.workspace.servers(), AUTH_PROBE_DEADLINE)
        );
        self.manager.shutdown().await;
        let store = AuthStatusStore::in_home(self.workspace.paths().home());
        let recorded: Vec<_> = probed
            .into_iter()
            .filter_map(|(name, status)| {
                let server = self.workspace.servers().get(name.as_str())?;
                let url = server.config().transport.as_http()?.url.clone();
                Some((name, url, status))
            })
            .collect();
        let mut warnings = Vec::new();
        if let Err(err) = store.record(&recorded) {
            warnings.push(format!("cannot remember auth statuses: {err}"));
        }
        let not_ready = |c: &&ServerConnection| !matches!(c.state, ServerState::Ready);
        let failed: Vec<String> = connections
            .iter()
            .filter(not_ready)
            .map(|c| c.server.name().to_string())
            .collect();
        let required_failed = connections
            .iter()
            .filter(not_ready)
            .filter(|c| c.server.config().required)
            .map(|c| c.server.name().to_string())
            .collect();
        CheckReport {
            connections,
            auth: crate::oauth_logins::remembered_statuses(self.workspace),
            required_failed,
            failed,
            warnings,
        }
    }

    /// `tools`: waits for every start and lists the tools of the ready servers.
    ///
    /// Fails when a required server fails (the others are cancelled at once), or when the one
    /// server asked for did not start; an optional server that fails is listed in
    /// [`ToolsReport::failures`].
    pub async fn tools(self) -> Result<ToolsReport, CoreError> {
        let outcome = self.tools_inner().await;
        self.manager.shutdown().await;
        outcome
    }

    async fn tools_inner(&self) -> Result<ToolsReport, CoreError> {
        if let Some(name) = &self.only {
            let connection = self.manager.ready(name).await?;
            return Ok(ToolsReport {
                warnings: refused_tool_warnings(std::slice::from_ref(&connection)),
                entries: tool_entries(
                    std::slice::from_ref(&connection),
                    &ApprovalPolicy::of(self.workspace, None),
                ),
                failures: Vec::new(),
            });
        }
        let connections = self.manager.wait_all().await;
        let required: Vec<(String, NotReady)> = connections
            .iter()
            .filter(|c| c.server.config().required)
            .filter_map(|c| Some((c.server.name().to_string(), c.state.not_ready()?)))
            .collect();
        if !required.is_empty() {
            return Err(CoreError::RequiredServersFailed { failures: required });
        }
        let failures = connections
            .iter()
            .filter_map(|c| Some((c.server.name().to_string(), c.state.not_ready()?)))
            .collect();
        let ready: Vec<ServerConnection> = connections
            .into_iter()
            .filter(|c| matches!(c.state, ServerState::Ready))
            .collect();
        Ok(ToolsReport {
            warnings: refused_tool_warnings(&ready),
            entries: tool_entries(&ready, &ApprovalPolicy::of(self.workspace, None)),
            failures,
        })
    }

    /// `call`: calls one tool on the server this session started.
    pub async fn call(self, request: &CallRequest) -> Result<Value, CoreError> {
        let outcome = self.manager.call_tool(request).await;
        self.manager.shutdown().await;
        outcome
    }

    /// `resources`: the resources and templates of the server this session started.
    pub async fn resources(self) -> Result<ResourceListing, CoreError> {
        let outcome = async {
            let connection = self.one().await?;
            list_resources(&connection).await
        }
        .await;
        self.manager.shutdown().await;
        outcome
    }

    /// `read`: one resource of the server this session started.
    pub async fn read(self, uri: &str) -> Result<ReadResourceResult, CoreError> {
        let outcome = async {
            let connection = self.one().await?;
            read_resource(&connection, uri).await
        }
        .await;
        self.manager.shutdown().await;
        outcome
    }

    /// `prompts`: the prompts of the server this session started.
    pub async fn prompts(self) -> Result<Vec<Prompt>, CoreError> {
        let outcome = async {
            let connection = self.one().await?;
            list_prompts(&connection).await
        }
        .await;
        self.manager.shutdown().await;
        outcome
    }

    /// `prompts get`: one prompt of the server this session started, its arguments (`KEY=VALUE`
    /// strings, as MCP prompt arguments are) checked against what the prompt declares.
    pub async fn prompt(
        self,
        name: &str,
        arguments: &[(String, String)],
    ) -> Result<GetPromptResult, CoreError> {
        let outcome = async {
            let connection = self.one().await?;
            let prompts = list_prompts(&connection).await?;
            let server = self.only.clone().unwrap_or_default();
            let Some(prompt) = prompts.iter().find(|p| p.name == name) else {
                return Err(CoreError::UnknownPrompt {
                    server,
                    suggestion: mcpctl_fuzzy_match::did_you_mean(
                        name,
                        prompts.iter().map(|p| p.name.as_str()),
                    )
                    .map(str::to_string),
                    prompt: name.to_string(),
                });
            };
            let declared = prompt.arguments.clone().unwrap_or_default();
            let takes = || {
                if declared.is_empty() {
                    "it takes no arguments".to_string()
                } else {
                    let names: Vec<String> = declared
                        .iter()
                        .map(|a| {
                            if a.required == Some(true) {
                                format!("{} (required)", a.name)
                            } else {
                                a.name.clone()
                            }
                        })
                        .collect();
                    format!("it takes {}", names.join(", "))
                }
            };
            let invalid = |message: String| CoreError::InvalidPromptArguments {
                prompt: name.to_string(),
                message,
            };
            for (key, _) in arguments {
                if !declared.iter().any(|a| &a.name == key) {
                    let hint = mcpctl_fuzzy_match::did_you_mean(
                        key,
                        declared.iter().map(|a| a.name.as_str()),
                    )
                    .map(|s| format!(" (did you mean '{s}'?)"))
                    .unwrap_or_default();
                    return Err(invalid(format!(
                        "unknown argument '{key}'{hint}; {}",
                        takes()
                    )));
                }
            }
            let missing: Vec<&str> = declared
                .iter()
                .filter(|a| a.required == Some(true))
                .filter(|a| !arguments.iter().any(|(k, _)| *k == a.name))
                .map(|a| a.name.as_str())
                .collect();
            if !missing.is_empty() {
                return Err(invalid(format!(
                    "missing {}; {}",
                    missing.join(", "),
                    takes()
                )));
            }
            let map: serde_json::Map<String, Value> = arguments
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            let client = client_offering(&connection, Offering::Prompts)?;
            Ok(client
                .get_prompt(name, (!map.is_empty()).then_some(map))
                .await?)
        }
        .await;
        self.manager.shutdown().await;
        outcome
    }

    async fn one(&self) -> Result<ServerConnection, CoreError> {
        let name = self.only.as_deref().unwrap_or_default();
        self.manager.ready(name).await
    }
}

/// Tools read from the cache, without starting anything.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedToolList {
    /// The cached tools of every enabled server that has a cache entry.
    pub entries: Vec<ToolEntry>,
    /// Enabled servers with no cache entry.
    pub missing: Vec<String>,
}

/// One server's resources and resource templates.
#[derive(Debug, Clone)]
pub struct ResourceListing {
    /// `resources/list`, all pages.
    pub resources: Vec<Resource>,
    /// `resources/templates/list`, all pages.
    pub templates: Vec<ResourceTemplate>,
}

impl Workspace {
    /// The server named `name`, refused when it is unknown or disabled (before anything starts).
    pub fn require_enabled(&self, name: &str) -> Result<&EffectiveServer, CoreError> {
        let server = self.server(name)?;
        match server.status() {
            ServerStatus::Enabled => Ok(server),
            ServerStatus::Disabled(reason) => Err(CoreError::ServerDisabled {
                name: name.to_string(),
                reason: reason.clone(),
            }),
        }
    }

    /// The workspace's tools cache (`$MCPCTL_HOME/cache/tools`).
    pub fn tools_cache(&self) -> ToolsCache {
        ToolsCache::in_home(self.paths().home())
    }

    /// The auth statuses remembered by the last `list --check`, and the stored OAuth logins
    /// known without reading the keyring (read offline).
    pub fn auth_statuses(&self) -> RememberedAuthStatuses {
        crate::oauth_logins::remembered_statuses(self)
    }

    /// Every file that [`Self::tools_cache`] and [`Self::auth_statuses`] read for this
    /// workspace's servers: a front end that memoises an answer built from them (the app
    /// server's `mcpServerStatus/list`) compares these files' metadata to know it is current.
    pub fn offline_status_files(&self) -> Vec<std::path::PathBuf> {
        let home = self.paths().home();
        let cache = self.tools_cache();
        let mut files: Vec<_> = self
            .servers()
            .iter()
            .map(|server| cache.file_for(server.name()))
            .collect();
        files.push(AuthStatusStore::in_home(home).path().to_path_buf());
        files.push(
            crate::oauth_logins::LoginCache::in_home(home)
                .path()
                .to_path_buf(),
        );
        files.push(home.join(mcpctl_credentials_store::CREDENTIALS_FILE));
        files
    }

    /// Starts every enabled server (or those in `only`) with this workspace's log folder and
    /// tools cache. Must be called inside a tokio runtime.
    pub fn start_servers(
        &self,
        only: Option<Vec<String>>,
        hooks: ClientHooks,
    ) -> (ConnectionManager, mpsc::UnboundedReceiver<StartupUpdate>) {
        ConnectionManager::start(
            self.servers(),
            ManagerOptions {
                log_dir: self.paths().log_dir(),
                hooks,
                oauth: crate::oauth_tokens::sources(self, only.as_deref()),
                only,
                tools_cache: Some(self.tools_cache()),
            },
        )
    }

    /// Starts the servers a live command needs: every enabled server, or only `server`
    /// (refused before anything starts when it is unknown or disabled). The receiver gets
    /// every state change, for progress displays.
    pub fn start_live(
        &self,
        server: Option<&str>,
        hooks: ClientHooks,
    ) -> Result<(LiveSession<'_>, mpsc::UnboundedReceiver<StartupUpdate>), CoreError> {
        if let Some(name) = server {
            self.require_enabled(name)?;
        }
        let (manager, updates) = self.start_servers(server.map(|s| vec![s.to_string()]), hooks);
        Ok((
            LiveSession {
                workspace: self,
                manager,
                only: server.map(str::to_string),
            },
            updates,
        ))
    }

    /// The tools saved at each enabled server's last successful start (only `server` when
    /// given), without starting anything.
    pub fn cached_tools(&self, server: Option<&str>) -> Result<CachedToolList, CoreError> {
        if let Some(name) = server {
            self.require_enabled(name)?;
        }
        let cache = self.tools_cache();
        let mut missing = Vec::new();
        let mut cached = Vec::new();
        for entry in self.servers().enabled() {
            if server.is_some_and(|only| only != entry.name().as_str()) {
                continue;
            }
            match cache.load(entry.name(), entry.config()) {
                Some(tools) => cached.push((entry.clone(), tools.tools)),
                None => missing.push(entry.name().to_string()),
            }
        }
        Ok(CachedToolList {
            entries: listed_tool_entries(&cached, &ApprovalPolicy::of(self, None)),
            missing,
        })
    }
}

/// What a server declared it offers, from its `initialize` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offering {
    /// `capabilities.resources`.
    Resources,
    /// `capabilities.prompts`.
    Prompts,
}

impl Offering {
    fn noun(self) -> &'static str {
        match self {
            Offering::Resources => "resources",
            Offering::Prompts => "prompts",
        }
    }
}

/// The live client of a ready connection, refused when the server does not declare `offering`.
fn client_offering(
    connection: &ServerConnection,
    offering: Offering,
) -> Result<Arc<McpClient>, CoreError> {
    let name = connection.server.name().to_string();
    let client = connection
        .client
        .clone()
        .ok_or_else(|| CoreError::ServerNotReady {
            name: name.clone(),
            state: NotReady::Closed,
        })?;
    let offered = client.server_info().is_some_and(|info| match offering {
        Offering::Resources => info.capabilities.resources.is_some(),
        Offering::Prompts => info.capabilities.prompts.is_some(),
    });
    if !offered {
        return Err(CoreError::NotOffered {
            server: name,
            what: offering.noun(),
        });
    }
    Ok(client)
}

/// `resources/list` and `resources/templates/list` of a ready server; a server error on
/// either is an error, never an empty list.
pub async fn list_resources(connection: &ServerConnection) -> Result<ResourceListing, CoreError> {
    let client = client_offering(connection, Offering::Resources)?;
    let resources = client.list_resources().await?;
    let templates = client.list_resource_templates().await?;
    Ok(ResourceListing {
        resources,
        templates,
    })
}

/// `resources/read` of one URI on a ready server.
pub async fn read_resource(
    connection: &ServerConnection,
    uri: &str,
) -> Result<ReadResourceResult, CoreError> {
    let client = client_offering(connection, Offering::Resources)?;
    Ok(client.read_resource(uri).await?)
}

/// `prompts/list` of a ready server.
pub async fn list_prompts(connection: &ServerConnection) -> Result<Vec<Prompt>, CoreError> {
    let client = client_offering(connection, Offering::Prompts)?;
    Ok(client.list_prompts().await?)
}
