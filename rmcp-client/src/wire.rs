//! The stdio transport: newline-delimited JSON-RPC over a child's stdin and stdout.
//!
//! rmcp's own `(stdout, stdin)` transport decodes every incoming line as the untagged
//! `JsonRpcMessage<ServerRequest, ServerResult, ServerNotification>`. For a response that means
//! trying the result against each `ServerResult` variant in turn: a `tools/call` result is the
//! sixteenth, so fifteen failed attempts (each building a formatted serde error) come first.
//! That was the largest single cost of a tool call through the client.
//!
//! This transport remembers the method of every request it sends. An answer to one of them is
//! decoded in two steps: a small envelope (`jsonrpc`, `id`, and the result as raw JSON), then
//! the result as the one type that method returns. Anything else (requests and notifications
//! from the server, error answers, a result that does not fit the expected type, such as an
//! `input_required` or task result) takes the general path, which decodes exactly as rmcp does.
//! The general path also keeps rmcp's leniency: unknown notifications are skipped, lines that
//! are not JSON are ignored, and well-formed JSON that is no JSON-RPC message is answered with
//! `Invalid Request`.

use std::collections::HashMap;
use std::sync::Arc;

use rmcp::model::{
    ClientRequest, ErrorData, JsonRpcMessage, JsonRpcVersion2_0, RequestId, ServerResult,
};
use rmcp::service::{RoleClient, RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, BufReader};

use crate::lane::{DirectLane, finish_line, write_line, write_now};

/// The longest line accepted from a server; longer ones are dropped whole.
pub(crate) const MAX_LINE: usize = 16 * 1024 * 1024;

/// The result type a request's answer should have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    Initialize,
    Empty,
    ListTools,
    CallTool,
    ListResources,
    ListResourceTemplates,
    ReadResource,
    ListPrompts,
    GetPrompt,
    /// Decoded by the general path.
    Other,
}

impl Expected {
    fn of(request: &ClientRequest) -> Self {
        match request {
            ClientRequest::InitializeRequest(_) => Self::Initialize,
            ClientRequest::PingRequest(_) => Self::Empty,
            ClientRequest::ListToolsRequest(_) => Self::ListTools,
            ClientRequest::CallToolRequest(_) => Self::CallTool,
            ClientRequest::ListResourcesRequest(_) => Self::ListResources,
            ClientRequest::ListResourceTemplatesRequest(_) => Self::ListResourceTemplates,
            ClientRequest::ReadResourceRequest(_) => Self::ReadResource,
            ClientRequest::ListPromptsRequest(_) => Self::ListPrompts,
            ClientRequest::GetPromptRequest(_) => Self::GetPrompt,
            _ => Self::Other,
        }
    }

    /// Decodes `raw` as this method's result type; `None` sends it down the general path.
    fn decode(self, raw: &RawValue) -> Option<ServerResult> {
        fn parse<'a, T: Deserialize<'a>>(raw: &'a RawValue) -> Option<T> {
            serde_json::from_str(raw.get()).ok()
        }
        Some(match self {
            Self::Initialize => ServerResult::InitializeResult(parse(raw)?),
            Self::Empty => ServerResult::EmptyResult(parse(raw)?),
            Self::ListTools => ServerResult::ListToolsResult(parse(raw)?),
            Self::CallTool => ServerResult::CallToolResult(parse(raw)?),
            Self::ListResources => ServerResult::ListResourcesResult(parse(raw)?),
            Self::ListResourceTemplates => ServerResult::ListResourceTemplatesResult(parse(raw)?),
            Self::ReadResource => ServerResult::ReadResourceResult(parse(raw)?),
            Self::ListPrompts => ServerResult::ListPromptsResult(parse(raw)?),
            Self::GetPrompt => ServerResult::GetPromptResult(parse(raw)?),
            Self::Other => return None,
        })
    }
}

/// The outside of a JSON-RPC answer, with the result left undecoded.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[allow(dead_code)]
    jsonrpc: JsonRpcVersion2_0,
    id: Option<RequestId>,
    #[serde(default, borrow, deserialize_with = "raw_present")]
    result: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "raw_present")]
    error: Option<&'a RawValue>,
    #[serde(default, deserialize_with = "present")]
    method: bool,
}

