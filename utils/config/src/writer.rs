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
use crate::types::{McpServerConfig, Transport};

/// The top-level table holding one sub-table per MCP server.
const SERVERS: &str = "mcp_servers";

/// Keys that describe how a server is reached; `enabled = false` is inserted after the last one.
const TRANSPORT_KEYS: [&str; 6] = [
    "command",
    "args",
    "env_vars",
    "cwd",
    "url",
    "bearer_token_env_var",
];

/// The content version of a config file: `sha256:<64 hex digits>` of its bytes.
///
/// A missing file has the version of empty content. Pass the version you read to an edit to make
/// it refuse with [`WriteError::Conflict`] when somebody changed the file in between.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version(String);

impl Version {
    /// The version of a file with these bytes.
    pub fn of(bytes: &[u8]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let digest = Sha256::digest(bytes);
        let mut text = String::with_capacity(7 + 2 * digest.len());
        text.push_str("sha256:");
        for byte in digest.iter() {
            text.push(char::from(HEX[usize::from(byte >> 4)]));
            text.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        Self(text)
    }

    /// The version as text, `sha256:<64 hex digits>`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A string that is not a [`Version`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid config version `{given}`: expected `sha256:` followed by 64 hex digits")]
pub struct InvalidVersion {
    /// The text that was given.
    pub given: String,
}

impl FromStr for Version {
    type Err = InvalidVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.strip_prefix("sha256:") {
            Some(hex) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                // Versions are compared as strings, so normalise the case of the digits.
                Ok(Self(format!("sha256:{}", hex.to_ascii_lowercase())))
            }
            _ => Err(InvalidVersion {
                given: s.to_string(),
            }),
        }
    }
}

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

// ---------------------------------------------------------------------------------------------
// Files: locking, reading, atomic writing.

/// The folder holding `path`; `.` for a bare file name.
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Takes the advisory lock `<path>.lock`, held until the returned file is dropped, and writes
/// this process's pid into it so that a waiting writer can say who holds it.
///
/// A fresh handle per call matters: `flock` locks belong to the open file description, so two
/// threads sharing one handle would not exclude each other.
fn lock(
    path: &Path,
    timeout: std::time::Duration,
    notice: Option<&WaitNotice>,
) -> Result<File, WriteError> {
    let mut name = path.as_os_str().to_os_string();
    name.push(".lock");
    let lock_path = PathBuf::from(name);
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).read(true).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let io_error = |source| WriteError::Io {
        path: lock_path.clone(),
        action: "lock",
        source,
    };
    #[allow(clippy::disallowed_methods)] // reason: the lock file holds only a pid, and is 0600.
    let file = options.open(&lock_path).map_err(io_error)?;
    let started = std::time::Instant::now();
    let mut noticed = false;
    let mut pause = std::time::Duration::from_millis(2);
    loop {
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => break,
            Err(fs4::TryLockError::WouldBlock) => {}
            Err(fs4::TryLockError::Error(source)) => return Err(io_error(source)),
        }
        let waited = started.elapsed();
        if waited >= timeout {
            return Err(WriteError::LockTimeout {
                lock: lock_path.clone(),
                holder: lock_holder(&lock_path),
                waited,
            });
        }
        if !noticed && waited >= LOCK_NOTICE_AFTER {
            noticed = true;
            if let Some(notice) = notice {
                notice(&format!(
                    "waiting for {} to release {}",
                    lock_holder(&lock_path),
                    lock_path.display()
                ));
            }
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(std::time::Duration::from_millis(50));
    }
    // Best effort: the pid only makes a waiting writer's message better.
    let _ = file.set_len(0);
    let _ = (&file).write_all(format!("mcpctl {}\n", std::process::id()).as_bytes());
    Ok(file)
}

/// Who holds the lock, from the pid the holder wrote into it.
fn lock_holder(lock_path: &Path) -> String {
    let text = fs::read_to_string(lock_path).unwrap_or_default();
    match text
        .trim()
        .strip_prefix("mcpctl ")
        .and_then(|p| p.parse::<u32>().ok())
    {
        Some(pid) => format!("mcpctl (pid {pid})"),
        None => "another process".to_string(),
    }
}

