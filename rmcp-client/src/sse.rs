//! The legacy HTTP+SSE transport of MCP 2024-11-05, for servers that never moved to
//! streamable HTTP.
//!
//! The client opens one long `GET` on the server's SSE URL. The server's first event is
//! `endpoint`, whose data is the URL (often relative, with a session id in its query) to which
//! the client then `POST`s every JSON-RPC message; every answer, notification and request of
//! the server comes back as a `message` event on the open stream.
//!
//! rmcp 3.11 has no client for it, so this module is a [`Transport`] that rmcp's ordinary
//! service runs on: `initialize`, requests, cancellation and the handler are all rmcp's. The
//! HTTP requests go through rmcp's [`StreamableHttpClient`] (the same client, headers, bearer
//! token and OAuth token handling as a streamable HTTP server; rmcp's SSE parser with its
//! bound on the size of one event). What this module adds:
//!
//! - the `endpoint` handshake, with the endpoint's origin checked against the SSE URL's (a
//!   server cannot make mcpctl post its messages, and its headers, elsewhere);
//! - a bounded queue between the stream and the service: a server that sends faster than the
//!   client handles waits on TCP instead of growing memory; and at most [`MAX_QUEUED`] `POST`s
//!   waiting for the server (one that stops answering them ends the connection);
//! - a clear end: the stream ending or failing ends the connection, and [`SseState`] says why.
//!   There is no reconnect: a legacy server's session lives as long as its stream.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use futures::StreamExt;
use reqwest::header::{HeaderName, HeaderValue};
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::service::{RoleClient, RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::transport::streamable_http_client::{
    StreamableHttpClient, StreamableHttpError, StreamableHttpPostResponse,
};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use url::Url;

use crate::transport::MAX_QUEUED;

/// The largest SSE event accepted from a server (rmcp's bound on one event); a larger one
/// ends the connection.
pub const MAX_SSE_EVENT: usize = 16 * 1024 * 1024;

/// How many events a server may send before its `endpoint` event.
const MAX_EVENTS_BEFORE_ENDPOINT: usize = 64;

/// How many received messages may wait for the client to take them.
const QUEUE: usize = 64;

/// Why the SSE handshake failed (besides an HTTP error, see [`SseConnectError::Http`]).
#[derive(Debug, thiserror::Error)]
pub enum SseConnectError<E: std::error::Error + Send + Sync + 'static> {
    /// The `GET` failed or was refused; classified like a streamable HTTP connect.
    #[error(transparent)]
    Http(StreamableHttpError<E>),
    /// The SSE URL itself does not parse.
    #[error("the SSE URL `{url}` is not a valid URL: {reason}")]
    BadUrl {
        /// The URL as configured.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The stream ended (or broke) before the `endpoint` event.
    #[error(
        "the SSE stream ended before the server sent its `endpoint` event; check that the URL is a legacy HTTP+SSE endpoint (often ending in /sse), or use `transport = \"streamable_http\"`"
    )]
    NoEndpoint,
    /// An event before `endpoint` was larger than [`MAX_SSE_EVENT`].
    #[error(
        "the server sent an event larger than {} MiB before its `endpoint` event",
        MAX_SSE_EVENT / 1024 / 1024
    )]
    EventTooLarge,
    /// The server sent many events but no `endpoint`.
    #[error(
        "the server sent {MAX_EVENTS_BEFORE_ENDPOINT} events without an `endpoint` event: it does not speak the legacy HTTP+SSE transport"
    )]
    TooManyEvents,
    /// The `endpoint` event's data is not a URL (shown escaped and cut short).
    #[error("the server's `endpoint` event is not a URL: `{data}`")]
    BadEndpoint {
        /// The event's data (cut short).
        data: String,
    },
    /// The endpoint is on another origin than the SSE URL.
    #[error(
        "the server's `endpoint` event names another origin ({endpoint}) than the SSE URL ({sse}): refused, since every message and its headers would be sent there"
    )]
    ForeignEndpoint {
        /// The SSE URL's origin.
        sse: String,
        /// The endpoint's origin.
        endpoint: String,
    },
}

