//! The child's stdout as rmcp's stdio transport reads it, with the checks rmcp's reader lacks.
//!
//! rmcp's `AsyncRwTransport` drops a line over its 16 MiB cap and skips lines that are not JSON,
//! both silently, so a request whose answer was one of them would wait for its timeout. This
//! reader sees every byte first: a line over [`MAX_LINE`] ends the connection at once with the
//! reason recorded in the shared [`StdoutWatch`] (the client words every failed request with
//! it), and the first line that cannot be JSON-RPC at all is kept to explain a failed start.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, ReadBuf};

/// The longest line (one JSON-RPC message, newline included) accepted from a server.
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// The deepest nesting of arrays and objects accepted in one message. serde_json (and so rmcp)
/// refuses a 128th level; a message that reaches it is refused here, with a reason, instead of
/// being dropped as unparsable.
pub const MAX_DEPTH: usize = 127;

/// How much of a stray stdout line is kept for the error message.
const STRAY_KEPT: usize = 160;

/// Why the reader ended the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StdoutFault {
    /// A line grew past [`MAX_LINE`].
    TooLarge,
    /// A line nested arrays and objects deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Reading the pipe failed.
    ReadFailed(io::ErrorKind),
}

/// What the reader saw, shared with the client.
#[derive(Debug, Default)]
pub(crate) struct StdoutWatch(Mutex<Seen>);

#[derive(Debug, Default)]
struct Seen {
    fault: Option<StdoutFault>,
    ended: bool,
    /// The first line that did not start like a JSON value, lossily decoded and cut short.
    stray: Option<String>,
}

impl StdoutWatch {
    fn lock(&self) -> MutexGuard<'_, Seen> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Why the reader ended the connection, if it did.
    pub(crate) fn fault(&self) -> Option<StdoutFault> {
        self.lock().fault
    }

    /// True once the server closed its stdout (or the reader gave up on it).
    pub(crate) fn ended(&self) -> bool {
        let seen = self.lock();
        seen.ended || seen.fault.is_some()
    }

    /// The first stray (non-JSON) line the server printed, as read.
    pub(crate) fn stray(&self) -> Option<String> {
        self.lock().stray.clone()
    }
}

/// Where the reader is within the current line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineStart {
    /// Only whitespace (or a byte-order mark) so far.
    Blank,
    /// It starts like JSON.
    Json,
    /// It cannot be JSON: its first bytes are being kept.
    Stray,
}

/// Wraps a child's stdout; hand it to rmcp's `AsyncRwTransport` in place of the raw pipe.
pub(crate) struct GuardedStdout<R> {
    inner: R,
    watch: Arc<StdoutWatch>,
    /// Bytes of the current line so far (always below [`MAX_LINE`]).
    line_len: usize,
    start: LineStart,
    stray: Vec<u8>,
    nesting: Nesting,
    /// Set once the reader has refused the stream; every later read fails.
    refused: Option<StdoutFault>,
}

/// How deep the current line is nested, outside strings.
#[derive(Debug, Default)]
struct Nesting {
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl Nesting {
    /// Follows `bytes`; `false` once they go deeper than [`MAX_DEPTH`].
    fn follow(&mut self, bytes: &[u8]) -> bool {
        for &b in bytes {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return false;
                    }
                }
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        true
    }
}

impl<R> GuardedStdout<R> {
    pub(crate) fn new(inner: R, watch: Arc<StdoutWatch>) -> Self {
        Self {
            inner,
            watch,
            line_len: 0,
            start: LineStart::Blank,
            stray: Vec::new(),
            nesting: Nesting::default(),
            refused: None,
        }
    }

