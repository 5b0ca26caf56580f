//! The legacy HTTP+SSE transport (MCP 2024-11-05) against the test server's `--sse` mode.

use std::time::{Duration, Instant};

use mcpctl_rmcp_client::{Cause, ClientError, HttpSpec, MAX_SSE_EVENT, McpClient};
use serde_json::json;

use crate::STARTUP;
use crate::http::HttpServer;

#[tokio::test]
async fn connects_lists_and_calls_with_the_bearer_token() {
    // Tests cannot set variables (no unsafe): use one cargo sets for every test process.
    let token = std::env::var("CARGO_PKG_NAME").unwrap();
    let server = HttpServer::start_sse(&["--bearer-token", &token]);
    let spec = HttpSpec {
        bearer_token_env_var: Some("CARGO_PKG_NAME".to_owned()),
        ..server.spec()
    };
    assert!(spec.legacy_sse);
    let client = McpClient::connect_http("legacy", spec, STARTUP)
        .await
        .unwrap();
    assert_eq!(
        client.server_info().unwrap().server_info.unwrap().name,
        "mcpctl-test-server"
    );
    let tools = client.list_tools().await.unwrap();
    assert_eq!(tools.len(), 8, "{tools:?}");
    let add = client
        .call_tool("add", json!({"a": 1, "b": 2}), STARTUP)
        .await
        .unwrap();
    assert_eq!(add.structured_content, Some(json!({"sum": 3.0})));
    // Several requests in flight at once share the one stream.
    let calls = (0..10).map(|i| client.call_tool("add", json!({"a": i, "b": 1}), STARTUP));
    for (i, result) in futures_join(calls).await.into_iter().enumerate() {
        assert_eq!(
            result.unwrap().structured_content,
            Some(json!({"sum": i as f64 + 1.0}))
        );
    }
    client.ping().await.unwrap();
    client.shutdown().await;
}

async fn futures_join<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = futures.collect();
    let mut out = Vec::new();
    // Polled together: each call's POST goes out before any answer is awaited.
    let mut pinned: Vec<_> = handles.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, future) in results.iter_mut().zip(pinned.iter_mut()) {
            if slot.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *slot = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.extend(results.into_iter().map(Option::unwrap));
    out
}

#[tokio::test]
async fn a_wrong_token_means_needs_login() {
    let server = HttpServer::start_sse(&["--bearer-token", "right-token"]);
    let err = McpClient::connect_http("legacy", server.spec(), STARTUP)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, ClientError::NeedsLogin { .. }), "{err:?}");
}

