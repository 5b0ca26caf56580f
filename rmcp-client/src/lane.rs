//! The direct lane: `tools/call` over a stdio connection without rmcp's request machinery.
//!
//! A request through rmcp passes from the caller's task to rmcp's service task over a channel,
//! is written by a task of its own, and its answer comes back over another channel. Measured on
//! a stdio server that answers at once, that machinery cost about a tenth of the round trip
//! (see `examples/call_overhead.rs`). Tool calls are what agents do all day, so they take a
//! shorter way: the caller writes its request line itself, and [`crate::wire::LineTransport`]
//! hands the answer straight to the waiting caller. Everything else on the connection
//! (initialize, listings, the server's own requests such as elicitation, notifications such as
//! progress) still goes through rmcp.
//!
//! Direct-lane ids are numbers from 2^30 up: rmcp counts its own ids from 0 and would need a
//! billion requests on one connection to get there, and the ids still fit a server that keeps
//! them in 32-bit integers. Answers are matched by exact id, never by range alone. A call that
//! times out or is dropped is cancelled at the server with `notifications/cancelled`.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ErrorData, ProgressToken, RequestId, RequestParamsMeta,
};
use serde::Serialize;
use serde_json::value::RawValue;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

/// The first id the direct lane uses.
const FIRST_ID: i64 = 1 << 30;

/// What a direct call can end in, short of a result.
#[derive(Debug)]
pub(crate) enum LaneError {
    /// No answer within the call's timeout; the server was told to cancel.
    Timeout,
    /// The server closed the connection (or exited) before answering.
    Closed,
    /// The request could not be written.
    Write(std::io::Error),
    /// The server answered with a JSON-RPC error.
    Rpc(ErrorData),
    /// The server's answer is not a `tools/call` result.
    Unexpected(String),
}

type Answer = Result<CallToolResult, LaneError>;

/// The writing half of a stdio connection, shared by rmcp's sends and direct calls, plus the
/// direct calls waiting for their answers.
pub(crate) struct DirectLane<W> {
    pub(crate) writer: SharedWriter<W>,
    waiting: std::sync::Mutex<HashMap<RequestId, oneshot::Sender<Answer>>>,
    next_id: AtomicI64,
    closed: AtomicBool,
}

#[derive(Serialize)]
struct CallLine<'a> {
    jsonrpc: &'static str,
    id: &'a RequestId,
    method: &'static str,
    params: &'a CallToolRequestParams,
}

impl<W> DirectLane<W> {
    fn waiting(&self) -> std::sync::MutexGuard<'_, HashMap<RequestId, oneshot::Sender<Answer>>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Nobody reads the server's answers any more (its output ended, or the connection is
    /// gone): every waiting call fails, and new ones fail at once.
    pub(crate) fn close(&self) {
        // Under the lock, so no call can register after the check in `call_tool`.
        let mut waiting = self.waiting();
        self.closed.store(true, Ordering::Release);
        waiting.clear();
    }
}

impl<W: AsyncWrite + Unpin + Send + 'static> DirectLane<W> {
    pub(crate) fn new(writer: W) -> Self {
        Self {
            writer: Arc::new(Mutex::new(Some(writer))),
            waiting: std::sync::Mutex::new(HashMap::new()),
            next_id: AtomicI64::new(FIRST_ID),
            closed: AtomicBool::new(false),
        }
    }

    /// Calls a tool and waits at most `timeout` for the answer.
    ///
    /// The request carries a progress token (its own id), so the server may report progress;
    /// those notifications reach the connection's hooks through rmcp.
    pub(crate) async fn call_tool(
        self: &Arc<Self>,
        mut params: CallToolRequestParams,
        timeout: Duration,
    ) -> Result<CallToolResult, LaneError> {
        let id = RequestId::Number(self.next_id.fetch_add(1, Ordering::Relaxed));
        params.set_progress_token(ProgressToken(id.clone()));
        let mut line = serde_json::to_vec(&CallLine {
            jsonrpc: "2.0",
            id: &id,
            method: "tools/call",
            params: &params,
        })
        .map_err(|e| LaneError::Write(e.into()))?;
        line.push(b'\n');
        // Registered before the write, so the answer always finds its caller.
        let (sender, answer) = oneshot::channel();
        {
            let mut waiting = self.waiting();
            if self.closed.load(Ordering::Acquire) {
                return Err(LaneError::Closed);
            }
            waiting.insert(id.clone(), sender);
        }
        let mut call = PendingCall {
            lane: Arc::clone(self),
            id,
            finished: false,
        };
        if let Err(error) = write_line(&self.writer, line).await {
            call.finished = true;
            self.waiting().remove(&call.id);
            return Err(LaneError::Write(error));
        }
        match tokio::time::timeout(timeout, answer).await {
            Ok(Ok(answer)) => {
                call.finished = true;
                answer
            }
            Ok(Err(_)) => {
                call.finished = true;
                Err(LaneError::Closed)
            }
            Err(_) => {
                call.finished = true;
                self.waiting().remove(&call.id);
                self.cancel(&call.id, "request timeout").await;
                Err(LaneError::Timeout)
            }
        }
    }

