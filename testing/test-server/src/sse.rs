//! Legacy HTTP+SSE mode (MCP 2024-11-05): `GET /sse` opens a stream whose first event is
//! `endpoint` (`/message?sessionId=N`); each `POST` there carries one JSON-RPC message, whose
//! answers come back as `message` events on the stream. rmcp 3.11 has no server for this
//! transport, so the session is rmcp's ordinary service over a pair of channels.

use std::borrow::Cow;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rmcp::ServiceExt;
use rmcp::service::{RoleServer, RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use tokio::sync::mpsc;

use crate::handler::TestServer;

/// The size of the event `--sse-huge-event` sends: 1 MiB over a 16 MiB bound.
const HUGE_EVENT: usize = 17 * 1024 * 1024;

/// What the legacy SSE mode does besides serving.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The `endpoint` event's data instead of `/message?sessionId=N`.
    pub endpoint: Option<String>,
    /// Send one event larger than 16 MiB right after `endpoint`.
    pub huge_event: bool,
    /// Answer 401 unless this bearer token is sent.
    pub bearer_token: Option<String>,
}

#[derive(Clone)]
struct App {
    server: TestServer,
    options: Arc<Options>,
    sessions: Arc<Mutex<HashMap<u64, mpsc::Sender<RxJsonRpcMessage<RoleServer>>>>>,
    next: Arc<AtomicU64>,
}

/// Serves `server` on `127.0.0.1:port/sse` until the process is killed.
pub async fn serve(server: TestServer, port: u16, options: Options) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    // Tests read this line to learn the port; it must be the first line on stdout.
    println!("listening on http://{addr}/sse");
    eprintln!("mcpctl-test-server: legacy SSE, listening on http://{addr}/sse");
    let expected = options
        .bearer_token
        .clone()
        .map(|t| Arc::new(format!("Bearer {t}")));
    let app = App {
        server,
        options: Arc::new(options),
        sessions: Arc::default(),
        next: Arc::default(),
    };
    let router = axum::Router::new()
        .route("/sse", get(open_stream))
        .route("/message", axum::routing::post(post_message))
        .with_state(app)
        .layer(axum::middleware::from_fn(
            move |req: Request, next: Next| {
                let expected = expected.clone();
                async move {
                    crate::http::check_bearer(expected.as_deref().map(String::as_str), req, next)
                        .await
                }
            },
        ));
    axum::serve(listener, router).await?;
    Ok(())
}

/// rmcp's server over two channels: messages in from `POST`s, SSE frames out to the stream.
struct ChannelTransport {
    incoming: mpsc::Receiver<RxJsonRpcMessage<RoleServer>>,
    outgoing: mpsc::Sender<String>,
}

impl Transport<RoleServer> for ChannelTransport {
    type Error = std::io::Error;

    fn name() -> Cow<'static, str> {
        Cow::Borrowed("legacy-sse-server")
    }

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let outgoing = self.outgoing.clone();
        async move {
            let json = serde_json::to_string(&item).map_err(std::io::Error::other)?;
            outgoing
                .send(format!("event: message\ndata: {json}\n\n"))
                .await
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
        }
    }

    fn receive(&mut self) -> impl Future<Output = Option<RxJsonRpcMessage<RoleServer>>> + Send {
        self.incoming.recv()
    }

    fn close(&mut self) -> impl Future<Output = Result<(), Self::Error>> + Send {
        self.incoming.close();
        std::future::ready(Ok(()))
    }
}

async fn open_stream(State(app): State<App>) -> Response {
    let id = app.next.fetch_add(1, Ordering::Relaxed);
    let (to_server, incoming) = mpsc::channel(64);
    let (outgoing, frames) = mpsc::channel::<String>(64);
    app.sessions
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(id, to_server);
    let endpoint = app
        .options
        .endpoint
        .clone()
        .unwrap_or_else(|| format!("/message?sessionId={id}"));
    let _ = outgoing
        .send(format!("event: endpoint\ndata: {endpoint}\n\n"))
        .await;
    if app.options.huge_event {
        let huge = format!("event: message\ndata: {}\n\n", "x".repeat(HUGE_EVENT));
        let _ = outgoing.send(huge).await;
    }
    let server = app.server.clone();
    let sessions = Arc::clone(&app.sessions);
    tokio::spawn(async move {
        let transport = ChannelTransport { incoming, outgoing };
        if let Ok(running) = server.serve(transport).await {
            let _ = running.waiting().await;
        }
        sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&id);
    });
    let body = Body::from_stream(futures::stream::unfold(frames, |mut frames| async move {
        let frame = frames.recv().await?;
        Some((Ok::<_, Infallible>(frame), frames))
    }));
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn post_message(State(app): State<App>, request: Request) -> Response {
    let session = request
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("sessionId="))
        .and_then(|id| id.parse::<u64>().ok());
    let sender = session.and_then(|id| {
        app.sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&id)
            .cloned()
    });
    let Some(sender) = sender else {
        return (StatusCode::NOT_FOUND, "unknown session").into_response();
    };
    let Ok(body) = axum::body::to_bytes(request.into_body(), 4 * 1024 * 1024).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response();
    };
    let body: Bytes = body;
    let Ok(message) = serde_json::from_slice::<RxJsonRpcMessage<RoleServer>>(&body) else {
        return (StatusCode::BAD_REQUEST, "not a JSON-RPC message").into_response();
    };
    if sender.send(message).await.is_err() {
        return (StatusCode::GONE, "session ended").into_response();
    }
    (StatusCode::ACCEPTED, "Accepted").into_response()
}
