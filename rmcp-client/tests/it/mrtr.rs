//! Multi round-trip requests (`input_required`, protocol 2026-07-28) through `call_tool`: the
//! same server over stdio and over HTTP gives the same result.

use std::sync::Arc;

use mcpctl_rmcp_client::{ClientHooks, DefaultsElicitation, McpClient};
use serde_json::json;

use crate::http::HttpServer;
use crate::{STARTUP, server_spec};

fn answering_defaults() -> ClientHooks {
    ClientHooks {
        elicitation: Some(Arc::new(DefaultsElicitation)),
        ..ClientHooks::default()
    }
}

#[tokio::test]
async fn input_required_gets_its_retry_over_stdio_and_http_alike() {
    let stdio = McpClient::connect_stdio_with_hooks(
        "mrtr",
        server_spec(&["--mrtr"]),
        STARTUP,
        answering_defaults(),
    )
    .await
    .unwrap();
    let server = HttpServer::start(&["--mrtr"]);
    let http =
        McpClient::connect_http_with_hooks("mrtr", server.spec(), STARTUP, answering_defaults())
            .await
            .unwrap();

    // A client lists tools before it calls one (the server relies on it, see `--mrtr`).
    for client in [&stdio, &http] {
        let tools = client.list_tools().await.unwrap();
        assert!(tools.iter().any(|t| t.name == "mrtr"));
    }
    let over_stdio = stdio
        .call_tool("mrtr", json!({"text": "hi"}), STARTUP)
        .await
        .unwrap();
    let over_http = http
        .call_tool("mrtr", json!({"text": "hi"}), STARTUP)
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&over_stdio).unwrap(),
        serde_json::to_value(&over_http).unwrap()
    );
    assert_eq!(
        over_stdio.structured_content,
        Some(json!({
            "text": "hi",
            "confirm": { "action": "accept", "content": { "go": true } },
            "rounds": 2,
        }))
    );
    assert_eq!(
        over_stdio.content[0].as_text().unwrap().text,
        "hi (confirm: accept)"
    );
    // Both rounds reached the server, each once.
    let rounds = stdio.stderr_tail().0;
    assert_eq!(
        rounds.iter().filter(|l| l.contains("mrtr: round")).count(),
        2,
        "{rounds:?}"
    );
    stdio.shutdown().await;
    http.shutdown().await;
}