    /// Tells the server to stop working on `id`.
    async fn cancel(&self, id: &RequestId, reason: &str) {
        if let Some(line) = cancel_line(id, reason) {
            let _ = write_line(&self.writer, line).await;
        }
    }

    /// Hands an answer to the direct call waiting for `id`; `false` when no call waits for it.
    ///
    /// `result` and `error` are the raw `result` and `error` members of the answer.
    pub(crate) fn deliver(
        &self,
        id: &RequestId,
        result: Option<&RawValue>,
        error: Option<&RawValue>,
    ) -> bool {
        if !matches!(id, RequestId::Number(n) if *n >= FIRST_ID) {
            return false;
        }
        let Some(sender) = self.waiting().remove(id) else {
            return false;
        };
        let answer = match (result, error) {
            (Some(result), None) => serde_json::from_str::<CallToolResult>(result.get())
                .map_err(|e| LaneError::Unexpected(format!("the result of tools/call: {e}"))),
            (None, Some(error)) => Err(match serde_json::from_str::<ErrorData>(error.get()) {
                Ok(error) => LaneError::Rpc(error),
                Err(e) => LaneError::Unexpected(format!("the error of tools/call: {e}")),
            }),
            _ => Err(LaneError::Unexpected(
                "an answer with both or neither of `result` and `error`".to_owned(),
            )),
        };
        // The caller may have given up already; then nobody needs the answer.
        let _ = sender.send(answer);
        true
    }
}

/// A `notifications/cancelled` line for `id`.
fn cancel_line(id: &RequestId, reason: &str) -> Option<Vec<u8>> {
    let mut line = serde_json::to_vec(&serde_json::json!({
        "jsonrpc": "2.0",
        "method": "notifications/cancelled",
        "params": { "requestId": id, "reason": reason },
    }))
    .ok()?;
    line.push(b'\n');
    Some(line)
}

/// The writer of a connection, shared by rmcp's sends and direct calls.
pub(crate) type SharedWriter<W> = Arc<Mutex<Option<W>>>;

/// Writes one whole line under the writer's lock.
///
/// Whatever the pipe takes at once is written here; the rest (a long line into a full pipe) is
/// written by a task of its own, so a caller that gives up halfway can never leave half a line
/// in the stream.
pub(crate) async fn write_line<W: AsyncWrite + Unpin + Send + 'static>(
    writer: &SharedWriter<W>,
    line: Vec<u8>,
) -> std::io::Result<()> {
    let mut guard = Arc::clone(writer).lock_owned().await;
    let written = guard.as_mut().map_or(0, |out| write_now(out, &line));
    if written == line.len() {
        return finish_line(guard, &line, written).await;
    }
    let rest = tokio::spawn(async move { finish_line(guard, &line, written).await });
    rest.await.map_err(std::io::Error::other)?
}

/// Writes what is left of `line` after its first `written` bytes, then flushes.
pub(crate) async fn finish_line<W: AsyncWrite + Unpin>(
    mut guard: OwnedMutexGuard<Option<W>>,
    line: &[u8],
    written: usize,
) -> std::io::Result<()> {
    let Some(out) = guard.as_mut() else {
        return Err(closed());
    };
    if written < line.len() {
        out.write_all(&line[written..]).await?;
    }
    out.flush().await
}

/// Writes as much of `bytes` as the writer takes without waiting; returns how much that was.
///
/// A writer that is not ready (or fails) takes nothing here: the caller writes the rest,
/// waits properly, and reports any error.
pub(crate) fn write_now<W: AsyncWrite + Unpin>(writer: &mut W, bytes: &[u8]) -> usize {
    let mut cx = Context::from_waker(Waker::noop());
    let mut written = 0;
    while written < bytes.len() {
        match Pin::new(&mut *writer).poll_write(&mut cx, &bytes[written..]) {
            Poll::Ready(Ok(n)) if n > 0 => written += n,
            _ => break,
        }
    }
    written
}

fn closed() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::NotConnected, "the connection is closed")
}

/// A direct call in flight. Dropped before its answer (the caller gave up, say on Ctrl-C), it
/// forgets the call and tells the server to cancel it.
struct PendingCall<W: AsyncWrite + Unpin + Send + 'static> {
    lane: Arc<DirectLane<W>>,
    id: RequestId,
    finished: bool,
}

