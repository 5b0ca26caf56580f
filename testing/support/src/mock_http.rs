//! A scripted HTTP server on 127.0.0.1 that logs every request it receives: the stand-in for an
//! MCP server's or authorization server's HTTP side, and the "request logger" that proves a
//! header, token or secret was (or was not) sent.
//!
//! It runs on its own thread and Tokio runtime, so sync tests and `#[tokio::test]`s (of any
//! flavour) use it alike, and it stops when dropped, even with requests still hanging.

use std::fs::OpenOptions;
use std::future::IntoFuture as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tempfile::TempDir;
use tokio::sync::oneshot;

/// One request as the server received it. Header names are lowercase, in arrival order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, without `?`.
    pub query: Option<String>,
    /// Every header as `(name, value)`; repeated headers appear once per value.
    pub headers: Vec<(String, String)>,
    /// The body, as UTF-8 (invalid bytes replaced).
    pub body: String,
}

impl LoggedRequest {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, `None` when it is not JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// True when `needle` occurs in the path, query, a header name or value, or the body.
    pub fn contains(&self, needle: &str) -> bool {
        self.path.contains(needle)
            || self.query.as_deref().is_some_and(|q| q.contains(needle))
            || self
                .headers
                .iter()
                .any(|(n, v)| n.contains(needle) || v.contains(needle))
            || self.body.contains(needle)
    }
}

/// A scripted answer: status, headers, body, and optionally a delay or no answer at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
    hang: bool,
}

impl Reply {
    /// An empty answer with `status`.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
            hang: false,
        }
    }

    /// `200 OK`, empty.
    pub fn ok() -> Self {
        Self::status(200)
    }

    /// `200 OK` with a JSON body.
    pub fn json(value: &serde_json::Value) -> Self {
        Self::ok()
            .header("content-type", "application/json")
            .body(value.to_string())
    }

    /// `200 OK` with a plain-text body.
    pub fn text(body: &str) -> Self {
        Self::ok().header("content-type", "text/plain").body(body)
    }

    /// A redirect (`301`, `302`, `303`, `307`, `308`) to `location`.
    pub fn redirect(status: u16, location: &str) -> Self {
        Self::status(status).header("location", location)
    }

    /// `401 Unauthorized` with a `WWW-Authenticate` challenge.
    pub fn unauthorized(www_authenticate: &str) -> Self {
        Self::status(401).header("www-authenticate", www_authenticate)
    }

    /// Never answers: the request stays open until the client gives up or the server is dropped.
    pub fn hang() -> Self {
        Self {
            hang: true,
            ..Self::ok()
        }
    }

    /// Adds a header (repeat the call for several values of one header).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Replaces the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Answers only after `delay`.
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                response.headers_mut().append(name, value);
            }
        }
        response
    }
}

/// Which requests a route answers, and with what.
struct Route {
    method: Option<String>,
    path: String,
    replies: Vec<Reply>,
    served: usize,
}

struct Shared {
    routes: Mutex<Vec<Route>>,
    fallback: Mutex<Reply>,
    requests: Mutex<Vec<LoggedRequest>>,
    log_path: PathBuf,
}

impl Shared {
    /// Logs `request` (memory and JSONL file) and picks its reply.
    fn record(&self, request: LoggedRequest) -> Reply {
        let reply = {
            let mut routes = lock(&self.routes);
            // The newest matching route wins, so a test can override an earlier one.
            match routes.iter_mut().rev().find(|r| {
                r.path == request.path
                    && r.method
                        .as_deref()
                        .is_none_or(|m| m.eq_ignore_ascii_case(&request.method))
            }) {
                Some(route) => {
                    let index = route.served.min(route.replies.len().saturating_sub(1));
                    route.served += 1;
                    route.replies.get(index).cloned()
                }
                None => None,
            }
        }
        .unwrap_or_else(|| lock(&self.fallback).clone());
        let mut requests = lock(&self.requests);
        if let Ok(mut file) = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            && let Ok(line) = serde_json::to_string(&request)
        {
            let _ = writeln!(file, "{line}");
        }
        requests.push(request);
        reply
    }
}

