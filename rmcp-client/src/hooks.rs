//! Callbacks a front end gives a connection: answering elicitation requests, hearing about
//! progress and tool-list changes.

// Sampling, roots and logging are deprecated in rmcp (SEP-2577, protocol 2026-07-28), but they
// are part of 2025-11-25, the version mcpctl speaks.
#![allow(deprecated)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use rmcp::model::ProgressNotificationParam;
pub use rmcp::model::{ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationSchema};

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

/// Hears `notifications/progress`: called with the server's name and the notification.
pub type ProgressHook = Arc<dyn Fn(&str, &ProgressNotificationParam) + Send + Sync>;

/// Hears `notifications/tools/list_changed`: called with the server's name.
pub type ToolsChangedHook = Arc<dyn Fn(&str) + Send + Sync>;

/// Receives a server's tools, listed again after it said they changed: called with the
/// server's name and the whole new list.
pub type ToolsListedHook = Arc<dyn Fn(&str, Vec<rmcp::model::Tool>) + Send + Sync>;

/// Answers a server's `sampling/createMessage` requests by asking someone who has a model (the
/// gateway asks its own client). A connection with this hook declares the `sampling`
/// capability; without it, none is declared and such requests are refused.
pub trait SamplingHandler: Send + Sync {
    /// Produces the answer for `server`'s request, or the error to send back.
    fn create_message<'a>(
        &'a self,
        server: &'a str,
        request: rmcp::model::CreateMessageRequestParams,
    ) -> BoxFuture<'a, Result<rmcp::model::CreateMessageResult, rmcp::ErrorData>>;
}

/// Answers a server's `roots/list` requests (the gateway asks its own client). A connection
/// with this hook declares the `roots` capability (with `listChanged`); without it, none.
pub trait RootsHandler: Send + Sync {
    /// The roots to give `server`, or the error to send back.
    fn list_roots<'a>(
        &'a self,
        server: &'a str,
    ) -> BoxFuture<'a, Result<rmcp::model::ListRootsResult, rmcp::ErrorData>>;
}

/// A notification a server sends that a front end may pass on (the gateway does, to its own
/// client).
#[derive(Debug, Clone)]
pub enum ServerNotice {
    /// `notifications/message`: a log message.
    Log(rmcp::model::LoggingMessageNotificationParam),
    /// `notifications/resources/updated`: a subscribed resource changed.
    ResourceUpdated(rmcp::model::ResourceUpdatedNotificationParam),
    /// `notifications/resources/list_changed`.
    ResourcesChanged,
    /// `notifications/prompts/list_changed`.
    PromptsChanged,
}

/// Hears the notifications of [`ServerNotice`]: called with the server's name.
pub type NoticeHook = Arc<dyn Fn(&str, ServerNotice) + Send + Sync>;

/// Optional callbacks for one connection. The default has none: elicitation requests are
/// declined, and notifications are only counted ([`crate::McpClient::tools_changed_count`]).
/// The capabilities the client declares do not depend on them, except `sampling` and `roots`,
/// declared only by a connection that can answer them, and `without_elicitation` (mcpctl's own
/// commands use neither).
/// Callbacks run on the connection's task: keep them short and non-blocking.
#[derive(Clone, Default)]
pub struct ClientHooks {
    /// Answers elicitation requests; when absent every request is declined.
    pub elicitation: Option<Arc<dyn ElicitationHandler>>,
    /// Called for every `notifications/progress` (server name, params).
    pub progress: Option<ProgressHook>,
    /// Called for every `notifications/tools/list_changed` the server sends (server name).
    /// Keep it cheap: a server may send a flood of them. To act on the new list, use
    /// `tools_listed`.
    pub tools_changed: Option<ToolsChangedHook>,
    /// When set, the connection lists its tools again after `notifications/tools/list_changed`
    /// and hands the list here. However many notifications arrive, at most one listing is in
    /// flight and one more waits: a flood costs a couple of listings, not one each. A listing
    /// that fails is not reported (the previous list stands).
    pub tools_listed: Option<ToolsListedHook>,
    /// Called for log messages, resource updates and resource or prompt list changes.
    pub notices: Option<NoticeHook>,
    /// Answers sampling requests; when set, the `sampling` capability is declared.
    pub sampling: Option<Arc<dyn SamplingHandler>>,
    /// Answers roots requests; when set, the `roots` capability is declared.
    pub roots: Option<Arc<dyn RootsHandler>>,
    /// Declare no elicitation capability (the gateway, for a client that has none, so that a
    /// server does not offer tools that need it). mcpctl's own commands leave it `false`.
    pub without_elicitation: bool,
}

