//! Streamable HTTP mode: loopback only, optional bearer-token check.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::handler::TestServer;

/// Serves `server` on `127.0.0.1:port/mcp` until the process is killed.
pub async fn serve(
    server: TestServer,
    port: u16,
    bearer_token: Option<String>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    // Tests read this line to learn the port; it must be the first line on stdout.
    println!("listening on http://{addr}/mcp");
    eprintln!("mcpctl-test-server: listening on http://{addr}/mcp");
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let expected = bearer_token.map(|t| Arc::new(format!("Bearer {t}")));
    let router = axum::Router::new().nest_service("/mcp", service).layer(
        axum::middleware::from_fn(move |req: Request, next: Next| {
            let expected = expected.clone();
            async move { check_bearer(expected.as_deref().map(String::as_str), req, next).await }
        }),
    );
    axum::serve(listener, router).await?;
    Ok(())
}

pub(crate) async fn check_bearer(expected: Option<&str>, req: Request, next: Next) -> Response {
    if let Some(expected) = expected {
        let sent = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if sent != Some(expected) {
            eprintln!("mcpctl-test-server: rejected a request without the right bearer token");
            let mut response =
                (StatusCode::UNAUTHORIZED, "missing or wrong bearer token").into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"mcpctl-test-server\""),
            );
            return response;
        }
    }
    next.run(req).await
}