/// A poisoned lock only means another test thread panicked; the data is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The server. Unrouted requests get the fallback reply (`404` unless set).
pub struct MockHttp {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    _log_dir: Option<TempDir>,
}

impl MockHttp {
    /// Starts a server on a free loopback port, logging to a JSONL file in a folder of its own.
    ///
    /// # Panics
    /// When the port, the folder or the server thread can't be set up.
    pub fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("mcpctl-mock-http-")
            .tempdir()
            .expect("create the mock server's log folder");
        let mut server = Self::start_logging_to(dir.path().join("requests.jsonl"));
        server._log_dir = Some(dir);
        server
    }

    /// Starts a server that appends one JSON line per request to `log_path`.
    ///
    /// # Panics
    /// When the port or the server thread can't be set up.
    pub fn start_logging_to(log_path: impl Into<PathBuf>) -> Self {
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("bind the mock server's port");
        listener
            .set_nonblocking(true)
            .expect("make the mock server's socket non-blocking");
        let addr = listener.local_addr().expect("the mock server's address");
        let shared = Arc::new(Shared {
            routes: Mutex::new(Vec::new()),
            fallback: Mutex::new(Reply::status(404)),
            requests: Mutex::new(Vec::new()),
            log_path: log_path.into(),
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let thread = std::thread::Builder::new()
            .name(format!("mock-http-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the mock server's runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)
                        .expect("the mock server's listener");
                    tokio::select! {
                        _ = axum::serve(listener, app).into_future() => {}
                        _ = stopped => {}
                    }
                });
                // Requests that hang are dropped here instead of being waited for.
                runtime.shutdown_background();
            })
            .expect("start the mock server's thread");
        Self {
            addr,
            shared,
            stop: Some(stop),
            thread: Some(thread),
            _log_dir: None,
        }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:<port><path>` (`path` starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Answers `method` (any case; `*` for every method) on exactly `path` (no query) with
    /// `reply`. A later route for the same request wins.
    pub fn route(&self, method: &str, path: &str, reply: Reply) -> &Self {
        self.route_sequence(method, path, vec![reply])
    }

    /// Like [`MockHttp::route`] with one reply per request in turn; the last one repeats.
    pub fn route_sequence(&self, method: &str, path: &str, replies: Vec<Reply>) -> &Self {
        lock(&self.shared.routes).push(Route {
            method: (method != "*").then(|| method.to_owned()),
            path: path.to_owned(),
            replies: if replies.is_empty() {
                vec![Reply::status(404)]
            } else {
                replies
            },
            served: 0,
        });
        self
    }

    /// The reply to requests no route matches.
    pub fn fallback(&self, reply: Reply) -> &Self {
        *lock(&self.shared.fallback) = reply;
        self
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// The requests with `method` (any case; `*` for all) on `path`.
    pub fn requests_to(&self, method: &str, path: &str) -> Vec<LoggedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path && (method == "*" || r.method.eq_ignore_ascii_case(method)))
            .collect()
    }

    /// The requests in which `needle` occurs anywhere (see [`LoggedRequest::contains`]).
    pub fn requests_containing(&self, needle: &str) -> Vec<LoggedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.contains(needle))
            .collect()
    }

    /// True when `needle` (a token, a secret header value) reached this server in any request.
    pub fn received(&self, needle: &str) -> bool {
        !self.requests_containing(needle).is_empty()
    }

    /// Blocks up to `limit` for a request matching `found`. Don't call it on a current-thread
    /// Tokio runtime that must make the request: use [`MockHttp::wait_for_async`] there.
    pub fn wait_for(
        &self,
        limit: Duration,
        found: impl Fn(&LoggedRequest) -> bool,
    ) -> Option<LoggedRequest> {
        let start = Instant::now();
        loop {
            if let Some(request) = self.requests().into_iter().find(|r| found(r)) {
                return Some(request);
            }
            if start.elapsed() >= limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// [`MockHttp::wait_for`] for async tests: sleeps on the caller's Tokio runtime.
    pub async fn wait_for_async(
        &self,
        limit: Duration,
        found: impl Fn(&LoggedRequest) -> bool,
    ) -> Option<LoggedRequest> {
        let start = Instant::now();
        loop {
            if let Some(request) = self.requests().into_iter().find(|r| found(r)) {
                return Some(request);
            }
            if start.elapsed() >= limit {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The JSONL file with one [`LoggedRequest`] per line.
    pub fn log_path(&self) -> &Path {
        &self.shared.log_path
    }
}

impl Drop for MockHttp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = LoggedRequest {
        method: method.as_str().to_owned(),
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let reply = shared.record(request);
    if reply.hang {
        std::future::pending::<()>().await;
    }
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    reply.into_response()
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead as _, BufReader, Read as _};
    use std::net::TcpStream;

    use super::*;

    /// A raw HTTP/1.1 exchange, so these tests need no HTTP client.
    fn exchange(server: &MockHttp, request: &str) -> String {
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    #[test]
    fn routes_answer_and_every_request_is_logged() {
        let server = MockHttp::start();
        server
            .route(
                "POST",
                "/mcp",
                Reply::unauthorized(r#"Bearer resource_metadata="/prm""#),
            )
            .route("GET", "/old", Reply::redirect(307, "/new"))
            .route_sequence("*", "/seq", vec![Reply::status(500), Reply::text("ok")]);

        let answer = exchange(
            &server,
            "POST /mcp?api_key=k1 HTTP/1.1\r\nHost: x\r\nX-Secret: s3cret\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
        );
        assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
        assert!(
            answer.contains(r#"www-authenticate: Bearer resource_metadata="/prm""#),
            "{answer}"
        );
        let answer = exchange(
            &server,
            "GET /old HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert!(
            answer.starts_with("HTTP/1.1 307") && answer.contains("location: /new"),
            "{answer}"
        );
        let answer = exchange(
            &server,
            "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
        for expected in ["500", "200", "200"] {
            let answer = exchange(
                &server,
                "PUT /seq HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            );
            assert!(
                answer.starts_with(&format!("HTTP/1.1 {expected}")),
                "{answer}"
            );
        }

        let first = &server.requests()[0];
        assert_eq!(
            (
                first.method.as_str(),
                first.path.as_str(),
                first.query.as_deref()
            ),
            ("POST", "/mcp", Some("api_key=k1"))
        );
        assert_eq!(first.header("x-secret"), Some("s3cret"));
        assert_eq!(first.json(), Some(serde_json::json!({})));
        assert!(server.received("s3cret") && server.received("k1"));
        assert!(!server.received("never-sent"));
        assert_eq!(server.requests_to("get", "/old").len(), 1);
        assert_eq!(server.requests_to("*", "/seq").len(), 3);

        let lines: Vec<LoggedRequest> =
            BufReader::new(std::fs::File::open(server.log_path()).unwrap())
                .lines()
                .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
                .collect();
        assert_eq!(lines, server.requests());
    }

    #[test]
    fn a_later_route_wins_and_the_fallback_can_change() {
        let server = MockHttp::start();
        server
            .route("GET", "/a", Reply::status(500))
            .route("GET", "/a", Reply::status(204))
            .fallback(Reply::status(410));
        let answer = exchange(
            &server,
            "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert!(answer.starts_with("HTTP/1.1 204"), "{answer}");
        let answer = exchange(
            &server,
            "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert!(answer.starts_with("HTTP/1.1 410"), "{answer}");
    }

    #[test]
    fn a_hanging_reply_is_logged_and_does_not_stop_the_drop() {
        let server = MockHttp::start();
        server.route("*", "/slow", Reply::hang());
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        stream
            .write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        assert!(
            server
                .wait_for(Duration::from_secs(5), |r| r.path == "/slow")
                .is_some()
        );
        let started = Instant::now();
        drop(server);
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn waits_inside_a_current_thread_runtime() {
        let server = MockHttp::start();
        server.route(
            "GET",
            "/x",
            Reply::after(Reply::ok(), Duration::from_millis(50)),
        );
        let addr = server.addr();
        let client = tokio::task::spawn_blocking(move || {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream
                .write_all(b"GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            answer
        });
        let seen = server
            .wait_for_async(Duration::from_secs(5), |r| r.path == "/x")
            .await;
        assert!(seen.is_some());
        assert!(client.await.unwrap().starts_with("HTTP/1.1 200"));
    }
}
