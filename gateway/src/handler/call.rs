//! One tool call through the gateway: find the backend's tool, decide, ask the client's user
//! when the decision says so, call with cancellation, forward progress, audit.

use std::time::Instant;

use mcpctl_core::approval_types::{ApprovalMode, Decision, Outcome};
use mcpctl_core::client::{ElicitRequestParams, ElicitResult, ElicitationAction};
use rmcp::model::{CallToolRequestParams, CallToolResponse, CallToolResult};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};
use serde_json::{Value, json};

use super::forward::Forwarded;
use super::{Gateway, STATUS_URI, log};
use crate::audit::Record;
use crate::preview::{call_digest, redacted_preview};

impl Gateway {
    pub(super) async fn call(
        &self,
        request: CallToolRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let started = Instant::now();
        let catalog = self.catalog().await;
        let (names, decisions) = (&catalog.names, &catalog.decisions);
        let Some((server, tool)) = names.backend(&request.name).cloned() else {
            let hint = mcpctl_core::did_you_mean(&request.name, names.exposed_names())
                .map(|close| format!("; did you mean '{close}'?"))
                .unwrap_or_default();
            return Err(ErrorData::invalid_params(
                format!(
                    "unknown tool '{}': the gateway's tools are named <server>__<tool> (see tools/list){hint}",
                    request.name
                ),
                None,
            ));
        };
        let Some((_, decision)) = decisions.get(request.name.as_ref()).cloned() else {
            return Err(ErrorData::invalid_params(
                format!(
                    "tool '{}' ({tool} on {server}) is not exposed: the config filters it (enabled_tools/disabled_tools) or the read-only preset hides it",
                    request.name
                ),
                None,
            ));
        };
        let arguments = Value::Object(request.arguments.clone().unwrap_or_default());
        let digest = call_digest(&server, &tool, &arguments);
        let client_name = context
            .peer
            .peer_info()
            .map(|info| format!("{} {}", info.client_info.name, info.client_info.version))
            .unwrap_or_default();
        let record = |result: &str, decided_by: &str, is_error: bool| {
            self.inner.audit.append(&Record {
                time: mcpctl_private_file::utc_now(),
                client: &client_name,
                server: &server,
                tool: &tool,
                decision: decision.outcome.as_str(),
                result,
                decided_by,
                mode: decision.mode.as_str(),
                duration_ms: started.elapsed().as_millis(),
                is_error,
                arguments_digest: &digest,
            });
        };
        let settled_by = decision.decided_by.as_str();
        let mut answered_by = settled_by;
        if decision.outcome == Outcome::Ask {
            let rememberable =
                !matches!(decision.mode, ApprovalMode::Prompt | ApprovalMode::Writes);
            let sessions = &self.inner.sessions;
            if rememberable && sessions.is_remembered(&context.peer, &server, &tool) {
                answered_by = "remembered";
            } else {
                match self
                    .ask(
                        context,
                        &server,
                        &tool,
                        &arguments,
                        &digest,
                        &decision,
                        rememberable,
                    )
                    .await
                {
                    Answer::Approved { remember } => {
                        if remember && rememberable {
                            sessions.remember(&context.peer, &server, &tool);
                        }
                        answered_by = "user";
                    }
                    Answer::Declined(why) => {
                        record("declined", "user", true);
                        return Ok(error_result(format!(
                            "The call of {tool} on {server} was not approved: {why}."
                        )));
                    }
                    Answer::CannotAsk => {
                        record("refused", settled_by, true);
                        return Ok(error_result(cannot_ask_message(&server, &tool, &decision)));
                    }
                }
            }
        }
        // A backend whose connection was lost (a crashed stdio server) starts again here,
        // with backoff.
        let client = match self.manager().await.live_client(&server).await {
            Ok(client) => client,
            Err(error) => {
                log(&error.to_string());
                record("failed", answered_by, true);
                return Ok(error_result(format!(
                    "{error} (see the {STATUS_URI} resource)"
                )));
            }
        };
        let timeout = catalog
            .timeouts
            .get(&server)
            .copied()
            .unwrap_or(mcpctl_core::DEFAULT_TOOL_TIMEOUT);
        let token = context.meta.get_progress_token();
        let wants_progress = token.is_some();
        let call_id = self
            .inner
            .sessions
            .begin_call(&server, &context.peer, token);
        // The client's `notifications/cancelled` cancels `context.ct`: dropping the backend
        // call then sends the backend its own `notifications/cancelled`.
        let mut gone = self.inner.gone.subscribe();
        let outcome = tokio::select! {
            outcome = client.call_tool(&tool, arguments, timeout) => Ok(outcome),
            () = context.ct.cancelled() => Err("was cancelled by the client"),
            _ = gone.wait_for(|gone| *gone) => Err("was stopped: the client went away"),
        };
        if wants_progress {
            // The backend's connection may hand over progress sent just before the result
            // after the result itself. A call that has had progress gives the rest a moment
            // (20 ms); one that has had none pays nothing (a first notification sent at the
            // same instant as the result may then be lost). Then the flush waits until the
            // forwarder has sent everything queued: no progress goes out after the result.
            if self.inner.sessions.progress_seen(&server, call_id) > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            let (done, flushed) = tokio::sync::oneshot::channel();
            if self
                .inner
                .forward
                .send(Forwarded::Flush(done))
                .await
                .is_ok()
            {
                let _ = flushed.await;
            }
        }
        self.inner.sessions.end_call(&server, call_id);
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(why) => {
                record("cancelled", answered_by, true);
                return Err(ErrorData::internal_error(
                    format!("the call of {tool} on {server} {why}"),
                    None,
                ));
            }
        };
        match outcome {
            Ok(result) => {
                let is_error = result.is_error == Some(true);
                record(
                    if answered_by == settled_by {
                        "ran"
                    } else {
                        "approved"
                    },
                    answered_by,
                    is_error,
                );
                Ok(result)
            }
            Err(error) => {
                record("failed", answered_by, true);
                Ok(error_result(error.to_string()))
            }
        }
    }

    /// Asks the client's user to approve one call, through MCP elicitation.
    #[allow(clippy::too_many_arguments)]
    async fn ask(
        &self,
        context: &RequestContext<RoleServer>,
        server: &str,
        tool: &str,
        arguments: &Value,
        digest: &str,
        decision: &Decision,
        rememberable: bool,
    ) -> Answer {
        let can_elicit = context
            .peer
            .peer_info()
            .is_some_and(|info| info.capabilities.elicitation.is_some());
        if !can_elicit {
            return Answer::CannotAsk;
        }
        let mut properties = serde_json::Map::new();
        if rememberable {
            properties.insert(
                "remember".to_string(),
                json!({
                    "type": "boolean",
                    "title": "Allow this tool for the rest of this session",
                    "default": false,
                }),
            );
        }
        let message = format!(
            "Allow {tool} on {server}?\nArguments: {}\n(approval mode `{}`; call {})",
            redacted_preview(arguments),
            decision.mode.as_str(),
            &digest[..digest.len().min(19)],
        );
        let params: ElicitRequestParams = match serde_json::from_value(json!({
            "mode": "form",
            "message": message,
            "requestedSchema": {"type": "object", "properties": properties},
        })) {
            Ok(params) => params,
            Err(_) => return Answer::CannotAsk,
        };
        match context.peer.create_elicitation(params).await {
            Ok(ElicitResult {
                action: ElicitationAction::Accept,
                content,
                ..
            }) => Answer::Approved {
                remember: content
                    .as_ref()
                    .and_then(|c| c.get("remember"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            },
            Ok(ElicitResult {
                action: ElicitationAction::Decline,
                ..
            }) => Answer::Declined("the user declined".to_string()),
            Ok(_) => Answer::Declined("the user cancelled".to_string()),
            Err(error) => Answer::Declined(format!("the approval request failed ({error})")),
        }
    }

    /// A call in tool-search mode: `search_tools`, `call_tool`, or a pinned tool.
    pub(super) async fn tool_search_call(
        &self,
        request: CallToolRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let arguments = Value::Object(request.arguments.clone().unwrap_or_default());
        if request.name == crate::tool_search::SEARCH {
            let catalog = self.catalog().await;
            let query = arguments
                .get("query")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ErrorData::invalid_params("search_tools needs a `query` string", None)
                })?;
            let limit = arguments
                .get("limit")
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok());
            let found: Vec<Value> = crate::tool_search::rank(&catalog.tools, query, limit)
                .into_iter()
                .map(|tool| {
                    json!({
                        "name": tool.name,
                        "description": tool.description,
                        "inputSchema": tool.input_schema,
                    })
                })
                .collect();
            let text = serde_json::to_string(&found).unwrap_or_default();
            let result: CallToolResult = serde_json::from_value(json!({
                "content": [{"type": "text", "text": text}],
                "structuredContent": {"tools": found},
            }))
            .map_err(|err| ErrorData::internal_error(err.to_string(), None))?;
            return Ok(CallToolResponse::from(result));
        }
        if request.name == crate::tool_search::CALL {
            let name = arguments
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ErrorData::invalid_params("call_tool needs the `name` of a tool", None)
                })?;
            let mut inner = CallToolRequestParams::new(name.to_string());
            if let Some(Value::Object(args)) = arguments.get("arguments") {
                inner = inner.with_arguments(args.clone());
            }
            return self.call(inner, context).await.map(CallToolResponse::from);
        }
        if !self.inner.pinned.iter().any(|p| p == request.name.as_ref()) {
            return Err(ErrorData::invalid_params(
                format!(
                    "unknown tool '{}': in tool-search mode, find tools with search_tools and call them with call_tool",
                    request.name
                ),
                None,
            ));
        }
        self.call(request, context)
            .await
            .map(CallToolResponse::from)
    }
}

