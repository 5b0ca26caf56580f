//! The MCP side: tools, pagination, list_changed, init delay.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    InitializeRequestParams, InitializeResult, JsonObject, ListToolsResult, PaginatedRequestParams,
    ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{NotificationContext, RequestContext};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Value, json};

use crate::args::Args;

/// Tools per `tools/list` page, so `--tools 250` exercises pagination.
const PAGE_SIZE: usize = 100;

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
                        Err(ErrorData::internal_error("cancelled", None))
                    }
                }
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

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        if self.args.list_changed
            && let Err(error) = context.peer.notify_tool_list_changed().await
        {
            eprintln!("mcpctl-test-server: could not send list_changed: {error}");
        }
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let start = match request.and_then(|r| r.cursor) {
            Some(cursor) => cursor
                .parse::<usize>()
                .map_err(|_| ErrorData::invalid_params(format!("bad cursor `{cursor}`"), None))?,
            None => 0,
        };
        let end = (start + PAGE_SIZE).min(self.tools.len());
        let page = self.tools.get(start..end).unwrap_or_default().to_vec();
        let mut result = ListToolsResult::with_all_items(page);
        if end < self.tools.len() {
            result.next_cursor = Some(end.to_string());
        }
        Ok(result)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
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
