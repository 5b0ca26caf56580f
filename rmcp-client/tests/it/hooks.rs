//! Elicitation, progress and tools/list_changed through `ClientHooks`, over stdio.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcpctl_rmcp_client::{
    BoxFuture, ClientHooks, DeclineElicitation, DefaultsElicitation, ElicitRequestParams,
    ElicitResult, ElicitationAction, ElicitationHandler, McpClient,
};
use serde_json::json;

use crate::{STARTUP, eventually, server_spec};

#[tokio::test]
async fn elicitation_is_answered_with_the_schema_defaults() {
    let hooks = ClientHooks {
        elicitation: Some(Arc::new(DefaultsElicitation)),
        ..ClientHooks::default()
    };
    let client = McpClient::connect_stdio_with_hooks("demo", server_spec(&[]), STARTUP, hooks)
        .await
        .unwrap();
    let result = client
        .call_tool("elicit", json!({}), STARTUP)
        .await
        .unwrap();
    assert_ne!(result.is_error, Some(true), "{result:?}");
    assert_eq!(
        result.structured_content,
        Some(json!({
            "action": "accept",
            "content": { "name": "Ada", "age": 36, "score": 9.5, "status": "active", "verified": true }
        }))
    );
    client.shutdown().await;
}

/// Records which server asked and what, then declines.
#[derive(Default)]
struct Recorder(Mutex<Vec<(String, String)>>);

impl ElicitationHandler for Recorder {
    fn elicit<'a>(
        &'a self,
        server: &'a str,
        request: ElicitRequestParams,
    ) -> BoxFuture<'a, ElicitResult> {
        if let ElicitRequestParams::FormElicitationParams { message, .. } = request {
            self.0.lock().unwrap().push((server.to_owned(), message));
        }
        Box::pin(std::future::ready(ElicitResult::new(
            ElicitationAction::Decline,
        )))
    }
}

#[tokio::test]
async fn elicitation_reaches_the_front_end_handler_with_the_server_name() {
    let recorder = Arc::new(Recorder::default());
    let hooks = ClientHooks {
        elicitation: Some(recorder.clone()),
        ..ClientHooks::default()
    };
    let client = McpClient::connect_stdio_with_hooks("asker", server_spec(&[]), STARTUP, hooks)
        .await
        .unwrap();
    let result = client
        .call_tool("elicit", json!({}), STARTUP)
        .await
        .unwrap();
    assert_eq!(
        result.structured_content,
        Some(json!({ "action": "decline", "content": null }))
    );
    assert_eq!(
        *recorder.0.lock().unwrap(),
        [("asker".to_owned(), "Who are you?".to_owned())]
    );
    client.shutdown().await;
}

#[tokio::test]
async fn without_a_handler_elicitation_is_declined() {
    let client = McpClient::connect_stdio("demo", server_spec(&[]), STARTUP)
        .await
        .unwrap();
    let result = client
        .call_tool("elicit", json!({}), STARTUP)
        .await
        .unwrap();
    assert_eq!(
        result.structured_content,
        Some(json!({ "action": "decline", "content": null }))
    );
    client.shutdown().await;
}

/// Servers register tools per client capability: every connection declares the same ones, so
/// a listing without an elicitation handler sees what a call with one can use.
#[tokio::test]
async fn tools_listed_per_capability_are_seen_whatever_the_hooks() {
    let with_handler = ClientHooks {
        elicitation: Some(Arc::new(DeclineElicitation)),
        ..ClientHooks::default()
    };
    for hooks in [ClientHooks::default(), with_handler] {
        let client = McpClient::connect_stdio_with_hooks(
            "demo",
            server_spec(&["--elicitation-tool"]),
            STARTUP,
            hooks,
        )
        .await
        .unwrap();
        let names: Vec<String> = client
            .list_tools()
            .await
            .unwrap()
            .iter()
            .map(|t| t.name.to_string())
            .collect();
        assert!(names.contains(&"confirm".to_owned()), "{names:?}");
        client.shutdown().await;
    }
}

#[tokio::test]
async fn progress_notifications_reach_the_hook() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let hooks = ClientHooks {
        progress: Some(Arc::new(
            move |server: &str, p: &mcpctl_rmcp_client::ProgressNotificationParam| {
                sink.lock().unwrap().push(format!(
                    "{server}: {}/{} {}",
                    p.progress,
                    p.total.unwrap_or_default(),
                    p.message.clone().unwrap_or_default()
                ));
            },
        )),
        ..ClientHooks::default()
    };
    let client = McpClient::connect_stdio_with_hooks("busy", server_spec(&[]), STARTUP, hooks)
        .await
        .unwrap();
    let result = client
        .call_tool("progress", json!({}), STARTUP)
        .await
        .unwrap();
    assert_eq!(result.content[0].as_text().unwrap().text, "done");
    // Notifications are handled concurrently with the response: wait for all three.
    assert!(eventually(Duration::from_secs(2), || seen.lock().unwrap().len() == 3).await);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "busy: 1/3 step 1 of 3",
            "busy: 2/3 step 2 of 3",
            "busy: 3/3 step 3 of 3"
        ]
    );
    client.shutdown().await;
}

#[tokio::test]
async fn tools_list_changed_is_counted_and_reported() {
    let changed = Arc::new(Mutex::new(Vec::new()));
    let sink = changed.clone();
    let hooks = ClientHooks {
        tools_changed: Some(Arc::new(move |server: &str| {
            sink.lock().unwrap().push(server.to_owned());
        })),
        ..ClientHooks::default()
    };
    let client = McpClient::connect_stdio_with_hooks(
        "demo",
        server_spec(&["--list-changed"]),
        STARTUP,
        hooks,
    )
    .await
    .unwrap();
    assert!(eventually(Duration::from_secs(2), || client.tools_changed_count() == 1).await);
    assert_eq!(*changed.lock().unwrap(), ["demo"]);

    let quiet = McpClient::connect_stdio("demo", server_spec(&[]), STARTUP)
        .await
        .unwrap();
    quiet.ping().await.unwrap();
    assert_eq!(quiet.tools_changed_count(), 0);
    client.shutdown().await;
    quiet.shutdown().await;
}

#[tokio::test]
async fn declined_elicitation_is_reported_to_the_server() {
    let hooks = ClientHooks {
        elicitation: Some(Arc::new(DeclineElicitation)),
        ..ClientHooks::default()
    };
    let client = McpClient::connect_stdio_with_hooks("demo", server_spec(&[]), STARTUP, hooks)
        .await
        .unwrap();
    let result = client
        .call_tool("elicit", json!({}), STARTUP)
        .await
        .unwrap();
    assert_eq!(
        result.structured_content,
        Some(json!({ "action": "decline", "content": null }))
    );
    client.shutdown().await;
}
