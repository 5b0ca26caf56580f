//! The gateway's stdio transport: rmcp's service over newline-delimited JSON-RPC, with the
//! answers to bad input that rmcp's own line transport does not give.
//!
//! - A line that is not JSON gets `-32700 Parse error` with `id: null`, and serving goes on.
//! - A request whose parameters don't fit its method gets `-32602` with its own id and
//!   serde's reason (rmcp would drop it, and the client would wait forever).
//! - Anything else that is not a JSON-RPC message gets `-32600 Invalid Request`.
//! - A line longer than [`MAX_LINE`] is skipped up to its end and answered with `-32600`,
//!   without being kept in memory.
//!
//! Writes are serialised through one lock, so lines never interleave.

use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncRead, AsyncWrite, AsyncWriteExt as _, BufReader};
use tokio::sync::Mutex;

/// The longest line read from the client (the HTTP body limit too).
pub const MAX_LINE: usize = 4 * 1024 * 1024;

/// Reads and writes JSON-RPC lines; see the module's documentation.
pub(crate) struct LineTransport<R, W> {
    reader: BufReader<R>,
    writer: Arc<Mutex<W>>,
    line: Vec<u8>,
    /// Set to true when the input ends.
    ended: Option<tokio::sync::watch::Sender<bool>>,
    /// Whether the client has sent `initialize`.
    initialized: bool,
}

impl<R, W> LineTransport<R, W>
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    pub(crate) fn new(reader: R, writer: W) -> Self {
        Self {
            reader: BufReader::new(reader),
            writer: Arc::new(Mutex::new(writer)),
            line: Vec::new(),
            ended: None,
            initialized: false,
        }
    }

    /// `ended` is set to true when the input ends (the client went away).
    pub(crate) fn on_end(mut self, ended: tokio::sync::watch::Sender<bool>) -> Self {
        self.ended = Some(ended);
        self
    }

    /// The next line without its newline, `Ok(None)` at the end, `Err(())` for a line over
    /// [`MAX_LINE`] (skipped).
    async fn next_line(&mut self) -> std::io::Result<Option<Result<(), ()>>> {
        self.line.clear();
        let mut too_long = false;
        loop {
            let buffer = self.reader.fill_buf().await?;
            if buffer.is_empty() {
                // The end: a last line without a newline still counts.
                return Ok((!self.line.is_empty() || too_long).then_some(if too_long {
                    Err(())
                } else {
                    Ok(())
                }));
            }
            let (chunk, done) = match buffer.iter().position(|b| *b == b'\n') {
                Some(at) => (&buffer[..at], Some(at + 1)),
                None => (buffer, None),
            };
            if !too_long {
                if self.line.len() + chunk.len() > MAX_LINE {
                    too_long = true;
                    self.line.clear();
                } else {
                    self.line.extend_from_slice(chunk);
                }
            }
            let used = done.unwrap_or(buffer.len());
            self.reader.consume(used);
            if done.is_some() {
                return Ok(Some(if too_long { Err(()) } else { Ok(()) }));
            }
        }
    }

    async fn reply_error(&mut self, id: Value, code: i64, message: String) {
        let mut line =
            json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
                .to_string()
                .into_bytes();
        line.push(b'\n');
        let mut writer = self.writer.lock().await;
        if writer.write_all(&line).await.is_ok() {
            let _ = writer.flush().await;
        }
    }
}

/// Whether the message is an `initialize` request.
fn is_initialize(message: &RxJsonRpcMessage<RoleServer>) -> bool {
    matches!(
        message,
        rmcp::model::JsonRpcMessage::Request(request)
            if matches!(request.request, rmcp::model::ClientRequest::InitializeRequest(_))
    )
}

/// The answer to a line that parsed as JSON but not as a JSON-RPC message.
fn invalid(value: &Value, reason: &serde_json::Error) -> (Value, i64, String) {
    let id = value.get("id").cloned();
    let method = value.get("method").and_then(Value::as_str);
    match (id, method) {
        // A request for a method rmcp knows, with parameters it cannot read.
        (Some(id), Some(method)) if !id.is_null() => {
            (id, -32602, format!("Invalid params for {method}: {reason}"))
        }
        (id, _) => (
            id.unwrap_or(Value::Null),
            -32600,
            format!("Invalid Request: {reason}"),
        ),
    }
}

