//! The first request of a login: the same `initialize` POST a connection starts with, sent
//! without credentials, so that discovery starts from the server's own `WWW-Authenticate`
//! answer (a `resource_metadata` URL found only there would be missed by a GET probe).

use mcpctl_oauth_discovery::{BearerChallenge, bearer_challenge};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::oauth::error::{OAuthError, request_failed};
use crate::oauth::http::OAuthHttp;

const MCP_SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");
const PROTOCOL_VERSION: &str = "2025-11-25";

/// What the server did with a request that carried no credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstContact {
    /// `401`: credentials are needed; the Bearer challenge, if the server sent one.
    Unauthorized {
        /// The first `Bearer` challenge of `WWW-Authenticate`.
        challenge: Option<BearerChallenge>,
    },
    /// `403`, with the Bearer challenge if any.
    Forbidden {
        /// The first `Bearer` challenge of `WWW-Authenticate`.
        challenge: Option<BearerChallenge>,
    },
    /// Any other status: the server answered without asking for credentials (`2xx`), or
    /// refused the request for another reason.
    Answered {
        /// The HTTP status.
        status: u16,
    },
}

impl FirstContact {
    /// The Bearer challenge of a `401`/`403`.
    pub fn challenge(&self) -> Option<&BearerChallenge> {
        match self {
            Self::Unauthorized { challenge } | Self::Forbidden { challenge } => challenge.as_ref(),
            Self::Answered { .. } => None,
        }
    }
}

/// POSTs an `initialize` to `url` with `headers` (the server's static and environment headers,
/// never a token) and reports how the server answered. A session the request happened to open
/// is ended right away (best effort).
pub async fn first_contact(
    http: &OAuthHttp,
    url: &Url,
    headers: &HeaderMap,
) -> Result<FirstContact, OAuthError> {
    let mut request_headers = headers.clone();
    request_headers.insert(
        ACCEPT,
        HeaderValue::from_static("application/json, text/event-stream"),
    );
    request_headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let response = http
        .client()
        .post(url.clone())
        .headers(request_headers)
        .body(initialize_body())
        .send()
        .await
        .map_err(|e| request_failed(url.as_str(), &e))?;
    let status = response.status().as_u16();
    match status {
        401 => Ok(FirstContact::Unauthorized {
            challenge: bearer_challenge(response.headers()),
        }),
        403 => Ok(FirstContact::Forbidden {
            challenge: bearer_challenge(response.headers()),
        }),
        _ => {
            if let Some(session) = response.headers().get(MCP_SESSION_ID).cloned() {
                let mut end = headers.clone();
                end.insert(MCP_SESSION_ID, session);
                // Best effort: servers also expire idle sessions on their own.
                let _ = http.client().delete(url.clone()).headers(end).send().await;
            }
            Ok(FirstContact::Answered { status })
        }
    }
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
