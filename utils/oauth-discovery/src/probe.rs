//! One unauthenticated request to an MCP server, and the OAuth discovery that follows a `401`.

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, Response, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::challenge::bearer_challenge;
use crate::metadata::{
    AuthorizationServerMetadata, ProtectedResourceMetadata, at_origin,
    authorization_server_metadata_urls, protected_resource_metadata_urls,
};

/// The protocol version offered in the probe's `initialize` and sent with metadata requests.
const PROTOCOL_VERSION: &str = "2025-06-18";
/// Metadata documents are a few hundred bytes; anything far larger is not one.
const MAX_DOCUMENT_BYTES: usize = 256 * 1024;
const MCP_PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
const MCP_SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");

/// What an unauthenticated request revealed about how an MCP server authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "made once per server and matched right away; boxing would only burden callers"
)]
pub enum AuthProbe {
    /// The server answered `401` and advertises OAuth: a login is needed. At least one of the
    /// two documents was found.
    NotLoggedIn {
        /// RFC 9728 metadata, from the challenge's `resource_metadata` URL or a well-known path;
        /// absent for servers written against the 2025-03-26 spec.
        protected_resource: Option<ProtectedResourceMetadata>,
        /// RFC 8414 / OpenID metadata of the first authorization server (or, without protected
        /// resource metadata, of the server's own origin); absent when it could not be fetched.
        authorization_server: Option<AuthorizationServerMetadata>,
        /// The `scope` the `WWW-Authenticate` challenge asked for, if any.
        scope: Option<String>,
    },
    /// No OAuth login applies: the server answered without requiring authentication, or it
    /// answered `401` without advertising any OAuth metadata.
    Unsupported,
    /// The question could not be answered: invalid URL, DNS failure, refused connection,
    /// timeout, or a `5xx` answer.
    Unknown {
        /// What went wrong, for humans.
        reason: String,
    },
}

/// Finds out whether the MCP server at `server_url` wants an OAuth login.
///
/// The probe is a `POST` of an `initialize` request with `Accept: application/json,
/// text/event-stream`: exactly the first request a real connection sends, so servers that only
/// guard `POST`, or that answer `GET` with `405` before checking auth, are judged right. The
/// caller's `headers` (static and environment headers of the server, never a token) are sent
/// only when the server refuses to answer without them (a `4xx` other than `401`). If
/// that happens to open a session (`2xx` with `Mcp-Session-Id`), a best-effort `DELETE` ending
/// it is sent in the background.
///
/// On `401` it follows the MCP authorization spec: protected resource metadata from the
/// `WWW-Authenticate` `resource_metadata` URL, else the RFC 9728 well-known paths; then the
/// metadata of its first authorization server; without protected resource metadata, the
/// server's origin is tried as the authorization server (2025-03-26 servers). Metadata
/// requests carry none of the caller's headers, since they may go to another origin.
///
/// The probe has no deadline of its own: bound it with the client's timeout or
/// `tokio::time::timeout`.
pub async fn probe(client: &Client, server_url: &str, headers: &HeaderMap) -> AuthProbe {
    let url = match Url::parse(server_url) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        Ok(_) => {
            return AuthProbe::Unknown {
                reason: format!("`{server_url}` is not an http(s) URL"),
            };
        }
        Err(err) => {
            return AuthProbe::Unknown {
                reason: format!("`{server_url}` is not a valid URL: {err}"),
            };
        }
    };
    // The first attempt carries none of the caller's headers: an unauthenticated probe has no
    // business sending an API key. Only when the server refuses to answer without them (a
    // 4xx other than 401) is the request repeated with them, to the same URL.
    let mut response = match send_initialize(client, &url, &HeaderMap::new()).await {
        Ok(response) => response,
        Err(reason) => return AuthProbe::Unknown { reason },
    };
    let refused =
        |status: StatusCode| status.is_client_error() && status != StatusCode::UNAUTHORIZED;
    let mut sent = HeaderMap::new();
    if refused(response.status()) && !headers.is_empty() {
        sent = headers.clone();
        response = match send_initialize(client, &url, headers).await {
            Ok(response) => response,
            Err(reason) => return AuthProbe::Unknown { reason },
        };
    }
    let status = response.status();
    if status == StatusCode::UNAUTHORIZED {
        let (link, scope) = match bearer_challenge(response.headers()) {
            // A relative `resource_metadata` is resolved against the server URL, leniently.
            Some(challenge) => (
                challenge
                    .resource_metadata
                    .and_then(|link| url.join(&link).ok()),
                challenge.scope,
            ),
            None => (None, None),
        };
        return discover(client, &url, link, scope).await;
    }
    if status.is_server_error() {
        return AuthProbe::Unknown {
            reason: format!("{url} answered HTTP {status}"),
        };
    }
    if status.is_redirection() {
        // mcpctl's clients follow redirects only within the origin.
        let to = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("?");
        return AuthProbe::Unknown {
            reason: format!("{url} redirects to another origin ({to}); mcpctl does not follow it"),
        };
    }
    if status.is_success() {
        end_session(client, &url, &sent, &response);
    }
    AuthProbe::Unsupported
}

