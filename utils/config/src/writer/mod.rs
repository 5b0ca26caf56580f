//! The one writer of mcpctl config files.
//!
//! Every edit is a read-modify-write of a `config.toml` under an advisory lock: the file is
//! parsed with `toml_edit`, only the tables and keys the edit is about are touched (comments,
//! unknown keys, formatting and order everywhere else stay byte for byte), and the result replaces
//! the file atomically. Each edit can carry the [`Version`] the caller last read, so a concurrent
//! change is refused instead of overwritten.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sha2::{Digest as _, Sha256};
use thiserror::Error;
use toml_edit::{Decor, DocumentMut, InlineTable, Item, Table, Value};

use crate::display_key_path;
use crate::name::ServerName;
use crate::types::McpServerConfig;

mod content;
mod edit;
mod error;
mod file;
mod layout;
#[allow(clippy::disallowed_methods)]
#[cfg(test)]
mod tests;
mod version;

use self::content::*;
use self::edit::*;
pub use self::error::WriteError;
use self::error::*;
use self::file::*;
use self::layout::*;
pub use self::version::{InvalidVersion, Version};

/// What to do when [`ConfigWriter::upsert_server`] finds a server of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertMode {
    /// Refuse with [`WriteError::ServerExists`].
    CreateOnly,
    /// Replace its content, keeping its place in the file and the comments above it.
    Replace,
}

/// The result of an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOutcome {
    /// The config file that was edited.
    pub path: PathBuf,
    /// The version of the file after the edit (the current one when nothing changed).
    pub version: Version,
    /// Whether the file was written; `false` when the edit produced the same bytes.
    pub changed: bool,
    /// Whether the file did not exist before and was created by this edit.
    pub created_file: bool,
}

/// Called once when an edit has waited [`LOCK_NOTICE_AFTER`] for the lock, with a sentence
/// such as `waiting for mcpctl (pid 1234) to release …/config.toml.lock`.
pub type WaitNotice = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

/// How long an edit waits for the lock before it gives up, unless `MCPCTL_LOCK_TIMEOUT` (in
/// seconds) says otherwise.
pub const DEFAULT_LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// How long an edit waits for the lock before it says who holds it.
pub const LOCK_NOTICE_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// How many times an edit is redone when the file changes under it (a writer without a lock).
const MAX_REDOS: u32 = 20;

/// The one writer of a config file; cheap to create, holds only the path and its settings.
#[derive(Clone)]
pub struct ConfigWriter {
    path: PathBuf,
    lock_timeout: std::time::Duration,
    notice: Option<WaitNotice>,
}

impl fmt::Debug for ConfigWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigWriter")
            .field("path", &self.path)
            .field("lock_timeout", &self.lock_timeout)
            .finish_non_exhaustive()
    }
}

impl PartialEq for ConfigWriter {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path && self.lock_timeout == other.lock_timeout
    }
}