enum Answer {
    Approved { remember: bool },
    Declined(String),
    CannotAsk,
}

/// The refusal a client without elicitation gets: it names the setting that would allow the
/// call, or the administrator's cap when no user setting can.
fn cannot_ask_message(server: &str, tool: &str, decision: &Decision) -> String {
    let capped = matches!(
        decision.decided_by,
        mcpctl_core::approval_types::DecidedBy::AdminCap
    );
    if capped {
        return format!(
            "The call of {tool} on {server} needs approval (mode `{}`, set by the administrator's allowed_approval_modes in requirements.toml), and this client cannot be asked (it does not support MCP elicitation). Use a client that supports elicitation.",
            decision.mode.as_str()
        );
    }
    format!(
        "The call of {tool} on {server} needs approval (mode `{}`, decided by {}), and this client cannot be asked (it does not support MCP elicitation). To allow it without asking, set `approval_mode = \"approve\"` under [mcp_servers.{server}.tools.{tool}] in the mcpctl config, or run the gateway with `--preset full-access`.",
        decision.mode.as_str(),
        decision.decided_by.as_str()
    )
}

fn error_result(text: String) -> CallToolResult {
    serde_json::from_value(json!({"content": [{"type": "text", "text": text}], "isError": true}))
        .unwrap_or_default()
}
