//! [`CallbackListener`]: serves the redirect URI's path until a valid authorization response
//! (or a provider error) arrives, the deadline passes, or the caller cancels.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use crate::config::{BindScope, CallbackConfig};
use crate::error::CallbackError;
use crate::page;
use crate::verdict::{AuthorizationResponse, Rejection, Verdict, check_pasted_url, check_query};

/// How long a login waits for the callback unless told otherwise (`--timeout`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

// Time the browser gets to receive its page after the answer is in.
const DRAIN: Duration = Duration::from_secs(2);

/// Something that happened while waiting, for a front end to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackEvent {
    /// A request to the listener was refused and the login keeps waiting.
    Rejected(Rejection),
    /// A pasted callback URL was refused and the login keeps waiting.
    PastedRejected(Rejection),
}

/// Options of [`CallbackListener::wait`].
#[derive(Debug)]
pub struct WaitOptions {
    /// The deadline, from the start of the wait (default [`DEFAULT_TIMEOUT`]).
    pub timeout: Duration,
    /// Callback URLs pasted by the user (`--no-browser` reads stdin into this); each is checked
    /// with the listener's rules. Closing the sender just stops this source.
    pub pasted: Option<mpsc::Receiver<String>>,
    /// Where to report refused requests; `None` drops them.
    pub events: Option<mpsc::UnboundedSender<CallbackEvent>>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            pasted: None,
            events: None,
        }
    }
}

/// A bound callback listener. Bind it before building the authorization URL: the
/// [`redirect_uri`](Self::redirect_uri) carries the port the OS chose.
#[derive(Debug)]
pub struct CallbackListener {
    listeners: Vec<TcpListener>,
    addrs: Vec<SocketAddr>,
    redirect_uri: String,
    path: String,
    scope: BindScope,
}

impl CallbackListener {
    /// Binds per `config`: loopback for `localhost`, `127.0.0.1`, `::1` (and the default
    /// `http://127.0.0.1:<port>/callback`), `0.0.0.0` for any other host. A port already in use
    /// is [`CallbackError::PortInUse`].
    pub async fn bind(config: &CallbackConfig) -> Result<Self, CallbackError> {
        let plan = config.plan()?;
        let mut listeners = Vec::new();
        let mut addrs = Vec::new();
        let mut port = 0;
        for (i, addr) in plan.addrs.iter().enumerate() {
            let mut addr = *addr;
            if addr.port() == 0 && port != 0 {
                // `localhost`: the second address (::1) takes the port the first one got.
                addr.set_port(port);
            }
            match TcpListener::bind(addr).await {
                Ok(listener) => {
                    let local = listener
                        .local_addr()
                        .map_err(|source| CallbackError::Bind { addr, source })?;
                    port = local.port();
                    listeners.push(listener);
                    addrs.push(local);
                }
                // Only the first address is required (::1 may not exist on this machine).
                Err(_) if i > 0 => {}
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                    return Err(CallbackError::PortInUse { addr });
                }
                Err(source) => return Err(CallbackError::Bind { addr, source }),
            }
        }
        Ok(Self {
            listeners,
            addrs,
            redirect_uri: plan.redirect_uri.resolve(port),
            path: plan.path,
            scope: plan.scope,
        })
    }

    /// The exact `redirect_uri` to send in the authorization and token requests.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The path served; every other path is answered 404.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The addresses listened on.
    pub fn local_addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// Loopback only, or every interface (front ends say so in the latter case).
    pub fn scope(&self) -> BindScope {
        self.scope
    }

    /// Serves the callback until this login's answer arrives (by HTTP or pasted), the
    /// deadline passes or `cancel` completes. Wrong paths, methods, missing or wrong `state`
    /// are refused (404/405/400) and reported on `options.events`, and the wait goes on.
    ///
    /// The listener closes before this returns (after letting the browser fetch its page), so
    /// a replayed callback finds nothing listening.
    pub async fn wait(
        self,
        expected_state: &str,
        options: WaitOptions,
        cancel: impl Future<Output = ()>,
    ) -> Result<AuthorizationResponse, CallbackError> {
        let (answer_tx, mut answer_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            path: self.path.clone(),
            state: expected_state.to_owned(),
            done: AtomicBool::new(false),
            answers: answer_tx,
            events: options.events.clone(),
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut servers = Vec::new();
        for listener in self.listeners {
            let router = axum::Router::new()
                .fallback(handle)
                .with_state(shared.clone());
            let mut stop = stop_rx.clone();
            servers.push(tokio::spawn(async move {
                axum::serve(listener, router)
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|stop| *stop).await;
                    })
                    .await
            }));
        }

        let mut pasted = options.pasted;
        let deadline = tokio::time::sleep(options.timeout);
        tokio::pin!(deadline, cancel);
        let result = loop {
            tokio::select! {
                answer = answer_rx.recv() => match answer {
                    Some(verdict) => break finish(verdict),
                    None => break Err(CallbackError::ListenerStopped {
                        reason: "the listener task ended".into(),
                    }),
                },
                line = next_pasted(&mut pasted) => match line {
                    Some(line) => match check_pasted_url(&line, &self.redirect_uri, expected_state) {
                        Verdict::Rejected(rejection) => {
                            if let Some(events) = &options.events {
                                let _ = events.send(CallbackEvent::PastedRejected(rejection));
                            }
                        }
                        verdict if shared.complete() => break finish(verdict),
                        // The listener answered first; its answer is already queued.
                        _ => {}
                    },
                    None => pasted = None,
                },
                () = &mut deadline => break Err(CallbackError::TimedOut { after: options.timeout }),
                () = &mut cancel => break Err(CallbackError::Cancelled),
            }
        };

        let _ = stop_tx.send(true);
        for server in servers {
            let abort = server.abort_handle();
            if tokio::time::timeout(DRAIN, server).await.is_err() {
                abort.abort();
            }
        }
        result
    }
}