/// `true` whenever the key is there, whatever its value (even `null`).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
}

/// The raw value whenever the key is there (even `null`).
fn raw_present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(deserializer).map(Some)
}

/// What one incoming line amounts to.
#[derive(Debug)]
enum Decoded {
    Message(Box<RxJsonRpcMessage<RoleClient>>),
    /// Nothing to deliver (not JSON, or a notification rmcp would not understand).
    Skip,
    /// Well-formed JSON that is no JSON-RPC message: answer `Invalid Request`.
    Invalid,
    /// An answer to a direct-lane call, handed to its caller.
    Delivered,
}

/// Request ids this client sent, with the result type each answer should have.
#[derive(Debug, Default)]
struct Pending {
    expected: HashMap<RequestId, Expected>,
}

impl Pending {
    /// Bounds the table when a server never answers: the oldest guesses are simply dropped,
    /// which only sends those answers down the general path.
    const LIMIT: usize = 4096;

    fn sent(&mut self, id: RequestId, expected: Expected) {
        if expected == Expected::Other {
            return;
        }
        if self.expected.len() >= Self::LIMIT {
            self.expected.clear();
        }
        self.expected.insert(id, expected);
    }

    /// Decodes one line; answers to direct-lane calls go to their callers through `lane`.
    fn decode<W: AsyncWrite + Unpin + Send + 'static>(
        &mut self,
        line: &[u8],
        lane: &DirectLane<W>,
    ) -> Decoded {
        if let Ok(envelope) = serde_json::from_slice::<Envelope<'_>>(line)
            && !envelope.method
            && let Some(id) = envelope.id
        {
            if lane.deliver(&id, envelope.result, envelope.error) {
                return Decoded::Delivered;
            }
            if let (Some(raw), None) = (envelope.result, envelope.error)
                && let Some(expected) = self.expected.remove(&id)
                && let Some(result) = expected.decode(raw)
            {
                return Decoded::Message(Box::new(JsonRpcMessage::response(result, id)));
            }
        }
        decode_general(line)
    }
}

/// Decodes a line the way rmcp's own stdio transport does.
fn decode_general(line: &[u8]) -> Decoded {
    let error = match serde_json::from_slice::<RxJsonRpcMessage<RoleClient>>(line) {
        Ok(message) => return Decoded::Message(Box::new(message)),
        Err(error) => error,
    };
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(line)
        && let Some(method) = value.get("method").and_then(serde_json::Value::as_str)
    {
        let is_notification = value.get("id").is_none();
        let unknown_notification =
            method.starts_with("notifications/") && !is_standard_notification(method);
        if unknown_notification || (is_notification && !is_standard_method(method)) {
            return Decoded::Skip;
        }
    }
    match error.classify() {
        // Not JSON: there is no id to answer to, and answering garbage invites more of it.
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => Decoded::Skip,
        serde_json::error::Category::Data | serde_json::error::Category::Io => Decoded::Invalid,
    }
}

/// Notifications MCP defines.
fn is_standard_notification(method: &str) -> bool {
    const NOTIFICATIONS: &[&str] = &[
        "notifications/cancelled",
        "notifications/initialized",
        "notifications/message",
        "notifications/progress",
        "notifications/prompts/list_changed",
        "notifications/resources/list_changed",
        "notifications/resources/updated",
        "notifications/roots/list_changed",
        "notifications/subscriptions/acknowledged",
        "notifications/tools/list_changed",
    ];
    NOTIFICATIONS.contains(&method)
}

/// Requests and notifications MCP defines.
fn is_standard_method(method: &str) -> bool {
    const REQUESTS: &[&str] = &[
        "completion/complete",
        "elicitation/create",
        "initialize",
        "logging/setLevel",
        "ping",
        "prompts/get",
        "prompts/list",
        "resources/list",
        "resources/read",
        "resources/subscribe",
        "resources/templates/list",
        "resources/unsubscribe",
        "roots/list",
        "sampling/createMessage",
        "server/discover",
        "subscriptions/listen",
        "tools/call",
        "tools/list",
    ];
    REQUESTS.contains(&method) || is_standard_notification(method)
}

