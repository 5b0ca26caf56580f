//! The MCP side: tools, pagination, list_changed, init delay, resources, a prompt,
//! elicitation and progress.

// Sampling, roots and logging are deprecated in rmcp (SEP-2577, protocol 2026-07-28) but are
// part of the versions the tests speak.
#![allow(deprecated)]

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ElicitRequestParams,
    GetPromptRequestParams, GetPromptResponse, GetPromptResult, Implementation,
    InitializeRequestParams, InitializeResult, InputRequests, InputRequiredResult, JsonObject,
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ProgressNotificationParam, ProtocolVersion, ReadResourceRequestParams,
    ReadResourceResponse, ReadResourceResult, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::model::{
    CompleteRequestParams, CompleteResult, Reference, ResourceUpdatedNotificationParam,
    SubscribeRequestParams, UnsubscribeRequestParams,
};
use rmcp::model::{
    CreateMessageRequestParams, LoggingMessageNotificationParam, SetLevelRequestParams,
};
use rmcp::service::{NotificationContext, Peer, RequestContext};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Value, json};

use crate::args::Args;

/// Tools per `tools/list` page, so `--tools 250` exercises pagination.
const PAGE_SIZE: usize = 100;

/// The `requestState` the first round of the `mrtr` tool hands out, before its text.
const MRTR_STATE: &str = "mrtr-round-1:";

/// A 1x1 transparent PNG, base64.
const TINY_PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

/// The server state shared by every session.
#[derive(Clone)]
pub struct TestServer {
    args: Arc<Args>,
    tools: Arc<Vec<Tool>>,
}

impl TestServer {
    /// A server configured by `args`.
    pub fn new(args: Args) -> Self {
        let tools = build_tools(&args);
        Self {
            args: Arc::new(args),
            tools: Arc::new(tools),
        }
    }

    /// With `--mrtr`, records the client as a 2026-07-28 peer once `initialize` is done.
    ///
    /// rmcp lets `input_required` reach only peers on 2026-07-28, which has no `initialize`;
    /// mcpctl negotiates 2025-11-25 through it. Recording the client as a 2026-07-28 peer (the
    /// negotiated version stays what it asked) lets the `mrtr` tool answer as the servers do
    /// that send `input_required` to any client. rmcp overwrites the record when it answers
    /// `initialize`, hence here: on `notifications/initialized`, and on `tools/list`, which a
    /// client sends before it calls a tool it found there. rmcp then refuses server-to-client
    /// requests, so the `elicit` tool does not work in this mode.
    fn mark_mrtr_peer(&self, peer: &Peer<RoleServer>) {
        if !self.args.mrtr {
            return;
        }
        if let Some(info) = peer.peer_info()
            && info.protocol_version != ProtocolVersion::V_2026_07_28
        {
            let mut info = (*info).clone();
            info.protocol_version = ProtocolVersion::V_2026_07_28;
            peer.set_peer_info(info);
        }
    }

