use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use mcpctl_rmcp_client::{Cause, ClientError, McpClient, StdioSpec};
use rmcp::model::ContentBlock;
use serde_json::json;

use crate::{STARTUP, alive, eventually, server_spec};

fn text_of(result: &mcpctl_rmcp_client::CallToolResult) -> Vec<String> {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect()
}

#[tokio::test]
async fn lists_and_calls_tools() {
    let client = McpClient::connect_stdio("demo", server_spec(&[]), STARTUP)
        .await
        .unwrap();
    let info = client.server_info().unwrap();
    assert_eq!(info.server_info.unwrap().name, "mcpctl-test-server");

    let names: Vec<String> = client
        .list_tools()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "echo", "add", "image", "fail", "env", "slow", "elicit", "progress"
        ]
    );

    let echo = client
        .call_tool("echo", json!({"text": "hi there"}), STARTUP)
        .await
        .unwrap();
    assert_eq!(text_of(&echo), ["hi there"]);
    assert_ne!(echo.is_error, Some(true));

    let add = client
        .call_tool("add", json!({"a": 2, "b": 3.5}), STARTUP)
        .await
        .unwrap();
    assert_eq!(text_of(&add), ["5.5"]);
    assert_eq!(add.structured_content, Some(json!({"sum": 5.5})));

    let image = client.call_tool("image", json!({}), STARTUP).await.unwrap();
    match &image.content[0] {
        ContentBlock::Image(img) => {
            assert_eq!(img.mime_type, "image/png");
            assert!(img.data.starts_with("iVBORw0KGgo"), "{}", img.data);
        }
        other => panic!("expected an image, got {other:?}"),
    }

    let fail = client
        .call_tool("fail", serde_json::Value::Null, STARTUP)
        .await
        .unwrap();
    assert_eq!(fail.is_error, Some(true));
    assert_eq!(text_of(&fail), ["this tool always fails"]);

    client.ping().await.unwrap();
    client.shutdown().await;
}

async fn env_value(client: &McpClient, name: &str) -> serde_json::Value {
    let result = client
        .call_tool("env", json!({ "name": name }), STARTUP)
        .await
        .unwrap();
    result.structured_content.unwrap()["value"].clone()
}

#[tokio::test]
async fn child_gets_only_the_small_environment_plus_named_vars() {
    // Tests cannot set variables (no unsafe), so use one cargo sets for every test process.
    let parent_value = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");

    let plain = McpClient::connect_stdio("demo", server_spec(&[]), STARTUP)
        .await
        .unwrap();
    assert_eq!(env_value(&plain, "CARGO_MANIFEST_DIR").await, json!(null));
    assert_eq!(
        env_value(&plain, "PATH").await,
        json!(std::env::var("PATH").unwrap())
    );
    plain.shutdown().await;

    let spec = StdioSpec {
        env_vars: vec!["CARGO_MANIFEST_DIR".to_owned()],
        env: BTreeMap::from([("MCPCTL_TEST_SET".to_owned(), "from env".to_owned())]),
        ..server_spec(&[])
    };
    let named = McpClient::connect_stdio("demo", spec, STARTUP)
        .await
        .unwrap();
    assert_eq!(
        env_value(&named, "CARGO_MANIFEST_DIR").await,
        json!(parent_value)
    );
    assert_eq!(
        env_value(&named, "MCPCTL_TEST_SET").await,
        json!("from env")
    );
    named.shutdown().await;
}

#[tokio::test]
async fn missing_program_is_named() {
    let spec = StdioSpec {
        program: "mcpctl-no-such-server-xyz".to_owned(),
        ..StdioSpec::default()
    };
    let err = McpClient::connect_stdio("ghost", spec, STARTUP)
        .await
        .err()
        .unwrap();
    assert!(
        matches!(err, ClientError::ProgramNotFound { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("program `mcpctl-no-such-server-xyz` not found on PATH"),
        "{err}"
    );
}

#[tokio::test]
async fn slow_initialize_hits_the_startup_timeout_quickly() {
    let start = Instant::now();
    let err = McpClient::connect_stdio(
        "sleepy",
        server_spec(&["--init-delay-ms", "10000"]),
        Duration::from_millis(300),
    )
    .await
    .err()
    .unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "took {:?}",
        start.elapsed()
    );
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("server `sleepy`: startup timed out after 300 ms"),
        "{text}"
    );
    assert!(text.contains("mcpctl-test-server: starting"), "{text}");
}

/// The server's pid in "starting (pid N)" changes from run to run.
fn without_pid(text: &str) -> String {
    regex_lite_replace(text, "(pid ", ")")
}

fn regex_lite_replace(text: &str, open: &str, close: &str) -> String {
    match text.find(open) {
        Some(at) => {
            let rest = &text[at + open.len()..];
            let end = rest.find(close).unwrap_or(rest.len());
            format!("{}{open}N{}", &text[..at], &rest[end..])
        }
        None => text.to_owned(),
    }
}