/// POSTs an `initialize` request, as a real connection's first request.
async fn send_initialize(
    client: &Client,
    url: &Url,
    headers: &HeaderMap,
) -> Result<Response, String> {
    let mut request_headers = headers.clone();
    request_headers.insert(
        ACCEPT,
        HeaderValue::from_static("application/json, text/event-stream"),
    );
    request_headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    client
        .post(url.clone())
        .headers(request_headers)
        .body(initialize_body())
        .send()
        .await
        .map_err(|err| describe(url, &err))
}

/// The discovery chain after a `401`; `link` is the challenge's `resource_metadata` URL.
async fn discover(
    client: &Client,
    url: &Url,
    link: Option<Url>,
    scope: Option<String>,
) -> AuthProbe {
    // The last transport failure: when nothing is found, the answer is unknown, not "no OAuth".
    let mut failure = None;
    let mut candidates: Vec<Url> = link.into_iter().collect();
    for candidate in protected_resource_metadata_urls(url) {
        if !candidates.contains(&candidate) {
            candidates.push(candidate);
        }
    }
    let protected_resource: Option<ProtectedResourceMetadata> =
        first_document(client, &candidates, &mut failure).await;
    let issuer = match protected_resource
        .as_ref()
        .and_then(|metadata| metadata.authorization_servers.first())
    {
        Some(issuer) => Url::parse(issuer).ok(),
        // Servers of the 2025-03-26 spec are their own authorization server, at their origin.
        None => Some(at_origin(url, "/")),
    };
    let authorization_server: Option<AuthorizationServerMetadata> = match issuer {
        Some(issuer) => {
            first_document(
                client,
                &authorization_server_metadata_urls(&issuer),
                &mut failure,
            )
            .await
        }
        None => None,
    };
    if protected_resource.is_none() && authorization_server.is_none() {
        return match failure {
            Some(reason) => AuthProbe::Unknown { reason },
            None => AuthProbe::Unsupported,
        };
    }
    AuthProbe::NotLoggedIn {
        protected_resource,
        authorization_server,
        scope,
    }
}

/// The first of `urls` that serves a valid `T`; transport failures and `5xx` answers are noted
/// in `failure` and the next URL is tried.
async fn first_document<T: DeserializeOwned>(
    client: &Client,
    urls: &[Url],
    failure: &mut Option<String>,
) -> Option<T> {
    for url in urls {
        match fetch_document(client, url).await {
            Ok(Some(document)) => return Some(document),
            Ok(None) => {}
            Err(reason) => *failure = Some(reason),
        }
    }
    None
}

/// `Ok(None)` when `url` does not serve a `T` (404, not JSON, wrong shape, too large).
async fn fetch_document<T: DeserializeOwned>(
    client: &Client,
    url: &Url,
) -> Result<Option<T>, String> {
    let response = client
        .get(url.clone())
        .header(ACCEPT, "application/json")
        .header(MCP_PROTOCOL_VERSION, PROTOCOL_VERSION)
        .send()
        .await
        .map_err(|err| describe(url, &err))?;
    let status = response.status();
    if status.is_server_error() {
        return Err(format!("{url} answered HTTP {status}"));
    }
    if !status.is_success() {
        return Ok(None);
    }
    let Some(body) = read_limited(response)
        .await
        .map_err(|err| describe(url, &err))?
    else {
        return Ok(None);
    };
    Ok(serde_json::from_slice(&body).ok())
}