/// Newline-delimited JSON-RPC over a reader and a writer (a child's stdout and stdin).
pub(crate) struct LineTransport<R, W> {
    reader: BufReader<R>,
    /// The line read so far; it survives a cancelled `receive`.
    line: Vec<u8>,
    /// Dropping the rest of a line that grew past [`MAX_LINE`].
    discarding: bool,
    /// The writing half, shared with direct-lane calls.
    lane: Arc<DirectLane<W>>,
    pending: Pending,
}

impl<R, W> LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    pub(crate) fn new(reader: R, writer: W) -> Self {
        Self {
            reader: BufReader::new(reader),
            line: Vec::new(),
            discarding: false,
            lane: Arc::new(DirectLane::new(writer)),
            pending: Pending::default(),
        }
    }

    /// The direct lane for `tools/call` on this connection.
    pub(crate) fn lane(&self) -> Arc<DirectLane<W>> {
        Arc::clone(&self.lane)
    }

    /// Reads up to the next newline into `self.line`; `false` at end of input or on an error.
    ///
    /// Cancel-safe: bytes move from the reader's buffer into `self.line` without an await in
    /// between, so a cancelled call leaves a partial line that the next call completes.
    async fn read_line(&mut self) -> bool {
        loop {
            let Ok(available) = self.reader.fill_buf().await else {
                return false;
            };
            if available.is_empty() {
                return false;
            }
            let newline = available.iter().position(|&b| b == b'\n');
            let take = newline.map_or(available.len(), |at| at + 1);
            if self.discarding {
                self.discarding = newline.is_none();
            } else if self.line.len() + take > MAX_LINE {
                self.line.clear();
                self.discarding = newline.is_none();
            } else {
                self.line.extend_from_slice(&available[..take]);
                if newline.is_some() {
                    self.reader.consume(take);
                    return true;
                }
            }
            self.reader.consume(take);
        }
    }

    /// Answers a malformed message with `Invalid Request`, from a task of its own so that a
    /// cancelled `receive` cannot cut the line short.
    fn answer_invalid_request(&self) {
        let writer = Arc::clone(&self.lane.writer);
        let message = TxJsonRpcMessage::<RoleClient>::error(
            ErrorData::invalid_request("Invalid request", None),
            None,
        );
        if let Ok(mut line) = serde_json::to_vec(&message) {
            line.push(b'\n');
            tokio::spawn(async move {
                let _ = write_line(&writer, line).await;
            });
        }
    }
}

impl<R, W> Drop for LineTransport<R, W> {
    /// However rmcp's service ends, nobody reads answers any more: direct calls fail at once
    /// instead of waiting for their timeout.
    fn drop(&mut self) {
        self.lane.close();
    }
}