async fn next_pasted(pasted: &mut Option<mpsc::Receiver<String>>) -> Option<String> {
    match pasted {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

fn finish(verdict: Verdict) -> Result<AuthorizationResponse, CallbackError> {
    match verdict {
        Verdict::Authorized(response) => Ok(response),
        Verdict::Denied(e) => Err(CallbackError::Denied {
            error: e.error,
            description: e.description,
            uri: e.uri,
        }),
        Verdict::Rejected(r) => Err(CallbackError::ListenerStopped {
            reason: r.to_string(),
        }),
    }
}

struct Shared {
    path: String,
    state: String,
    done: AtomicBool,
    answers: mpsc::UnboundedSender<Verdict>,
    events: Option<mpsc::UnboundedSender<CallbackEvent>>,
}

impl Shared {
    /// Claims the one answer this login gets; false when another source claimed it first.
    fn complete(&self) -> bool {
        self.done
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    fn reject(&self, rejection: Rejection) -> Response {
        let status = StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let body = page::rejected(&rejection.to_string());
        if let Some(events) = &self.events {
            let _ = events.send(CallbackEvent::Rejected(rejection));
        }
        respond(status, body)
    }
}

async fn handle(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    if uri.path() != shared.path {
        return shared.reject(Rejection::WrongPath {
            path: uri.path().to_owned(),
        });
    }
    if method != Method::GET {
        return shared.reject(Rejection::MethodNotAllowed {
            method: method.to_string(),
        });
    }
    if shared.done.load(Ordering::Acquire) {
        return shared.reject(Rejection::AlreadyCompleted);
    }
    match check_query(uri.query(), &shared.state) {
        Verdict::Rejected(rejection) => shared.reject(rejection),
        verdict => {
            if !shared.complete() {
                return shared.reject(Rejection::AlreadyCompleted);
            }
            let body = match &verdict {
                Verdict::Denied(e) => page::denied(&e.error, e.description.as_deref()),
                _ => page::success(),
            };
            let _ = shared.answers.send(verdict);
            respond(StatusCode::OK, body)
        }
    }
}

fn respond(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        Html(body),
    )
        .into_response()
}