/// Why the stream of a connected server ended, for the error its requests get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SseFault {
    /// An event was larger than [`MAX_SSE_EVENT`].
    TooLarge,
    /// The server closed the stream.
    Ended,
    /// Reading the stream failed.
    Broken(String),
    /// More than [`MAX_QUEUED`] `POST`s were waiting for the server's answer: it stopped
    /// reading its messages (while, say, sending requests on the stream).
    NotReading,
}

/// What the stream reader tells the client about how the stream ended.
#[derive(Debug)]
pub(crate) struct SseState {
    fault: Mutex<Option<SseFault>>,
    /// `POST`s sent and not answered yet.
    posting: AtomicUsize,
    /// Becomes `true` with the first fault: the stream reader stops.
    stop: watch::Sender<bool>,
}

impl Default for SseState {
    fn default() -> Self {
        Self {
            fault: Mutex::default(),
            posting: AtomicUsize::new(0),
            stop: watch::Sender::new(false),
        }
    }
}

/// One `POST` in flight; counted down when it ends, however it ends.
struct Posting(Arc<SseState>);

impl Drop for Posting {
    fn drop(&mut self) {
        self.0.posting.fetch_sub(1, Ordering::AcqRel);
    }
}

impl SseState {
    /// Counts a `POST`; past [`MAX_QUEUED`] waiting ones the connection ends.
    fn post(self: &Arc<Self>) -> Option<Posting> {
        let waiting = self.posting.fetch_add(1, Ordering::AcqRel) + 1;
        let posting = Posting(Arc::clone(self));
        if waiting > MAX_QUEUED {
            self.set(SseFault::NotReading);
            return None;
        }
        Some(posting)
    }

    /// Resolves once a fault was recorded.
    async fn stopped(&self) {
        let mut stop = self.stop.subscribe();
        let _ = stop.wait_for(|stop| *stop).await;
    }

    pub(crate) fn fault(&self) -> Option<SseFault> {
        self.fault
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, fault: SseFault) {
        let mut slot = self.fault.lock().unwrap_or_else(PoisonError::into_inner);
        slot.get_or_insert(fault);
        drop(slot);
        self.stop.send_replace(true);
    }
}

/// Every message of an error's source chain (for matching words in it; never shown).
fn chain_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut current = error.source();
    while let Some(e) = current {
        parts.push(e.to_string());
        current = e.source();
    }
    parts.join(": ")
}

/// The last error of the chain: the cause itself, without the layers' wording.
fn innermost_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// A legacy HTTP+SSE connection: messages go out by `POST`, come in on the stream.
pub(crate) struct SseTransport<C: StreamableHttpClient> {
    client: C,
    endpoint: Arc<str>,
    auth_header: Option<String>,
    headers: HashMap<HeaderName, HeaderValue>,
    incoming: mpsc::Receiver<ServerJsonRpcMessage>,
    /// Answers that came in a `POST`'s own response (servers that answer there). Weak, so
    /// that the stream reader's end closes the queue and `receive` ends.
    direct: mpsc::WeakSender<ServerJsonRpcMessage>,
    reader: JoinHandle<()>,
    state: Arc<SseState>,
}