impl std::fmt::Debug for ClientHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientHooks")
            .field("elicitation", &self.elicitation.is_some())
            .field("progress", &self.progress.is_some())
            .field("tools_changed", &self.tools_changed.is_some())
            .field("tools_listed", &self.tools_listed.is_some())
            .field("notices", &self.notices.is_some())
            .field("sampling", &self.sampling.is_some())
            .field("roots", &self.roots.is_some())
            .field("without_elicitation", &self.without_elicitation)
            .finish()
    }
}

/// Answers every form elicitation with the `default` values of its schema, for front ends
/// without a user to ask (`--elicit defaults`).
///
/// The answer is `accept` with one entry per property that has a default. A request it cannot
/// answer this way (a required property without a default, or a URL elicitation) is declined.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultsElicitation;

impl ElicitationHandler for DefaultsElicitation {
    fn elicit<'a>(
        &'a self,
        _server: &'a str,
        request: ElicitRequestParams,
    ) -> BoxFuture<'a, ElicitResult> {
        let answer = match &request {
            ElicitRequestParams::FormElicitationParams {
                requested_schema, ..
            } => schema_defaults(requested_schema).map_or_else(
                || ElicitResult::new(ElicitationAction::Decline),
                |content| {
                    ElicitResult::new(ElicitationAction::Accept)
                        .with_content(serde_json::Value::Object(content))
                },
            ),
            _ => ElicitResult::new(ElicitationAction::Decline),
        };
        Box::pin(std::future::ready(answer))
    }
}

/// Declines every elicitation (`--elicit decline`).
#[derive(Debug, Clone, Copy, Default)]
pub struct DeclineElicitation;

impl ElicitationHandler for DeclineElicitation {
    fn elicit<'a>(
        &'a self,
        _server: &'a str,
        _request: ElicitRequestParams,
    ) -> BoxFuture<'a, ElicitResult> {
        Box::pin(std::future::ready(ElicitResult::new(
            ElicitationAction::Decline,
        )))
    }
}

/// The `default` value of every property of an elicitation schema, by property name.
///
/// `None` when a required property has no default, so the schema cannot be satisfied from
/// defaults alone.
pub fn schema_defaults(
    schema: &ElicitationSchema,
) -> Option<serde_json::Map<String, serde_json::Value>> {
    // Through JSON, so every property kind (string, number, enum, multi-select…) is covered alike.
    let schema = serde_json::to_value(schema).ok()?;
    let mut defaults = serde_json::Map::new();
    if let Some(properties) = schema.get("properties").and_then(|p| p.as_object()) {
        for (name, property) in properties {
            if let Some(default) = property.get("default") {
                defaults.insert(name.clone(), default.clone());
            }
        }
    }
    let required = schema.get("required").and_then(|r| r.as_array());
    let all_present = required.is_none_or(|names| {
        names
            .iter()
            .filter_map(|n| n.as_str())
            .all(|n| defaults.contains_key(n))
    });
    all_present.then_some(defaults)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form(schema: serde_json::Value) -> ElicitRequestParams {
        serde_json::from_value(json!({
            "mode": "form",
            "message": "please",
            "requestedSchema": schema,
        }))
        .unwrap()
    }

    fn answer(request: ElicitRequestParams) -> ElicitResult {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(DefaultsElicitation.elicit("demo", request))
    }

    #[test]
    fn defaults_fill_every_field_that_has_one() {
        // The schema of the conformance scenario `elicitation-sep1034-client-defaults`.
        let request = form(json!({
            "type": "object",
            "properties": {
                "name": { "type": "string", "default": "John Doe" },
                "age": { "type": "integer", "default": 30 },
                "score": { "type": "number", "default": 95.5 },
                "status": { "type": "string", "enum": ["active", "inactive"], "default": "active" },
                "verified": { "type": "boolean", "default": true },
                "note": { "type": "string" }
            },
            "required": []
        }));
        let result = answer(request);
        assert_eq!(result.action, ElicitationAction::Accept);
        assert_eq!(
            result.content,
            Some(json!({
                "name": "John Doe", "age": 30, "score": 95.5, "status": "active", "verified": true
            }))
        );
    }

    #[test]
    fn a_required_field_without_default_is_declined() {
        let request = form(json!({
            "type": "object",
            "properties": { "name": { "type": "string" } },
            "required": ["name"]
        }));
        let result = answer(request);
        assert_eq!(result.action, ElicitationAction::Decline);
        assert_eq!(result.content, None);
    }
}
