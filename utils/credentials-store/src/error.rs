//! Errors of the credential stores: one sentence each, naming the cause, the place and the fix.

use std::path::PathBuf;
use std::time::Duration;

use thiserror::Error;

/// Everything that can go wrong while reading, writing or locking stored credentials.
///
/// Messages never contain a token or a client secret.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The credentials file is not a JSON object. It is left exactly as it was.
    #[error(
        "{}: not a valid credentials file ({reason}); mcpctl leaves it untouched: fix it, or \
         move it away and log in again",
        path.display()
    )]
    CorruptFile {
        /// The file.
        path: PathBuf,
        /// What the JSON parser said (a position, never the content).
        reason: String,
    },
    /// One entry of the credentials file has the wrong shape.
    #[error(
        "{}: the entry {key:?} is not a valid OAuth credential ({reason}); remove that entry, \
         then log in again",
        path.display()
    )]
    CorruptEntry {
        /// The file.
        path: PathBuf,
        /// The entry's key (`<server>|<hash>`).
        key: String,
        /// What the JSON parser said.
        reason: String,
    },
    /// A file or folder operation failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done ("read", "write", "create", "lock", ...).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Another process held a lock for longer than the timeout.
    #[error(
        "timed out after {}s waiting for the lock {}: another mcpctl or Codex process is \
         updating these credentials; try again when it has finished",
        waited.as_secs(),
        path.display()
    )]
    LockTimeout {
        /// The lock file.
        path: PathBuf,
        /// How long we waited.
        waited: Duration,
    },
    /// No Secret Service answered (no session bus, or no keyring daemon on it).
    #[error(
        "no OS keyring is available ({reason}); start a Secret Service such as gnome-keyring \
         in this session, or set mcp_oauth_credentials_store = \"file\""
    )]
    KeyringUnavailable {
        /// What the connection attempt said.
        reason: String,
    },
    /// The keyring answered but is locked, and unlocking needs a prompt nobody can answer.
    #[error(
        "the OS keyring is locked ({reason}); unlock it (log in to the desktop session, or run \
         `gnome-keyring-daemon --unlock`), or set mcp_oauth_credentials_store = \"file\""
    )]
    KeyringLocked {
        /// What the keyring said.
        reason: String,
    },
    /// A keyring item exists but does not hold a credential mcpctl can read.
    #[error(
        "the keyring item {service:?} / {account:?} is not a valid OAuth credential ({reason}); \
         delete it (`secret-tool clear service {service:?} username {account:?}`) and log in again"
    )]
    CorruptKeyringEntry {
        /// The item's service attribute.
        service: String,
        /// The item's account (username) attribute.
        account: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Several keyring items match one credential.
    #[error(
        "{count} keyring items match {service:?} / {account:?}; delete them \
         (`secret-tool clear service {service:?} username {account:?}`) and log in again"
    )]
    AmbiguousKeyringEntry {
        /// The items' service attribute.
        service: String,
        /// The items' account attribute.
        account: String,
        /// How many matched.
        count: usize,
    },
    /// Any other keyring failure.
    #[error(
        "the OS keyring failed ({reason}); try again, or set mcp_oauth_credentials_store = \
         \"file\""
    )]
    Keyring {
        /// What the keyring said.
        reason: String,
    },
}
