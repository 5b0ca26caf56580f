//! What an edit can fail with.

use super::*;

/// Everything an edit can fail with. The file is never changed when an edit fails.
///
/// Messages name the file and the key or server; they never contain configured values, which
/// may be secrets (environment values, headers, client secrets).
#[derive(Debug, Error)]
pub enum WriteError {
    /// A file or folder could not be read, created, locked or written.
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was attempted: `read`, `write`, `lock`, `create the folder of`.
        action: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// Another process held the lock for longer than the lock timeout.
    #[error(
        "{}: gave up after {} s waiting for {holder} to release the lock; if no mcpctl is running, delete the lock file (set MCPCTL_LOCK_TIMEOUT to wait longer)",
        lock.display(),
        waited.as_secs()
    )]
    LockTimeout {
        /// The lock file (`config.toml.lock`).
        lock: PathBuf,
        /// Who holds it, as far as known (`mcpctl (pid 1234)`, or `another process`).
        holder: String,
        /// How long mcpctl waited.
        waited: std::time::Duration,
    },
    /// The file kept changing under a writer that takes no lock (such as Codex).
    #[error(
        "{}: the file changed {attempts} times while mcpctl was editing it (another program is writing it); nothing was written, try again",
        path.display()
    )]
    KeptChanging {
        /// The file.
        path: PathBuf,
        /// How many times the edit was redone.
        attempts: u32,
    },
    /// The existing file is not valid TOML, so it cannot be edited safely.
    #[error("{location}: {message}\n{snippet}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// `path:line:column`, both 1-based.
        location: String,
        /// What the parser said.
        message: String,
        /// The offending line and a caret line under the column.
        snippet: String,
    },
    /// The file changed since the caller read it.
    #[error(
        "{} was changed by someone else (expected version {expected}, found {actual}); read it again and retry",
        path.display()
    )]
    Conflict {
        /// The file.
        path: PathBuf,
        /// The version the caller expected.
        expected: Version,
        /// The version found under the lock.
        actual: Version,
    },
    /// A server of that name is already configured and the mode was [`UpsertMode::CreateOnly`].
    #[error("MCP server '{name}' already exists in {}; pass --replace to overwrite it", path.display())]
    ServerExists {
        /// The server.
        name: ServerName,
        /// The file.
        path: PathBuf,
    },
    /// No server of that name is configured in the file.
    #[error("no MCP server named '{name}' in {}", path.display())]
    ServerNotFound {
        /// The server.
        name: ServerName,
        /// The file.
        path: PathBuf,
    },
    /// A key that must hold a table holds something else.
    #[error("{}: `{key}` is {found}, not a table; fix or remove it by hand", path.display())]
    NotATable {
        /// The dotted key path, e.g. `mcp_servers` or `mcp_servers.x`.
        key: String,
        /// What the key holds instead (`string`, `array`, ...).
        found: &'static str,
        /// The file.
        path: PathBuf,
    },
    /// A value cannot be written to TOML at all.
    #[error("{}: cannot set `{key}`: {reason}", path.display())]
    Invalid {
        /// The dotted key path.
        key: String,
        /// Why the value or key is not representable.
        reason: String,
        /// The file.
        path: PathBuf,
    },
    /// The edit would have produced invalid TOML; this is a bug, and nothing was written.
    #[error(
        "{}: refusing to write: the edited file would not be valid TOML ({message}); please report this bug",
        path.display()
    )]
    BrokenEdit {
        /// The file.
        path: PathBuf,
        /// What the parser said about the edited text.
        message: String,
    },
}

/// A [`WriteError::Syntax`] pointing at byte `offset` of `text`.
pub(super) fn syntax_error(path: &Path, text: &str, offset: usize, message: &str) -> WriteError {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line_number = text[..offset].bytes().filter(|b| *b == b'\n').count() + 1;
    let before = &text[line_start..offset];
    let column = before.chars().count() + 1;
    // Tabs are kept so the caret lines up however the terminal expands them.
    let mut caret: String = before
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    caret.push('^');
    let line = text[line_start..line_end].trim_end_matches('\r');
    let line = crate::snippet::masked_line(text, line_number, line);
    WriteError::Syntax {
        path: path.to_path_buf(),
        location: format!("{}:{line_number}:{column}", path.display()),
        message: message.trim_end().to_string(),
        snippet: format!("{line}\n{caret}"),
    }
}

pub(super) fn empty_key_path(path: &Path) -> WriteError {
    WriteError::Invalid {
        key: String::new(),
        reason: "the key path is empty".to_string(),
        path: path.to_path_buf(),
    }
}