#[tokio::test]
async fn a_server_that_exits_before_initialize_gets_one_stable_message() {
    // Exiting at once and exiting after reading the request race differently against the
    // client's write and read; both must read the same, every time.
    for (args, status, said) in [
        (
            "--crash-on-start",
            3,
            "crashing on start as asked (--crash-on-start)",
        ),
        (
            "--exit-before-init",
            5,
            "exiting before answering initialize as asked (--exit-before-init)",
        ),
    ] {
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..5 {
            let err = McpClient::connect_stdio("crashy", server_spec(&[args]), STARTUP)
                .await
                .err()
                .unwrap();
            assert!(
                matches!(
                    &err,
                    ClientError::Startup { cause: Cause::Exited { status: s, .. }, .. }
                        if s.code() == Some(status)
                ),
                "{err:?}"
            );
            seen.insert(without_pid(&err.to_string()));
        }
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            [format!(
                "server `crashy` failed to start: the server exited (exit status {status})\n\
                 last lines of the server's stderr:\n  \
                 mcpctl-test-server: starting (pid N)\n  \
                 mcpctl-test-server: {said}"
            )]
        );
    }
}

#[tokio::test]
async fn a_server_that_prints_garbage_instead_of_answering_is_reported_as_such() {
    let start = Instant::now();
    let err = McpClient::connect_stdio(
        "noisy",
        server_spec(&["--print-garbage", "--init-delay-ms", "60000"]),
        Duration::from_millis(500),
    )
    .await
    .err()
    .unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert!(
        matches!(
            &err,
            ClientError::Startup {
                cause: Cause::NotJsonRpc { .. },
                ..
            }
        ),
        "{err:?}"
    );
    let text = without_pid(&err.to_string());
    assert_eq!(
        text.lines().next().unwrap(),
        "server `noisy` failed to start: the server wrote something other than JSON-RPC to stdout: \
         `Hello from a server that logs to stdout \\u{1b}[0m`; stdout must carry only JSON-RPC \
         messages (servers log to stderr)"
    );
}

#[tokio::test]
async fn a_stray_stdout_line_before_the_answer_is_tolerated() {
    let client = McpClient::connect_stdio("noisy", server_spec(&["--print-garbage"]), STARTUP)
        .await
        .unwrap();
    assert_eq!(client.list_tools().await.unwrap().len(), 8);
    client.shutdown().await;
}

#[tokio::test]
async fn a_missing_cwd_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().join("no-such-folder");
    let spec = StdioSpec {
        cwd: Some(cwd.clone()),
        ..server_spec(&[])
    };
    let err = McpClient::connect_stdio("lost", spec, STARTUP)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, ClientError::CwdNotFound { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "server `lost`: cwd `{}` does not exist; create it or change `cwd`",
            cwd.display()
        )
    );
}

#[tokio::test]
async fn arguments_that_are_not_an_object_are_refused_before_sending() {
    let client = McpClient::connect_stdio("demo", server_spec(&[]), STARTUP)
        .await
        .unwrap();
    let err = client
        .call_tool("echo", json!("hi"), STARTUP)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "server `demo`: tools/call `echo`: the arguments must be a JSON object, not a string"
    );
    client.shutdown().await;
}

#[tokio::test]
async fn a_server_error_prints_its_code_and_message_once() {
    let client = McpClient::connect_stdio("demo", server_spec(&[]), STARTUP)
        .await
        .unwrap();
    let err = client
        .call_tool("no-such-tool", json!({}), STARTUP)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            ClientError::Request {
                cause: Cause::Server { code: -32602, .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "server `demo`: tools/call `no-such-tool` failed: the server answered error -32602: unknown tool `no-such-tool`"
    );
    client.shutdown().await;
}

#[tokio::test]
async fn timed_out_call_is_cancelled_at_the_server_and_the_connection_survives() {
    let client = McpClient::connect_stdio("demo", server_spec(&["--slow-ms", "20000"]), STARTUP)
        .await
        .unwrap();
    let start = Instant::now();
    let err = client
        .call_tool("slow", json!({}), Duration::from_millis(200))
        .await
        .err()
        .unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "took {:?}",
        start.elapsed()
    );
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "server `demo`: tools/call `slow` timed out after 200 ms; raise `tool_timeout_sec` (or `mcpctl call --timeout SECS` for one call) to wait longer"
    );

    let echo = client
        .call_tool("echo", json!({"text": "still here"}), STARTUP)
        .await
        .unwrap();
    assert_eq!(text_of(&echo), ["still here"]);
    let cancelled = eventually(Duration::from_secs(2), || {
        client
            .stderr_tail()
            .0
            .iter()
            .any(|l| l.contains("slow: cancelled by the client"))
    })
    .await;
    assert!(
        cancelled,
        "the server never saw the cancellation: {:?}",
        client.stderr_tail()
    );
    client.shutdown().await;
}