    /// The `mrtr` tool (`--mrtr`), a multi round-trip request (protocol 2026-07-28): the
    /// first call is answered `input_required` with one elicitation and a `requestState`; the
    /// retry that echoes the state gets the text and the elicitation's answer.
    fn mrtr(&self, request: &CallToolRequestParams) -> Result<CallToolResponse, ErrorData> {
        let Some(state) = request.request_state.as_deref() else {
            let text = request
                .arguments
                .as_ref()
                .and_then(|a| a.get("text"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            eprintln!("mcpctl-test-server: mrtr: round 1, answering input_required");
            let requests: InputRequests = from_json(json!({
                "confirm": {
                    "method": "elicitation/create",
                    "params": {
                        "mode": "form",
                        "message": "Go on?",
                        "requestedSchema": {
                            "type": "object",
                            "properties": { "go": { "type": "boolean", "default": true } },
                            "required": ["go"]
                        }
                    }
                }
            }))?;
            return Ok(CallToolResponse::InputRequired(InputRequiredResult::new(
                Some(requests),
                Some(format!("{MRTR_STATE}{text}")),
            )));
        };
        let Some(text) = state.strip_prefix(MRTR_STATE) else {
            return Err(ErrorData::invalid_params(
                "mrtr: the retry did not echo the requestState of round 1",
                None,
            ));
        };
        let answer = request
            .input_responses
            .as_ref()
            .and_then(|r| r.get("confirm"))
            .cloned()
            .unwrap_or(Value::Null);
        eprintln!("mcpctl-test-server: mrtr: round 2, answering the result");
        let action = answer["action"].as_str().unwrap_or("none").to_owned();
        let mut result = CallToolResult::structured(json!({
            "text": text,
            "confirm": answer,
            "rounds": 2,
        }));
        result.content = vec![ContentBlock::text(format!("{text} (confirm: {action})"))];
        Ok(CallToolResponse::Complete(result))
    }

    async fn run_tool(
        &self,
        name: &str,
        args: &JsonObject,
        ctx: &RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        match name {
            "echo" => Ok(CallToolResult::success(vec![ContentBlock::text(str_arg(
                args, "text",
            )?)])),
            "add" => {
                let sum = num_arg(args, "a")? + num_arg(args, "b")?;
                let mut result = CallToolResult::structured(json!({ "sum": sum }));
                result.content = vec![ContentBlock::text(sum.to_string())];
                Ok(result)
            }
            "image" => Ok(CallToolResult::success(vec![ContentBlock::image(
                TINY_PNG,
                "image/png",
            )])),
            "fail" => Ok(CallToolResult::error(vec![ContentBlock::text(
                "this tool always fails",
            )])),
            "env" => {
                let value = std::env::var(str_arg(args, "name")?).ok();
                Ok(CallToolResult::structured(json!({ "value": value })))
            }
            "slow" => {
                let wait = Duration::from_millis(self.args.slow_ms);
                tokio::select! {
                    () = tokio::time::sleep(wait) => {
                        Ok(CallToolResult::success(vec![ContentBlock::text(format!("slept {} ms", self.args.slow_ms))]))
                    }
                    () = ctx.ct.cancelled() => {
                        eprintln!("mcpctl-test-server: slow: cancelled by the client");
                        self.args.event("cancelled slow");
                        Err(ErrorData::internal_error("cancelled", None))
                    }
                }
            }
            "elicit" => elicit(ctx).await,
            "progress" => {
                if let Some(token) = ctx.meta.get_progress_token() {
                    for step in 1..=3 {
                        let mut note =
                            ProgressNotificationParam::new(token.clone(), f64::from(step));
                        note.total = Some(3.0);
                        note.message = Some(format!("step {step} of 3"));
                        ctx.peer
                            .notify_progress(note)
                            .await
                            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
                    }
                }
                Ok(CallToolResult::success(vec![ContentBlock::text("done")]))
            }
            "sample" if self.args.client_requests => {
                let request: CreateMessageRequestParams = from_json(json!({
                    "messages": [{"role": "user", "content": {"type": "text", "text": str_arg(args, "text")?}}],
                    "maxTokens": 100,
                }))?;
                let answer = ctx.peer.create_message(request).await.map_err(|e| {
                    ErrorData::internal_error(format!("sampling failed: {e}"), None)
                })?;
                let answer = serde_json::to_value(&answer).unwrap_or_default();
                let text = answer["content"]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                Ok(CallToolResult::success(vec![ContentBlock::text(format!(
                    "{text} (model {})",
                    answer["model"].as_str().unwrap_or("?")
                ))]))
            }
            "roots" if self.args.client_requests => {
                let roots = ctx.peer.list_roots().await.map_err(|e| {
                    ErrorData::internal_error(format!("roots/list failed: {e}"), None)
                })?;
                let uris: Vec<String> = roots.roots.iter().map(|r| r.uri.clone()).collect();
                Ok(CallToolResult::success(vec![ContentBlock::text(
                    uris.join("\n"),
                )]))
            }
            "crash" if self.args.crash_mid_call => {
                eprintln!(
                    "mcpctl-test-server: crash: exiting mid-call as asked (--crash-mid-call)"
                );
                std::process::exit(4);
            }
            generated
                if self.tools.iter().any(|t| t.name == generated)
                    && generated.starts_with("tool_") =>
            {
                Ok(CallToolResult::success(vec![ContentBlock::text(str_arg(
                    args, "text",
                )?)]))
            }
            other => Err(ErrorData::invalid_params(
                format!("unknown tool `{other}`"),
                None,
            )),
        }
    }
}

impl ServerHandler for TestServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .enable_resources()
                .enable_resources_subscribe()
                .enable_prompts()
                .enable_logging()
                .enable_completions()
                .build(),
        )
        .with_server_info(Implementation::new(
            "mcpctl-test-server",
            env!("CARGO_PKG_VERSION"),
        ))
    }

    async fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, ErrorData> {
        tokio::time::sleep(Duration::from_millis(self.args.init_delay_ms)).await;
        context.peer.set_peer_info(request.clone());
        self.negotiate_initialize(&request)
    }

    async fn on_roots_list_changed(&self, _context: NotificationContext<RoleServer>) {
        self.args.event("roots changed");
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        self.mark_mrtr_peer(&context.peer);
        if self.args.list_changed
            && let Err(error) = context.peer.notify_tool_list_changed().await
        {
            eprintln!("mcpctl-test-server: could not send list_changed: {error}");
        }
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        self.mark_mrtr_peer(&context.peer);
        let start = match request.and_then(|r| r.cursor) {
            Some(cursor) => cursor
                .parse::<usize>()
                .map_err(|_| ErrorData::invalid_params(format!("bad cursor `{cursor}`"), None))?,
            None => 0,
        };
        let mut tools = self.tools.as_slice().to_vec();
        let eliciting = context
            .peer
            .peer_info()
            .is_some_and(|info| info.capabilities.elicitation.is_some());
        if self.args.elicitation_tool && eliciting {
            tools.push(Tool::new(
                "confirm",
                "Listed only to clients that declare elicitation.",
                schema(json!({}), &[]),
            ));
        }
        let end = (start + PAGE_SIZE).min(tools.len());
        let page = tools.get(start..end).unwrap_or_default().to_vec();
        let mut result = ListToolsResult::with_all_items(page);
        if end < tools.len() {
            result.next_cursor = Some(end.to_string());
        }
        Ok(result)
    }

    /// Records the level (`--events`) and answers with one log message at that level.
    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let level = serde_json::to_value(request.level).unwrap_or(Value::Null);
        let level = level.as_str().unwrap_or("?");
        self.args.event(&format!("setLevel {level}"));
        let mut message = LoggingMessageNotificationParam::new(
            request.level,
            json!(format!("log level set to {level}")),
        );
        message.logger = Some("test-server".to_string());
        let _ = context.peer.notify_logging_message(message).await;
        Ok(())
    }

    /// Completes the `name` argument of the prompt `greet` from a fixed list.
    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        let is_greet = matches!(&request.r#ref, Reference::Prompt(p) if p.name == "greet");
        let values: Vec<String> = if is_greet && request.argument.name == "name" {
            ["alice", "albert", "bob"]
                .iter()
                .filter(|v| v.starts_with(request.argument.value.as_str()))
                .map(|v| (*v).to_string())
                .collect()
        } else {
            Vec::new()
        };
        from_json(json!({ "completion": { "values": values, "hasMore": false } }))
    }

    /// Records the subscription and sends `notifications/resources/updated` for it at once.
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.args.event(&format!("subscribe {}", request.uri));
        let _ = context
            .peer
            .notify_resource_updated(ResourceUpdatedNotificationParam::new(request.uri))
            .await;
        Ok(())
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.args.event(&format!("unsubscribe {}", request.uri));
        Ok(())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        from_json(json!({ "resources": [
            { "uri": TEXT_URI, "name": "greeting", "description": "A short text.", "mimeType": "text/plain" },
            { "uri": BLOB_URI, "name": "pixel", "description": "A 1x1 PNG.", "mimeType": "image/png" },
        ]}))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        from_json(json!({ "resourceTemplates": [
            { "uriTemplate": "test://echo/{text}", "name": "echo", "mimeType": "text/plain" },
        ]}))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri.as_str();
        let contents = match uri {
            TEXT_URI => {
                json!({ "uri": uri, "mimeType": "text/plain", "text": "hello from the test server" })
            }
            BLOB_URI => json!({ "uri": uri, "mimeType": "image/png", "blob": TINY_PNG }),
            _ => match uri.strip_prefix("test://echo/") {
                Some(text) => json!({ "uri": uri, "mimeType": "text/plain", "text": text }),
                None => {
                    return Err(ErrorData::resource_not_found(
                        format!("no resource `{uri}`"),
                        None,
                    ));
                }
            },
        };
        from_json::<ReadResourceResult>(json!({ "contents": [contents] }))
            .map(ReadResourceResponse::from)
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        from_json(json!({ "prompts": [{
            "name": "greet",
            "description": "Greets someone by name.",
            "arguments": [{ "name": "name", "description": "Who to greet.", "required": true }],
        }]}))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        if request.name != "greet" {
            return Err(ErrorData::invalid_params(
                format!("unknown prompt `{}`", request.name),
                None,
            ));
        }
        let name = request
            .arguments
            .as_ref()
            .and_then(|a| a.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("stranger");
        from_json::<GetPromptResult>(json!({ "messages": [
            { "role": "user", "content": { "type": "text", "text": format!("Say hello to {name}.") } },
        ]}))
        .map(GetPromptResponse::from)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if request.name == "mrtr" && self.args.mrtr {
            return self.mrtr(&request);
        }
        let args = request.arguments.clone().unwrap_or_default();
        self.run_tool(&request.name, &args, &context)
            .await
            .map(CallToolResponse::from)
    }
}