#[tokio::test]
async fn a_dropped_stream_fails_the_call_at_once() {
    let server = HttpServer::start_sse(&["--crash-mid-call"]);
    let client = McpClient::connect_http("legacy", server.spec(), STARTUP)
        .await
        .unwrap();
    let start = Instant::now();
    let err = client
        .call_tool("crash", json!({}), Duration::from_secs(30))
        .await
        .unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "took {:?}: {err}",
        start.elapsed()
    );
    assert!(
        matches!(
            &err,
            ClientError::Request {
                cause: Cause::ConnectionLost { .. },
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.starts_with("server `legacy`: tools/call `crash` failed: connection to server lost"),
        "{text}"
    );
    assert!(!text.contains("::"), "{text}");
}

#[tokio::test]
async fn an_event_over_the_bound_ends_the_connection() {
    let server = HttpServer::start_sse(&["--sse-huge-event"]);
    let start = Instant::now();
    let err = McpClient::connect_http("legacy", server.spec(), STARTUP)
        .await
        .err()
        .unwrap();
    assert!(start.elapsed() < STARTUP, "took {:?}", start.elapsed());
    assert!(
        matches!(
            &err,
            ClientError::Startup {
                cause: Cause::TooLarge {
                    limit: MAX_SSE_EVENT
                },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("larger than 16 MiB"), "{err}");
}

#[tokio::test]
async fn an_endpoint_on_another_origin_is_refused() {
    for endpoint in [
        "http://attacker.example/message?sessionId=0",
        "//127.0.0.2:80/message",
        "https://127.0.0.1/message",
    ] {
        let server = HttpServer::start_sse(&["--sse-endpoint", endpoint]);
        let err = McpClient::connect_http("legacy", server.spec(), STARTUP)
            .await
            .err()
            .unwrap();
        let text = err.to_string();
        assert!(
            text.contains("names another origin") && text.contains("refused"),
            "{endpoint}: {text}"
        );
        let origin = server.spec().url.trim_end_matches("/sse").to_owned();
        assert!(text.contains(&format!("SSE URL ({origin})")), "{text}");
    }
}

#[tokio::test]
async fn a_relative_endpoint_elsewhere_on_the_origin_is_followed() {
    // `../message` from `/sse` is `/message`: a relative endpoint resolves against the SSE URL.
    let server = HttpServer::start_sse(&["--sse-endpoint", "./message?sessionId=0"]);
    let client = McpClient::connect_http("legacy", server.spec(), STARTUP)
        .await
        .unwrap();
    assert_eq!(client.list_tools().await.unwrap().len(), 8);
    client.shutdown().await;
}

#[tokio::test]
async fn a_streamable_http_url_is_not_a_legacy_sse_endpoint() {
    let server = HttpServer::start(&[]);
    let spec = HttpSpec {
        legacy_sse: true,
        ..server.spec()
    };
    let err = McpClient::connect_http("legacy", spec, Duration::from_secs(5))
        .await
        .err()
        .unwrap();
    // rmcp's streamable server answers a GET without a session with 400.
    assert!(
        matches!(err, ClientError::HttpStatus { status: 400, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.starts_with("server `legacy`: the server answered 400 Bad Request at "),
        "{text}"
    );
}

/// OAuth tokens: sent on the stream's `GET` and every `POST`; a rejected token is refreshed
/// once and the request retried, as over streamable HTTP.
#[tokio::test]
async fn oauth_tokens_are_sent_and_refreshed_on_the_stream_and_the_posts() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use mcpctl_rmcp_client::BoxFuture;
    use mcpctl_rmcp_client::oauth::{OAuthSource, TokenSource};

    struct Tokens {
        refreshed: AtomicUsize,
    }
    impl TokenSource for Tokens {
        fn token(&self) -> BoxFuture<'_, Result<Option<String>, String>> {
            let token = if self.refreshed.load(Ordering::SeqCst) > 0 {
                "fresh"
            } else {
                "stale"
            };
            Box::pin(async move { Ok(Some(token.to_owned())) })
        }
        fn refresh(&self, rejected: String) -> BoxFuture<'_, Result<Option<String>, String>> {
            assert_eq!(rejected, "stale");
            self.refreshed.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Ok(Some("fresh".to_owned())) })
        }
        fn step_up(&self, _: Option<String>) -> BoxFuture<'_, Result<Option<String>, String>> {
            Box::pin(async { Ok(None) })
        }
    }

    let server = HttpServer::start_sse(&["--bearer-token", "fresh"]);
    let tokens = Arc::new(Tokens {
        refreshed: AtomicUsize::new(0),
    });
    let spec = HttpSpec {
        oauth: Some(OAuthSource(tokens.clone())),
        ..server.spec()
    };
    let client = McpClient::connect_http("legacy", spec, STARTUP)
        .await
        .unwrap();
    assert_eq!(tokens.refreshed.load(Ordering::SeqCst), 1);
    let add = client
        .call_tool("add", json!({"a": 4, "b": 5}), STARTUP)
        .await
        .unwrap();
    assert_eq!(add.structured_content, Some(json!({"sum": 9.0})));
    client.shutdown().await;
}

/// A raw server that answers the first request on each connection with `head` + `body`, then
/// either closes (`close`) or holds the connection open.
async fn raw_sse_server(body: &'static str, close: bool) -> (String, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sse", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n";
                let framing = if close {
                    format!("content-length: {}\r\n\r\n", body.len())
                } else {
                    "transfer-encoding: chunked\r\n\r\n".to_owned()
                };
                let _ = stream
                    .write_all(format!("{head}{framing}").as_bytes())
                    .await;
                if close {
                    let _ = stream.write_all(body.as_bytes()).await;
                } else {
                    let chunk = format!("{:x}\r\n{body}\r\n", body.len());
                    let _ = stream.write_all(chunk.as_bytes()).await;
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
            });
        }
    });
    (url, task)
}

fn sse_spec(url: &str) -> HttpSpec {
    HttpSpec {
        url: url.to_owned(),
        legacy_sse: true,
        ..HttpSpec::default()
    }
}

#[tokio::test]
async fn a_stream_that_ends_before_its_endpoint_says_so() {
    let (url, server) = raw_sse_server("event: hello\ndata: x\n\n", true).await;
    let err = McpClient::connect_http("legacy", sse_spec(&url), STARTUP)
        .await
        .err()
        .unwrap();
    let text = err.to_string();
    assert!(
        text.contains("the SSE stream ended before the server sent its `endpoint` event"),
        "{text}"
    );
    server.abort();
}

#[tokio::test]
async fn a_server_that_never_names_its_endpoint_hits_the_startup_timeout() {
    let (url, server) = raw_sse_server(": keep-alive\n\n", false).await;
    let start = Instant::now();
    let err = McpClient::connect_http("legacy", sse_spec(&url), Duration::from_millis(500))
        .await
        .err()
        .unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");
    assert!(
        err.to_string().contains("startup timed out after 500 ms"),
        "{err}"
    );
    server.abort();
}

#[tokio::test]
async fn many_events_without_an_endpoint_are_refused() {
    let body: &'static str = Box::leak("event: noise\ndata: x\n\n".repeat(100).into_boxed_str());
    let (url, server) = raw_sse_server(body, false).await;
    let err = McpClient::connect_http("legacy", sse_spec(&url), STARTUP)
        .await
        .err()
        .unwrap();
    assert!(
        err.to_string().contains(
            "events without an `endpoint` event: it does not speak the legacy HTTP+SSE transport"
        ),
        "{err}"
    );
    server.abort();
}

