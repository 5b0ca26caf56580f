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
    use std::time::Duration;

    use mcpctl_test_support::{MockHttp, Reply, closed_port_url};
    use pretty_assertions::assert_eq;

    use super::*;

    fn client() -> Client {
        Client::builder().no_proxy().build().unwrap()
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

    async fn probe_mcp(server: &MockHttp) -> AuthProbe {
        probe(&client(), &server.url("/mcp"), &HeaderMap::new()).await
    }

    #[tokio::test]
    async fn metadata_at_the_challenge_url() {
        let server = MockHttp::start();
        let addr = server.addr();
        let issuer = server.url("/auth");
        server
            .route(
                "POST",
                "/mcp",
                Reply::unauthorized(&format!(
                    r#"Bearer error="invalid_request", resource_metadata="http://{addr}/meta/prm", scope="mcp:read mcp:write""#
                )),
            )
            .route("GET", "/meta/prm", Reply::json(&resource_doc(addr, &issuer)))
            .route(
                "GET",
                "/.well-known/oauth-authorization-server/auth",
                Reply::json(&issuer_doc(&issuer)),
            );
        assert_eq!(
            probe_mcp(&server).await,
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
        let server = MockHttp::start();
        let issuer = server.base_url();
        server
            .route(
                "POST",
                "/mcp",
                Reply::unauthorized(r#"Bearer resource_metadata="/missing""#),
            )
            .route(
                "GET",
                "/.well-known/oauth-protected-resource/mcp",
                Reply::json(&resource_doc(server.addr(), &issuer)),
            )
            .route(
                "GET",
                "/.well-known/openid-configuration",
                Reply::json(&issuer_doc(&issuer)),
            );
        let AuthProbe::NotLoggedIn {
            protected_resource,
            authorization_server,
            scope,
        } = probe_mcp(&server).await
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
        let server = MockHttp::start();
        server.route("POST", "/mcp", Reply::status(401)).route(
            "GET",
            "/.well-known/oauth-protected-resource",
            Reply::json(&resource_doc(
                server.addr(),
                "http://127.0.0.1:1/unreachable-but-unused",
            )),
        );
        let AuthProbe::NotLoggedIn {
            protected_resource,
            authorization_server,
            ..
        } = probe_mcp(&server).await
        else {
            panic!("expected NotLoggedIn");
        };
        assert_eq!(
            protected_resource.map(|m| m.resource),
            Some(server.url("/mcp"))
        );
        // The authorization server is unreachable: the resource metadata alone says "OAuth".
        assert_eq!(authorization_server, None);
    }

    #[tokio::test]
    async fn legacy_server_is_its_own_authorization_server() {
        let server = MockHttp::start();
        let issuer = server.base_url();
        server
            .route("POST", "/mcp", Reply::unauthorized("Bearer realm=\"mcp\""))
            .route(
                "GET",
                "/.well-known/oauth-authorization-server",
                Reply::json(&issuer_doc(&issuer)),
            );
        assert_eq!(
            probe_mcp(&server).await,
            AuthProbe::NotLoggedIn {
                protected_resource: None,
                authorization_server: Some(expected_issuer(&issuer)),
                scope: None,
            }
        );
    }

    #[tokio::test]
    async fn unauthorized_without_metadata_is_unsupported() {
        let server = MockHttp::start();
        server
            .route("POST", "/mcp", Reply::unauthorized("Basic realm=\"x\""))
            // Not a metadata document: JSON of the wrong shape is ignored.
            .route(
                "GET",
                "/.well-known/oauth-protected-resource/mcp",
                Reply::json(&serde_json::json!({"error": "not here"})),
            );
        assert_eq!(probe_mcp(&server).await, AuthProbe::Unsupported);
    }

    #[tokio::test]
    async fn metadata_server_errors_make_the_answer_unknown() {
        let server = MockHttp::start();
        server.route("POST", "/mcp", Reply::status(401)).route(
            "GET",
            "/.well-known/oauth-protected-resource",
            Reply::status(502),
        );
        let AuthProbe::Unknown { reason } = probe_mcp(&server).await else {
            panic!("expected Unknown");
        };
        assert!(reason.contains("502"), "{reason}");
    }

    #[tokio::test]
    async fn server_that_answers_is_unsupported_and_its_session_is_ended() {
        let server = MockHttp::start();
        server
            .route(
                "POST",
                "/mcp",
                Reply::text("{}").header("mcp-session-id", "s-1"),
            )
            .route("DELETE", "/mcp", Reply::status(204));
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", HeaderValue::from_static("k1"));
        let result = probe(&client(), &server.url("/mcp"), &headers).await;
        assert_eq!(result, AuthProbe::Unsupported);
        let first = &server.requests()[0];
        assert_eq!(first.method, "POST");
        assert_eq!(
            first.header("accept"),
            Some("application/json, text/event-stream")
        );
        // The server answered without the key, so the key was never sent.
        assert_eq!(first.header("x-api-key"), None);
        assert_eq!(first.json().unwrap()["method"], "initialize");
        let ended = server
            .wait_for_async(Duration::from_secs(5), |r| r.method == "DELETE")
            .await
            .expect("the session is ended with a DELETE");
        assert_eq!(ended.header("mcp-session-id"), Some("s-1"));
    }

    #[tokio::test]
    async fn custom_headers_are_sent_only_when_the_server_needs_them() {
        let server = MockHttp::start();
        server.route_sequence("POST", "/mcp", vec![Reply::status(400), Reply::text("{}")]);
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", HeaderValue::from_static("k1"));
        let result = probe(&client(), &server.url("/mcp"), &headers).await;
        assert_eq!(result, AuthProbe::Unsupported);
        let keys: Vec<Option<String>> = server
            .requests_to("POST", "/mcp")
            .iter()
            .map(|r| r.header("x-api-key").map(str::to_string))
            .collect();
        assert_eq!(keys, vec![None, Some("k1".to_string())]);
    }

    #[tokio::test]
    async fn server_error_is_unknown() {
        let server = MockHttp::start();
        server.route("POST", "/mcp", Reply::status(503));
        let AuthProbe::Unknown { reason } = probe_mcp(&server).await else {
            panic!("expected Unknown");
        };
        assert!(reason.contains("503"), "{reason}");
    }

    #[tokio::test]
    async fn closed_port_is_unknown() {
        let result = probe(&client(), &closed_port_url(), &HeaderMap::new()).await;
        let AuthProbe::Unknown { reason } = result else {
            panic!("expected Unknown, got {result:?}");
        };
        assert!(reason.starts_with("could not connect"), "{reason}");
    }

    #[tokio::test]
    async fn slow_server_is_cut_by_the_callers_deadline() {
        let server = MockHttp::start();
        server.route("POST", "/mcp", Reply::hang());
        let deadline = Duration::from_millis(200);
        let started = std::time::Instant::now();
        assert!(
            tokio::time::timeout(deadline, probe_mcp(&server))
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
        let result = probe(&client, &server.url("/mcp"), &HeaderMap::new()).await;
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