#[tokio::test]
async fn crash_mid_call_is_a_request_error() {
    let client = McpClient::connect_stdio("demo", server_spec(&["--crash-mid-call"]), STARTUP)
        .await
        .unwrap();
    let err = client
        .call_tool("crash", json!({}), STARTUP)
        .await
        .err()
        .unwrap();
    assert!(
        matches!(&err, ClientError::Request { cause: Cause::Exited { status, .. }, .. } if status.code() == Some(4)),
        "{err:?}"
    );
    assert_eq!(
        without_pid(&err.to_string()),
        "server `demo`: tools/call `crash` failed: the server exited (exit status 4)\n\
         last lines of the server's stderr:\n  \
         mcpctl-test-server: starting (pid N)\n  \
         mcpctl-test-server: crash: exiting mid-call as asked (--crash-mid-call)"
    );
    // Later requests fail the same way at once.
    let again = client.ping().await.unwrap_err();
    assert!(
        matches!(
            &again,
            ClientError::Request {
                cause: Cause::Exited { .. },
                ..
            }
        ),
        "{again:?}"
    );
}

#[tokio::test]
async fn all_pages_of_tools_are_listed() {
    let client = McpClient::connect_stdio("many", server_spec(&["--tools", "250"]), STARTUP)
        .await
        .unwrap();
    let tools = client.list_tools().await.unwrap();
    // 8 fixed tools + 250 generated, served 100 per page.
    assert_eq!(tools.len(), 258);
    assert_eq!(tools.last().map(|t| t.name.as_ref()), Some("tool_249"));
    let echo = client
        .call_tool("tool_249", json!({"text": "deep"}), STARTUP)
        .await
        .unwrap();
    assert_eq!(text_of(&echo), ["deep"]);
    client.shutdown().await;
}

#[tokio::test]
async fn stderr_is_appended_to_the_log_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log/demo.log");
    for _ in 0..2 {
        let spec = StdioSpec {
            stderr_log: Some(log.clone()),
            ..server_spec(&[])
        };
        let client = McpClient::connect_stdio("demo", spec, STARTUP)
            .await
            .unwrap();
        client.shutdown().await;
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        text.matches("mcpctl-test-server: starting").count(),
        2,
        "{text}"
    );
}

#[tokio::test]
async fn drop_kills_the_whole_process_group() {
    // A shell that leaves a grandchild behind, then becomes the server.
    let server = crate::server_bin();
    let spec = StdioSpec {
        program: "sh".to_owned(),
        args: vec![
            "-c".to_owned(),
            format!(
                "sleep 30 & echo grandchild=$! >&2; exec '{}'",
                server.display()
            ),
        ],
        ..StdioSpec::default()
    };
    let client = McpClient::connect_stdio("demo", spec, STARTUP)
        .await
        .unwrap();
    let pid = client.pid().unwrap();
    let mut grandchild = None;
    eventually(Duration::from_secs(2), || {
        grandchild = client.stderr_tail().0.iter().find_map(|l| {
            l.strip_prefix("grandchild=")
                .and_then(|p| p.parse::<u32>().ok())
        });
        grandchild.is_some()
    })
    .await;
    let grandchild = grandchild.expect("the shell printed its background pid");
    assert!(alive(pid) && alive(grandchild));

    drop(client);
    assert!(
        eventually(Duration::from_secs(2), || !alive(pid)).await,
        "server {pid} survived the drop"
    );
    // The grandchild is not ours to reap: it is killed, then reaped by init.
    assert!(
        eventually(Duration::from_secs(2), || !alive(grandchild)).await,
        "grandchild {grandchild} survived the drop"
    );
}

#[tokio::test]
async fn list_changed_notification_does_not_disturb_the_connection() {
    let client = McpClient::connect_stdio(
        "demo",
        server_spec(&["--list-changed", "--tools", "2"]),
        STARTUP,
    )
    .await
    .unwrap();
    assert_eq!(client.list_tools().await.unwrap().len(), 10);
    client.ping().await.unwrap();
    client.shutdown().await;
}

/// Many tool calls and listings at once on one connection each get their own answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_and_listings_each_get_their_own_answer() {
    let client = std::sync::Arc::new(
        McpClient::connect_stdio("demo", server_spec(&[]), STARTUP)
            .await
            .unwrap(),
    );
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40 {
        let client = std::sync::Arc::clone(&client);
        tasks.spawn(async move {
            // Some lines are longer than a pipe's buffer.
            let text = format!("message {i} {}", "x".repeat(i * 2000));
            let result = client
                .call_tool("echo", json!({ "text": text }), STARTUP)
                .await
                .unwrap();
            assert_eq!(text_of(&result), [text]);
        });
    }
    for _ in 0..10 {
        let client = std::sync::Arc::clone(&client);
        tasks.spawn(async move {
            assert_eq!(client.list_tools().await.unwrap().len(), 8);
        });
    }
    tasks.spawn(async move {
        let err = client
            .call_tool("no-such-tool", json!({}), STARTUP)
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("server `demo`: tools/call `no-such-tool` failed:"),
            "{err}"
        );
    });
    while let Some(outcome) = tasks.join_next().await {
        outcome.unwrap();
    }
}