/// The file's bytes and whether it exists; a missing file reads as empty.
fn read_existing(path: &Path) -> Result<(Vec<u8>, bool), WriteError> {
    match fs::read(path) {
        Ok(bytes) => Ok((bytes, true)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok((Vec::new(), false)),
        Err(source) => Err(WriteError::Io {
            path: path.to_path_buf(),
            action: "read",
            source,
        }),
    }
}

/// A [`WriteError::Syntax`] pointing at byte `offset` of `text`.
fn syntax_error(path: &Path, text: &str, offset: usize, message: &str) -> WriteError {
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
    WriteError::Syntax {
        path: path.to_path_buf(),
        location: format!("{}:{line_number}:{column}", path.display()),
        message: message.trim_end().to_string(),
        snippet: format!("{line}\n{caret}"),
    }
}

fn empty_key_path(path: &Path) -> WriteError {
    WriteError::Invalid {
        key: String::new(),
        reason: "the key path is empty".to_string(),
        path: path.to_path_buf(),
    }
}

// ---------------------------------------------------------------------------------------------
// Server content.

/// A server's keys in the order they are written, plus its maps written as sub-tables.
struct ServerContent {
    values: Vec<(&'static str, Value)>,
    maps: Vec<(&'static str, Vec<(String, Value)>)>,
}

impl ServerContent {
    fn new(name: &ServerName, server: &McpServerConfig, path: &Path) -> Result<Self, WriteError> {
        let mut values: Vec<(&'static str, Value)> = Vec::new();
        let mut maps: Vec<(&'static str, Vec<(String, Value)>)> = Vec::new();
        let strings = |items: &[String]| Value::Array(items.iter().map(String::as_str).collect());
        let map = |entries: &std::collections::BTreeMap<String, String>| {
            entries
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect::<Vec<_>>()
        };
        let mut env_map = Vec::new();
        let mut header_maps = Vec::new();
        match &server.transport {
            Transport::Stdio(crate::StdioTransport {
                command,
                args,
                env,
                env_vars,
                cwd,
            }) => {
                values.push(("command", Value::from(command.as_str())));
                if !args.is_empty() {
                    values.push(("args", strings(args)));
                }
                if !env_vars.is_empty() {
                    values.push(("env_vars", strings(env_vars)));
                }
                if let Some(cwd) = cwd {
                    let Some(cwd) = cwd.to_str() else {
                        return Err(WriteError::Invalid {
                            key: display_key_path(&[
                                SERVERS.to_string(),
                                name.to_string(),
                                "cwd".to_string(),
                            ]),
                            reason: "the path is not valid UTF-8".to_string(),
                            path: path.to_path_buf(),
                        });
                    };
                    values.push(("cwd", Value::from(cwd)));
                }
                env_map = map(env);
            }
            Transport::StreamableHttp(crate::HttpTransport {
                url,
                bearer_token_env_var,
                http_headers,
                env_http_headers,
            }) => {
                values.push(("url", Value::from(url.as_str())));
                if let Some(var) = bearer_token_env_var {
                    values.push(("bearer_token_env_var", Value::from(var.as_str())));
                }
                header_maps.push(("http_headers", map(http_headers)));
                header_maps.push(("env_http_headers", map(env_http_headers)));
            }
        }
        if !server.enabled {
            values.push(("enabled", Value::from(false)));
        }
        if server.required {
            values.push(("required", Value::from(true)));
        }
        if let Some(timeout) = server.startup_timeout {
            values.push(("startup_timeout_sec", Value::from(timeout.as_secs_f64())));
        }
        if let Some(timeout) = server.tool_timeout {
            values.push(("tool_timeout_sec", Value::from(timeout.as_secs_f64())));
        }
        if let Some(tools) = &server.enabled_tools {
            values.push(("enabled_tools", strings(tools)));
        }
        if let Some(tools) = &server.disabled_tools {
            values.push(("disabled_tools", strings(tools)));
        }
        if let Some(scopes) = &server.scopes {
            values.push(("scopes", strings(scopes)));
        }
        if let Some(resource) = &server.oauth_resource {
            values.push(("oauth_resource", Value::from(resource.as_str())));
        }
        if let Some(url) = &server.oauth_client_metadata_url {
            values.push(("oauth_client_metadata_url", Value::from(url.as_str())));
        }
        if !env_map.is_empty() {
            maps.push(("env", env_map));
        }
        maps.extend(header_maps.into_iter().filter(|(_, m)| !m.is_empty()));
        if let Some(oauth) = &server.oauth {
            let fields = [
                ("client_id", &oauth.client_id),
                ("client_secret", &oauth.client_secret),
                ("client_secret_env_var", &oauth.client_secret_env_var),
                ("callback_url", &oauth.callback_url),
                ("grant", &oauth.grant),
                ("private_key_file", &oauth.private_key_file),
                ("signing_alg", &oauth.signing_alg),
            ];
            let entries: Vec<(String, Value)> = fields
                .iter()
                .filter_map(|(k, v)| v.as_deref().map(|v| ((*k).to_string(), Value::from(v))))
                .collect();
            // An empty `[oauth]` table means the same as none, so it is not written.
            if !entries.is_empty() {
                maps.push(("oauth", entries));
            }
        }
        Ok(Self { values, maps })
    }

    /// The first key written, whose line carries the comment above a dotted-key server.
    fn first_key(&self) -> Option<&'static str> {
        self.values.first().map(|(k, _)| *k)
    }

    /// Fills a `[mcp_servers.<name>]` table; maps become sub-tables at `position` so they are
    /// printed right after the server's own header.
    fn fill_table(&self, table: &mut Table, position: Option<isize>) {
        for (key, value) in &self.values {
            table.insert(key, Item::Value(value.clone()));
        }
        for (key, entries) in &self.maps {
            let mut sub = Table::new();
            sub.set_position(position);
            for (k, v) in entries {
                sub.insert(k, Item::Value(v.clone()));
            }
            table.insert(key, Item::Table(sub));
        }
    }

    /// Fills a dotted-key server (`x.command = ...`): maps become inline tables so the server
    /// stays on consecutive lines where it was.
    fn fill_dotted(&self, table: &mut Table) {
        for (key, value) in &self.values {
            table.insert(key, Item::Value(value.clone()));
        }
        for (key, entries) in &self.maps {
            table.insert(key, Item::Value(Value::InlineTable(inline(entries))));
        }
    }

    /// The server as one inline table (`x = { command = ... }`).
    fn to_inline(&self) -> InlineTable {
        let mut table = InlineTable::new();
        for (key, value) in &self.values {
            table.insert(*key, value.clone());
        }
        for (key, entries) in &self.maps {
            table.insert(*key, Value::InlineTable(inline(entries)));
        }
        table
    }
}

fn inline(entries: &[(String, Value)]) -> InlineTable {
    let mut table = InlineTable::new();
    for (k, v) in entries {
        table.insert(k.as_str(), v.clone());
    }
    table
}

fn server_path(name: &ServerName) -> Vec<String> {
    vec![SERVERS.to_string(), name.to_string()]
}

// ---------------------------------------------------------------------------------------------
// Document edits.

/// Where a server is defined.
enum ServerForm {
    /// `[mcp_servers.x]` (or only implied by `[mcp_servers.x.env]`).
    Header,
    /// `x.command = ...` inside `[mcp_servers]` (or `mcp_servers.x.command = ...`).
    Dotted,
    /// `x = { ... }`, or anything inside an inline `mcp_servers = { ... }`.
    Inline,
    /// Something that is not a table at all (`x = "..."`); it can only be removed.
    Invalid(&'static str),
}

fn not_a_table(key: &[String], item: &Item, path: &Path) -> WriteError {
    WriteError::NotATable {
        key: display_key_path(key),
        found: item.type_name(),
        path: path.to_path_buf(),
    }
}

/// How `name` is defined, or `None` when it is not; errors when `mcp_servers` is not a table.
fn server_form(
    doc: &DocumentMut,
    name: &ServerName,
    path: &Path,
) -> Result<Option<ServerForm>, WriteError> {
    let servers_key = [SERVERS.to_string()];
    let item = match doc.get(SERVERS) {
        None => return Ok(None),
        Some(Item::Table(servers)) => servers.get(name.as_str()),
        Some(Item::Value(Value::InlineTable(servers))) => {
            return Ok(servers.get(name.as_str()).map(|value| match value {
                Value::InlineTable(_) => ServerForm::Inline,
                other => ServerForm::Invalid(other.type_name()),
            }));
        }
        Some(other) => return Err(not_a_table(&servers_key, other, path)),
    };
    Ok(item.map(|item| match item {
        Item::Table(t) if t.is_dotted() => ServerForm::Dotted,
        Item::Table(_) => ServerForm::Header,
        Item::Value(Value::InlineTable(_)) => ServerForm::Inline,
        other => ServerForm::Invalid(other.type_name()),
    }))
}

/// Like [`server_form`], but a missing server is an error.
fn find_server(
    doc: &DocumentMut,
    name: &ServerName,
    path: &Path,
) -> Result<ServerForm, WriteError> {
    server_form(doc, name, path)?.ok_or_else(|| WriteError::ServerNotFound {
        name: name.clone(),
        path: path.to_path_buf(),
    })
}

fn upsert_server(
    doc: &mut DocumentMut,
    name: &ServerName,
    content: &ServerContent,
    mode: UpsertMode,
    path: &Path,
) -> Result<(), WriteError> {
    let key = server_path(name);
    let form = server_form(doc, name, path)?;
    if form.is_some() && mode == UpsertMode::CreateOnly {
        return Err(WriteError::ServerExists {
            name: name.clone(),
            path: path.to_path_buf(),
        });
    }
    match form {
        None => add_server(doc, name, content),
        Some(ServerForm::Invalid(found)) => {
            return Err(WriteError::NotATable {
                key: display_key_path(&key),
                found,
                path: path.to_path_buf(),
            });
        }
        Some(ServerForm::Header) => {
            let units = layout(doc);
            // The server's own body and the sub-tables right after it are replaced; comments
            // before sub-tables defined elsewhere in the file are kept.
            let carries = plan_carries(
                &units,
                |u| u.starts_with(&key) && !(u.is_header && u.path_len() == key.len()),
                |u| u.starts_with(&key),
                false,
            );
            if let Some(table) = server_table_mut(doc, name) {
                if table.position().is_none() {
                    table.set_position(min_position(table));
                }
                table.set_implicit(false);
                table.clear();
                let position = table.position();
                content.fill_table(table, position);
            }
            apply_carries(doc, carries);
        }
        Some(ServerForm::Dotted) => {
            let units = layout(doc);
            let first_prefix = units
                .iter()
                .find(|u| !u.is_header && u.starts_with(&key))
                .and_then(|u| u.prefix.clone());
            // The first run is where the new content goes; its comments are restored below.
            let carries = plan_carries(
                &units,
                |u| u.starts_with(&key),
                |u| u.starts_with(&key),
                true,
            );
            if let Some(table) = server_table_mut(doc, name) {
                table.clear();
                content.fill_dotted(table);
                if let (Some(prefix), Some(first)) = (first_prefix, content.first_key())
                    && let Some(mut first) = table.key_mut(first)
                {
                    first.leaf_decor_mut().set_prefix(prefix);
                }
            }
            apply_carries(doc, carries);
        }
        Some(ServerForm::Inline) => {
            let new = Value::InlineTable(content.to_inline());
            match doc.get_mut(SERVERS) {
                Some(Item::Table(servers)) => {
                    if let Some(item) = servers.get_mut(name.as_str()) {
                        replace_keeping_decor(item, new);
                    }
                }
                Some(Item::Value(Value::InlineTable(servers))) => {
                    if let Some(value) = servers.get_mut(name.as_str()) {
                        let decor = value.decor().clone();
                        *value = new;
                        *value.decor_mut() = decor;
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Adds a server that does not exist yet.
fn add_server(doc: &mut DocumentMut, name: &ServerName, content: &ServerContent) {
    let doc_max = max_position(doc.as_table());
    let root = doc.as_table_mut();
    if !root.contains_key(SERVERS) {
        // Implicit, so only `[mcp_servers.<name>]` headers are written, never `[mcp_servers]`.
        let mut servers = Table::new();
        servers.set_implicit(true);
        root.insert(SERVERS, Item::Table(servers));
    }
    match root.get_mut(SERVERS) {
        Some(Item::Table(servers)) => {
            // Right after the last table under `mcp_servers`: the new table is visited after
            // all of them, so sharing that position sorts it behind them. Without any, it goes
            // to the end of the file.
            let position = max_position(servers).unwrap_or(doc_max.map_or(0, |p| p + 1));
            let mut table = Table::new();
            table.set_position(Some(position));
            content.fill_table(&mut table, Some(position));
            servers.insert(name.as_str(), Item::Table(table));
        }
        Some(Item::Value(Value::InlineTable(servers))) => {
            servers.insert(name.as_str(), Value::InlineTable(content.to_inline()));
        }
        _ => {}
    }
}

fn server_table_mut<'a>(doc: &'a mut DocumentMut, name: &ServerName) -> Option<&'a mut Table> {
    doc.get_mut(SERVERS)?
        .as_table_mut()?
        .get_mut(name.as_str())?
        .as_table_mut()
}

fn set_server_enabled(
    doc: &mut DocumentMut,
    name: &ServerName,
    enabled: bool,
    path: &Path,
) -> Result<(), WriteError> {
    let key = server_path(name);
    let form = find_server(doc, name, path)?;
    let is_false = |item: Option<&Item>| item.and_then(Item::as_bool) == Some(false);
    match form {
        ServerForm::Invalid(found) => {
            return Err(WriteError::NotATable {
                key: display_key_path(&key),
                found,
                path: path.to_path_buf(),
            });
        }
        ServerForm::Header | ServerForm::Dotted => {
            let Some(table) = server_table_mut(doc, name) else {
                return Ok(());
            };
            if enabled {
                if is_false(table.get("enabled")) {
                    let mut enabled_key = key;
                    enabled_key.push("enabled".to_string());
                    remove_path(doc, &enabled_key);
                }
            } else if let Some(item) = table.get_mut("enabled") {
                if !is_false(Some(item)) {
                    replace_keeping_decor(item, Value::from(false));
                }
            } else {
                if table.is_implicit() && !table.is_dotted() {
                    // Giving an implied table a key makes its header appear: before its first
                    // sub-table.
                    if table.position().is_none() {
                        table.set_position(min_position(table));
                    }
                    table.set_implicit(false);
                }
                insert_after_transport(table, Item::Value(Value::from(false)));
            }
        }
        ServerForm::Inline => {
            let item = match doc.get_mut(SERVERS) {
                Some(Item::Table(servers)) => servers.get_mut(name.as_str()),
                _ => None,
            };
            let server = match item {
                Some(Item::Value(Value::InlineTable(server))) => Some(server),
                Some(_) => None,
                None => match doc.get_mut(SERVERS) {
                    Some(Item::Value(Value::InlineTable(servers))) => servers
                        .get_mut(name.as_str())
                        .and_then(Value::as_inline_table_mut),
                    _ => None,
                },
            };
            let Some(server) = server else {
                return Ok(());
            };
            let current = server.get("enabled").and_then(Value::as_bool);
            if enabled {
                if current == Some(false) {
                    server.remove("enabled");
                    // The server's own inline table is rewritten in the default layout so no
                    // stray separators or spaces are left behind.
                    server.fmt();
                }
            } else if current != Some(false) {
                if let Some(value) = server.get_mut("enabled") {
                    let decor = value.decor().clone();
                    *value = Value::from(false);
                    *value.decor_mut() = decor;
                } else {
                    insert_inline_after_transport(server, Value::from(false));
                    server.fmt();
                }
            }
        }
    }
    Ok(())
}

/// Inserts `enabled` after the last transport key of `table` (at the end when it has none),
/// leaving every other entry's formatting alone.
fn insert_after_transport(table: &mut Table, item: Item) {
    let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
    // toml_edit only appends, so the entries after the insertion point are moved behind it.
    let tail: Vec<_> = keys[after_transport_keys(&keys)..]
        .iter()
        .filter_map(|k| table.remove_entry(k))
        .collect();
    table.insert("enabled", item);
    for (key, item) in tail {
        table.insert_formatted(&key, item);
    }
}

/// The index just after the last transport key in `keys` (`keys.len()` when there is none).
fn after_transport_keys(keys: &[String]) -> usize {
    keys.iter()
        .rposition(|k| TRANSPORT_KEYS.contains(&k.as_str()))
        .map_or(keys.len(), |i| i + 1)
}

/// [`insert_after_transport`] for servers written as inline tables.
fn insert_inline_after_transport(table: &mut InlineTable, value: Value) {
    let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
    let tail: Vec<_> = keys[after_transport_keys(&keys)..]
        .iter()
        .filter_map(|k| table.remove_entry(k))
        .collect();
    table.insert("enabled", value);
    for (key, value) in tail {
        table.insert_formatted(&key, value);
    }
}

/// Replaces `item` by `value`, keeping the old value's surrounding whitespace and comment.
fn replace_keeping_decor(item: &mut Item, mut value: Value) {
    if let Item::Value(old) = item {
        *value.decor_mut() = old.decor().clone();
    }
    *item = Item::Value(value);
}

/// Whether two values are equal as data (so rewriting one by the other would only reformat).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(a), Value::String(b)) => a.value() == b.value(),
        (Value::Integer(a), Value::Integer(b)) => a.value() == b.value(),
        (Value::Float(a), Value::Float(b)) => a.value().to_bits() == b.value().to_bits(),
        (Value::Boolean(a), Value::Boolean(b)) => a.value() == b.value(),
        _ => false,
    }
}

/// A table reached while walking a key path: a standard or dotted table, or an inline one.
enum Container<'a> {
    Table(&'a mut Table),
    Inline(&'a mut InlineTable),
}

fn set_value(
    doc: &mut DocumentMut,
    key_path: &[String],
    value: Value,
    path: &Path,
) -> Result<(), WriteError> {
    let Some((last, parents)) = key_path.split_last() else {
        return Err(empty_key_path(path));
    };
    let doc_max = max_position(doc.as_table());
    // Position for tables created on the way: after the last table of the deepest existing
    // ancestor (see `add_server`).
    let mut new_position = None;
    let mut current = Container::Table(doc.as_table_mut());
    for (depth, key) in parents.iter().enumerate() {
        let here = &key_path[..=depth];
        current = match current {
            Container::Table(table) => {
                if !table.contains_key(key) {
                    let position = *new_position.get_or_insert_with(|| {
                        max_position(table).unwrap_or(doc_max.map_or(0, |p| p + 1))
                    });
                    let mut created = Table::new();
                    created.set_implicit(true);
                    created.set_position(Some(position));
                    table.insert(key, Item::Table(created));
                }
                match table.get_mut(key) {
                    Some(Item::Table(t)) => Container::Table(t),
                    Some(Item::Value(Value::InlineTable(t))) => Container::Inline(t),
                    Some(other) => return Err(not_a_table(here, other, path)),
                    None => return Ok(()),
                }
            }
            Container::Inline(table) => {
                if !table.contains_key(key) {
                    table.insert(key.as_str(), Value::InlineTable(InlineTable::new()));
                }
                match table.get_mut(key) {
                    Some(Value::InlineTable(t)) => Container::Inline(t),
                    Some(other) => {
                        return Err(not_a_table(here, &Item::Value(other.clone()), path));
                    }
                    None => return Ok(()),
                }
            }
        };
    }
    match current {
        Container::Table(table) => {
            if let Some(item) = table.get_mut(last) {
                if !item.as_value().is_some_and(|old| same_value(old, &value)) {
                    replace_keeping_decor(item, value);
                }
            } else {
                if table.is_implicit() && !table.is_dotted() {
                    if table.position().is_none() {
                        table.set_position(min_position(table));
                    }
                    table.set_implicit(false);
                }
                table.insert(last, Item::Value(value));
            }
        }
        Container::Inline(table) => {
            if let Some(old) = table.get_mut(last) {
                if !same_value(old, &value) {
                    let decor = old.decor().clone();
                    *old = value;
                    *old.decor_mut() = decor;
                }
            } else {
                append_inline(table, last, value);
            }
        }
    }
    Ok(())
}

/// Appends to an inline table, moving the space before `}` from the old last value to the new
/// one so the rest of the table keeps its layout.
fn append_inline(table: &mut InlineTable, key: &str, mut value: Value) {
    let last_key = table.iter().last().map(|(k, _)| k.to_string());
    if let Some(previous) = last_key.and_then(|k| table.get_mut(&k))
        && let Some(suffix) = previous.decor().suffix().cloned()
    {
        previous.decor_mut().set_suffix("");
        value.decor_mut().set_suffix(suffix);
    }
    table.insert(key, value);
}

/// Removes the key at `key_path` and everything under it, keeping comments that sat above it
/// but were separated from it by a blank line (they belong to what comes before).
fn remove_path(doc: &mut DocumentMut, key_path: &[String]) -> bool {
    let Some((last, parents)) = key_path.split_last() else {
        return false;
    };
    let units = layout(doc);
    let carries = plan_carries(
        &units,
        |u| u.starts_with(key_path),
        |u| u.starts_with(key_path),
        false,
    );
    let mut current = Container::Table(doc.as_table_mut());
    for key in parents {
        current = match current {
            Container::Table(table) => match table.get_mut(key) {
                Some(Item::Table(t)) => Container::Table(t),
                Some(Item::Value(Value::InlineTable(t))) => Container::Inline(t),
                _ => return false,
            },
            Container::Inline(table) => match table.get_mut(key) {
                Some(Value::InlineTable(t)) => Container::Inline(t),
                _ => return false,
            },
        };
    }
    let removed = match current {
        Container::Table(table) => table.remove(last).is_some(),
        Container::Inline(table) => {
            let was_last = table.iter().last().is_some_and(|(k, _)| k == last.as_str());
            match table.remove(last) {
                Some(removed) => {
                    // The space before `}` moves to the new last value.
                    let new_last = table.iter().last().map(|(k, _)| k.to_string());
                    if was_last
                        && let Some(previous) = new_last.and_then(|k| table.get_mut(&k))
                        && let Some(suffix) = removed.decor().suffix()
                    {
                        previous.decor_mut().set_suffix(suffix.clone());
                    }
                    true
                }
                None => false,
            }
        }
    };
    if removed {
        apply_carries(doc, carries);
    }
    removed
}

/// Removes the standard tables above `key_path` that hold nothing any more, deepest first.
fn prune_empty_tables(doc: &mut DocumentMut, key_path: &[String]) {
    for len in (1..key_path.len()).rev() {
        let ancestor = &key_path[..len];
        let mut table = doc.as_table();
        let mut empty = true;
        for key in ancestor {
            match table.get(key) {
                Some(Item::Table(t)) => table = t,
                _ => {
                    empty = false;
                    break;
                }
            }
        }
        if !(empty && table.is_empty()) {
            return;
        }
        remove_path(doc, ancestor);
    }
}

// ---------------------------------------------------------------------------------------------
// Layout: the document as toml_edit prints it, to keep comments in place across removals.

/// One step of a path to a table: a key, and the element index for arrays of tables.
#[derive(Debug, Clone, PartialEq)]
struct Segment {
    key: String,
    index: Option<usize>,
}

/// One printed unit: a table header, or a `key = value` line in a table's body.
#[derive(Debug, Clone)]
struct Unit {
    /// The table whose header this is, or whose body holds the line.
    table: Vec<Segment>,
    /// The (dotted) key of a body line; empty for a header.
    body: Vec<String>,
    is_header: bool,
    /// The whitespace and comments printed before the unit.
    prefix: Option<String>,
}

impl Unit {
    fn keys(&self) -> impl Iterator<Item = &str> {
        self.table
            .iter()
            .map(|s| s.key.as_str())
            .chain(self.body.iter().map(String::as_str))
    }

    fn path_len(&self) -> usize {
        self.table.len() + self.body.len()
    }

    fn starts_with(&self, prefix: &[String]) -> bool {
        self.path_len() >= prefix.len() && self.keys().zip(prefix).all(|(a, b)| a == b)
    }
}

/// The units of `doc` in the order toml_edit prints them: tables sorted by position (ties in
/// visiting order), each header followed by its body lines.
fn layout(doc: &DocumentMut) -> Vec<Unit> {
    let mut tables = Vec::new();
    let mut last_position = 0;
    collect_tables(
        doc.as_table(),
        &mut Vec::new(),
        &mut last_position,
        &mut tables,
    );
    tables.sort_by_key(|(position, path, _)| (!path.is_empty(), *position));
    let mut units = Vec::new();
    for (_, path, table) in tables {
        let is_array_element = path.last().is_some_and(|s| s.index.is_some());
        let values = table.get_values();
        let visible = is_array_element || !(table.is_implicit() && values.is_empty());
        if !path.is_empty() && visible {
            units.push(Unit {
                table: path.clone(),
                body: Vec::new(),
                is_header: true,
                prefix: raw_prefix(table.decor()),
            });
        }
        for (keys, _) in values {
            units.push(Unit {
                table: path.clone(),
                body: keys.iter().map(|k| k.get().to_string()).collect(),
                is_header: false,
                prefix: keys.last().and_then(|k| raw_prefix(k.leaf_decor())),
            });
        }
    }
    units
}

fn collect_tables<'t>(
    table: &'t Table,
    path: &mut Vec<Segment>,
    last_position: &mut isize,
    out: &mut Vec<(isize, Vec<Segment>, &'t Table)>,
) {
    if !table.is_dotted() {
        if let Some(position) = table.position() {
            *last_position = position;
        }
        out.push((*last_position, path.clone(), table));
    }
    for (key, item) in table.iter() {
        match item {
            Item::Table(child) => {
                path.push(Segment {
                    key: key.to_string(),
                    index: None,
                });
                collect_tables(child, path, last_position, out);
                path.pop();
            }
            Item::ArrayOfTables(array) => {
                for (index, child) in array.iter().enumerate() {
                    path.push(Segment {
                        key: key.to_string(),
                        index: Some(index),
                    });
                    collect_tables(child, path, last_position, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
}

fn raw_prefix(decor: &Decor) -> Option<String> {
    decor.prefix().and_then(|p| p.as_str()).map(str::to_string)
}

/// Comments to move onto the unit printed after a removed run (`None`: the end of the file).
///
/// Empty text means the run opened the file: the new first unit loses its leading blank lines.
struct Carry {
    target: Option<Unit>,
    /// The detached text, including the blank lines that separated it from the removed unit.
    full: String,
    /// The same without its trailing blank lines.
    trimmed: String,
}

/// For each run of consecutive removed units, the comments above its first unit that are
/// separated from it by a blank line: they belong to what precedes the run, so they are kept.
///
/// Runs that follow an `owned` unit are part of the same entity and carry nothing; with
/// `skip_first_run` the first run carries nothing either (its prefix is restored by the caller).
fn plan_carries(
    units: &[Unit],
    removed: impl Fn(&Unit) -> bool,
    owned: impl Fn(&Unit) -> bool,
    skip_first_run: bool,
) -> Vec<Carry> {
    let mut carries = Vec::new();
    let mut first_run = true;
    let mut i = 0;
    while i < units.len() {
        if !removed(&units[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < units.len() && removed(&units[i]) {
            i += 1;
        }
        let skip = (skip_first_run && first_run) || (start > 0 && owned(&units[start - 1]));
        first_run = false;
        if skip {
            continue;
        }
        match units[start].prefix.as_deref().and_then(detached) {
            Some((full, trimmed)) => carries.push(Carry {
                target: units.get(i).cloned(),
                full,
                trimmed,
            }),
            // Nothing to keep, but what now opens the file should not start with blank lines.
            None if start == 0 => carries.push(Carry {
                target: units.get(i).cloned(),
                full: String::new(),
                trimmed: String::new(),
            }),
            None => {}
        }
    }
    carries
}

/// Splits a prefix into the comment block directly above the unit (no blank line between) and
/// the rest; returns the rest (with and without trailing blank lines) when it holds a comment.
fn detached(prefix: &str) -> Option<(String, String)> {
    let lines: Vec<&str> = prefix.split_inclusive('\n').collect();
    let mut cut = lines.len();
    // A last line without a newline is the indentation of the unit itself.
    if lines.last().is_some_and(|l| !l.ends_with('\n')) {
        cut -= 1;
    }
    while cut > 0 && lines[cut - 1].trim_start().starts_with('#') {
        cut -= 1;
    }
    let full = lines[..cut].concat();
    if !full.contains('#') {
        return None;
    }
    let mut end = cut;
    while end > 0 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    Some((full, lines[..end].concat()))
}

/// Keeps the text after the last table (comments, commented-out settings) where it was when new
/// tables are appended at the end: toml_edit would print them after it.
fn keep_trailing_text_last(doc: &mut DocumentMut, headers_before: &[Vec<Segment>]) {
    let trailing = doc.trailing().as_str().unwrap_or_default().to_string();
    if trailing.trim().is_empty() {
        return;
    }
    let units = layout(doc);
    let first_new = units
        .iter()
        .filter(|u| u.is_header)
        .rev()
        .take_while(|u| !headers_before.contains(&u.table))
        .last()
        .cloned();
    let Some(unit) = first_new else {
        return;
    };
    // The appended table normally opens with a blank line; keep exactly one after the text.
    let separator = if trailing.ends_with("\n\n") {
        ""
    } else if trailing.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    with_unit_decor(doc.as_table_mut(), &unit, |decor| {
        decor.set_prefix(format!("{trailing}{separator}"));
    });
    doc.set_trailing("");
}

fn apply_carries(doc: &mut DocumentMut, carries: Vec<Carry>) {
    for carry in carries {
        let join = |old: &str| {
            if carry.full.is_empty() {
                let blank = old
                    .split_inclusive('\n')
                    .take_while(|l| l.ends_with('\n') && l.trim().is_empty())
                    .map(str::len)
                    .sum::<usize>();
                return old[blank..].to_string();
            }
            // Keep one blank line between the carried comments and what follows.
            let old_starts_blank = old
                .split_inclusive('\n')
                .next()
                .is_some_and(|l| l.ends_with('\n') && l.trim().is_empty());
            if old_starts_blank || old.is_empty() && carry.target.is_none() {
                format!("{}{old}", carry.trimmed)
            } else {
                format!("{}{old}", carry.full)
            }
        };
        match &carry.target {
            None => {
                let old = doc.trailing().as_str().unwrap_or_default().to_string();
                doc.set_trailing(join(&old));
            }
            Some(unit) => {
                let default = if unit.is_header { "\n" } else { "" };
                with_unit_decor(doc.as_table_mut(), unit, |decor| {
                    let old = decor
                        .prefix()
                        .and_then(|p| p.as_str())
                        .unwrap_or(default)
                        .to_string();
                    decor.set_prefix(join(&old));
                });
            }
        }
    }
}

/// Runs `f` on the decor holding `unit`'s prefix, if the unit still exists.
fn with_unit_decor(root: &mut Table, unit: &Unit, f: impl FnOnce(&mut Decor)) {
    let mut table = root;
    for segment in &unit.table {
        let next = match (table.get_mut(&segment.key), segment.index) {
            (Some(Item::Table(t)), None) => Some(t),
            (Some(Item::ArrayOfTables(array)), Some(index)) => array.get_mut(index),
            _ => None,
        };
        let Some(next) = next else {
            return;
        };
        table = next;
    }
    if unit.is_header {
        f(table.decor_mut());
        return;
    }
    let Some((last, dotted)) = unit.body.split_last() else {
        return;
    };
    for key in dotted {
        let Some(next) = table.get_mut(key).and_then(Item::as_table_mut) else {
            return;
        };
        table = next;
    }
    if let Some(mut key) = table.key_mut(last) {
        f(key.leaf_decor_mut());
    }
}

fn max_position(table: &Table) -> Option<isize> {
    fold_positions(table, &|a: isize, b: isize| a.max(b))
}

fn min_position(table: &Table) -> Option<isize> {
    fold_positions(table, &|a: isize, b: isize| a.min(b))
}

fn fold_positions(table: &Table, pick: &dyn Fn(isize, isize) -> isize) -> Option<isize> {
    let mut best = table.position();
    let mut consider = |p: Option<isize>| {
        if let Some(p) = p {
            best = Some(best.map_or(p, |b| pick(b, p)));
        }
    };
    for (_, item) in table.iter() {
        match item {
            Item::Table(child) => consider(fold_positions(child, pick)),
            Item::ArrayOfTables(array) => {
                for child in array.iter() {
                    consider(fold_positions(child, pick));
                }
            }
            _ => {}
        }
    }
    best
}

#[allow(clippy::disallowed_methods)]
#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::{Arc, Barrier};
    use std::time::Duration;

    use pretty_assertions::assert_eq;
    use proptest::prelude::*;

    use super::*;
    use crate::types::OAuthClientConfig;

    /// A hand-written file with comments, unknown keys and two servers.
    const RICH: &str = r#"# mcpctl config
# managed by hand

model = "o3" # the model
unknown_key = { a = 1 }

# Settings of something else
[other]
keep = true   # odd spacing
# commented_out = 1

# GitHub server
[mcp_servers.github]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-github"]
enabled = false # off for now
startup_timeout_sec = 20.0

[mcp_servers.github.env]
GITHUB_TOKEN = "secret-token"

# docs server
[mcp_servers.docs]
url = "https://example.com/mcp"
x_unknown = "kept"

[projects."/home/me/work"]
trust_level = "trusted"
# end of file
"#;

    fn name(s: &str) -> ServerName {
        ServerName::parse(s).unwrap()
    }

    fn stdio(command: &str, args: &[&str], env: &[(&str, &str)]) -> McpServerConfig {
        McpServerConfig::new(Transport::Stdio(crate::StdioTransport {
            command: command.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            env_vars: Vec::new(),
            cwd: None,
        }))
    }

    /// A writer on `config.toml` in a fresh temporary folder, with `text` written first.
    fn setup(text: Option<&str>) -> (tempfile::TempDir, ConfigWriter) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        if let Some(text) = text {
            fs::write(&path, text).unwrap();
        }
        (dir, ConfigWriter::new(path))
    }

    fn read(writer: &ConfigWriter) -> String {
        fs::read_to_string(writer.path()).unwrap()
    }

    /// Replaces the one occurrence of `from` in `text`.
    fn edited(text: &str, from: &str, to: &str) -> String {
        assert_eq!(text.matches(from).count(), 1, "{from:?}");
        text.replacen(from, to, 1)
    }

    #[test]
    fn add_goes_after_the_last_server_with_subtables() {
        let (_dir, writer) = setup(Some(RICH));
        let mut server = stdio("cmd", &["a", "b c"], &[("B", "2"), ("A", "1")]);
        server.startup_timeout = Some(Duration::from_millis(1500));
        server.tool_timeout = Some(Duration::from_secs(60));
        server.required = true;
        let outcome = writer
            .upsert_server(&name("new"), &server, UpsertMode::CreateOnly, None)
            .unwrap();
        let expected = edited(
            RICH,
            "x_unknown = \"kept\"\n",
            r#"x_unknown = "kept"

[mcp_servers.new]
command = "cmd"
args = ["a", "b c"]
required = true
startup_timeout_sec = 1.5
tool_timeout_sec = 60.0

[mcp_servers.new.env]
A = "1"
B = "2"
"#,
        );
        assert_eq!(read(&writer), expected);
        assert!(outcome.changed);
        assert!(!outcome.created_file);
        assert_eq!(outcome.version, Version::of(expected.as_bytes()));
        assert_eq!(outcome.version, writer.version().unwrap());
    }

    #[test]
    fn add_http_server_with_every_key_in_order() {
        let (_dir, writer) = setup(Some("[other]\nk = 1\n"));
        let mut server = McpServerConfig::new(Transport::StreamableHttp(crate::HttpTransport {
            url: "https://x.example/mcp".to_string(),
            bearer_token_env_var: Some("TOKEN".to_string()),
            http_headers: BTreeMap::from([("X-A".to_string(), "a".to_string())]),
            env_http_headers: BTreeMap::from([("X-B".to_string(), "B_VAR".to_string())]),
        }));
        server.enabled = false;
        server.startup_timeout = Some(Duration::from_secs(20));
        server.enabled_tools = Some(vec!["t1".to_string()]);
        server.disabled_tools = Some(vec![]);
        server.scopes = Some(vec!["read".to_string()]);
        server.oauth_resource = Some("https://x.example".to_string());
        server.oauth = Some(OAuthClientConfig {
            client_id: Some("id".to_string()),
            client_secret: Some("shh".to_string()),
            ..OAuthClientConfig::default()
        });
        writer
            .upsert_server(&name("remote"), &server, UpsertMode::CreateOnly, None)
            .unwrap();
        assert_eq!(
            read(&writer),
            r#"[other]
k = 1

[mcp_servers.remote]
url = "https://x.example/mcp"
bearer_token_env_var = "TOKEN"
enabled = false
startup_timeout_sec = 20.0
enabled_tools = ["t1"]
disabled_tools = []
scopes = ["read"]
oauth_resource = "https://x.example"

[mcp_servers.remote.http_headers]
X-A = "a"

[mcp_servers.remote.env_http_headers]
X-B = "B_VAR"

[mcp_servers.remote.oauth]
client_id = "id"
client_secret = "shh"
"#
        );
    }

    #[test]
    fn add_to_missing_file_creates_private_file_and_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("home/.mcpctl/config.toml");
        let writer = ConfigWriter::new(&path);
        assert_eq!(writer.version().unwrap(), Version::of(b""));
        let outcome = writer
            .upsert_server(
                &name("x"),
                &stdio("run", &[], &[]),
                UpsertMode::CreateOnly,
                None,
            )
            .unwrap();
        assert!(outcome.changed && outcome.created_file);
        assert_eq!(read(&writer), "[mcp_servers.x]\ncommand = \"run\"\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
    }

    #[cfg(unix)]
    #[test]
    fn existing_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt as _;
        let (_dir, writer) = setup(Some("a = 1\n"));
        fs::set_permissions(writer.path(), fs::Permissions::from_mode(0o640)).unwrap();
        writer
            .upsert_server(
                &name("x"),
                &stdio("run", &[], &[]),
                UpsertMode::CreateOnly,
                None,
            )
            .unwrap();
        let mode = fs::metadata(writer.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[cfg(unix)]
    #[test]
    fn writes_through_a_symlink() {
        let (dir, writer) = setup(None);
        let real = dir.path().join("dotfiles.toml");
        fs::write(&real, "a = 1\n").unwrap();
        std::os::unix::fs::symlink(&real, writer.path()).unwrap();
        writer
            .set_value(&["b".to_string()], Value::from(2), None)
            .unwrap();
        assert!(
            fs::symlink_metadata(writer.path())
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "a = 1\nb = 2\n");
    }

    #[test]
    fn add_to_file_without_servers_appends_table_without_parent_header() {
        let text = "# top\nmodel = \"o3\"\n\n[other] # c\nk = 1\n";
        let (_dir, writer) = setup(Some(text));
        writer
            .upsert_server(
                &name("x"),
                &stdio("run", &["-v"], &[]),
                UpsertMode::CreateOnly,
                None,
            )
            .unwrap();
        assert_eq!(
            read(&writer),
            format!("{text}\n[mcp_servers.x]\ncommand = \"run\"\nargs = [\"-v\"]\n")
        );
    }

    #[test]
    fn names_with_dots_and_slashes_are_quoted() {
        let (_dir, writer) = setup(Some(""));
        for n in ["a.b", "org/x", "plain"] {
            writer
                .upsert_server(
                    &name(n),
                    &stdio("c", &[], &[("K", "v")]),
                    UpsertMode::CreateOnly,
                    None,
                )
                .unwrap();
        }
        assert_eq!(
            read(&writer),
            r#"[mcp_servers."a.b"]
command = "c"

[mcp_servers."a.b".env]
K = "v"

[mcp_servers."org/x"]
command = "c"

[mcp_servers."org/x".env]
K = "v"

[mcp_servers.plain]
command = "c"

[mcp_servers.plain.env]
K = "v"
"#
        );
        writer.remove_server(&name("org/x"), None).unwrap();
        writer
            .set_server_enabled(&name("a.b"), false, None)
            .unwrap();
        let table: toml::Table = read(&writer).parse().unwrap();
        let servers = table["mcp_servers"].as_table().unwrap();
        assert_eq!(servers.keys().collect::<Vec<_>>(), ["a.b", "plain"]);
        assert_eq!(servers["a.b"]["enabled"].as_bool(), Some(false));
    }

    #[test]
    fn create_only_refuses_an_existing_server() {
        let (_dir, writer) = setup(Some(RICH));
        let err = writer
            .upsert_server(
                &name("github"),
                &stdio("x", &[], &[]),
                UpsertMode::CreateOnly,
                None,
            )
            .unwrap_err();
        assert!(matches!(err, WriteError::ServerExists { .. }));
        assert_eq!(
            err.to_string(),
            format!(
                "MCP server 'github' already exists in {}; pass --replace to overwrite it",
                writer.path().display()
            )
        );
        assert_eq!(read(&writer), RICH);
    }

    #[test]
    fn replace_keeps_position_and_comment_above() {
        let (_dir, writer) = setup(Some(RICH));
        writer
            .upsert_server(
                &name("github"),
                &stdio("docker", &["run"], &[("T", "x")]),
                UpsertMode::Replace,
                None,
            )
            .unwrap();
        let expected = edited(
            RICH,
            r#"command = "npx"
args = ["-y", "@modelcontextprotocol/server-github"]
enabled = false # off for now
startup_timeout_sec = 20.0

[mcp_servers.github.env]
GITHUB_TOKEN = "secret-token"
"#,
            r#"command = "docker"
args = ["run"]

[mcp_servers.github.env]
T = "x"
"#,
        );
        assert_eq!(read(&writer), expected);
    }

    #[test]
    fn replace_with_same_content_changes_nothing() {
        let text = "# c\n[mcp_servers.x]\ncommand = \"run\"\n";
        let (_dir, writer) = setup(Some(text));
        let outcome = writer
            .upsert_server(
                &name("x"),
                &stdio("run", &[], &[]),
                UpsertMode::Replace,
                None,
            )
            .unwrap();
        assert!(!outcome.changed);
        assert_eq!(outcome.version, Version::of(text.as_bytes()));
    }

    #[test]
    fn remove_drops_subtables_and_attached_comments_only() {
        let (_dir, writer) = setup(Some(RICH));
        let outcome = writer.remove_server(&name("github"), None).unwrap();
        assert!(outcome.changed);
        let expected = edited(
            RICH,
            r#"# GitHub server
[mcp_servers.github]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-github"]
enabled = false # off for now
startup_timeout_sec = 20.0

[mcp_servers.github.env]
GITHUB_TOKEN = "secret-token"

"#,
            "",
        );
        assert_eq!(read(&writer), expected);
    }

    #[test]
    fn remove_last_server_leaves_nothing_of_implicit_parent() {
        let text = "a = 1\n\n# about x\n[mcp_servers.x]\ncommand = \"c\"\n\n[mcp_servers.x.env]\nK = \"v\"\n";
        let (_dir, writer) = setup(Some(text));
        writer.remove_server(&name("x"), None).unwrap();
        assert_eq!(read(&writer), "a = 1\n");
    }

    #[test]
    fn remove_keeps_detached_comment_at_end_of_file() {
        let text = "[a]\nk = 1\n# k2 = 2\n\n# about x\n[mcp_servers.x]\ncommand = \"c\"\n";
        let (_dir, writer) = setup(Some(text));
        writer.remove_server(&name("x"), None).unwrap();
        assert_eq!(read(&writer), "[a]\nk = 1\n# k2 = 2\n");
    }

    #[test]
    fn remove_missing_server_is_an_error() {
        let (_dir, writer) = setup(Some(RICH));
        let err = writer.remove_server(&name("nope"), None).unwrap_err();
        assert!(matches!(err, WriteError::ServerNotFound { .. }), "{err}");
        assert_eq!(read(&writer), RICH);
    }

    #[test]
    fn enable_removes_enabled_false() {
        let (_dir, writer) = setup(Some(RICH));
        writer
            .set_server_enabled(&name("github"), true, None)
            .unwrap();
        let expected = edited(RICH, "enabled = false # off for now\n", "");
        assert_eq!(read(&writer), expected);
    }

    #[test]
    fn enable_without_enabled_key_changes_nothing() {
        let (_dir, writer) = setup(Some(RICH));
        let outcome = writer
            .set_server_enabled(&name("docs"), true, None)
            .unwrap();
        assert!(!outcome.changed);
        assert_eq!(read(&writer), RICH);
    }

    #[test]
    fn disable_inserts_after_transport_keys() {
        let (_dir, writer) = setup(Some(RICH));
        writer
            .set_server_enabled(&name("docs"), false, None)
            .unwrap();
        let expected = edited(
            RICH,
            "url = \"https://example.com/mcp\"\n",
            "url = \"https://example.com/mcp\"\nenabled = false\n",
        );
        assert_eq!(read(&writer), expected);
        // Already disabled: nothing to do.
        let outcome = writer
            .set_server_enabled(&name("github"), false, None)
            .unwrap();
        assert!(!outcome.changed);
    }

    #[test]
    fn disable_replaces_enabled_true_keeping_comment() {
        let text = "[mcp_servers.x]\ncommand = \"c\"\nenabled = true # on\n";
        let (_dir, writer) = setup(Some(text));
        writer.set_server_enabled(&name("x"), false, None).unwrap();
        assert_eq!(
            read(&writer),
            "[mcp_servers.x]\ncommand = \"c\"\nenabled = false # on\n"
        );
    }

    #[test]
    fn inline_and_dotted_servers_are_edited_in_place() {
        let text = r#"[mcp_servers]
# about b
b.command = "y"
b.args = ["1"]
c = { command = "z" } # c

[zz]
q = 1
"#;
        let (_dir, writer) = setup(Some(text));
        let server = stdio("new", &[], &[("K", "v")]);
        writer
            .upsert_server(&name("b"), &server, UpsertMode::Replace, None)
            .unwrap();
        writer
            .upsert_server(&name("c"), &server, UpsertMode::Replace, None)
            .unwrap();
        writer.set_server_enabled(&name("b"), false, None).unwrap();
        writer.set_server_enabled(&name("c"), false, None).unwrap();
        assert_eq!(
            read(&writer),
            r#"[mcp_servers]
# about b
b.command = "new"
b.enabled = false
b.env = { K = "v" }
c = { command = "new", enabled = false, env = { K = "v" } } # c

[zz]
q = 1
"#
        );
        writer.set_server_enabled(&name("c"), true, None).unwrap();
        writer.set_server_enabled(&name("b"), true, None).unwrap();
        assert_eq!(
            read(&writer),
            r#"[mcp_servers]
# about b
b.command = "new"
b.env = { K = "v" }
c = { command = "new", env = { K = "v" } } # c

[zz]
q = 1
"#
        );
        writer.remove_server(&name("b"), None).unwrap();
        writer.remove_server(&name("c"), None).unwrap();
        assert_eq!(read(&writer), "[mcp_servers]\n\n[zz]\nq = 1\n");
    }

    #[test]
    fn root_dotted_and_inline_parent_forms() {
        let (_dir, writer) = setup(Some("mcp_servers.a.command = \"x\"\n"));
        writer
            .upsert_server(
                &name("b"),
                &stdio("y", &[], &[]),
                UpsertMode::CreateOnly,
                None,
            )
            .unwrap();
        writer.set_server_enabled(&name("a"), false, None).unwrap();
        assert_eq!(
            read(&writer),
            "mcp_servers.a.command = \"x\"\nmcp_servers.a.enabled = false\n\n[mcp_servers.b]\ncommand = \"y\"\n"
        );
        writer.remove_server(&name("a"), None).unwrap();
        assert_eq!(read(&writer), "[mcp_servers.b]\ncommand = \"y\"\n");

        let (_dir, writer) = setup(Some("mcp_servers = { a = { command = \"x\" } }\n"));
        writer
            .upsert_server(
                &name("b"),
                &stdio("y", &[], &[]),
                UpsertMode::CreateOnly,
                None,
            )
            .unwrap();
        writer.remove_server(&name("a"), None).unwrap();
        assert_eq!(read(&writer), "mcp_servers = { b = { command = \"y\" } }\n");
    }

    #[test]
    fn non_table_keys_are_refused_by_name() {
        let (_dir, writer) = setup(Some("mcp_servers = \"oops\"\n"));
        let err = writer
            .upsert_server(
                &name("x"),
                &stdio("c", &[], &[]),
                UpsertMode::CreateOnly,
                None,
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: `mcp_servers` is string, not a table; fix or remove it by hand",
                writer.path().display()
            )
        );

        let (_dir, writer) = setup(Some("[mcp_servers]\n\"a.b\" = 3\n"));
        let err = writer
            .set_server_enabled(&name("a.b"), false, None)
            .unwrap_err();
        assert!(
            matches!(&err, WriteError::NotATable { key, .. } if key == "mcp_servers.\"a.b\""),
            "{err}"
        );
        // A broken entry can still be removed.
        writer.remove_server(&name("a.b"), None).unwrap();
        assert_eq!(read(&writer), "[mcp_servers]\n");

        let (_dir, writer) = setup(Some("[[projects]]\nx = 1\n"));
        let err = writer.set_project_trusted(Path::new("/p")).unwrap_err();
        assert!(
            matches!(&err, WriteError::NotATable { key, found: "array of tables", .. } if key == "projects"),
            "{err}"
        );
    }

    #[test]
    fn conflict_refuses_and_leaves_file_alone() {
        let (_dir, writer) = setup(Some(RICH));
        let before = writer.version().unwrap();
        fs::write(writer.path(), format!("{RICH}\n# edited\n")).unwrap();
        let changed = read(&writer);
        let err = writer
            .remove_server(&name("docs"), Some(&before))
            .unwrap_err();
        let WriteError::Conflict {
            expected, actual, ..
        } = &err
        else {
            panic!("{err}");
        };
        assert_eq!(expected, &before);
        assert_eq!(actual, &Version::of(changed.as_bytes()));
        assert_eq!(read(&writer), changed);

        let current = writer.version().unwrap();
        let outcome = writer.remove_server(&name("docs"), Some(&current)).unwrap();
        assert!(outcome.changed);
        assert_eq!(outcome.version, writer.version().unwrap());
    }

    #[test]
    fn malformed_file_is_refused_with_location() {
        let text = "a = 1\n[t]\nabc = @\n";
        let (_dir, writer) = setup(Some(text));
        let err = writer
            .upsert_server(
                &name("x"),
                &stdio("c", &[], &[]),
                UpsertMode::CreateOnly,
                None,
            )
            .unwrap_err();
        let message = err.to_string();
        let location = format!("{}:3:7: ", writer.path().display());
        assert!(message.starts_with(&location), "{message}");
        assert!(message.ends_with("\nabc = @\n      ^"), "{message}");
        assert_eq!(read(&writer), text);
    }

    #[test]
    fn a_held_lock_names_its_holder_and_times_out() {
        let (_dir, writer) = setup(None);
        let holder = lock(writer.path(), Duration::from_secs(1), None).unwrap();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = std::sync::Arc::clone(&seen);
        let waiting = writer
            .clone()
            .with_lock_timeout(Duration::from_millis(1500))
            .with_wait_notice(std::sync::Arc::new(move |m: &str| {
                log.lock().unwrap().push(m.to_string())
            }));
        let started = std::time::Instant::now();
        let err = waiting
            .set_value(&["a".to_string()], Value::from(1), None)
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(3));
        let message = err.to_string();
        let me = format!("mcpctl (pid {})", std::process::id());
        assert!(
            message.contains(&format!("waiting for {me} to release")),
            "{message}"
        );
        assert!(message.contains("config.toml.lock"), "{message}");
        let notices = seen.lock().unwrap().clone();
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(
            notices[0].starts_with(&format!("waiting for {me} to release")),
            "{notices:?}"
        );
        drop(holder);
        waiting
            .set_value(&["a".to_string()], Value::from(1), None)
            .unwrap();
        assert_eq!(read(&writer), "a = 1\n");
    }

    #[test]
    fn an_edit_is_redone_when_the_file_changes_under_it() {
        let (_dir, writer) = setup(Some("a = 1\n"));
        let path = writer.path().to_path_buf();
        let calls = std::sync::atomic::AtomicU32::new(0);
        // The first time the edit runs, another program (no lock) rewrites the file.
        let outcome = writer
            .edit(None, |doc| {
                if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                    fs::write(&path, "a = 1\nfrom_codex = true\n").unwrap();
                }
                doc["mine"] = toml_edit::value(true);
                Ok(())
            })
            .unwrap();
        assert!(outcome.changed);
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
        assert_eq!(read(&writer), "a = 1\nfrom_codex = true\nmine = true\n");
    }

    #[test]
    fn invalid_utf8_is_refused_with_location() {
        let (_dir, writer) = setup(None);
        fs::write(writer.path(), b"a = 1\nb = \"\xff\"\n").unwrap();
        let message = writer
            .remove_server(&name("x"), None)
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with(&format!("{}:2:6: not valid UTF-8", writer.path().display())),
            "{message}"
        );
    }

    #[test]
    fn errors_never_show_secret_values() {
        let (_dir, writer) = setup(Some(RICH));
        let server = stdio("c", &[], &[("TOKEN", "hunter2")]);
        let err = writer
            .upsert_server(&name("github"), &server, UpsertMode::CreateOnly, None)
            .unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
        assert!(!format!("{err:?}").contains("secret-token"));
    }

    #[test]
    fn project_trust_and_generic_values() {
        let (_dir, writer) = setup(Some(RICH));
        writer.set_project_trusted(Path::new("/x/y")).unwrap();
        let again = writer.set_project_trusted(Path::new("/x/y")).unwrap();
        assert!(!again.changed);
        let expected = edited(
            RICH,
            "# end of file\n",
            "# end of file\n\n[projects.\"/x/y\"]\ntrust_level = \"trusted\"\n",
        );
        assert_eq!(read(&writer), expected);

        let key = |parts: &[&str]| parts.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        writer
            .set_value(&key(&["model"]), Value::from("gpt-5"), None)
            .unwrap();
        writer
            .set_value(&key(&["features", "web", "on"]), Value::from(true), None)
            .unwrap();
        writer
            .set_value(&key(&["unknown_key", "b"]), Value::from(2), None)
            .unwrap();
        writer
            .set_value(
                &key(&["mcp_servers", "docs", "enabled"]),
                Value::from(false),
                None,
            )
            .unwrap();
        let expected = edited(
            &expected,
            "model = \"o3\" # the model",
            "model = \"gpt-5\" # the model",
        );
        let expected = edited(&expected, "{ a = 1 }", "{ a = 1, b = 2 }");
        let expected = edited(
            &expected,
            "x_unknown = \"kept\"\n",
            "x_unknown = \"kept\"\nenabled = false\n",
        );
        let expected = format!("{expected}\n[features.web]\non = true\n");
        assert_eq!(read(&writer), expected);

        writer
            .remove_value(&key(&["features", "web", "on"]), None)
            .unwrap();
        writer
            .remove_value(&key(&["unknown_key", "b"]), None)
            .unwrap();
        writer
            .remove_value(&key(&["mcp_servers", "docs", "enabled"]), None)
            .unwrap();
        writer.remove_value(&key(&["model"]), None).unwrap();
        let missing = writer.remove_value(&key(&["no", "such"]), None).unwrap();
        assert!(!missing.changed);
        let expected = edited(
            RICH,
            "# end of file\n",
            "# end of file\n\n[projects.\"/x/y\"]\ntrust_level = \"trusted\"\n",
        );
        // The header comment sat above `model`, separated by a blank line, so it stays.
        let expected = edited(&expected, "model = \"o3\" # the model\n", "");
        assert_eq!(read(&writer), expected);

        let err = writer.set_value(&[], Value::from(1), None).unwrap_err();
        assert!(matches!(err, WriteError::Invalid { .. }));
    }

    #[test]
    fn set_value_creates_server_override_table() {
        let (_dir, writer) = setup(Some("[other]\nk = 1\n"));
        let key = ["mcp_servers", "x", "enabled"].map(String::from);
        writer.set_value(&key, Value::from(false), None).unwrap();
        assert_eq!(
            read(&writer),
            "[other]\nk = 1\n\n[mcp_servers.x]\nenabled = false\n"
        );
    }

    #[test]
    fn written_server_round_trips() {
        let (_dir, writer) = setup(None);
        let mut server = stdio("npx", &["-y", "pkg"], &[("A.B", "1"), ("C", "x\"y")]);
        if let Transport::Stdio(crate::StdioTransport { env_vars, cwd, .. }) = &mut server.transport
        {
            *env_vars = vec!["HOME".to_string()];
            *cwd = Some(PathBuf::from("/tmp/w d"));
        }
        server.tool_timeout = Some(Duration::from_millis(100));
        server.scopes = Some(vec!["a b".to_string()]);
        writer
            .upsert_server(&name("a.b/c"), &server, UpsertMode::CreateOnly, None)
            .unwrap();
        let written: toml::Table = toml::from_str(&read(&writer)).unwrap();
        let expected: toml::Table = toml::from_str(
            r#"mcp_servers = { "a.b/c" = { command = "npx", args = ["-y", "pkg"], env_vars = ["HOME"], cwd = "/tmp/w d", tool_timeout_sec = 0.1, scopes = ["a b"], env = { "A.B" = "1", C = 'x"y' } } }"#,
        )
        .unwrap();
        assert_eq!(written, expected);
    }

    #[test]
    fn version_display_and_parse() {
        let version = Version::of(b"");
        assert_eq!(
            version.to_string(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(version.as_str().parse::<Version>().unwrap(), version);
        let upper = version.as_str().replace("e3b0", "E3B0");
        assert_eq!(upper.parse::<Version>().unwrap(), version);
        assert!("sha256:abc".parse::<Version>().is_err());
        assert!(
            "md5:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                .parse::<Version>()
                .is_err()
        );
    }

    #[test]
    fn concurrent_threads_keep_every_server() {
        let (_dir, writer) = setup(Some("# shared\n"));
        let barrier = Arc::new(Barrier::new(50));
        let handles: Vec<_> = (0..50)
            .map(|i| {
                let writer = writer.clone();
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    barrier.wait();
                    writer
                        .upsert_server(
                            &name(&format!("s{i}")),
                            &stdio("c", &[], &[]),
                            UpsertMode::CreateOnly,
                            None,
                        )
                        .unwrap();
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        let table: toml::Table = read(&writer).parse().unwrap();
        assert_eq!(table["mcp_servers"].as_table().unwrap().len(), 50);
        assert!(read(&writer).starts_with("# shared\n"));
    }

    const CHILD_ENV: &str = "MCPCTL_WRITER_TEST_CHILD";

    /// Run by `concurrent_processes_keep_every_server` in child processes; not a test.
    #[test]
    #[ignore = "helper: run in child processes by concurrent_processes_keep_every_server"]
    fn child_process_adds_one_server() {
        let Ok(spec) = std::env::var(CHILD_ENV) else {
            return;
        };
        let (path, server) = spec.split_once('|').unwrap();
        ConfigWriter::new(path)
            .upsert_server(
                &name(server),
                &stdio("c", &[], &[]),
                UpsertMode::CreateOnly,
                None,
            )
            .unwrap();
    }

    #[test]
    fn concurrent_processes_keep_every_server() {
        let (_dir, writer) = setup(None);
        let exe = std::env::current_exe().unwrap();
        let children: Vec<_> = (0..100)
            .map(|i| {
                std::process::Command::new(&exe)
                    .args([
                        "--exact",
                        "writer::tests::child_process_adds_one_server",
                        "--ignored",
                        "--test-threads=1",
                        "--quiet",
                    ])
                    .env(CHILD_ENV, format!("{}|p{i}", writer.path().display()))
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut child in children {
            assert!(child.wait().unwrap().success());
        }
        let table: toml::Table = read(&writer).parse().unwrap();
        let servers = table["mcp_servers"].as_table().unwrap();
        assert_eq!(servers.len(), 100);
        assert!(servers.contains_key("p0") && servers.contains_key("p99"));
    }

    /// The seed of the property test: every part of it but the servers it adds must survive.
    const SEED_HEAD: &str = r#"# header comment block
# second line

top = 1 # top comment

# other table comment
[other]
a = "x"   # spaced
# trailing other comment
"#;

    const SEED_KEEP: &str = r#"
# the server never touched
[mcp_servers.keep]
command = "keep"
args = ["--x"] # why

[mcp_servers.keep.env]
K = "v"
"#;

    #[derive(Debug, Clone)]
    enum Op {
        Add {
            name: &'static str,
            replace: bool,
            enabled: bool,
        },
        Remove(&'static str),
        Enable(&'static str, bool),
    }

    fn op() -> impl Strategy<Value = Op> {
        let names = prop::sample::select(vec!["a", "b.c", "org/x", "n-1", "z@1"]);
        prop_oneof![
            (names.clone(), any::<bool>(), any::<bool>()).prop_map(|(name, replace, enabled)| {
                Op::Add {
                    name,
                    replace,
                    enabled,
                }
            }),
            names.clone().prop_map(Op::Remove),
            (names, any::<bool>()).prop_map(|(name, on)| Op::Enable(name, on)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn random_edits_touch_only_their_servers(ops in prop::collection::vec(op(), 1..12)) {
            let seed = format!("{SEED_HEAD}{SEED_KEEP}");
            let (_dir, writer) = setup(Some(&seed));
            let mut model: BTreeMap<&str, bool> = BTreeMap::new();
            for op in &ops {
                match *op {
                    Op::Add { name: n, replace, enabled } => {
                        let mut server = stdio("c", &["x"], &[("E", "1")]);
                        server.enabled = enabled;
                        let mode = if replace { UpsertMode::Replace } else { UpsertMode::CreateOnly };
                        let result = writer.upsert_server(&name(n), &server, mode, None);
                        if model.contains_key(n) && !replace {
                            prop_assert!(
                                matches!(result, Err(WriteError::ServerExists { .. })),
                                "{:?}",
                                result
                            );
                        } else {
                            prop_assert!(result.is_ok(), "{:?}", result);
                            model.insert(n, enabled);
                        }
                    }
                    Op::Remove(n) => {
                        let result = writer.remove_server(&name(n), None);
                        if model.remove(n).is_some() {
                            prop_assert!(result.is_ok(), "{:?}", result);
                        } else {
                            prop_assert!(
                                matches!(result, Err(WriteError::ServerNotFound { .. })),
                                "{:?}",
                                result
                            );
                        }
                    }
                    Op::Enable(n, on) => {
                        let result = writer.set_server_enabled(&name(n), on, None);
                        if let Some(enabled) = model.get_mut(n) {
                            prop_assert!(result.is_ok(), "{:?}", result);
                            *enabled = on;
                        } else {
                            prop_assert!(
                                matches!(result, Err(WriteError::ServerNotFound { .. })),
                                "{:?}",
                                result
                            );
                        }
                    }
                }
                let text = read(&writer);
                let table: toml::Table = text.parse().map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
                prop_assert!(text.starts_with(SEED_HEAD), "{}", text);
                prop_assert!(text.contains(SEED_KEEP), "{}", text);
                let servers = table["mcp_servers"].as_table().unwrap();
                let found: BTreeMap<&str, bool> = servers
                    .iter()
                    .filter(|(k, _)| *k != "keep")
                    .map(|(k, v)| (k.as_str(), v.get("enabled").and_then(toml::Value::as_bool).unwrap_or(true)))
                    .collect();
                prop_assert_eq!(&found, &model);
                prop_assert_eq!(servers.keys().filter(|k| *k == "keep").count(), 1);
            }
            let names: BTreeSet<&str> = model.keys().copied().collect();
            prop_assert!(names.len() <= 5);
        }
    }
}