/// A legacy server added as streamable HTTP: the refused `POST` says what to set.
#[tokio::test]
async fn a_legacy_server_tried_as_streamable_http_gets_the_transport_hint() {
    let server = HttpServer::start_sse(&[]);
    let spec = HttpSpec {
        legacy_sse: false,
        ..server.spec()
    };
    let err = McpClient::connect_http("old", spec, STARTUP)
        .await
        .err()
        .unwrap();
    assert!(
        matches!(err, ClientError::HttpStatus { status: 405, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "server `old`: the server answered 405 Method Not Allowed at {}: check the URL; if this is a legacy HTTP+SSE server, set `transport = \"sse\"` (`mcpctl add --replace --transport sse NAME URL`)",
            server.spec().url
        )
    );
}

#[tokio::test]
async fn an_endpoint_that_is_no_url_is_shown_escaped() {
    let (url, server) = raw_sse_server(
        "event: endpoint\ndata: http://\u{1b}[31mevil host/\n\n",
        true,
    )
    .await;
    let err = McpClient::connect_http("legacy", sse_spec(&url), STARTUP)
        .await
        .err()
        .unwrap();
    let text = err.to_string();
    assert!(text.contains("`endpoint` event is not a URL"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
    server.abort();
}

#[tokio::test]
async fn an_event_over_the_bound_before_the_endpoint_is_refused() {
    let body: &'static str = Box::leak(
        format!(
            "event: noise\ndata: {}\n\n",
            "y".repeat(MAX_SSE_EVENT + 1024)
        )
        .into_boxed_str(),
    );
    let (url, server) = raw_sse_server(body, true).await;
    let err = McpClient::connect_http("legacy", sse_spec(&url), STARTUP)
        .await
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("sent an event larger than 16 MiB before its `endpoint` event"),
        "{err}"
    );
    server.abort();
}

/// A server that answers `initialize`, then floods `ping` requests on the stream and never
/// answers a `POST` again: the answers waiting to be posted are bounded, and the connection
/// ends with "not reading its input" instead of piling up tasks.
#[tokio::test]
async fn a_server_that_stops_taking_posts_while_flooding_requests_is_cut_off() {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    use tokio::sync::mpsc;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sse", listener.local_addr().unwrap());
    let (events, to_stream) = mpsc::unbounded_channel::<String>();
    let server = tokio::spawn(async move {
        let mut to_stream = Some(to_stream);
        let mut held = Vec::new();
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).await.unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                head.push_str(&line);
                if line == "\r\n" || line.is_empty() {
                    break;
                }
            }
            if head.starts_with("GET") {
                let mut stream = reader.into_inner();
                let mut rx = to_stream.take().unwrap();
                tokio::spawn(async move {
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
                        .await;
                    let mut frame = "event: endpoint\ndata: /message\n\n".to_owned();
                    loop {
                        let chunk = format!("{:x}\r\n{frame}\r\n", frame.len());
                        if stream.write_all(chunk.as_bytes()).await.is_err() {
                            return;
                        }
                        match rx.recv().await {
                            Some(next) => frame = next,
                            None => return,
                        }
                    }
                });
                continue;
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).await.unwrap();
            let body = String::from_utf8(body).unwrap();
            let message: serde_json::Value = serde_json::from_str(&body).unwrap();
            let mut stream = reader.into_inner();
            match message["method"].as_str() {
                Some("initialize") => {
                    let answer = json!({"jsonrpc": "2.0", "id": message["id"], "result": {
                        "protocolVersion": "2024-11-05",
                        "capabilities": {"tools": {}},
                        "serverInfo": {"name": "flood", "version": "1"}}});
                    events
                        .send(format!("event: message\ndata: {answer}\n\n"))
                        .unwrap();
                    stream
                        .write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n")
                        .await
                        .unwrap();
                }
                Some("notifications/initialized") => {
                    stream
                        .write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n")
                        .await
                        .unwrap();
                    for id in 0..6000 {
                        let ping =
                            json!({"jsonrpc": "2.0", "id": format!("p{id}"), "method": "ping"});
                        events
                            .send(format!("event: message\ndata: {ping}\n\n"))
                            .unwrap();
                    }
                }
                // Every other POST (the ping answers, tools/list): never answered.
                _ => held.push(stream),
            }
        }
    });
    let client = McpClient::connect_http("flood", sse_spec(&url), STARTUP)
        .await
        .unwrap();
    let start = Instant::now();
    let err = client.list_tools().await.unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert!(
        matches!(
            &err,
            ClientError::Request {
                cause: Cause::NotReading { .. },
                ..
            }
        ),
        "{err:?}"
    );
    server.abort();
}