fn build_tools(args: &Args) -> Vec<Tool> {
    let text_schema = schema(json!({ "text": { "type": "string" } }), &["text"]);
    let mut tools = vec![
        Tool::new("echo", "Returns its `text` argument.", text_schema.clone()),
        Tool::new(
            "add",
            "Adds two numbers; the sum is also structured content `{sum}`.",
            schema(
                json!({ "a": { "type": "number" }, "b": { "type": "number" } }),
                &["a", "b"],
            ),
        ),
        Tool::new("image", "Returns a tiny PNG image.", schema(json!({}), &[])),
        Tool::new(
            "fail",
            "Always returns a result with isError set.",
            schema(json!({}), &[]),
        ),
        Tool::new(
            "env",
            "Returns the value of an environment variable of the server, or null.",
            schema(json!({ "name": { "type": "string" } }), &["name"]),
        ),
        Tool::new(
            "slow",
            "Sleeps --slow-ms milliseconds; stops when cancelled.",
            schema(json!({}), &[]),
        ),
    ];
    tools.push(Tool::new(
        "elicit",
        "Asks the client for a name, age, score, status and flag (each with a default) and returns the answer as structured content `{action, content}`.",
        schema(json!({}), &[]),
    ));
    tools.push(Tool::new(
        "progress",
        "Sends 3 progress notifications (when the call has a progress token), then returns `done`.",
        schema(json!({}), &[]),
    ));
    if args.mrtr {
        tools.push(Tool::new(
            "mrtr",
            "Answers input_required (one elicitation) first, then returns its `text` and the answer.",
            text_schema.clone(),
        ));
    }
    if args.client_requests {
        tools.push(Tool::new(
            "sample",
            "Asks the client's model (sampling/createMessage) to answer `text`; returns the answer.",
            text_schema.clone(),
        ));
        tools.push(Tool::new(
            "roots",
            "Asks the client for its roots (roots/list); returns their URIs, one per line.",
            schema(json!({}), &[]),
        ));
    }
    if args.crash_mid_call {
        tools.push(Tool::new(
            "crash",
            "Exits the server process in the middle of the call.",
            schema(json!({}), &[]),
        ));
    }
    tools.extend((0..args.tools).map(|i| {
        Tool::new(
            format!("tool_{i}"),
            format!("Generated tool {i}: returns its `text`."),
            text_schema.clone(),
        )
    }));
    tools
}