    /// Checks newly read bytes. `Err((fault, keep))` refuses the line that broke a limit, where
    /// `keep` is how many bytes before it (whole lines) may still be handed on.
    ///
    /// Reads are never longer than what the current line may still grow by (see `poll_read`),
    /// so a line too large is the only one in `bytes` and `keep` is 0 then.
    fn scan(&mut self, bytes: &[u8]) -> Result<(), (StdoutFault, usize)> {
        let mut at = 0;
        while at < bytes.len() {
            let rest = &bytes[at..];
            let newline = rest.iter().position(|&b| b == b'\n');
            let segment = &rest[..newline.unwrap_or(rest.len())];
            let began_here = self.line_len == 0 && self.start == LineStart::Blank;
            let keep = if began_here { at } else { 0 };
            if !self.classify(segment) {
                return Err((StdoutFault::TooDeep, keep));
            }
            if newline.is_none() {
                self.line_len += segment.len();
                if self.line_len >= MAX_LINE {
                    return Err((StdoutFault::TooLarge, keep));
                }
                return Ok(());
            }
            self.end_line();
            at += segment.len() + 1;
        }
        Ok(())
    }

    /// Follows a piece of the current line; `false` when it nests too deeply.
    fn classify(&mut self, segment: &[u8]) -> bool {
        let mut rest = segment;
        if self.start == LineStart::Blank {
            let skip = rest
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | 0xEF | 0xBB | 0xBF))
                .unwrap_or(rest.len());
            rest = &rest[skip..];
            match rest.first() {
                None => return true,
                Some(b'{' | b'[') => self.start = LineStart::Json,
                Some(_) => self.start = LineStart::Stray,
            }
        }
        match self.start {
            LineStart::Json => return self.nesting.follow(rest),
            LineStart::Stray if self.stray.len() < STRAY_KEPT * 4 => {
                let room = STRAY_KEPT * 4 - self.stray.len();
                self.stray.extend_from_slice(&rest[..rest.len().min(room)]);
            }
            _ => {}
        }
        true
    }

    fn end_line(&mut self) {
        if self.start == LineStart::Stray {
            let text = String::from_utf8_lossy(&self.stray);
            let text = text.trim_end();
            let kept: String = text.chars().take(STRAY_KEPT).collect();
            let line = if kept.len() < text.len() {
                format!("{kept}…")
            } else {
                kept
            };
            let mut seen = self.watch.lock();
            if seen.stray.is_none() {
                seen.stray = Some(line);
            }
            self.stray.clear();
        }
        self.line_len = 0;
        self.start = LineStart::Blank;
        self.nesting = Nesting::default();
    }

    fn refuse(&mut self, fault: StdoutFault) -> io::Error {
        self.refused = Some(fault);
        self.watch.lock().fault.get_or_insert(fault);
        io::Error::new(io::ErrorKind::InvalidData, fault_text(fault))
    }
}

