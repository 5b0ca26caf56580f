//! Writing to stdout and stderr without panicking.
//!
//! `println!` panics when stdout is a closed pipe (`mcpctl list | head -0`) or a full disk
//! (`mcpctl list > /dev/full`). Every command writes through [`out`] instead, which returns the
//! error; `main` turns a closed pipe into a quiet exit and any other failure into
//! `error: writing output: …`.

use std::fmt;
use std::io::{self, Write as _};

/// A failure to write the command's result to stdout.
#[derive(Debug)]
pub struct OutputError(pub io::Error);

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "writing output: {}", self.0)
    }
}

impl std::error::Error for OutputError {}

impl OutputError {
    /// True when the reader went away (`| head`): not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        self.0.kind() == io::ErrorKind::BrokenPipe
    }
}

/// Writes `text` to stdout and flushes it.
pub fn out(text: &str) -> Result<(), OutputError> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(OutputError)
}

/// Writes `text` and a newline to stdout.
pub fn outln(text: &str) -> Result<(), OutputError> {
    let mut line = String::with_capacity(text.len() + 1);
    line.push_str(text);
    line.push('\n');
    out(&line)
}

/// Writes one line to stderr; a closed or full stderr is ignored (there is nowhere to say so).
pub fn errln(text: &str) {
    let mut stderr = io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.write_all(b"\n");
}

/// `warning: …` on stderr.
pub fn warn(text: impl fmt::Display) {
    errln(&format!("warning: {text}"));
}

/// `note: …` on stderr.
pub fn note(text: impl fmt::Display) {
    errln(&format!("note: {text}"));
}