impl<R, W> Transport<RoleServer> for LineTransport<R, W>
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let writer = Arc::clone(&self.writer);
        let line = serde_json::to_vec(&item).map(|mut line| {
            line.push(b'\n');
            line
        });
        async move {
            let line = line.map_err(std::io::Error::other)?;
            let mut writer = writer.lock().await;
            writer.write_all(&line).await?;
            writer.flush().await
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            match self.next_line().await {
                Ok(None) | Err(_) => {
                    if let Some(ended) = &self.ended {
                        ended.send_replace(true);
                    }
                    return None;
                }
                Ok(Some(Err(()))) => {
                    let message = format!(
                        "Invalid Request: the message is larger than {} MiB",
                        MAX_LINE >> 20
                    );
                    self.reply_error(Value::Null, -32600, message).await;
                    continue;
                }
                Ok(Some(Ok(()))) => {}
            }
            let text = self.line.trim_ascii();
            if text.is_empty() {
                continue;
            }
            // The usual case, once initialized: a well-formed message, read once.
            if self.initialized
                && let Ok(message) = serde_json::from_slice::<RxJsonRpcMessage<RoleServer>>(text)
                && !is_initialize(&message)
            {
                return Some(message);
            }
            let value: Value = match serde_json::from_slice(text) {
                Ok(value) => value,
                Err(error) => {
                    self.reply_error(Value::Null, -32700, format!("Parse error: {error}"))
                        .await;
                    continue;
                }
            };
            let method = value.get("method").and_then(Value::as_str);
            if self.initialized && method == Some("initialize") {
                // One session per connection: its identity and approvals stay as they are.
                if let Some(id) = value.get("id").cloned() {
                    let message = "Invalid Request: already initialized".to_string();
                    self.reply_error(id, -32600, message).await;
                }
                continue;
            }
            // Before `initialize`, a request is answered here: rmcp would take it for the
            // stateless 2026-07-28 lifecycle, which the gateway does not serve. `ping` and the
            // `server/discover` probe go through (the probe's answer lists the versions).
            if !self.initialized {
                let id = value.get("id").cloned();
                match (method, id) {
                    (Some("initialize"), _) => self.initialized = true,
                    (Some("ping" | "server/discover"), _) => {}
                    (Some(method), Some(id)) if !id.is_null() => {
                        let message =
                            format!("Not initialized: send `initialize` before `{method}`");
                        self.reply_error(id, -32600, message).await;
                        continue;
                    }
                    // A notification before `initialize` has no one to answer.
                    (Some(_), _) => continue,
                    (None, _) => {}
                }
            }
            match serde_json::from_value::<RxJsonRpcMessage<RoleServer>>(value.clone()) {
                Ok(message) => return Some(message),
                Err(error) => {
                    // An answer the gateway cannot read has no one to tell; drop it.
                    if value.get("method").is_none()
                        && (value.get("result").is_some() || value.get("error").is_some())
                    {
                        continue;
                    }
                    let (id, code, message) = invalid(&value, &error);
                    self.reply_error(id, code, message).await;
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.writer.lock().await.shutdown().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn answers(input: &str) -> (Vec<Value>, usize) {
        let (client, server_out) = tokio::io::duplex(1 << 16);
        let input = std::io::Cursor::new(input.as_bytes().to_vec());
        let mut transport = LineTransport::new(input, server_out);
        let mut delivered = 0;
        while transport.receive().await.is_some() {
            delivered += 1;
        }
        drop(transport);
        let mut out = String::new();
        let mut client = client;
        tokio::io::AsyncReadExt::read_to_string(&mut client, &mut out)
            .await
            .unwrap();
        (
            out.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
            delivered,
        )
    }

    #[tokio::test]
    async fn bad_lines_get_errors_and_good_ones_pass() {
        let input = concat!(
            "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n",
            "not json\n",
            "\n",
            "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":\"bad\"}\n",
            "[1,2]\n",
            "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}\n",
            "{\"jsonrpc\":\"2.0\",\"id\":6,\"result\":{}}",
        );
        let (answers, delivered) = answers(input).await;
        assert_eq!(
            delivered, 3,
            "initialize, ping and the response pass: {answers:?}"
        );
        assert_eq!(answers.len(), 3, "{answers:?}");
        assert_eq!(answers[0]["id"], Value::Null);
        assert_eq!(answers[0]["error"]["code"], -32700);
        assert_eq!(answers[1]["id"], 4);
        assert_eq!(answers[1]["error"]["code"], -32602);
        assert!(
            answers[1]["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Invalid params for tools/call: "),
            "{answers:?}"
        );
        assert_eq!(answers[2]["error"]["code"], -32600);
    }

    #[tokio::test]
    async fn a_second_initialize_is_refused() {
        let init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
        let again = init.replace("\"id\":1", "\"id\":2");
        let (answers, delivered) = answers(&format!("{init}\n{again}\n")).await;
        assert_eq!(delivered, 1);
        assert_eq!(answers.len(), 1, "{answers:?}");
        assert_eq!(answers[0]["id"], 2);
        assert_eq!(answers[0]["error"]["code"], -32600);
    }

    #[tokio::test]
    async fn a_request_before_initialize_is_refused_here() {
        let input = concat!(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}\n",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n",
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n",
        );
        let (answers, delivered) = answers(input).await;
        assert_eq!(delivered, 1, "only the ping passes: {answers:?}");
        assert_eq!(answers.len(), 1, "{answers:?}");
        assert_eq!(answers[0]["id"], 1);
        assert_eq!(answers[0]["error"]["code"], -32600);
        assert_eq!(
            answers[0]["error"]["message"],
            "Not initialized: send `initialize` before `tools/list`"
        );
    }

    #[tokio::test]
    async fn an_oversized_line_is_skipped_with_an_error() {
        let input = format!(
            "{}\n{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}}\n",
            "x".repeat(MAX_LINE + 10)
        );
        let (answers, delivered) = answers(&input).await;
        assert_eq!(delivered, 1);
        assert_eq!(answers.len(), 1);
        assert_eq!(answers[0]["error"]["code"], -32600);
        assert_eq!(
            answers[0]["error"]["message"],
            "Invalid Request: the message is larger than 4 MiB"
        );
    }
}
