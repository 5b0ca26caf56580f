//! `mcpctl serve --http [HOST:]PORT`: the gateway over streamable HTTP, with rmcp's server
//! transport. Loopback unless `--bind` names another address; then a bearer token is required.
//! `Host` and `Origin` are checked against the bound address and loopback names (DNS
//! rebinding); bodies over 4 MiB get 413.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::GatewayError;
use crate::handler::{Gateway, log};

/// The largest request body accepted.
const MAX_BODY: usize = 4 * 1024 * 1024;

/// Where and how to serve HTTP.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// The address to listen on (port 0: any free port).
    pub addr: SocketAddr,
    /// The bearer token every request must carry; required off loopback.
    pub token: Option<String>,
}

impl HttpOptions {
    /// Checks that an address off loopback has a token.
    pub fn check(&self) -> Result<(), GatewayError> {
        if !self.addr.ip().is_loopback() && self.token.is_none() {
            return Err(GatewayError::Http(format!(
                "serving on {} (not loopback) needs a bearer token: set one in an environment variable and pass --token-env-var NAME",
                self.addr.ip()
            )));
        }
        Ok(())
    }
}

/// Serves `gateway` on `http://addr/mcp` until the process stops. Prints
/// `listening on http://ADDR/mcp` on stderr once bound.
pub(crate) async fn serve(gateway: Gateway, options: HttpOptions) -> Result<(), GatewayError> {
    options.check()?;
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|err| GatewayError::Http(format!("cannot listen on {}: {err}", options.addr)))?;
    let addr = listener
        .local_addr()
        .map_err(|err| GatewayError::Http(err.to_string()))?;
    let port = addr.port();
    let mut hosts = vec![
        "localhost".to_string(),
        format!("localhost:{port}"),
        "127.0.0.1".to_string(),
        format!("127.0.0.1:{port}"),
        "[::1]".to_string(),
        format!("[::1]:{port}"),
    ];
    let mut origins = vec![
        format!("http://localhost:{port}"),
        format!("http://127.0.0.1:{port}"),
        format!("http://[::1]:{port}"),
    ];
    if !addr.ip().is_loopback() {
        let host = host_text(addr.ip());
        hosts.push(host.clone());
        hosts.push(format!("{host}:{port}"));
        origins.push(format!("http://{host}:{port}"));
    }
    let mut config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(hosts)
        .with_allowed_origins(origins);
    config.max_request_body_bytes = MAX_BODY;
    let factory = gateway.clone();
    let sessions = Arc::new(LocalSessionManager::default());
    let service =
        StreamableHttpService::new(move || Ok(factory.clone()), Arc::clone(&sessions), config);
    let expected = options.token.map(|t| Arc::new(format!("Bearer {t}")));
    let router =
        axum::Router::new()
            .nest_service("/mcp", service)
            .layer(axum::middleware::from_fn(
                move |req: Request, next: Next| {
                    let expected = expected.clone();
                    let sessions = Arc::clone(&sessions);
                    async move {
                        check_bearer(
                            expected.as_deref().map(String::as_str),
                            &sessions,
                            req,
                            next,
                        )
                        .await
                    }
                },
            ));
    gateway.prepare().await;
    log(&format!("listening on http://{addr}/mcp"));
    axum::serve(listener, router)
        .await
        .map_err(|err| GatewayError::Http(err.to_string()))
}

fn host_text(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// 401 unless the request carries the token (compared in constant time; never logged). A
/// session's DELETE is answered 204 (rmcp says 202), or 404 for a session that does not exist
/// (rmcp accepts any id).
async fn check_bearer(
    expected: Option<&str>,
    sessions: &LocalSessionManager,
    req: Request,
    next: Next,
) -> Response {
    if let Some(expected) = expected {
        let sent = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(HeaderValue::as_bytes)
            .unwrap_or_default();
        if !constant_time_eq(sent, expected.as_bytes()) {
            let mut response =
                (StatusCode::UNAUTHORIZED, "missing or wrong bearer token").into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"mcpctl-gateway\""),
            );
            return response;
        }
    }
    let terminate = req.method() == axum::http::Method::DELETE;
    if terminate
        && let Some(id) = req
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
        && !sessions.sessions.read().await.contains_key(id)
    {
        return (StatusCode::NOT_FOUND, "no such session").into_response();
    }
    let mut response = next.run(req).await;
    // rmcp answers a session's DELETE with 202 Accepted; the session is already gone, and
    // clients (the Python SDK) expect 200 or 204 for a termination that happened.
    if terminate && response.status() == StatusCode::ACCEPTED {
        *response.status_mut() = StatusCode::NO_CONTENT;
    }
    response
}

/// Equal bytes, in time that depends only on the lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_loopback_needs_a_token() {
        let open = HttpOptions {
            addr: "0.0.0.0:8080".parse().unwrap(),
            token: None,
        };
        assert!(
            open.check()
                .unwrap_err()
                .to_string()
                .contains("--token-env-var")
        );
        let local = HttpOptions {
            addr: "127.0.0.1:0".parse().unwrap(),
            token: None,
        };
        assert!(local.check().is_ok());
    }

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq(b"Bearer a", b"Bearer a"));
        assert!(!constant_time_eq(b"Bearer a", b"Bearer b"));
        assert!(!constant_time_eq(b"Bearer", b"Bearer a"));
    }
}
