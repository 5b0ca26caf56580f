use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mcpctl_rmcp_client::{ClientError, HttpSpec, McpClient};
use serde_json::json;

use crate::{STARTUP, server_bin};

/// The test server in HTTP mode on a free loopback port; killed on drop.
pub struct HttpServer {
    child: Child,
    url: String,
}

impl HttpServer {
    pub fn start(args: &[&str]) -> Self {
        Self::start_mode("--http", args)
    }

    /// The test server in legacy HTTP+SSE mode (`--sse 0`); `url` is its SSE stream.
    pub fn start_sse(args: &[&str]) -> Self {
        Self::start_mode("--sse", args)
    }

    fn start_mode(mode: &str, args: &[&str]) -> Self {
        let mut child = Command::new(server_bin())
            .args([mode, "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Self { child, url }
    }

    pub fn spec(&self) -> HttpSpec {
        HttpSpec {
            url: self.url.clone(),
            legacy_sse: self.url.ends_with("/sse"),
            ..HttpSpec::default()
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn bearer_token_from_the_environment_is_sent() {
    // Tests cannot set variables (no unsafe): use one cargo sets for every test process.
    let token = std::env::var("CARGO_PKG_NAME").unwrap();
    let server = HttpServer::start(&["--bearer-token", &token]);
    let spec = HttpSpec {
        bearer_token_env_var: Some("CARGO_PKG_NAME".to_owned()),
        ..server.spec()
    };
    let client = McpClient::connect_http("remote", spec, STARTUP)
        .await
        .unwrap();
    assert_eq!(
        client.server_info().unwrap().server_info.unwrap().name,
        "mcpctl-test-server"
    );
    assert_eq!(client.list_tools().await.unwrap().len(), 8);
    let add = client
        .call_tool("add", json!({"a": 1, "b": 2}), STARTUP)
        .await
        .unwrap();
    assert_eq!(add.structured_content, Some(json!({"sum": 3.0})));
    client.shutdown().await;
}

#[tokio::test]
async fn unauthorized_means_needs_login() {
    let server = HttpServer::start(&["--bearer-token", "right-token"]);
    let err = McpClient::connect_http("remote", server.spec(), STARTUP)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, ClientError::NeedsLogin { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "server `remote` needs login (HTTP 401): run `mcpctl login remote`"
    );
}

#[tokio::test]
async fn missing_token_variable_is_named() {
    let spec = HttpSpec {
        url: "http://127.0.0.1:9/mcp".to_owned(),
        bearer_token_env_var: Some("MCPCTL_TEST_UNSET_TOKEN_VAR".to_owned()),
        ..HttpSpec::default()
    };
    let err = McpClient::connect_http("remote", spec, STARTUP)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, ClientError::MissingEnvVar { .. }), "{err:?}");
    assert!(
        err.to_string().contains("`MCPCTL_TEST_UNSET_TOKEN_VAR`"),
        "{err}"
    );
}

#[tokio::test]
async fn connection_refused_is_clear() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/mcp");
    let spec = HttpSpec {
        url: url.clone(),
        ..HttpSpec::default()
    };
    let err = McpClient::connect_http("remote", spec, STARTUP)
        .await
        .err()
        .unwrap();
    assert!(
        matches!(err, ClientError::ConnectionRefused { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("server `remote`: connection refused at {url}; is the server running?")
    );
}

fn spec_for(url: &str) -> HttpSpec {
    HttpSpec {
        url: url.to_owned(),
        ..HttpSpec::default()
    }
}

#[tokio::test]
async fn wrong_path_is_an_http_status_error_that_says_check_the_url() {
    let server = HttpServer::start(&[]);
    let url = server.url.replace("/mcp", "/wrong");
    let err = McpClient::connect_http("remote", spec_for(&url), STARTUP)
        .await
        .err()
        .unwrap();
    assert!(
        matches!(err, ClientError::HttpStatus { status: 404, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("server `remote`: the server answered 404 Not Found at {url}: check the URL")
    );
}

#[tokio::test]
async fn unknown_host_is_a_dns_error_naming_the_host() {
    let url = "http://mcpctl-no-such-host.invalid/mcp";
    let err = McpClient::connect_http("remote", spec_for(url), STARTUP)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, ClientError::HostNotFound { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "server `remote`: cannot resolve host `mcpctl-no-such-host.invalid` of {url}; check the URL and the network"
        )
    );
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_a_tls_error() {
    let server = HttpServer::start(&[]);
    let url = server.url.replace("http://", "https://");
    let err = McpClient::connect_http("remote", spec_for(&url), STARTUP)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, ClientError::Tls { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with(&format!(
            "server `remote`: TLS connection to {url} failed: "
        )),
        "{err}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_hits_the_startup_timeout() {
    // The kernel accepts the connection into the backlog; nobody ever reads it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let start = std::time::Instant::now();
    let err = McpClient::connect_http("remote", spec_for(&url), Duration::from_millis(300))
        .await
        .err()
        .unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "server `remote`: startup timed out after 300 ms; raise `startup_timeout_sec` (`mcpctl add --startup-timeout SECS`) to wait longer"
    );
    drop(listener);
}

/// A bare HTTP/1.1 MCP endpoint like the conformance suite's `initialize` scenario: it answers
/// `notifications/initialized` with `200 {"jsonrpc":"2.0","result":{}}` (no id), which is no
/// valid JSON-RPC message.
async fn answer_like_the_conformance_suite(mut stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let (head_end, length) = loop {
        let n = stream.read(&mut buf).await.unwrap();
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(pos) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..pos]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse::<usize>().unwrap());
            break (pos + 4, length);
        }
    };
    while data.len() < head_end + length {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "body cut short");
        data.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let (status, body) = if head.starts_with("POST") {
        let request: serde_json::Value = serde_json::from_slice(&data[head_end..]).unwrap();
        let result = match request["method"].as_str() {
            Some("initialize") => json!({
                "protocolVersion": "2025-11-25",
                "serverInfo": { "name": "bare", "version": "1.0.0" },
                "capabilities": {}
            }),
            Some("tools/list") => json!({ "tools": [] }),
            _ => json!({}),
        };
        // `id` is absent for notifications, exactly as the suite's server sends it.
        let mut answer = json!({ "jsonrpc": "2.0", "result": result });
        if let Some(id) = request.get("id") {
            answer["id"] = id.clone();
        }
        ("200 OK", answer.to_string())
    } else {
        ("405 Method Not Allowed", String::new())
    };
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
}

#[tokio::test]
async fn a_json_answer_to_the_initialized_notification_is_tolerated() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(answer_like_the_conformance_suite(stream));
        }
    });
    let client = McpClient::connect_http("bare", spec_for(&url), STARTUP)
        .await
        .unwrap();
    assert_eq!(
        client.server_info().unwrap().server_info.unwrap().name,
        "bare"
    );
    assert!(client.list_tools().await.unwrap().is_empty());
    client.ping().await.unwrap();
    client.shutdown().await;
    server.abort();
}

/// A server that dies in the middle of a call fails the call at once, not at its timeout.
#[tokio::test]
async fn a_server_that_dies_mid_call_fails_the_call_at_once() {
    let server = HttpServer::start(&["--crash-mid-call"]);
    let client = McpClient::connect_http("remote", server.spec(), STARTUP)
        .await
        .unwrap();
    let start = std::time::Instant::now();
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
                cause: mcpctl_rmcp_client::Cause::ConnectionLost { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("server `remote`: tools/call `crash` failed: connection to server lost"),
        "{err}"
    );
    assert!(!err.to_string().contains("::"), "{err}");
}
