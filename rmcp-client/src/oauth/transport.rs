//! Bearer tokens on a streamable HTTP connection: [`AuthorizedClient`] wraps the HTTP client of
//! rmcp's transport, puts the current access token on every request, and reacts to the
//! server's verdict once per request: a `401` gets one refreshed token and a retry, a `403
//! insufficient_scope` gets one step-up (a new login with the union of scopes, at most once
//! per connection: the [`TokenSource`] keeps count) and a retry. Anything else goes back to the
//! caller as it came.
//!
//! Where the tokens come from, how they are refreshed and stored, is the [`TokenSource`]'s
//! business (mcpctl-core implements it over the credential store).

use std::collections::HashMap;
use std::sync::Arc;

use http::{HeaderName, HeaderValue};
use rmcp::model::ClientJsonRpcMessage;
use rmcp::transport::auth::AuthError;
use rmcp::transport::common::client_side_sse::BoxedSseResponse;
use rmcp::transport::streamable_http_client::{
    StreamableHttpClient, StreamableHttpError, StreamableHttpPostResponse,
    StreamableHttpResponseLimits,
};

use crate::hooks::BoxFuture;

/// A source of bearer tokens for one server. Errors are one sentence for the user (the login
/// ended, the token endpoint is down, ...) and never contain a token.
pub trait TokenSource: Send + Sync + 'static {
    /// The access token to send now (refreshed first when it is about to expire); `None` when
    /// there is no login, so the request goes out without one.
    fn token(&self) -> BoxFuture<'_, Result<Option<String>, String>>;

    /// The server refused `rejected` (`401`): a new token (refreshed, or one another process
    /// stored meanwhile), or `None` when there is nothing better to send.
    fn refresh(&self, rejected: String) -> BoxFuture<'_, Result<Option<String>, String>>;

    /// The server wants more scope (`403 insufficient_scope`, `required` from its challenge): a
    /// token carrying it, from a new login; `None` when no step-up is possible or one was
    /// already made on this connection.
    fn step_up(&self, required: Option<String>) -> BoxFuture<'_, Result<Option<String>, String>>;
}

/// A shared [`TokenSource`] in an [`HttpSpec`](crate::HttpSpec). Two sources are equal when
/// they are the same object.
#[derive(Clone)]
pub struct OAuthSource(pub Arc<dyn TokenSource>);

impl std::fmt::Debug for OAuthSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OAuthSource")
    }
}

impl PartialEq for OAuthSource {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for OAuthSource {}

/// The HTTP client of an OAuth-protected connection.
#[derive(Clone)]
pub struct AuthorizedClient<C> {
    inner: C,
    tokens: Arc<dyn TokenSource>,
}

impl<C> AuthorizedClient<C> {
    /// `inner` with tokens from `tokens`.
    pub fn new(inner: C, tokens: OAuthSource) -> Self {
        Self {
            inner,
            tokens: tokens.0,
        }
    }
}

/// A failed token source as a transport error: rmcp's `Auth` error with the source's sentence.
fn auth_error<E: std::error::Error + Send + Sync + 'static>(
    reason: String,
) -> StreamableHttpError<E> {
    StreamableHttpError::Auth(AuthError::AuthorizationFailed(reason))
}

impl<C> AuthorizedClient<C>
where
    C: StreamableHttpClient + Send + Sync,
{
    /// Runs `call` with the current token, then once more after a refresh (on `401`) or a
    /// step-up (on `403 insufficient_scope`).
    async fn with_tokens<T, F, Fut>(&self, call: F) -> Result<T, StreamableHttpError<C::Error>>
    where
        F: Fn(Option<String>) -> Fut,
        Fut: Future<Output = Result<T, StreamableHttpError<C::Error>>>,
    {
        let token = self.tokens.token().await.map_err(auth_error)?;
        match call(token.clone()).await {
            Err(StreamableHttpError::AuthRequired(challenge)) => {
                let Some(sent) = token else {
                    return Err(StreamableHttpError::AuthRequired(challenge));
                };
                match self
                    .tokens
                    .refresh(sent.clone())
                    .await
                    .map_err(auth_error)?
                {
                    Some(fresh) if fresh != sent => call(Some(fresh)).await,
                    _ => Err(StreamableHttpError::AuthRequired(challenge)),
                }
            }
            Err(StreamableHttpError::InsufficientScope(wanted)) => {
                let required = wanted.required_scope.clone();
                match self.tokens.step_up(required).await.map_err(auth_error)? {
                    Some(fresh) => call(Some(fresh)).await,
                    None => Err(StreamableHttpError::InsufficientScope(wanted)),
                }
            }
            other => other,
        }
    }
}

impl<C> StreamableHttpClient for AuthorizedClient<C>
where
    C: StreamableHttpClient + Send + Sync,
{
    type Error = C::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        _auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<StreamableHttpPostResponse, StreamableHttpError<Self::Error>> {
        self.with_tokens(|token| {
            self.inner.post_message(
                uri.clone(),
                message.clone(),
                session_id.clone(),
                token,
                custom_headers.clone(),
            )
        })
        .await
    }

    async fn post_message_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        _auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        max_sse_event_size: usize,
    ) -> Result<StreamableHttpPostResponse, StreamableHttpError<Self::Error>> {
        self.with_tokens(|token| {
            self.inner.post_message_with_max_sse_event_size(
                uri.clone(),
                message.clone(),
                session_id.clone(),
                token,
                custom_headers.clone(),
                max_sse_event_size,
            )
        })
        .await
    }

    async fn post_message_with_response_limits(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        _auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        limits: StreamableHttpResponseLimits,
    ) -> Result<StreamableHttpPostResponse, StreamableHttpError<Self::Error>> {
        self.with_tokens(|token| {
            self.inner.post_message_with_response_limits(
                uri.clone(),
                message.clone(),
                session_id.clone(),
                token,
                custom_headers.clone(),
                limits,
            )
        })
        .await
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        _auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<(), StreamableHttpError<Self::Error>> {
        self.with_tokens(|token| {
            self.inner.delete_session(
                uri.clone(),
                session_id.clone(),
                token,
                custom_headers.clone(),
            )
        })
        .await
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        _auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<BoxedSseResponse, StreamableHttpError<Self::Error>> {
        self.with_tokens(|token| {
            self.inner.get_stream(
                uri.clone(),
                session_id.clone(),
                last_event_id.clone(),
                token,
                custom_headers.clone(),
            )
        })
        .await
    }

    async fn get_stream_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        _auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        max_sse_event_size: usize,
    ) -> Result<BoxedSseResponse, StreamableHttpError<Self::Error>> {
        self.with_tokens(|token| {
            self.inner.get_stream_with_max_sse_event_size(
                uri.clone(),
                session_id.clone(),
                last_event_id.clone(),
                token,
                custom_headers.clone(),
                max_sse_event_size,
            )
        })
        .await
    }
}

/// The reqwest client under an [`AuthorizedClient`]: what rmcp's transport uses by default (no
/// idle pooling, whose reuse stalls on Linux's delayed ACKs; only same-origin 307/308
/// redirects, which keep the POST's body and never carry the token elsewhere).
pub(crate) fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .last()
            .is_some_and(|prev| mcpctl_http_client::same_origin(prev, attempt.url()));
        let keeps_body = matches!(attempt.status().as_u16(), 307 | 308);
        if attempt.previous().len() > mcpctl_http_client::MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else if same_origin && keeps_body {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .redirect(policy)
        .referer(false)
        .build()
}
