//! What goes from the backends to the client: the connection hooks (progress, elicitation,
//! sampling, roots, notices, new tool lists), and the bounded queue that sends them in order
//! to the session they are for.

use std::sync::Arc;

use mcpctl_core::client::{
    BoxFuture, ClientHooks, ElicitRequestParams, ElicitResult, ElicitationAction,
    ElicitationHandler, RootsHandler, SamplingHandler, ServerNotice,
};
use rmcp::model::{ProgressNotificationParam, Tool};
use rmcp::service::Peer;
use rmcp::{ErrorData, RoleServer};

use super::{Gateway, announce_tools_changed, lock, log};
use crate::sessions::{Route, Sessions};

impl Gateway {
    pub(super) fn hooks(&self) -> ClientHooks {
        // Sampling, roots and elicitation are declared to a backend only when the client has
        // them: a server may offer some tools only to clients that can answer it. The backends
        // start after the client's `initialized`; over HTTP, the session that started them
        // decides.
        let client = self
            .inner
            .sessions
            .latest()
            .and_then(|peer| peer.peer_info())
            .map(|info| info.capabilities.clone())
            .unwrap_or_default();
        let forward_to = Arc::new(ForwardToClient {
            sessions: Arc::clone(&self.inner.sessions),
        });
        let sampling: Option<Arc<dyn SamplingHandler>> = client
            .sampling
            .is_some()
            .then(|| Arc::clone(&forward_to) as Arc<dyn SamplingHandler>);
        let roots: Option<Arc<dyn RootsHandler>> = client
            .roots
            .is_some()
            .then(|| Arc::clone(&forward_to) as Arc<dyn RootsHandler>);
        let sessions = Arc::clone(&self.inner.sessions);
        let listed = Arc::clone(&self.inner.sessions);
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
                    let Some((peer, token)) = sessions.progress(server) else {
                        return;
                    };
                    let mut note = note.clone();
                    note.progress_token = token;
                    queue_or_drop(&forward, Forwarded::Progress(peer, note));
                },
            )),
            elicitation: Some(forward_to),
            sampling,
            roots,
            without_elicitation: client.elicitation.is_none(),
            notices: Some(Arc::new(move |server: &str, notice: ServerNotice| {
                queue_or_drop(&notices, Forwarded::Notice(server.to_string(), notice));
            })),
            // The manager stores the new list right after this hook returns: the catalog is
            // dropped and the client told on a task that runs after that.
            tools_listed: Some(Arc::new(move |_server: &str, _tools: Vec<Tool>| {
                let sessions = Arc::clone(&listed);
                let catalog = Arc::clone(&catalog);
                tokio::spawn(async move {
                    *lock(&catalog) = None;
                    announce_tools_changed(&sessions).await;
                });
            })),
            ..ClientHooks::default()
        }
    }
}

/// Notifications waiting for a client that is slow to read; past this, new ones are dropped
/// (a backend's flood can't grow the gateway's memory).
pub(super) const FORWARD_QUEUE: usize = 1024;

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
pub(super) enum Forwarded {
    /// Progress for the session of the call it belongs to.
    Progress(Peer<RoleServer>, ProgressNotificationParam),
    /// A backend's log message, resource update or list change.
    Notice(String, ServerNotice),
    /// Answered once everything queued before it has been sent.
    Flush(tokio::sync::oneshot::Sender<()>),
}

pub(super) async fn forward_in_order(
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

/// Passes a backend's elicitation, sampling and roots requests to the session they are for.
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

impl ElicitationHandler for ForwardToClient {
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
