//! A hostile server can't take the client's memory or time (issue 14): each case ends within
//! its timeout with a message that says what the server did. Counts the server reports (how
//! many `tools/list` it received) stand in for memory, which tests do not measure.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mcpctl_rmcp_client::{Cause, ClientError, ClientHooks, McpClient, StdioSpec};
use serde_json::json;

use crate::{STARTUP, eventually, server_spec};

fn hostile(mode: &str, count: usize) -> StdioSpec {
    server_spec(&["--hostile", mode, "--count", &count.to_string()])
}

/// The highest `tools/list #N` the server logged.
fn lists_received(client: &McpClient) -> usize {
    client
        .stderr_tail()
        .0
        .iter()
        .filter_map(|l| l.strip_prefix("mcpctl-test-server: tools/list #"))
        .filter_map(|n| n.parse().ok())
        .max()
        .unwrap_or(0)
}

fn cause(err: &ClientError) -> &Cause {
    err.cause().unwrap_or_else(|| panic!("no cause in {err:?}"))
}

#[tokio::test]
async fn a_list_changed_flood_costs_a_couple_of_listings() {
    const FLOOD: usize = 20_000;
    let delivered = Arc::new(AtomicUsize::new(0));
    let hooks = ClientHooks {
        tools_listed: Some(Arc::new({
            let delivered = Arc::clone(&delivered);
            move |_: &str, tools: Vec<mcpctl_rmcp_client::Tool>| {
                assert_eq!(tools.len(), 1);
                delivered.fetch_add(1, Ordering::Relaxed);
            }
        })),
        ..ClientHooks::default()
    };
    let client = McpClient::connect_stdio_with_hooks(
        "flood",
        hostile("list-changed-flood", FLOOD),
        STARTUP,
        hooks,
    )
    .await
    .unwrap();
    assert_eq!(client.list_tools().await.unwrap().len(), 1);
    let all_seen = eventually(Duration::from_secs(30), || {
        client.tools_changed_count() == FLOOD as u64
    })
    .await;
    assert!(all_seen, "{} of {FLOOD}", client.tools_changed_count());
    // The re-listings settle: nothing more arrives for a while.
    let mut last = (0, 0);
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = (lists_received(&client), delivered.load(Ordering::Relaxed));
        if now == last && now.1 > 0 {
            break;
        }
        last = now;
    }
    let lists = lists_received(&client);
    // The first listing, then one in flight during the flood and at most a few after it.
    assert!(
        (2..=5).contains(&lists),
        "{lists} tools/list for {FLOOD} notifications"
    );
    assert!(delivered.load(Ordering::Relaxed) >= 1);
    client.shutdown().await;
}

#[tokio::test]
async fn a_server_that_stops_reading_cannot_hold_a_call_past_its_timeout() {
    let client = McpClient::connect_stdio("deaf", hostile("stop-reading", 0), STARTUP)
        .await
        .unwrap();
    client.list_tools().await.unwrap();
    // Far more than a pipe holds, so the write itself blocks.
    let text = "x".repeat(1 << 20);
    let start = Instant::now();
    let err = client
        .call_tool("echo", json!({ "text": text }), Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");
    let start = Instant::now();
    client.shutdown().await;
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn a_ping_flood_into_a_server_that_reads_nothing_closes_the_connection() {
    let client = McpClient::connect_stdio("pinger", hostile("ping-flood", 100_000), STARTUP)
        .await
        .unwrap();
    client.list_tools().await.unwrap();
    let start = Instant::now();
    let err = loop {
        match tokio::time::timeout(Duration::from_millis(200), client.ping()).await {
            Ok(Err(err)) => break err,
            _ if start.elapsed() > Duration::from_secs(5) => {
                panic!("never closed: {:?}", client.stderr_tail())
            }
            _ => {}
        }
    };
    assert!(matches!(cause(&err), Cause::NotReading { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "server `pinger`: ping failed: the server is not reading its input (over 4096 messages to it were waiting); the connection was closed"
    );
    client.shutdown().await;
}

#[tokio::test]
async fn an_endless_list_stops_at_the_page_cap() {
    let client = McpClient::connect_stdio("pages", hostile("endless-pages", 0), STARTUP)
        .await
        .unwrap();
    let err = client.list_tools().await.unwrap_err();
    assert!(
        matches!(cause(&err), Cause::TooManyPages { limit: 1000 }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "server `pages`: tools/list failed: the server's list did not end within 1000 pages"
    );
    assert_eq!(lists_received(&client), 1000);
    client.shutdown().await;
}

#[tokio::test]
async fn an_answer_over_16_mib_is_reported_as_such() {
    let client = McpClient::connect_stdio("huge", hostile("huge-answer", 0), STARTUP)
        .await
        .unwrap();
    client.list_tools().await.unwrap();
    let start = Instant::now();
    let err = client
        .call_tool("echo", json!({}), Duration::from_secs(30))
        .await
        .unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert!(matches!(cause(&err), Cause::TooLarge { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "server `huge`: tools/call `echo` failed: the server's answer was larger than 16 MiB"
    );
}

#[tokio::test]
async fn an_answer_nested_too_deeply_is_reported_as_such() {
    let client = McpClient::connect_stdio("deep", hostile("deep-answer", 100_000), STARTUP)
        .await
        .unwrap();
    client.list_tools().await.unwrap();
    let err = client
        .call_tool("echo", json!({}), Duration::from_secs(30))
        .await
        .unwrap_err();
    assert!(matches!(cause(&err), Cause::TooDeep { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "server `deep`: tools/call `echo` failed: the server's answer is too deeply nested (over 127 levels)"
    );
}

#[tokio::test]
async fn a_flood_of_stderr_without_newline_is_shown_as_a_short_tail() {
    let err = McpClient::connect_stdio("loud", hostile("stderr-flood", 8 << 20), STARTUP)
        .await
        .err()
        .unwrap();
    assert!(
        matches!(cause(&err), Cause::Exited { status, .. } if status.code() == Some(7)),
        "{err:?}"
    );
    let ClientError::Startup { stderr, .. } = &err else {
        panic!("{err:?}");
    };
    let last = stderr.0.last().unwrap();
    assert_eq!(
        last.chars().count(),
        mcpctl_rmcp_client::TAIL_LINE_CHARS + 1
    );
    assert!(last.starts_with("eeee") && last.ends_with('…'), "{last}");
    assert!(err.to_string().len() < 2000, "{}", err.to_string().len());
}

#[tokio::test]
async fn a_grandchild_that_left_the_process_group_is_stopped_too() {
    let client = McpClient::connect_stdio("escaper", hostile("setsid-grandchild", 0), STARTUP)
        .await
        .unwrap();
    client.list_tools().await.unwrap();
    let grandchild: u32 = client
        .stderr_tail()
        .0
        .iter()
        .find_map(|l| l.strip_prefix("grandchild=")?.parse().ok())
        .expect("the server printed its grandchild's pid");
    assert!(crate::alive(grandchild));
    let session = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| {
                stat.rsplit_once(") ")?
                    .1
                    .split(' ')
                    .nth(3)?
                    .parse::<u32>()
                    .ok()
            })
    };
    assert_eq!(
        session(grandchild),
        Some(grandchild),
        "it runs in a session of its own"
    );
    client.shutdown().await;
    assert!(
        eventually(Duration::from_secs(2), || !crate::alive(grandchild)).await,
        "grandchild {grandchild} survived"
    );
}
