//! The HTTP client of every OAuth request mcpctl sends: mcpctl's own (same-origin redirects, no
//! `Referer`), handed to rmcp as its [`OAuthHttpClient`] so rmcp's token requests go through it
//! too, and remembering the last answer of each URL so an error can say what the server sent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use rmcp::transport::auth::{
    OAuthHttpClient, OAuthHttpClientFuture, OAuthHttpRedirectPolicy, OAuthHttpRequest,
};

use crate::oauth::error::OAuthError;

/// How long one OAuth request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// OAuth documents and token responses are small; anything far larger is not one.
pub(crate) const MAX_BODY: usize = 1024 * 1024;

/// What a server last answered at one URL: enough to describe a failure, never the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LastAnswer {
    pub status: u16,
    pub content_type: Option<String>,
}

/// The HTTP client of OAuth requests. Cheap to clone.
#[derive(Clone)]
pub struct OAuthHttp {
    follow: reqwest::Client,
    stop: reqwest::Client,
    answers: Arc<Mutex<HashMap<String, LastAnswer>>>,
}

impl std::fmt::Debug for OAuthHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthHttp").finish_non_exhaustive()
    }
}

impl OAuthHttp {
    /// A client with mcpctl's defaults and a 30 s timeout per request.
    pub fn new() -> Result<Self, OAuthError> {
        let build = |builder: reqwest::ClientBuilder| {
            builder
                .timeout(REQUEST_TIMEOUT)
                .build()
                .map_err(|e| OAuthError::Other(format!("cannot build the HTTP client: {e}")))
        };
        Ok(Self {
            follow: build(mcpctl_http_client::builder())?,
            stop: build(mcpctl_http_client::builder().redirect(reqwest::redirect::Policy::none()))?,
            answers: Arc::default(),
        })
    }

    /// The client for mcpctl's own requests (discovery, registration, revocation).
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.follow
    }

    /// Notes what `url` answered.
    pub(crate) fn remember(&self, url: &str, status: u16, content_type: Option<String>) {
        if let Ok(mut answers) = self.answers.lock() {
            answers.insert(
                url.to_owned(),
                LastAnswer {
                    status,
                    content_type,
                },
            );
        }
    }

    /// What `url` last answered, if it was asked.
    pub(crate) fn last_answer(&self, url: &str) -> Option<LastAnswer> {
        self.answers.lock().ok()?.get(url).cloned()
    }
}

/// The `Content-Type` of a response, without parameters.
pub(crate) fn content_type(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next().unwrap_or(value).trim().to_owned())
}

/// Reads a body of at most [`MAX_BODY`] bytes; `None` when it is larger.
pub(crate) async fn read_body(
    mut response: reqwest::Response,
) -> Result<Option<Vec<u8>>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl OAuthHttpClient for OAuthHttp {
    fn execute(&self, request: OAuthHttpRequest) -> OAuthHttpClientFuture<'_> {
        Box::pin(async move {
            let OAuthHttpRequest {
                request,
                redirect_policy,
                ..
            } = request;
            let client = match redirect_policy {
                OAuthHttpRedirectPolicy::Stop => &self.stop,
                _ => &self.follow,
            };
            let request =
                reqwest::Request::try_from(request).map_err(|e| Box::new(e) as BoxError)?;
            let url = request.url().to_string();
            let response = client
                .execute(request)
                .await
                .map_err(|e| Box::new(e) as BoxError)?;
            let status = response.status();
            self.remember(&url, status.as_u16(), content_type(response.headers()));
            let mut builder = http::Response::builder()
                .status(status.as_u16())
                .version(response.version());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let body = read_body(response)
                .await
                .map_err(|e| Box::new(e) as BoxError)?
                .ok_or_else(|| -> BoxError { "the answer is larger than 1 MiB".into() })?;
            builder.body(body).map_err(|e| Box::new(e) as BoxError)
        })
    }
}
