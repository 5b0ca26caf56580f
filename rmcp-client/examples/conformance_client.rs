//! A client for the MCP conformance suite (`@modelcontextprotocol/conformance`), doing per
//! scenario what `testing/conformance/client.sh` does through the mcpctl CLI.
//!
//! Run by the suite as `conformance_client <server-url>` with `MCP_CONFORMANCE_SCENARIO` set:
//! `node <pkg>/dist/index.js client --command "target/debug/examples/conformance_client" --scenario initialize`.
// An example program: it reports on the terminal.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use mcpctl_rmcp_client::{ClientHooks, DefaultsElicitation, HttpSpec, McpClient};
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(20);

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("conformance_client: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: conformance_client <server-url>")?;
    let scenario = std::env::var("MCP_CONFORMANCE_SCENARIO").unwrap_or_default();
    let spec = HttpSpec {
        url,
        ..HttpSpec::default()
    };
    let hooks = ClientHooks {
        elicitation: Some(Arc::new(DefaultsElicitation)),
        ..ClientHooks::default()
    };
    let client = McpClient::connect_http_with_hooks("conformance", spec, TIMEOUT, hooks).await?;
    let tools = client.list_tools().await?;
    eprintln!(
        "conformance_client: {scenario}: tools {:?}",
        tools.iter().map(|t| t.name.as_ref()).collect::<Vec<_>>()
    );
    let call = match scenario.as_str() {
        "tools_call" => Some(("add_numbers", json!({ "a": 5, "b": 3 }))),
        "elicitation-sep1034-client-defaults" => {
            Some(("test_client_elicitation_defaults", json!({})))
        }
        "sse-retry" => Some(("test_reconnection", json!({}))),
        _ => None,
    };
    if let Some((tool, arguments)) = call {
        let result = client.call_tool(tool, arguments, TIMEOUT).await?;
        eprintln!(
            "conformance_client: {tool}: {}",
            serde_json::to_string(&result)?
        );
        if result.is_error == Some(true) {
            return Err(format!("tool `{tool}` returned an error").into());
        }
    }
    client.shutdown().await;
    Ok(())
}