/// The body, or `None` when it exceeds [`MAX_DOCUMENT_BYTES`].
async fn read_limited(mut response: Response) -> Result<Option<Vec<u8>>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// Ends a session the probe's `initialize` opened, without waiting for the answer.
fn end_session(client: &Client, url: &Url, headers: &HeaderMap, response: &Response) {
    let Some(session) = response.headers().get(MCP_SESSION_ID).cloned() else {
        return;
    };
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let mut headers = headers.clone();
    headers.insert(MCP_SESSION_ID, session);
    let request = client.delete(url.clone()).headers(headers);
    runtime.spawn(async move {
        // Best effort: servers also expire idle sessions on their own.
        let _ = request.send().await;
    });
}

fn initialize_body() -> String {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": { "name": "mcpctl", "version": env!("CARGO_PKG_VERSION") },
        },
    })
    .to_string()
}

/// A short cause for a failed request: the kind, the URL, and the innermost error (which names
/// the real problem, such as "Connection refused").
fn describe(url: &Url, err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut innermost: &dyn std::error::Error = err;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    format!("{kind}: {url}: {innermost}")
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use axum::Router;
    use axum::http::{HeaderMap as AxumHeaders, StatusCode as AxumStatus, header};
    use axum::response::{IntoResponse, Response as AxumResponse};
    use axum::routing::{get, post};
    use pretty_assertions::assert_eq;

    use super::*;

    /// Serves the router built for the bound address on 127.0.0.1 until the test ends.
    async fn serve(build: impl FnOnce(SocketAddr) -> Router) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = build(addr);
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        addr
    }

    fn client() -> Client {
        Client::builder().no_proxy().build().unwrap()
    }

    fn json(body: serde_json::Value) -> AxumResponse {
        (
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    }

    fn unauthorized(www_authenticate: Option<String>) -> AxumResponse {
        match www_authenticate {
            Some(value) => (
                AxumStatus::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, value)],
            )
                .into_response(),
            None => AxumStatus::UNAUTHORIZED.into_response(),
        }
    }

    fn resource_doc(addr: SocketAddr, issuer: &str) -> serde_json::Value {
        serde_json::json!({
            "resource": format!("http://{addr}/mcp"),
            "authorization_servers": [issuer],
            "scopes_supported": ["mcp:read"],
            "bearer_methods_supported": ["header"],
        })
    }

    fn issuer_doc(issuer: &str) -> serde_json::Value {
        serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/authorize"),
            "token_endpoint": format!("{issuer}/token"),
            "registration_endpoint": format!("{issuer}/register"),
            "code_challenge_methods_supported": ["S256"],
            "jwks_uri": "unused",
        })
    }

    fn expected_issuer(issuer: &str) -> AuthorizationServerMetadata {
        serde_json::from_value(issuer_doc(issuer)).unwrap()
    }

    async fn probe_mcp(addr: SocketAddr) -> AuthProbe {
        probe(&client(), &format!("http://{addr}/mcp"), &HeaderMap::new()).await
    }

    #[tokio::test]
    async fn metadata_at_the_challenge_url() {
        let addr = serve(|addr| {
            let challenge = format!(
                r#"Bearer error="invalid_request", resource_metadata="http://{addr}/meta/prm", scope="mcp:read mcp:write""#
            );
            let issuer = format!("http://{addr}/auth");
            let resource = resource_doc(addr, &issuer);
            Router::new()
                .route("/mcp", post(move || async move { unauthorized(Some(challenge)) }))
                .route("/meta/prm", get(move || async move { json(resource) }))
                .route(
                    "/.well-known/oauth-authorization-server/auth",
                    get(move || async move { json(issuer_doc(&issuer)) }),
                )
        })
        .await;
        let issuer = format!("http://{addr}/auth");
        assert_eq!(
            probe_mcp(addr).await,
            AuthProbe::NotLoggedIn {
                protected_resource: Some(
                    serde_json::from_value(resource_doc(addr, &issuer)).unwrap()
                ),
                authorization_server: Some(expected_issuer(&issuer)),
                scope: Some("mcp:read mcp:write".to_string()),
            }
        );
    }

    #[tokio::test]
    async fn metadata_only_at_the_well_known_path_and_openid_configuration() {
        // The challenge points at a missing document; the path-inserted well-known one exists,
        // and the authorization server only publishes OpenID discovery.
        let addr = serve(|addr| {
            let challenge = r#"Bearer resource_metadata="/missing""#.to_string();
            let issuer = format!("http://{addr}");
            let resource = resource_doc(addr, &issuer);
            Router::new()
                .route(
                    "/mcp",
                    post(move || async move { unauthorized(Some(challenge)) }),
                )
                .route(
                    "/.well-known/oauth-protected-resource/mcp",
                    get(move || async move { json(resource) }),
                )
                .route(
                    "/.well-known/openid-configuration",
                    get(move || async move { json(issuer_doc(&issuer)) }),
                )
        })
        .await;
        let issuer = format!("http://{addr}");
        let AuthProbe::NotLoggedIn {
            protected_resource,
            authorization_server,
            scope,
        } = probe_mcp(addr).await
        else {
            panic!("expected NotLoggedIn");
        };
        assert_eq!(
            protected_resource.map(|m| m.authorization_servers),
            Some(vec![issuer.clone()])
        );
        assert_eq!(authorization_server, Some(expected_issuer(&issuer)));
        assert_eq!(scope, None);
    }

    #[tokio::test]
    async fn root_protected_resource_metadata_without_a_challenge_header() {
        let addr = serve(|addr| {
            let resource = resource_doc(addr, "http://127.0.0.1:1/unreachable-but-unused");
            Router::new()
                .route("/mcp", post(|| async { unauthorized(None) }))
                .route(
                    "/.well-known/oauth-protected-resource",
                    get(move || async move { json(resource) }),
                )
        })
        .await;
        let AuthProbe::NotLoggedIn {
            protected_resource,
            authorization_server,
            ..
        } = probe_mcp(addr).await
        else {
            panic!("expected NotLoggedIn");
        };
        assert_eq!(
            protected_resource.map(|m| m.resource),
            Some(format!("http://{addr}/mcp"))
        );
        // The authorization server is unreachable: the resource metadata alone says "OAuth".
        assert_eq!(authorization_server, None);
    }

    #[tokio::test]
    async fn legacy_server_is_its_own_authorization_server() {
        let addr = serve(|addr| {
            let issuer = format!("http://{addr}");
            Router::new()
                .route(
                    "/mcp",
                    post(|| async { unauthorized(Some("Bearer realm=\"mcp\"".to_string())) }),
                )
                .route(
                    "/.well-known/oauth-authorization-server",
                    get(move || async move { json(issuer_doc(&issuer)) }),
                )
        })
        .await;
        assert_eq!(
            probe_mcp(addr).await,
            AuthProbe::NotLoggedIn {
                protected_resource: None,
                authorization_server: Some(expected_issuer(&format!("http://{addr}"))),
                scope: None,
            }
        );
    }

    #[tokio::test]
    async fn unauthorized_without_metadata_is_unsupported() {
        let addr = serve(|_| {
            Router::new()
                .route(
                    "/mcp",
                    post(|| async { unauthorized(Some("Basic realm=\"x\"".to_string())) }),
                )
                // Not a metadata document: JSON of the wrong shape is ignored.
                .route(
                    "/.well-known/oauth-protected-resource/mcp",
                    get(|| async { json(serde_json::json!({"error": "not here"})) }),
                )
        })
        .await;
        assert_eq!(probe_mcp(addr).await, AuthProbe::Unsupported);
    }

    #[tokio::test]
    async fn metadata_server_errors_make_the_answer_unknown() {
        let addr = serve(|_| {
            Router::new()
                .route("/mcp", post(|| async { unauthorized(None) }))
                .route(
                    "/.well-known/oauth-protected-resource",
                    get(|| async { AxumStatus::BAD_GATEWAY }),
                )
        })
        .await;
        let AuthProbe::Unknown { reason } = probe_mcp(addr).await else {
            panic!("expected Unknown");
        };
        assert!(reason.contains("502"), "{reason}");
    }

    #[tokio::test]
    async fn server_that_answers_is_unsupported_and_its_session_is_ended() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (ended_tx, ended_rx) = tokio::sync::oneshot::channel::<String>();
        let ended_tx = Arc::new(Mutex::new(Some(ended_tx)));
        let addr = {
            let seen = Arc::clone(&seen);
            serve(move |_| {
                Router::new().route(
                    "/mcp",
                    post(move |headers: AxumHeaders, body: String| async move {
                        let header = |name: &str| {
                            headers
                                .get(name)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or_default()
                                .to_string()
                        };
                        seen.lock()
                            .unwrap()
                            .push((header("accept"), header("x-api-key"), body));
                        ([("mcp-session-id", "s-1")], "{}")
                    })
                    .delete(move |headers: AxumHeaders| async move {
                        let session = headers
                            .get("mcp-session-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_string();
                        if let Some(tx) = ended_tx.lock().unwrap().take() {
                            let _ = tx.send(session);
                        }
                        AxumStatus::NO_CONTENT
                    }),
                )
            })
            .await
        };
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", HeaderValue::from_static("k1"));
        let result = probe(&client(), &format!("http://{addr}/mcp"), &headers).await;
        assert_eq!(result, AuthProbe::Unsupported);
        let (accept, api_key, body) = seen.lock().unwrap()[0].clone();
        assert_eq!(accept, "application/json, text/event-stream");
        // The server answered without the key, so the key was never sent.
        assert_eq!(api_key, "");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["method"], "initialize");
        let session = tokio::time::timeout(Duration::from_secs(5), ended_rx)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(session, "s-1");
    }

    #[tokio::test]
    async fn custom_headers_are_sent_only_when_the_server_needs_them() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let addr = {
            let seen = Arc::clone(&seen);
            serve(move |_| {
                Router::new().route(
                    "/mcp",
                    post(move |headers: AxumHeaders| async move {
                        let key = headers
                            .get("x-api-key")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string);
                        seen.lock().unwrap().push(key.clone());
                        match key {
                            Some(_) => AxumStatus::OK,
                            None => AxumStatus::BAD_REQUEST,
                        }
                    }),
                )
            })
            .await
        };
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", HeaderValue::from_static("k1"));
        let result = probe(&client(), &format!("http://{addr}/mcp"), &headers).await;
        assert_eq!(result, AuthProbe::Unsupported);
        assert_eq!(*seen.lock().unwrap(), vec![None, Some("k1".to_string())]);
    }

    #[tokio::test]
    async fn server_error_is_unknown() {
        let addr = serve(|_| {
            Router::new().route("/mcp", post(|| async { AxumStatus::SERVICE_UNAVAILABLE }))
        })
        .await;
        let AuthProbe::Unknown { reason } = probe_mcp(addr).await else {
            panic!("expected Unknown");
        };
        assert!(reason.contains("503"), "{reason}");
    }

    #[tokio::test]
    async fn closed_port_is_unknown() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let AuthProbe::Unknown { reason } = probe_mcp(addr).await else {
            panic!("expected Unknown");
        };
        assert!(reason.starts_with("could not connect"), "{reason}");
    }

    #[tokio::test]
    async fn slow_server_is_cut_by_the_callers_deadline() {
        let addr = serve(|_| {
            Router::new().route(
                "/mcp",
                post(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    AxumStatus::OK
                }),
            )
        })
        .await;
        let deadline = Duration::from_millis(200);
        let started = std::time::Instant::now();
        assert!(
            tokio::time::timeout(deadline, probe_mcp(addr))
                .await
                .is_err()
        );
        assert!(started.elapsed() < Duration::from_secs(2));

        // A client timeout turns into an Unknown answer with the cause.
        let client = Client::builder()
            .no_proxy()
            .timeout(deadline)
            .build()
            .unwrap();
        let result = probe(&client, &format!("http://{addr}/mcp"), &HeaderMap::new()).await;
        let AuthProbe::Unknown { reason } = result else {
            panic!("expected Unknown, got {result:?}");
        };
        assert!(reason.starts_with("timed out"), "{reason}");
    }

    #[tokio::test]
    async fn invalid_urls_are_unknown() {
        for url in ["not a url", "ftp://example.com/mcp"] {
            let result = probe(&client(), url, &HeaderMap::new()).await;
            assert!(
                matches!(&result, AuthProbe::Unknown { reason } if reason.contains(url)),
                "{result:?}"
            );
        }
    }
}
