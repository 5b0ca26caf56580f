//! The stdio transport: rmcp's `AsyncRwTransport` over the child's pipes, wrapped for two
//! things rmcp lacks.
//!
//! - **A bound on what waits.** rmcp writes each outgoing message (a request, an answer to the
//!   server's `ping`…) from a task of its own, and answers each request of the server from a
//!   task of its own. A server that stops reading its stdin leaves those tasks waiting, and one
//!   that keeps sending requests meanwhile makes them pile up without end. This wrapper counts
//!   the messages not yet written and the server's requests not yet answered; past
//!   [`MAX_QUEUED`] of either it ends the connection, and every request fails with "the server
//!   is not reading its input".
//! - **A direct decoding of `tools/call` answers.** rmcp decodes every incoming line as an
//!   untagged union, and a `tools/call` result is about the sixteenth shape it tries: that
//!   decoding was the largest single cost of a tool call. The wrapper remembers which request
//!   ids are `tools/call`s; an answer to one that decodes as a complete `CallToolResult` is
//!   handed to rmcp's service as that. Every other line (requests and notifications of the
//!   server, errors, `input_required` and other results) is fed to rmcp's own transport,
//!   which decodes it with all its rules.
//!
//! Writing, reading and everything else are rmcp's transport unchanged.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use rmcp::model::{
    CallToolResult, ClientNotification, ClientRequest, JsonRpcMessage, JsonRpcVersion2_0,
    RequestId, ServerNotification, ServerResult,
};
use rmcp::service::{RoleClient, RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::transport::async_rw::AsyncRwTransport;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, BufReader, ReadBuf};
use tokio::sync::watch;

/// The most outgoing messages that may wait to be written, and the most requests of the
/// server that may wait for their answer.
pub const MAX_QUEUED: usize = 4096;

/// How long closing waits for a write in progress before it leaves it behind.
const CLOSE_WAIT: Duration = Duration::from_millis(500);

/// The state of the outgoing queue, shared with the client.
#[derive(Debug)]
pub(crate) struct Outgoing {
    queued: AtomicUsize,
    /// Requests from the server whose answer has not been written yet.
    owed: AtomicUsize,
    /// Becomes `true` once a bound was passed: every waiting write gives up, `receive` ends.
    stalled: watch::Sender<bool>,
}

impl Default for Outgoing {
    fn default() -> Self {
        Self {
            queued: AtomicUsize::new(0),
            owed: AtomicUsize::new(0),
            stalled: watch::Sender::new(false),
        }
    }
}

impl Outgoing {
    /// True once a bound was passed and the connection was ended for it.
    pub(crate) fn stalled(&self) -> bool {
        *self.stalled.borrow()
    }

    /// Resolves once a bound was passed.
    async fn wait_stalled(&self) {
        let mut stalled = self.stalled.subscribe();
        let _ = stalled.wait_for(|stalled| *stalled).await;
    }

    fn paid(&self) {
        let _ = self
            .owed
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
    }
}

/// rmcp's stdio transport with a bounded outgoing queue and direct `tools/call` answers.
pub(crate) struct StdioTransport<R, W: AsyncWrite> {
    inner: AsyncRwTransport<RoleClient, FeedReader, W>,
    lines: BufReader<R>,
    /// The line being read; it survives a cancelled `receive`.
    line: Vec<u8>,
    /// Lines for rmcp's transport to decode.
    feed: Arc<Feed>,
    /// The server's output has ended (or failed): only what was fed is left.
    ended: bool,
    /// Ids of `tools/call` requests whose answers have not come yet.
    calls: HashSet<RequestId>,
    outgoing: Arc<Outgoing>,
}

impl<R, W> StdioTransport<R, W>
where
    R: AsyncRead + Send + Unpin,
    W: AsyncWrite + Send + Unpin + 'static,
{
    pub(crate) fn new(read: R, write: W, outgoing: Arc<Outgoing>) -> Self {
        let feed = Arc::new(Feed::default());
        Self {
            inner: AsyncRwTransport::new_client(FeedReader(Arc::clone(&feed)), write),
            lines: BufReader::with_capacity(64 * 1024, read),
            line: Vec::new(),
            feed,
            ended: false,
            calls: HashSet::new(),
            outgoing,
        }
    }

    /// The message a whole line in `self.line` is, when it is a complete answer to a
    /// `tools/call`; `None` leaves it to rmcp.
    fn direct_answer(&mut self) -> Option<RxJsonRpcMessage<RoleClient>> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Answer<'a> {
            #[allow(dead_code)]
            jsonrpc: JsonRpcVersion2_0,
            id: RequestId,
            #[serde(borrow)]
            result: &'a RawValue,
        }
        if self.calls.is_empty() {
            return None;
        }
        let line = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let answer: Answer<'_> = serde_json::from_slice(line).ok()?;
        if !self.calls.contains(&answer.id) {
            return None;
        }
        // Refuses `input_required`, task and other results: those go to rmcp.
        let result: CallToolResult = serde_json::from_str(answer.result.get()).ok()?;
        self.calls.remove(&answer.id);
        Some(JsonRpcMessage::response(
            ServerResult::CallToolResult(result),
            answer.id,
        ))
    }

    /// Counts the server's requests, and ends the connection past the bound.
    fn owe(&self, message: RxJsonRpcMessage<RoleClient>) -> Option<RxJsonRpcMessage<RoleClient>> {
        match &message {
            JsonRpcMessage::Request(_) => {
                let owed = self.outgoing.owed.fetch_add(1, Ordering::AcqRel) + 1;
                if owed > MAX_QUEUED {
                    self.outgoing.stalled.send_replace(true);
                    return None;
                }
            }
            // A server that gives up on its own request is owed nothing for it (rmcp drops
            // the answer).
            JsonRpcMessage::Notification(note)
                if matches!(
                    note.notification,
                    ServerNotification::CancelledNotification(_)
                ) =>
            {
                self.outgoing.paid();
            }
            _ => {}
        }
        Some(message)
    }
}

