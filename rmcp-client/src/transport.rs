//! The stdio transport: rmcp's `AsyncRwTransport` over the child's pipes, with a bound on what
//! waits to be written.
//!
//! rmcp writes each outgoing message (a request, an answer to the server's `ping`…) from a
//! task of its own, and answers each request of the server from a task of its own. A server
//! that stops reading its stdin leaves those tasks waiting, and one that keeps sending requests
//! meanwhile makes them pile up without end. This wrapper counts the messages not yet written
//! and the server's requests not yet answered; past [`MAX_QUEUED`] of either it ends the
//! connection, and every request fails with "the server is not reading its input". Everything
//! else is rmcp's transport unchanged.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rmcp::model::{JsonRpcMessage, ServerNotification};
use rmcp::service::{RoleClient, RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::transport::async_rw::AsyncRwTransport;
use tokio::io::{AsyncRead, AsyncWrite};
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
    /// Becomes `true` once the queue overflowed: every waiting write gives up, `receive` ends.
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
    /// True once the queue overflowed and the connection was ended for it.
    pub(crate) fn stalled(&self) -> bool {
        *self.stalled.borrow()
    }

    /// Resolves once the queue has overflowed.
    async fn wait_stalled(&self) {
        let mut stalled = self.stalled.subscribe();
        let _ = stalled.wait_for(|stalled| *stalled).await;
    }
}

/// rmcp's stdio transport with a bounded outgoing queue.
pub(crate) struct StdioTransport<R: AsyncRead, W: AsyncWrite> {
    inner: AsyncRwTransport<RoleClient, R, W>,
    outgoing: Arc<Outgoing>,
}

impl<R, W> StdioTransport<R, W>
where
    R: AsyncRead + Send + Unpin,
    W: AsyncWrite + Send + Unpin + 'static,
{
    pub(crate) fn new(read: R, write: W, outgoing: Arc<Outgoing>) -> Self {
        Self {
            inner: AsyncRwTransport::new_client(read, write),
            outgoing,
        }
    }
}

fn not_reading() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::WouldBlock,
        "the server is not reading its input",
    )
}

impl<R, W> Transport<RoleClient> for StdioTransport<R, W>
where
    R: AsyncRead + Send + Unpin,
    W: AsyncWrite + Send + Unpin + 'static,
{
    type Error = std::io::Error;

    fn name() -> Cow<'static, str> {
        Cow::Borrowed("stdio")
    }

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let outgoing = Arc::clone(&self.outgoing);
        let answer = matches!(item, JsonRpcMessage::Response(_) | JsonRpcMessage::Error(_));
        let queued = outgoing.queued.fetch_add(1, Ordering::AcqRel) + 1;
        let send = if queued > MAX_QUEUED || outgoing.stalled() {
            outgoing.stalled.send_replace(true);
            None
        } else {
            Some(self.inner.send(item))
        };
        async move {
            let result = match send {
                // A write stuck behind a server that reads nothing gives up with the rest.
                Some(send) => tokio::select! {
                    result = send => result,
                    () = outgoing.wait_stalled() => Err(not_reading()),
                },
                None => Err(not_reading()),
            };
            outgoing.queued.fetch_sub(1, Ordering::AcqRel);
            if answer && result.is_ok() {
                let _ = outgoing
                    .owed
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
            }
            result
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleClient>> {
        if self.outgoing.stalled() {
            return None;
        }
        // rmcp's `receive` is cancel-safe: it is polled inside a `select!` in rmcp too.
        let message = tokio::select! {
            message = self.inner.receive() => message?,
            () = self.outgoing.wait_stalled() => return None,
        };
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
                let _ = self
                    .outgoing
                    .owed
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
            }
            _ => {}
        }
        Some(message)
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