/// The text resource.
const TEXT_URI: &str = "test://text";
/// The blob resource (a PNG).
const BLOB_URI: &str = "test://blob";

/// The `elicit` tool: one form elicitation whose fields all have defaults.
async fn elicit(ctx: &RequestContext<RoleServer>) -> Result<CallToolResult, ErrorData> {
    let supported = ctx
        .peer
        .peer_info()
        .is_some_and(|info| info.capabilities.elicitation.is_some());
    if !supported {
        return Ok(CallToolResult::error(vec![ContentBlock::text(
            "the client does not support elicitation",
        )]));
    }
    let requested_schema = from_json(json!({
        "type": "object",
        "properties": {
            "name": { "type": "string", "default": "Ada" },
            "age": { "type": "integer", "default": 36 },
            "score": { "type": "number", "default": 9.5 },
            "status": { "type": "string", "enum": ["active", "inactive"], "default": "active" },
            "verified": { "type": "boolean", "default": true }
        },
        "required": ["name"]
    }))?;
    let answer = ctx
        .peer
        .create_elicitation(ElicitRequestParams::FormElicitationParams {
            meta: None,
            message: "Who are you?".to_owned(),
            requested_schema,
        })
        .await
        .map_err(|e| ErrorData::internal_error(format!("elicitation failed: {e}"), None))?;
    Ok(CallToolResult::structured(json!({
        "action": answer.action,
        "content": answer.content,
    })))
}

/// Builds an rmcp model value from its JSON form (shorter than its constructors).
fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ErrorData> {
    serde_json::from_value(value).map_err(|e| ErrorData::internal_error(e.to_string(), None))
}

fn schema(properties: Value, required: &[&str]) -> Arc<JsonObject> {
    let mut object = JsonObject::new();
    object.insert("type".into(), json!("object"));
    object.insert("properties".into(), properties);
    if !required.is_empty() {
        object.insert("required".into(), json!(required));
    }
    Arc::new(object)
}

fn str_arg(args: &JsonObject, key: &str) -> Result<String, ErrorData> {
    args.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| ErrorData::invalid_params(format!("`{key}` must be a string"), None))
}

fn num_arg(args: &JsonObject, key: &str) -> Result<f64, ErrorData> {
    args.get(key)
        .and_then(Value::as_f64)
        .ok_or_else(|| ErrorData::invalid_params(format!("`{key}` must be a number"), None))
}