impl<R, W> Transport<RoleClient> for LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        // Recorded before the write, so the answer can never arrive first.
        if let JsonRpcMessage::Request(request) = &item {
            self.pending
                .sent(request.id.clone(), Expected::of(&request.request));
        }
        // Serialised now, so the future owns plain bytes.
        let encoded = serde_json::to_vec(&item).map(|mut bytes| {
            bytes.push(b'\n');
            bytes
        });
        // When no other message is being written, the line goes out right here instead of
        // after rmcp has scheduled the send task: that task sits on every call's critical path.
        let writer = Arc::clone(&self.lane.writer);
        let mut written = 0;
        let held = match (&encoded, Arc::clone(&writer).try_lock_owned()) {
            (Ok(bytes), Ok(mut guard)) => {
                if let Some(out) = guard.as_mut() {
                    written = write_now(out, bytes);
                }
                Some(guard)
            }
            _ => None,
        };
        // rmcp runs this future as a task of its own, so the rest of a line is never cut short.
        async move {
            let bytes = encoded?;
            let guard = match held {
                Some(guard) => guard,
                None => writer.lock_owned().await,
            };
            finish_line(guard, &bytes, written).await
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleClient>> {
        loop {
            if !self.read_line().await {
                self.lane.close();
                return None;
            }
            let decoded = {
                let line = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
                if line.iter().all(u8::is_ascii_whitespace) {
                    Decoded::Skip
                } else {
                    self.pending.decode(line, &self.lane)
                }
            };
            self.line.clear();
            match decoded {
                Decoded::Message(message) => return Some(*message),
                Decoded::Skip | Decoded::Delivered => {}
                Decoded::Invalid => self.answer_invalid_request(),
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        // Dropping the writer closes the server's stdin.
        self.lane.writer.lock().await.take();
        self.lane.close();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::{CallToolRequestParams, NumberOrString};
    use tokio::io::AsyncReadExt;

    fn call_request(id: i64) -> TxJsonRpcMessage<RoleClient> {
        JsonRpcMessage::request(
            ClientRequest::CallToolRequest(rmcp::model::CallToolRequest::new(
                CallToolRequestParams::new("echo"),
            )),
            NumberOrString::Number(id),
        )
    }

    fn decode(pending: &mut Pending, line: &[u8]) -> Decoded {
        pending.decode(line, &DirectLane::new(tokio::io::sink()))
    }

    /// A transport whose "server" side is the other end of two in-memory pipes.
    fn pair() -> (
        LineTransport<tokio::io::DuplexStream, tokio::io::DuplexStream>,
        tokio::io::DuplexStream,
        tokio::io::DuplexStream,
    ) {
        let (server_out, client_in) = tokio::io::duplex(1 << 20);
        let (client_out, server_in) = tokio::io::duplex(1 << 20);
        (
            LineTransport::new(client_in, client_out),
            server_out,
            server_in,
        )
    }

    /// Every line the general path would decode, the typed path decodes to the same message.
    #[test]
    fn typed_answers_match_rmcps_decoding() {
        let cases: &[(ClientRequest, &str)] = &[
            (
                ClientRequest::CallToolRequest(rmcp::model::CallToolRequest::new(
                    CallToolRequestParams::new("echo"),
                )),
                r#"{"content":[{"type":"text","text":"hi"}],"structuredContent":{"a":1},"isError":false}"#,
            ),
            (
                ClientRequest::ListToolsRequest(Default::default()),
                r#"{"tools":[{"name":"t","inputSchema":{"type":"object"}}],"nextCursor":"2"}"#,
            ),
            (ClientRequest::PingRequest(Default::default()), r#"{}"#),
            (
                ClientRequest::ListPromptsRequest(Default::default()),
                r#"{"prompts":[{"name":"greet"}]}"#,
            ),
            (
                ClientRequest::ListResourcesRequest(Default::default()),
                r#"{"resources":[{"uri":"file:///a","name":"a"}]}"#,
            ),
        ];
        for (request, result) in cases {
            let line = format!(r#"{{"jsonrpc":"2.0","id":7,"result":{result}}}"#);
            let mut pending = Pending::default();
            pending.sent(NumberOrString::Number(7), Expected::of(request));
            let Decoded::Message(fast) = decode(&mut pending, line.as_bytes()) else {
                panic!("typed path failed for {line}");
            };
            let Decoded::Message(general) = decode_general(line.as_bytes()) else {
                panic!("general path failed for {line}");
            };
            assert_eq!(
                serde_json::to_value(&*fast).unwrap(),
                serde_json::to_value(&*general).unwrap(),
                "{line}"
            );
            assert!(
                pending.expected.is_empty(),
                "the id is forgotten once answered"
            );
        }
    }

    #[test]
    fn a_result_of_another_shape_takes_the_general_path() {
        let mut pending = Pending::default();
        pending.sent(
            NumberOrString::Number(1),
            Expected::of(&ClientRequest::CallToolRequest(
                rmcp::model::CallToolRequest::new(CallToolRequestParams::new("x")),
            )),
        );
        // An input_required result is not a CallToolResult.
        let line = br#"{"jsonrpc":"2.0","id":1,"result":{"resultType":"input_required","inputRequests":{}}}"#;
        let Decoded::Message(message) = decode(&mut pending, line) else {
            panic!("not decoded");
        };
        let general = decode_general(line);
        let Decoded::Message(general) = general else {
            panic!("general path failed");
        };
        assert_eq!(
            serde_json::to_value(&*message).unwrap(),
            serde_json::to_value(&*general).unwrap()
        );
        assert!(!matches!(
            *message,
            JsonRpcMessage::Response(ref r) if matches!(r.result, ServerResult::CallToolResult(_))
        ));
    }

    #[test]
    fn error_answers_and_server_requests_decode_as_rmcp_does() {
        let mut pending = Pending::default();
        pending.sent(
            NumberOrString::Number(3),
            Expected::of(&ClientRequest::PingRequest(Default::default())),
        );
        let error = br#"{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"nope"}}"#;
        assert!(matches!(
            decode(&mut pending, error),
            Decoded::Message(m) if matches!(*m, JsonRpcMessage::Error(_))
        ));
        let request = br#"{"jsonrpc":"2.0","id":"s1","method":"ping"}"#;
        assert!(matches!(
            decode(&mut pending, request),
            Decoded::Message(m) if matches!(*m, JsonRpcMessage::Request(_))
        ));
        // A key that is present counts even when null: rmcp calls this no message at all.
        let both = br#"{"jsonrpc":"2.0","id":4,"method":null,"result":{}}"#;
        assert!(matches!(decode(&mut pending, both), Decoded::Invalid));
    }

    #[test]
    fn unknown_notifications_and_garbage_are_skipped_and_odd_json_is_invalid() {
        let mut pending = Pending::default();
        // rmcp knows custom notifications; they are delivered.
        assert!(matches!(
            decode(
                &mut pending,
                br#"{"jsonrpc":"2.0","method":"notifications/custom/thing"}"#
            ),
            Decoded::Message(_)
        ));
        for line in [
            &br#"{"jsonrpc":"2.0","method":"notifications/custom","params":7}"#[..],
            b"this is not json",
            b"{\"jsonrpc\":",
        ] {
            assert!(
                matches!(decode(&mut pending, line), Decoded::Skip),
                "{line:?}"
            );
        }
        assert!(matches!(
            decode(&mut pending, br#"{"jsonrpc":"2.0","hello":1}"#),
            Decoded::Invalid
        ));
    }

    #[tokio::test]
    async fn a_sent_call_is_one_line_and_its_answer_decodes_typed() {
        use tokio::io::AsyncWriteExt as _;
        let (mut transport, mut server_out, mut server_in) = pair();
        transport.send(call_request(1)).await.unwrap();
        let mut sent = vec![0u8; 256];
        let n = server_in.read(&mut sent).await.unwrap();
        assert_eq!(sent[n - 1], b'\n', "one line per message");
        let sent: serde_json::Value = serde_json::from_slice(&sent[..n]).unwrap();
        assert_eq!(sent["method"], "tools/call");
        assert_eq!(sent["id"], 1);
        server_out
            .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}\n")
            .await
            .unwrap();
        let message = transport.receive().await.expect("the answer");
        assert!(matches!(
            message,
            JsonRpcMessage::Response(ref r) if matches!(r.result, ServerResult::CallToolResult(_))
        ));
    }

    #[tokio::test]
    async fn dropping_the_transport_fails_direct_calls_at_once() {
        let (transport, _server_out, _server_in) = pair();
        let lane = transport.lane();
        drop(transport);
        let outcome = lane
            .call_tool(
                rmcp::model::CallToolRequestParams::new("echo"),
                std::time::Duration::from_secs(60),
            )
            .await;
        assert!(matches!(outcome, Err(crate::lane::LaneError::Closed)));
    }

    #[tokio::test]
    async fn an_oversized_line_is_dropped_whole() {
        use tokio::io::AsyncWriteExt as _;
        let (mut transport, mut server_out, _server_in) = pair();
        let writer = tokio::spawn(async move {
            let big = vec![b'x'; MAX_LINE + 10];
            server_out.write_all(&big).await.unwrap();
            server_out
                .write_all(b"\n\xEF\xBB\xBF{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{}}\r\n")
                .await
                .unwrap();
        });
        let message = transport
            .receive()
            .await
            .expect("a message after the long line");
        writer.await.unwrap();
        assert!(
            matches!(message, JsonRpcMessage::Response(ref r) if r.id == NumberOrString::Number(9))
        );
    }

    #[tokio::test]
    async fn malformed_messages_get_an_invalid_request_answer_and_eof_ends() {
        use tokio::io::AsyncBufReadExt as _;
        use tokio::io::AsyncWriteExt as _;
        let (mut transport, mut server_out, server_in) = pair();
        server_out
            .write_all(b"{\"jsonrpc\":\"2.0\",\"odd\":true}\n\n{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}\n")
            .await
            .unwrap();
        drop(server_out);
        let message = transport.receive().await.expect("the notification");
        assert!(matches!(message, JsonRpcMessage::Notification(_)));
        assert!(transport.receive().await.is_none(), "end of input ends");
        let mut answer = String::new();
        tokio::io::BufReader::new(server_in)
            .read_line(&mut answer)
            .await
            .unwrap();
        let answer: serde_json::Value = serde_json::from_str(answer.trim()).unwrap();
        assert_eq!(answer["error"]["code"], -32600);
        assert!(answer.get("id").is_none(), "no id to answer to");
        transport.close().await.unwrap();
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Any JSON value, a few levels deep, with JSON-RPC-ish keys more likely than others.
        fn json() -> impl Strategy<Value = serde_json::Value> {
            let leaf = prop_oneof![
                Just(serde_json::Value::Null),
                Just(serde_json::Value::from("2.0")),
                Just(serde_json::Value::from("text")),
                (0i64..4).prop_map(serde_json::Value::from),
                any::<bool>().prop_map(serde_json::Value::from),
                any::<i64>().prop_map(serde_json::Value::from),
                "[a-z0-9/ ._-]{0,12}".prop_map(serde_json::Value::from),
            ];
            leaf.prop_recursive(3, 24, 6, |inner| {
                let key = prop_oneof![
                    Just("jsonrpc".to_owned()),
                    Just("id".to_owned()),
                    Just("method".to_owned()),
                    Just("result".to_owned()),
                    Just("error".to_owned()),
                    Just("content".to_owned()),
                    Just("type".to_owned()),
                    Just("text".to_owned()),
                    Just("isError".to_owned()),
                    "[a-z]{1,6}",
                ];
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                    prop::collection::btree_map(key, inner, 0..5)
                        .prop_map(|map| { serde_json::Value::Object(map.into_iter().collect()) }),
                ]
            })
        }

        proptest! {
            /// No line from a server, however odd, panics the decoder, and it classes every line
            /// as rmcp's own decoding does: a message (the same one), skipped, or invalid.
            #[test]
            fn any_json_line_decodes_without_panicking(value in json(), id in 0i64..4) {
                let mut pending = Pending::default();
                pending.sent(
                    NumberOrString::Number(id),
                    Expected::of(&ClientRequest::CallToolRequest(
                        rmcp::model::CallToolRequest::new(CallToolRequestParams::new("t")),
                    )),
                );
                let line = serde_json::to_vec(&value).unwrap();
                match (decode(&mut pending, &line), decode_general(&line)) {
                    (Decoded::Message(fast), Decoded::Message(general)) => match (&*fast, &*general) {
                        // The typed path may pick the variant the method calls for where the
                        // untagged decoding picks an earlier one; the answer's id must agree.
                        (JsonRpcMessage::Response(f), JsonRpcMessage::Response(g)) => {
                            prop_assert_eq!(&f.id, &g.id);
                        }
                        _ => prop_assert_eq!(
                            serde_json::to_value(&*fast).unwrap(),
                            serde_json::to_value(&*general).unwrap()
                        ),
                    },
                    (Decoded::Skip, Decoded::Skip) | (Decoded::Invalid, Decoded::Invalid) => {}
                    (fast, general) => prop_assert!(
                        false,
                        "typed path {fast:?} but rmcp's decoding {general:?} for {value}"
                    ),
                }
            }

            #[test]
            fn any_bytes_decode_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
                let mut pending = Pending::default();
                let _ = decode(&mut pending, &bytes);
            }
        }
    }
}