impl ConfigWriter {
    /// A writer for the config file at `path` (which need not exist yet). It waits for the lock
    /// up to `MCPCTL_LOCK_TIMEOUT` seconds (default 30).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let lock_timeout = std::env::var("MCPCTL_LOCK_TIMEOUT")
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .and_then(|secs| std::time::Duration::try_from_secs_f64(secs).ok())
            .unwrap_or(DEFAULT_LOCK_TIMEOUT);
        Self {
            path: path.into(),
            lock_timeout,
            notice: None,
        }
    }

    /// Waits at most `timeout` for the lock.
    pub fn with_lock_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// Says who holds the lock once an edit has waited a second for it.
    pub fn with_wait_notice(mut self, notice: WaitNotice) -> Self {
        self.notice = Some(notice);
        self
    }

    /// The config file this writer edits.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The current version of the file (of empty content when it does not exist).
    pub fn version(&self) -> Result<Version, WriteError> {
        let (bytes, _) = read_existing(&self.path)?;
        Ok(Version::of(&bytes))
    }

    /// Adds `[mcp_servers.<name>]`, or with [`UpsertMode::Replace`] replaces the content of an
    /// existing server in place (keeping its position and the comments above it).
    ///
    /// A new server goes right after the last table under `mcp_servers`, or at the end of the
    /// file when there is none; its `env`, `http_headers`, `env_http_headers` and `oauth` maps are
    /// written as sub-tables right after it.
    pub fn upsert_server(
        &self,
        name: &ServerName,
        server: &McpServerConfig,
        mode: UpsertMode,
        expected: Option<&Version>,
    ) -> Result<WriteOutcome, WriteError> {
        let content = ServerContent::new(name, server, &self.path)?;
        self.edit(expected, |doc| {
            upsert_server(doc, name, &content, mode, &self.path)
        })
    }

    /// Removes a server with all its sub-tables and the comment lines directly above them.
    pub fn remove_server(
        &self,
        name: &ServerName,
        expected: Option<&Version>,
    ) -> Result<WriteOutcome, WriteError> {
        self.edit(expected, |doc| {
            find_server(doc, name, &self.path)?;
            remove_path(doc, &server_path(name));
            Ok(())
        })
    }

    /// Enables a server by removing its `enabled = false` (true is the default), or disables it
    /// by setting `enabled = false` (inserted after its transport keys when absent).
    pub fn set_server_enabled(
        &self,
        name: &ServerName,
        enabled: bool,
        expected: Option<&Version>,
    ) -> Result<WriteOutcome, WriteError> {
        self.edit(expected, |doc| {
            set_server_enabled(doc, name, enabled, &self.path)
        })
    }

    /// Marks a project folder as trusted: `[projects."<absolute dir>"]` with
    /// `trust_level = "trusted"`, the format Codex uses.
    ///
    /// A relative `dir` is made absolute against the current directory; symbolic links are not
    /// resolved, so pass a canonical path if that is what readers compare against.
    pub fn set_project_trusted(&self, dir: &Path) -> Result<WriteOutcome, WriteError> {
        let dir = std::path::absolute(dir).map_err(|source| WriteError::Io {
            path: dir.to_path_buf(),
            action: "resolve",
            source,
        })?;
        let Some(dir) = dir.to_str() else {
            return Err(WriteError::Invalid {
                key: "projects".to_string(),
                reason: "the project folder's path is not valid UTF-8".to_string(),
                path: self.path.clone(),
            });
        };
        let key_path = [
            "projects".to_string(),
            dir.to_string(),
            "trust_level".to_string(),
        ];
        self.set_value(&key_path, Value::from("trusted"), None)
    }

    /// Sets the value at `key_path` (e.g. `["features", "x"]`), creating missing tables on the
    /// way. An existing value keeps its surrounding whitespace and trailing comment.
    pub fn set_value(
        &self,
        key_path: &[String],
        value: Value,
        expected: Option<&Version>,
    ) -> Result<WriteOutcome, WriteError> {
        self.edit(expected, |doc| {
            set_value(doc, key_path, value.clone(), &self.path)
        })
    }

    /// Removes the key at `key_path` with everything under it; a missing key changes nothing.
    ///
    /// Tables left completely empty by the removal (such as `[features.web]` after removing its
    /// only key) are removed too, so set and remove undo each other.
    pub fn remove_value(
        &self,
        key_path: &[String],
        expected: Option<&Version>,
    ) -> Result<WriteOutcome, WriteError> {
        if key_path.is_empty() {
            return Err(empty_key_path(&self.path));
        }
        self.edit(expected, |doc| {
            if remove_path(doc, key_path) {
                prune_empty_tables(doc, key_path);
            }
            Ok(())
        })
    }

    /// Read-modify-write under the lock: checks `expected`, applies `change`, and writes the
    /// result atomically unless it is byte-identical. If the file changes between the read and
    /// the rename (a writer that takes no lock, such as Codex), the edit is redone on the new
    /// content instead of overwriting that change.
    fn edit<F>(&self, expected: Option<&Version>, change: F) -> Result<WriteOutcome, WriteError>
    where
        F: Fn(&mut DocumentMut) -> Result<(), WriteError>,
    {
        let path = &self.path;
        let dir = parent_dir(path);
        mcpctl_private_file::create_private_dir(dir).map_err(|source| WriteError::Io {
            path: path.clone(),
            action: "create the folder of",
            source,
        })?;
        let _lock = lock(path, self.lock_timeout, self.notice.as_ref())?;
        for _ in 0..MAX_REDOS {
            let (bytes, existed) = read_existing(path)?;
            let actual = Version::of(&bytes);
            if let Some(expected) = expected
                && *expected != actual
            {
                return Err(WriteError::Conflict {
                    path: path.clone(),
                    expected: expected.clone(),
                    actual,
                });
            }
            let text = match std::str::from_utf8(&bytes) {
                Ok(text) => text,
                Err(err) => {
                    let lossy = String::from_utf8_lossy(&bytes);
                    return Err(syntax_error(
                        path,
                        &lossy,
                        err.valid_up_to(),
                        "not valid UTF-8",
                    ));
                }
            };
            let mut doc: DocumentMut = text.parse().map_err(|err: toml_edit::TomlError| {
                let offset = err.span().map_or(0, |span| span.start);
                syntax_error(path, text, offset, err.message())
            })?;

            let headers_before: Vec<Vec<Segment>> = layout(&doc)
                .into_iter()
                .filter(|u| u.is_header)
                .map(|u| u.table)
                .collect();
            change(&mut doc)?;
            keep_trailing_text_last(&mut doc, &headers_before);

            let output = doc.to_string();
            if output == text {
                return Ok(WriteOutcome {
                    path: path.clone(),
                    version: actual,
                    changed: false,
                    created_file: false,
                });
            }
            // Never replace a readable file with one that readers would reject.
            if let Err(err) = output.parse::<toml::Table>() {
                return Err(WriteError::BrokenEdit {
                    path: path.clone(),
                    message: err.message().trim_end().to_string(),
                });
            }
            let before = existed.then_some(bytes.as_slice());
            let written =
                mcpctl_private_file::write_atomic_if_unchanged(path, output.as_bytes(), before)
                    .map_err(|source| WriteError::Io {
                        path: path.clone(),
                        action: "write",
                        source,
                    })?;
            if written == mcpctl_private_file::AtomicWrite::Written {
                return Ok(WriteOutcome {
                    path: path.clone(),
                    version: Version::of(output.as_bytes()),
                    changed: true,
                    created_file: !existed,
                });
            }
        }
        Err(WriteError::KeptChanging {
            path: path.clone(),
            attempts: MAX_REDOS,
        })
    }
}