impl<C: StreamableHttpClient> Drop for SseTransport<C> {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// The URL's origin as text, for messages.
fn origin_text(url: &Url) -> String {
    url.origin().ascii_serialization()
}

impl<C> SseTransport<C>
where
    C: StreamableHttpClient + Sync,
{
    /// Opens the stream at `url` and waits for the server's `endpoint` event. The caller
    /// bounds the wait (the startup timeout).
    pub(crate) async fn connect(
        client: C,
        url: &str,
        auth_header: Option<String>,
        headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<(Self, Arc<SseState>), SseConnectError<C::Error>> {
        let base = Url::parse(url).map_err(|e| SseConnectError::BadUrl {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        let mut stream = client
            .get_stream(
                Arc::from(url),
                None,
                None,
                auth_header.clone(),
                headers.clone(),
            )
            .await
            .map_err(SseConnectError::Http)?;
        let mut seen = 0;
        let endpoint = loop {
            let event = match stream.next().await {
                Some(Ok(event)) => event,
                Some(Err(error)) if chain_text(&error).contains("exceeded the maximum size") => {
                    return Err(SseConnectError::EventTooLarge);
                }
                _ => return Err(SseConnectError::NoEndpoint),
            };
            if event.event.as_deref() == Some("endpoint") {
                let data = event.data.unwrap_or_default();
                let endpoint =
                    base.join(data.trim())
                        .map_err(|_| SseConnectError::BadEndpoint {
                            data: crate::error::escape_line(
                                &data.chars().take(200).collect::<String>(),
                            ),
                        })?;
                if endpoint.origin() != base.origin() {
                    return Err(SseConnectError::ForeignEndpoint {
                        sse: origin_text(&base),
                        endpoint: origin_text(&endpoint),
                    });
                }
                break endpoint;
            }
            seen += 1;
            if seen >= MAX_EVENTS_BEFORE_ENDPOINT {
                return Err(SseConnectError::TooManyEvents);
            }
        };
        let state = Arc::new(SseState::default());
        let (sender, incoming) = mpsc::channel(QUEUE);
        let direct = sender.downgrade();
        let reader_state = Arc::clone(&state);
        let reader = tokio::spawn(async move {
            loop {
                let next = tokio::select! {
                    next = stream.next() => next,
                    () = reader_state.stopped() => return,
                };
                match next {
                    None => {
                        reader_state.set(SseFault::Ended);
                        return;
                    }
                    Some(Err(error)) => {
                        let text = chain_text(&error);
                        reader_state.set(if text.contains("exceeded the maximum size") {
                            SseFault::TooLarge
                        } else {
                            SseFault::Broken(innermost_text(&error))
                        });
                        return;
                    }
                    Some(Ok(event)) => {
                        if !matches!(event.event.as_deref(), None | Some("message")) {
                            continue;
                        }
                        let Some(data) = event.data else { continue };
                        // A message rmcp cannot read is dropped, as rmcp's streamable HTTP
                        // client drops one; the request it answers then times out.
                        let Ok(message) = serde_json::from_str::<ServerJsonRpcMessage>(&data)
                        else {
                            continue;
                        };
                        if sender.send(message).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Ok((
            Self {
                client,
                endpoint: Arc::from(endpoint.as_str()),
                auth_header,
                headers,
                incoming,
                direct,
                reader,
                state: Arc::clone(&state),
            },
            state,
        ))
    }
}

impl<C> Transport<RoleClient> for SseTransport<C>
where
    C: StreamableHttpClient + Sync,
{
    type Error = StreamableHttpError<C::Error>;

    fn name() -> Cow<'static, str> {
        Cow::Borrowed("legacy-sse")
    }

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let client = self.client.clone();
        let endpoint = Arc::clone(&self.endpoint);
        let auth_header = self.auth_header.clone();
        let headers = self.headers.clone();
        let direct = self.direct.clone();
        let state = Arc::clone(&self.state);
        async move {
            if state.fault().is_some() {
                return Err(StreamableHttpError::TransportChannelClosed);
            }
            let Some(_posting) = state.post() else {
                return Err(StreamableHttpError::TransportChannelClosed);
            };
            let message: ClientJsonRpcMessage = item;
            let response = client
                .post_message(endpoint, message, None, auth_header, headers)
                .await?;
            match response {
                StreamableHttpPostResponse::Accepted => {}
                // The 2024-11-05 protocol answers on the stream; a server that answers in
                // the response instead is heard all the same.
                StreamableHttpPostResponse::Json(message, _) => {
                    if let Some(direct) = direct.upgrade() {
                        let _ = direct.send(message).await;
                    }
                }
                StreamableHttpPostResponse::Sse(mut stream, _) => {
                    while let Some(Ok(event)) = stream.next().await {
                        if let Some(data) = event.data
                            && let Ok(message) = serde_json::from_str(&data)
                            && let Some(direct) = direct.upgrade()
                        {
                            let _ = direct.send(message).await;
                        }
                    }
                }
                _ => {}
            }
            Ok(())
        }
    }

    fn receive(&mut self) -> impl Future<Output = Option<RxJsonRpcMessage<RoleClient>>> + Send {
        self.incoming.recv()
    }

    fn close(&mut self) -> impl Future<Output = Result<(), Self::Error>> + Send {
        self.reader.abort();
        self.incoming.close();
        std::future::ready(Ok(()))
    }
}
