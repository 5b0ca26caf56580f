//! The rmcp client handler behind every connection: it answers the server's requests and
//! passes its notifications to the front end's [`ClientHooks`].

// Sampling, roots and logging are deprecated in rmcp (SEP-2577, protocol 2026-07-28), but they
// are part of 2025-11-25, the version mcpctl speaks.
#![allow(deprecated)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rmcp::ClientHandler;
use rmcp::model::{
    ClientCapabilities, ClientConfig, CreateMessageRequestParams, CreateMessageResult,
    ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationCapability,
    FormElicitationCapability, Implementation, ListRootsResult, ProgressNotificationParam,
    ProtocolVersion, RootsCapabilities, SamplingCapability,
};
use rmcp::service::{NotificationContext, Peer, RequestContext, RoleClient};

use crate::hooks::{ClientHooks, ServerNotice, ToolsListedHook};
use crate::pages;

/// Counts the `notifications/tools/list_changed` a server sent; shared with [`crate::McpClient`].
#[derive(Debug, Clone, Default)]
pub(crate) struct ToolsChanged(Arc<AtomicU64>);

impl ToolsChanged {
    pub fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    fn bump(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// One connection's handler: the server's name, the hooks and the client's `initialize` info.
pub(crate) struct Handler {
    server: String,
    hooks: ClientHooks,
    info: ClientConfig,
    tools_changed: ToolsChanged,
    relist: Arc<Relist>,
}

/// The coalesced re-listing of tools behind [`ClientHooks::tools_listed`].
#[derive(Debug, Default)]
struct Relist {
    /// (a listing is in flight, another one is wanted after it)
    state: Mutex<(bool, bool)>,
}

impl Relist {
    fn state(&self) -> std::sync::MutexGuard<'_, (bool, bool)> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Lists the tools again, unless a listing is in flight: then one more follows it.
    fn trigger(self: &Arc<Self>, peer: Peer<RoleClient>, server: String, hook: ToolsListedHook) {
        {
            let mut state = self.state();
            if state.0 {
                state.1 = true;
                return;
            }
            state.0 = true;
        }
        let relist = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                let listed = pages::list_all(|params| {
                    let peer = peer.clone();
                    async move {
                        peer.list_tools(params)
                            .await
                            .map(|page| (page.tools, page.next_cursor))
                    }
                })
                .await;
                if let Ok(tools) = listed {
                    hook(&server, tools);
                }
                let mut state = relist.state();
                if state.1 {
                    state.1 = false;
                } else {
                    state.0 = false;
                    return;
                }
            }
        });
    }
}

impl Handler {
    pub fn new(server: &str, hooks: ClientHooks) -> Self {
        let mut info = client_info();
        if hooks.sampling.is_some() {
            info.capabilities.sampling = Some(SamplingCapability::default());
        }
        if hooks.without_elicitation {
            info.capabilities.elicitation = None;
        }
        if hooks.roots.is_some() {
            let mut roots = RootsCapabilities::default();
            roots.list_changed = Some(true);
            info.capabilities.roots = Some(roots);
        }
        Self {
            server: server.to_owned(),
            hooks,
            info,
            tools_changed: ToolsChanged::default(),
            relist: Arc::default(),
        }
    }

    pub fn tools_changed(&self) -> ToolsChanged {
        self.tools_changed.clone()
    }

    fn notice(&self, notice: ServerNotice) {
        if let Some(hook) = &self.hooks.notices {
            hook(&self.server, notice);
        }
    }
}

/// What mcpctl says about itself in `initialize`, the same for every connection of mcpctl's
/// own commands whatever their hooks, because servers register tools per client capability:
/// `tools`, `list --check` and `call` must see the same list. ([`Handler::new`] changes it
/// only for the gateway's hooks, which pass on what the gateway's client declares.)
///
/// Form elicitation is declared (without a handler the answer is `decline`). Sampling is not:
/// mcpctl has no model to answer with. Roots are not either: a server such as
/// server-filesystem replaces the folders it was started with by the client's roots, and
/// mcpctl has none to give.
fn client_info() -> ClientConfig {
    let mut capabilities = ClientCapabilities::default();
    capabilities.elicitation =
        Some(ElicitationCapability::new().with_form(FormElicitationCapability::new()));
    // The `initialize` handshake exists up to this version; rmcp's default (its latest)
    // replaced it with `server/discover`, which servers of today do not know.
    ClientConfig::new(
        capabilities,
        Implementation::new("mcpctl", env!("CARGO_PKG_VERSION")),
    )
    .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE)
}

impl ClientHandler for Handler {
    fn get_info(&self) -> ClientConfig {
        self.info.clone()
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, rmcp::ErrorData> {
        match &self.hooks.sampling {
            Some(handler) => handler.create_message(&self.server, params).await,
            None => Err(rmcp::ErrorData::method_not_found::<
                rmcp::model::CreateMessageRequestMethod,
            >()),
        }
    }

    async fn list_roots(
        &self,
        _context: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, rmcp::ErrorData> {
        match &self.hooks.roots {
            Some(handler) => handler.list_roots(&self.server).await,
            None => Err(rmcp::ErrorData::method_not_found::<
                rmcp::model::ListRootsRequestMethod,
            >()),
        }
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, rmcp::ErrorData> {
        Ok(match &self.hooks.elicitation {
            Some(handler) => handler.elicit(&self.server, request).await,
            // Declared for every connection, so with no one to ask the answer is no.
            None => ElicitResult::new(ElicitationAction::Decline),
        })
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        if let Some(progress) = &self.hooks.progress {
            progress(&self.server, &params);
        }
    }

    async fn on_logging_message(
        &self,
        params: rmcp::model::LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.notice(ServerNotice::Log(params));
    }

    async fn on_resource_updated(
        &self,
        params: rmcp::model::ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.notice(ServerNotice::ResourceUpdated(params));
    }

    async fn on_resource_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.notice(ServerNotice::ResourcesChanged);
    }

    async fn on_prompt_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.notice(ServerNotice::PromptsChanged);
    }

    async fn on_tool_list_changed(&self, context: NotificationContext<RoleClient>) {
        self.tools_changed.bump();
        if let Some(changed) = &self.hooks.tools_changed {
            changed(&self.server);
        }
        if let Some(listed) = &self.hooks.tools_listed {
            self.relist
                .trigger(context.peer, self.server.clone(), Arc::clone(listed));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hooks::DeclineElicitation;

    #[test]
    fn capabilities_are_the_same_whatever_the_hooks() {
        let plain = Handler::new("demo", ClientHooks::default());
        let hooks = ClientHooks {
            elicitation: Some(Arc::new(DeclineElicitation)),
            ..ClientHooks::default()
        };
        let eliciting = Handler::new("demo", hooks);
        for handler in [&plain, &eliciting] {
            let caps = serde_json::to_value(&handler.get_info().capabilities).unwrap();
            assert_eq!(caps, serde_json::json!({ "elicitation": { "form": {} } }));
        }
        assert_eq!(eliciting.get_info().client_info.name, "mcpctl");
        assert_eq!(
            eliciting.get_info().protocol_version.to_string(),
            "2025-11-25"
        );
    }
}
