//! Callbacks a front end gives a connection: answering elicitation requests, hearing about
//! progress and tool-list changes.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use rmcp::model::ProgressNotificationParam;
pub use rmcp::model::{ElicitRequestParams, ElicitResult, ElicitationAction};

/// A boxed future, as returned by [`ElicitationHandler::elicit`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Answers a server's `elicitation/create` request (the front end asks the user, or answers
/// with the schema's defaults, or declines).
pub trait ElicitationHandler: Send + Sync {
    /// Produces the answer for `server`'s request.
    fn elicit<'a>(
        &'a self,
        server: &'a str,
        request: ElicitRequestParams,
    ) -> BoxFuture<'a, ElicitResult>;
}

/// Optional callbacks for one connection. The default has none: elicitation is declined and
/// notifications are ignored.
#[derive(Clone, Default)]
pub struct ClientHooks {
    /// Answers elicitation requests; when absent the client does not advertise elicitation.
    pub elicitation: Option<Arc<dyn ElicitationHandler>>,
    /// Called for every `notifications/progress` (server name, params).
    pub progress: Option<Arc<dyn Fn(&str, &ProgressNotificationParam) + Send + Sync>>,
    /// Called when the server sends `notifications/tools/list_changed` (server name).
    pub tools_changed: Option<Arc<dyn Fn(&str) + Send + Sync>>,
}

impl std::fmt::Debug for ClientHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientHooks")
            .field("elicitation", &self.elicitation.is_some())
            .field("progress", &self.progress.is_some())
            .field("tools_changed", &self.tools_changed.is_some())
            .finish()
    }
}
