use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use mcpctl_rmcp_client::{ClientError, HttpSpec, McpClient};
use serde_json::json;

use crate::{STARTUP, server_bin};

/// The test server in HTTP mode on a free loopback port; killed on drop.
struct HttpServer {
    child: Child,
    url: String,
}

impl HttpServer {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(server_bin())
            .args(["--http", "0"])
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

    fn spec(&self) -> HttpSpec {
        HttpSpec {
            url: self.url.clone(),
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
    assert_eq!(client.list_tools().await.unwrap().len(), 6);
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
        "server `remote` needs login: run `mcpctl login remote`"
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