fn fault_text(fault: StdoutFault) -> String {
    match fault {
        StdoutFault::TooLarge => {
            format!(
                "the server sent a line longer than {} MiB",
                MAX_LINE / 1024 / 1024
            )
        }
        StdoutFault::TooDeep => {
            format!("the server sent a message nested more than {MAX_DEPTH} levels deep")
        }
        StdoutFault::ReadFailed(kind) => format!("reading the server's stdout failed: {kind}"),
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for GuardedStdout<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(fault) = this.refused {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                fault_text(fault),
            )));
        }
        // No read goes past the point where the current line would reach the cap, so a line
        // that does is refused before any byte after it is handed on.
        let limit = buf.remaining().min(MAX_LINE - this.line_len);
        let mut limited = ReadBuf::new(buf.initialize_unfilled_to(limit));
        if let Err(error) = ready!(Pin::new(&mut this.inner).poll_read(cx, &mut limited)) {
            return Poll::Ready(Err(this.refuse(StdoutFault::ReadFailed(error.kind()))));
        }
        let read = limited.filled().len();
        if read == 0 && limit > 0 {
            // End of input: a stray last line without a newline still counts.
            this.end_line();
            this.watch.lock().ended = true;
            return Poll::Ready(Ok(()));
        }
        match this.scan(limited.filled()) {
            Ok(()) => buf.advance(read),
            Err((fault, 0)) => return Poll::Ready(Err(this.refuse(fault))),
            Err((fault, keep)) => {
                // Hand on the whole lines before the refused one; the next read fails.
                buf.advance(keep);
                let _ = this.refuse(fault);
            }
        }
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    async fn read_all(input: Vec<u8>) -> (io::Result<Vec<u8>>, Arc<StdoutWatch>) {
        let watch = Arc::new(StdoutWatch::default());
        let mut reader = GuardedStdout::new(std::io::Cursor::new(input), Arc::clone(&watch));
        let mut out = Vec::new();
        let result = reader.read_to_end(&mut out).await.map(|_| out);
        (result, watch)
    }

    #[tokio::test]
    async fn json_lines_pass_unchanged() {
        let input = b"{\"a\":1}\n\n  [1]\r\n\xEF\xBB\xBF{}\n".to_vec();
        let (out, watch) = read_all(input.clone()).await;
        assert_eq!(out.unwrap(), input);
        assert_eq!(watch.stray(), None);
        assert!(watch.ended());
        assert_eq!(watch.fault(), None);
    }

    #[tokio::test]
    async fn the_first_stray_line_is_kept_and_cut_short() {
        let long = "x".repeat(1000);
        let input = format!("{{}}\nHello from the server\n{long}\n").into_bytes();
        let (out, watch) = read_all(input.clone()).await;
        assert_eq!(out.unwrap(), input, "stray lines still reach rmcp");
        assert_eq!(watch.stray().as_deref(), Some("Hello from the server"));

        let (_, watch) = read_all(format!("{long}\n").into_bytes()).await;
        let stray = watch.stray().unwrap();
        assert_eq!(stray.chars().count(), STRAY_KEPT + 1, "{stray}");
        assert!(stray.ends_with('…'));

        let (_, watch) = read_all(b"no newline at the end".to_vec()).await;
        assert_eq!(watch.stray().as_deref(), Some("no newline at the end"));
    }

    #[tokio::test]
    async fn an_oversized_line_ends_the_stream_after_the_lines_before_it() {
        let mut input = b"{\"first\":1}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
        input.extend_from_slice(b"\n{\"after\":1}\n");
        let (out, watch) = read_all(input).await;
        let error = out.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert_eq!(
            error.to_string(),
            "the server sent a line longer than 16 MiB"
        );
        assert_eq!(watch.fault(), Some(StdoutFault::TooLarge));
    }

    #[tokio::test]
    async fn nesting_past_the_limit_is_refused_after_the_lines_before_it() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let input = format!("{{\"a\":1}}\n{deep}\n{{}}\n").into_bytes();
        let watch = Arc::new(StdoutWatch::default());
        let mut reader = GuardedStdout::new(std::io::Cursor::new(input), Arc::clone(&watch));
        let mut first = vec![0u8; 1024];
        let n = reader.read(&mut first).await.unwrap();
        assert_eq!(&first[..n], b"{\"a\":1}\n");
        let error = reader.read(&mut first).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "the server sent a message nested more than 127 levels deep"
        );
        assert_eq!(watch.fault(), Some(StdoutFault::TooDeep));
    }

    #[tokio::test]
    async fn brackets_inside_strings_do_not_count_and_the_limit_itself_passes() {
        let at_limit = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let in_string = format!("{{\"s\":\"{}\\\"{}\"}}", "[".repeat(500), "{".repeat(500));
        let input = format!("{at_limit}\n{in_string}\n").into_bytes();
        let (out, watch) = read_all(input.clone()).await;
        assert_eq!(out.unwrap(), input);
        assert_eq!(watch.fault(), None);
        // The same depth split over many reads is still counted.
        assert!(serde_json::from_str::<serde_json::Value>(&at_limit).is_ok());
        let too_deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(serde_json::from_str::<serde_json::Value>(&too_deep).is_err());
    }

    #[tokio::test]
    async fn a_line_of_exactly_the_limit_passes() {
        let mut input = b"{\"a\":\"".to_vec();
        input.resize(MAX_LINE - 3, b'x');
        input.extend_from_slice(b"\"}\n");
        let (out, watch) = read_all(input).await;
        assert_eq!(out.unwrap().len(), MAX_LINE);
        assert_eq!(watch.fault(), None);
    }
    /// Hands its input on in the given chunk sizes, as a pipe may.
    struct Chunked {
        data: Vec<u8>,
        at: usize,
        sizes: Vec<usize>,
        next: usize,
    }

    impl AsyncRead for Chunked {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            let this = self.get_mut();
            let size = this.sizes.get(this.next % this.sizes.len().max(1)).copied();
            this.next += 1;
            let n = size
                .unwrap_or(usize::MAX)
                .max(1)
                .min(buf.remaining())
                .min(this.data.len() - this.at);
            buf.put_slice(&this.data[this.at..this.at + n]);
            this.at += n;
            Poll::Ready(Ok(()))
        }
    }

    /// An independent model of the depth rule: the offset at which a line first goes deeper
    /// than [`MAX_DEPTH`], if it does.
    fn too_deep_at(line: &[u8]) -> Option<usize> {
        let start = line
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | 0xEF | 0xBB | 0xBF))?;
        if !matches!(line[start], b'{' | b'[') {
            return None;
        }
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        for (i, &b) in line.iter().enumerate().skip(start) {
            if in_string {
                (escaped, in_string) = match (escaped, b) {
                    (true, _) => (false, true),
                    (false, b'\\') => (true, true),
                    (false, b'"') => (false, false),
                    _ => (false, true),
                };
            } else if b == b'"' {
                in_string = true;
            } else if matches!(b, b'{' | b'[') {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            } else if matches!(b, b'}' | b']') {
                depth = depth.saturating_sub(1);
            }
        }
        None
    }

    /// Pieces that lines are made of: JSON punctuation, string escapes, blanks, a BOM,
    /// non-UTF-8 bytes, and runs of brackets deep enough to cross the limit.
    fn piece() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        prop_oneof![
            Just(b"{".to_vec()),
            Just(b"[".to_vec()),
            Just(b"}".to_vec()),
            Just(b"]".to_vec()),
            Just(b"\"".to_vec()),
            Just(b"\\".to_vec()),
            Just(b" \t\r".to_vec()),
            Just(b"\xEF\xBB\xBF".to_vec()),
            Just(b"\"a\":1,".to_vec()),
            Just(b"\n".to_vec()),
            (1usize..=140).prop_map(|n| vec![b'['; n]),
            (1usize..=140).prop_map(|n| vec![b'{'; n]),
            proptest::collection::vec(any::<u8>(), 0..8),
        ]
    }

    proptest::proptest! {
        // `PROPTEST_CASES` (set by `just fuzz`) runs more cases than the normal test run.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(
            std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)
        ))]

        /// Whatever the bytes and however the pipe splits them: no panic, every byte before
        /// the first line that nests too deeply reaches rmcp unchanged and in order, and that
        /// line is refused with the reason, before any byte past its limit is handed on.
        #[test]
        fn the_reader_hands_on_a_prefix_and_refuses_only_what_nests_too_deep(
            pieces in proptest::collection::vec(piece(), 0..60),
            sizes in proptest::collection::vec(1usize..64, 1..8),
        ) {
            let input: Vec<u8> = pieces.concat();
            let mut bad = None;
            let mut line_start = 0;
            for line in input.split(|&b| b == b'\n') {
                if let Some(at) = too_deep_at(line) {
                    bad = Some((line_start, line_start + at));
                    break;
                }
                line_start += line.len() + 1;
            }
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let watch = Arc::new(StdoutWatch::default());
            let reader = Chunked { data: input.clone(), at: 0, sizes, next: 0 };
            let mut reader = GuardedStdout::new(reader, Arc::clone(&watch));
            let mut out = Vec::new();
            let result = runtime.block_on(reader.read_to_end(&mut out));
            proptest::prop_assert!(input.starts_with(&out));
            match bad {
                None => {
                    proptest::prop_assert!(result.is_ok(), "{result:?}");
                    proptest::prop_assert_eq!(out.len(), input.len());
                    proptest::prop_assert_eq!(watch.fault(), None);
                    proptest::prop_assert!(watch.ended());
                }
                Some((start, over)) => {
                    let error = result.unwrap_err();
                    proptest::prop_assert_eq!(
                        error.to_string(),
                        "the server sent a message nested more than 127 levels deep"
                    );
                    proptest::prop_assert_eq!(watch.fault(), Some(StdoutFault::TooDeep));
                    proptest::prop_assert!(out.len() >= start && out.len() <= over);
                }
            }
        }
    }
}