impl<W: AsyncWrite + Unpin + Send + 'static> Drop for PendingCall<W> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        self.lane.waiting().remove(&self.id);
        if let (Ok(runtime), Some(line)) = (
            tokio::runtime::Handle::try_current(),
            cancel_line(&self.id, "the caller gave up"),
        ) {
            let writer = Arc::clone(&self.lane.writer);
            runtime.spawn(async move {
                let _ = write_line(&writer, line).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

    fn lane() -> (
        Arc<DirectLane<tokio::io::DuplexStream>>,
        tokio::io::DuplexStream,
    ) {
        let (ours, theirs) = tokio::io::duplex(1 << 16);
        (Arc::new(DirectLane::new(ours)), theirs)
    }

    fn raw(json: &str) -> Box<RawValue> {
        RawValue::from_string(json.to_owned()).unwrap()
    }

    /// Reads the next line the lane wrote, as JSON.
    async fn next_line(reader: &mut BufReader<tokio::io::DuplexStream>) -> serde_json::Value {
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        serde_json::from_str(&line).unwrap()
    }

    #[tokio::test]
    async fn a_call_writes_one_request_and_returns_the_delivered_result() {
        let (lane, server) = lane();
        let mut server = BufReader::new(server);
        let call = tokio::spawn({
            let lane = Arc::clone(&lane);
            async move {
                lane.call_tool(
                    CallToolRequestParams::new("echo").with_arguments(
                        serde_json::json!({"text": "hi"})
                            .as_object()
                            .unwrap()
                            .clone(),
                    ),
                    Duration::from_secs(5),
                )
                .await
            }
        });
        let request = next_line(&mut server).await;
        assert_eq!(request["method"], "tools/call");
        assert_eq!(request["params"]["name"], "echo");
        assert_eq!(request["params"]["arguments"]["text"], "hi");
        let id: RequestId = serde_json::from_value(request["id"].clone()).unwrap();
        assert_eq!(request["params"]["_meta"]["progressToken"], request["id"]);
        assert!(matches!(id, RequestId::Number(n) if n >= FIRST_ID));
        let result = raw(r#"{"content":[{"type":"text","text":"hi"}],"isError":false}"#);
        assert!(lane.deliver(&id, Some(&result), None));
        let result = call.await.unwrap().unwrap();
        assert_eq!(result.content.len(), 1);
        assert!(!lane.deliver(&id, Some(&raw("{}")), None), "delivered once");
    }

    #[tokio::test]
    async fn errors_and_odd_answers_are_reported() {
        let (lane, server) = lane();
        let mut server = BufReader::new(server);
        for (result, error, expect) in [
            (
                None,
                Some(r#"{"code":-32602,"message":"Unknown tool"}"#),
                "rpc",
            ),
            (
                Some(r#"{"resultType":"input_required"}"#),
                None,
                "unexpected",
            ),
            (
                Some("{}"),
                Some(r#"{"code":1,"message":"x"}"#),
                "unexpected",
            ),
        ] {
            let call = tokio::spawn({
                let lane = Arc::clone(&lane);
                async move {
                    lane.call_tool(CallToolRequestParams::new("t"), Duration::from_secs(5))
                        .await
                }
            });
            let request = next_line(&mut server).await;
            let id: RequestId = serde_json::from_value(request["id"].clone()).unwrap();
            let (result, error) = (result.map(raw), error.map(raw));
            assert!(lane.deliver(&id, result.as_deref(), error.as_deref()));
            match (call.await.unwrap(), expect) {
                (Err(LaneError::Rpc(e)), "rpc") => assert_eq!(e.message, "Unknown tool"),
                (Err(LaneError::Unexpected(_)), "unexpected") => {}
                (other, _) => panic!("{expect}: {other:?}"),
            }
        }
        // Ids below the lane's range belong to rmcp.
        assert!(!lane.deliver(&RequestId::Number(3), Some(&raw("{}")), None));
    }

    #[tokio::test]
    async fn a_timed_out_call_is_cancelled_at_the_server() {
        let (lane, server) = lane();
        let mut server = BufReader::new(server);
        let outcome = lane
            .call_tool(
                CallToolRequestParams::new("slow"),
                Duration::from_millis(50),
            )
            .await;
        assert!(matches!(outcome, Err(LaneError::Timeout)));
        let request = next_line(&mut server).await;
        let cancel = next_line(&mut server).await;
        assert_eq!(cancel["method"], "notifications/cancelled");
        assert_eq!(cancel["params"]["requestId"], request["id"]);
        assert!(lane.waiting().is_empty());
    }

    #[tokio::test]
    async fn a_dropped_call_is_cancelled_and_forgotten() {
        let (lane, server) = lane();
        let mut server = BufReader::new(server);
        let call = tokio::spawn({
            let lane = Arc::clone(&lane);
            async move {
                lane.call_tool(CallToolRequestParams::new("slow"), Duration::from_secs(60))
                    .await
            }
        });
        let request = next_line(&mut server).await;
        call.abort();
        let cancel = next_line(&mut server).await;
        assert_eq!(cancel["method"], "notifications/cancelled");
        assert_eq!(cancel["params"]["requestId"], request["id"]);
        assert!(lane.waiting().is_empty());
    }

    #[tokio::test]
    async fn closing_fails_waiting_and_later_calls() {
        let (lane, mut server) = lane();
        let call = tokio::spawn({
            let lane = Arc::clone(&lane);
            async move {
                lane.call_tool(CallToolRequestParams::new("t"), Duration::from_secs(60))
                    .await
            }
        });
        let mut buf = [0u8; 64];
        let _ = server.read(&mut buf).await.unwrap();
        lane.close();
        assert!(matches!(call.await.unwrap(), Err(LaneError::Closed)));
        assert!(matches!(
            lane.call_tool(CallToolRequestParams::new("t"), Duration::from_secs(1))
                .await,
            Err(LaneError::Closed)
        ));
    }
}
