//! Everything the server writes: answers, notifications (stamped with `emittedAtMs`) and
//! server-to-client requests, serialised onto one channel that a single writer drains.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use mcpctl_app_server_protocol::{JsonRpcError, RequestId};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

/// A handler's result: a value, or JSON already serialised (a memoised answer).
pub(crate) enum Answer {
    Value(Value),
    Raw(Arc<RawValue>),
}

impl From<Value> for Answer {
    fn from(value: Value) -> Self {
        Self::Value(value)
    }
}

/// The answer a client gave to a server-to-client request.
pub(crate) type ClientAnswer = Result<Value, Value>;

/// A handle to the writer, cheap to clone.
#[derive(Clone)]
pub(crate) struct Outgoing {
    lines: mpsc::UnboundedSender<String>,
    pending: Arc<Mutex<HashMap<i64, oneshot::Sender<ClientAnswer>>>>,
    next_id: Arc<AtomicI64>,
}

/// Milliseconds since the epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

impl Outgoing {
    pub(crate) fn new() -> (Self, mpsc::UnboundedReceiver<String>) {
        let (lines, receiver) = mpsc::unbounded_channel();
        (
            Self {
                lines,
                pending: Arc::default(),
                next_id: Arc::new(AtomicI64::new(1)),
            },
            receiver,
        )
    }

    fn send_value(&self, value: &Value) {
        // Serialising a Value cannot fail; a closed channel means the client is gone.
        if let Ok(line) = serde_json::to_string(value) {
            let _ = self.lines.send(line);
        }
    }

    pub(crate) fn respond(&self, id: &RequestId, result: Result<Value, JsonRpcError>) {
        match result {
            Ok(result) => self.send_value(&json!({"id": id, "result": result})),
            Err(error) => self.send_value(&json!({"id": id, "error": error})),
        }
    }

    /// Sends a handler's result: a memoised answer is written as it is, not rebuilt.
    pub(crate) fn answer(&self, id: &RequestId, result: Result<Answer, JsonRpcError>) {
        #[derive(serde::Serialize)]
        struct Raw<'a> {
            id: &'a RequestId,
            result: &'a RawValue,
        }
        match result {
            Ok(Answer::Raw(raw)) => {
                if let Ok(line) = serde_json::to_string(&Raw { id, result: &raw }) {
                    let _ = self.lines.send(line);
                }
            }
            Ok(Answer::Value(value)) => self.respond(id, Ok(value)),
            Err(error) => self.respond(id, Err(error)),
        }
    }

    /// An error answer to something that has no usable id.
    pub(crate) fn error_without_id(&self, error: JsonRpcError) {
        self.send_value(&json!({"id": null, "error": error}));
    }

    /// Sends a notification; `params` (an object) gets `emittedAtMs`.
    pub(crate) fn notify(&self, method: &str, params: impl serde::Serialize) {
        let mut params = serde_json::to_value(params).unwrap_or_else(|_| json!({}));
        if let Value::Object(map) = &mut params {
            map.insert("emittedAtMs".into(), json!(now_ms()));
        }
        self.send_value(&json!({"method": method, "params": params}));
    }

    /// Sends a request to the client and returns its id and a receiver for the answer.
    pub(crate) fn request(
        &self,
        method: &str,
        params: impl serde::Serialize,
    ) -> (RequestId, oneshot::Receiver<ClientAnswer>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = oneshot::channel();
        if let Ok(mut pending) = self.pending.lock() {
            pending.insert(id, sender);
        }
        let params = serde_json::to_value(params).unwrap_or_else(|_| json!({}));
        self.send_value(&json!({"id": id, "method": method, "params": params}));
        (RequestId::Integer(id), receiver)
    }

    /// Hands a client's answer to the request waiting for it; false when none waits.
    pub(crate) fn resolve(&self, id: &Value, answer: ClientAnswer) -> bool {
        let Some(id) = id.as_i64() else {
            return false;
        };
        let sender = self.pending.lock().ok().and_then(|mut p| p.remove(&id));
        match sender {
            Some(sender) => sender.send(answer).is_ok(),
            None => false,
        }
    }
}