/// A write that finished when first polled, or the rest of it.
enum Either<F> {
    Done(io::Result<()>),
    Pending(Pin<Box<F>>),
}

fn not_reading() -> io::Error {
    io::Error::new(
        io::ErrorKind::WouldBlock,
        "the server is not reading its input",
    )
}

/// Reads up to the next newline into `line`; `Ok(false)` at the end of input.
///
/// Cancel-safe: bytes move from the reader's buffer into `line` without an await in between,
/// so a cancelled call leaves a partial line that the next call completes.
async fn read_line<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    line: &mut Vec<u8>,
) -> io::Result<bool> {
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(false);
        }
        let newline = available.iter().position(|&b| b == b'\n');
        let take = newline.map_or(available.len(), |at| at + 1);
        line.extend_from_slice(&available[..take]);
        reader.consume(take);
        if newline.is_some() {
            return Ok(true);
        }
    }
}

impl<R, W> Transport<RoleClient> for StdioTransport<R, W>
where
    R: AsyncRead + Send + Unpin,
    W: AsyncWrite + Send + Unpin + 'static,
{
    type Error = io::Error;

    fn name() -> Cow<'static, str> {
        Cow::Borrowed("stdio")
    }

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        match &item {
            JsonRpcMessage::Request(request)
                if matches!(request.request, ClientRequest::CallToolRequest(_)) =>
            {
                // Ids of calls nobody answers are dropped in bulk: their answers, should they
                // come, then simply take rmcp's decoding.
                if self.calls.len() >= MAX_QUEUED {
                    self.calls.clear();
                }
                self.calls.insert(request.id.clone());
            }
            JsonRpcMessage::Notification(note) => {
                if let ClientNotification::CancelledNotification(cancelled) = &note.notification
                    && let Some(id) = &cancelled.params.request_id
                {
                    self.calls.remove(id);
                }
            }
            _ => {}
        }
        let outgoing = Arc::clone(&self.outgoing);
        let answer = matches!(item, JsonRpcMessage::Response(_) | JsonRpcMessage::Error(_));
        let queued = outgoing.queued.fetch_add(1, Ordering::AcqRel) + 1;
        let send = if queued > MAX_QUEUED || outgoing.stalled() {
            outgoing.stalled.send_replace(true);
            None
        } else {
            // rmcp runs the returned future as a task of its own, one scheduling round later.
            // Polled once here, the message usually goes out at once (the writer is free and
            // the pipe has room); otherwise the task finishes the write. A future may be polled
            // again with another waker, so the throwaway one here is harmless.
            let mut send = Box::pin(self.inner.send(item));
            let first = send.as_mut().poll(&mut Context::from_waker(Waker::noop()));
            Some(match first {
                Poll::Ready(result) => Either::Done(result),
                Poll::Pending => Either::Pending(send),
            })
        };
        async move {
            let result = match send {
                Some(Either::Done(result)) => result,
                // A write stuck behind a server that reads nothing gives up with the rest.
                Some(Either::Pending(send)) => tokio::select! {
                    result = send => result,
                    () = outgoing.wait_stalled() => Err(not_reading()),
                },
                None => Err(not_reading()),
            };
            outgoing.queued.fetch_sub(1, Ordering::AcqRel);
            if answer && result.is_ok() {
                outgoing.paid();
            }
            result
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleClient>> {
        loop {
            if self.outgoing.stalled() {
                return None;
            }
            let Self {
                inner,
                lines,
                line,
                ended,
                outgoing,
                ..
            } = self;
            // rmcp's `receive` and `read_line` are cancel-safe: rmcp polls this in a `select!`.
            // rmcp goes first, so what was fed is decoded before any later line.
            let read = tokio::select! {
                biased;
                message = inner.receive() => return self.owe(message?),
                () = outgoing.wait_stalled() => return None,
                read = read_line(lines, line), if !*ended => read,
            };
            match read {
                Ok(true) => {
                    if let Some(message) = self.direct_answer() {
                        self.line.clear();
                        return self.owe(message);
                    }
                    self.feed.push(&self.line);
                    self.line.clear();
                }
                Ok(false) => {
                    self.ended = true;
                    self.feed.end(None);
                }
                Err(error) => {
                    self.ended = true;
                    self.feed.end(Some(error));
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        // rmcp's close waits for the writer; a write into a full pipe would hold it forever.
        // Dropping the transport closes the pipe all the same.
        match tokio::time::timeout(CLOSE_WAIT, self.inner.close()).await {
            Ok(result) => result,
            Err(_) => Ok(()),
        }
    }
}

/// Lines waiting for rmcp's transport, which reads them through [`FeedReader`].
#[derive(Debug, Default)]
struct Feed(Mutex<FeedState>);

#[derive(Debug, Default)]
struct FeedState {
    bytes: Vec<u8>,
    read: usize,
    /// The input has ended: with its error, if it failed.
    ended: Option<Option<io::Error>>,
    waker: Option<Waker>,
}

impl Feed {
    fn state(&self) -> MutexGuard<'_, FeedState> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, line: &[u8]) {
        let mut state = self.state();
        if state.read == state.bytes.len() {
            state.bytes.clear();
            state.read = 0;
        }
        state.bytes.extend_from_slice(line);
        if let Some(waker) = state.waker.take() {
            waker.wake();
        }
    }

    fn end(&self, error: Option<io::Error>) {
        let mut state = self.state();
        state.ended = Some(error);
        if let Some(waker) = state.waker.take() {
            waker.wake();
        }
    }
}

/// The reading end of a [`Feed`], handed to rmcp's transport.
struct FeedReader(Arc<Feed>);

impl AsyncRead for FeedReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let mut state = self.0.state();
        let available = state.bytes.len() - state.read;
        if available > 0 {
            let n = available.min(buf.remaining());
            let start = state.read;
            buf.put_slice(&state.bytes[start..start + n]);
            state.read += n;
            return Poll::Ready(Ok(()));
        }
        match state.ended.take() {
            Some(Some(error)) => {
                // Later reads see a plain end.
                state.ended = Some(None);
                Poll::Ready(Err(error))
            }
            Some(None) => {
                state.ended = Some(None);
                Poll::Ready(Ok(()))
            }
            None => {
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::{CallToolRequest, CallToolRequestParams, JsonRpcRequest};
    use tokio::io::AsyncWriteExt;

    /// The transport, the server's writing end and its reading end (kept open).
    type Pipes = (
        StdioTransport<tokio::io::DuplexStream, tokio::io::DuplexStream>,
        tokio::io::DuplexStream,
        tokio::io::DuplexStream,
    );

    fn transport() -> Pipes {
        let (client_write, server_read) = tokio::io::duplex(1 << 16);
        let (server_write, client_read) = tokio::io::duplex(1 << 16);
        (
            StdioTransport::new(client_read, client_write, Arc::default()),
            server_write,
            server_read,
        )
    }

    fn call(id: i64) -> TxJsonRpcMessage<RoleClient> {
        JsonRpcMessage::Request(JsonRpcRequest::new(
            RequestId::Number(id),
            ClientRequest::CallToolRequest(CallToolRequest::new(CallToolRequestParams::new("t"))),
        ))
    }

    #[tokio::test]
    async fn answers_to_calls_are_decoded_directly_and_the_rest_by_rmcp() {
        let (mut transport, mut server, _requests) = transport();
        transport.send(call(1)).await.unwrap();
        transport.send(call(2)).await.unwrap();
        assert_eq!(transport.calls.len(), 2);
        server
            .write_all(
                concat!(
                    r#"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#,
                    "\n",
                    r#"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hi"}]}}"#,
                    "\n",
                    r#"{"jsonrpc":"2.0","id":2,"result":{"resultType":"input_required","requestState":"s"}}"#,
                    "\n",
                    "not json at all\n",
                    r#"{"jsonrpc":"2.0","id":3,"method":"ping"}"#,
                    "\n",
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        let first = transport.receive().await.unwrap();
        assert!(
            matches!(&first, JsonRpcMessage::Notification(n)
                if matches!(n.notification, ServerNotification::ToolListChangedNotification(_))),
            "{first:?}"
        );
        let second = transport.receive().await.unwrap();
        assert!(
            matches!(&second, JsonRpcMessage::Response(r)
                if r.id == RequestId::Number(1)
                    && matches!(&r.result, ServerResult::CallToolResult(c) if c.content.len() == 1)),
            "{second:?}"
        );
        // `input_required` is rmcp's to decode, in order.
        let third = transport.receive().await.unwrap();
        assert!(
            matches!(&third, JsonRpcMessage::Response(r)
                if matches!(r.result, ServerResult::InputRequiredResult(_))),
            "{third:?}"
        );
        // The stray line is skipped as rmcp skips it; the server's request comes through.
        let fourth = transport.receive().await.unwrap();
        assert!(matches!(fourth, JsonRpcMessage::Request(_)), "{fourth:?}");
        drop(server);
        assert!(transport.receive().await.is_none(), "end of input ends it");
    }
}
