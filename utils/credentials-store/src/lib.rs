//! Stores the OAuth credentials of MCP servers: in the OS keyring, in a private file, or
//! `auto` (the keyring when one answers, else the file), per `mcp_oauth_credentials_store`.
//!
//! The formats are Codex's, so a Codex home used as `MCPCTL_HOME` shares logins both ways:
//! - **File**: `<home>/.credentials.json`, mode 0600, one entry per server under the key
//!   `<name>|<first 16 hex of sha256('{"type":"http","url":"<url>","headers":{}}')>`
//!   ([`StoreKey`]) with the fields `server_name, server_url, issuer, client_id, access_token,
//!   expires_at` (ms), `refresh_token, scopes`. Rewritten atomically (temporary file, fsync,
//!   rename) under Codex's lock `mcp-oauth-locks/file-store.lock`; deleted when its last entry
//!   goes. A file that is not valid JSON is an error naming it, never replaced.
//! - **Keyring**: the Secret Service item of service [`CODEX_KEYRING_SERVICE`], account the
//!   store key, holding Codex's JSON (`{server_name, url, issuer, client_id, token_response,
//!   expires_at}`), through keyring-core and its pure-Rust zbus store.
//! - What Codex's entry has no field for ([`ClientDetails`]: a confidential client's secret, the
//!   registered token endpoint auth method, the token and revocation endpoints, the `resource`)
//!   lives in mcpctl's own entry under the same key, `<home>/.mcpctl-credentials.json` or the
//!   keyring service [`MCPCTL_KEYRING_SERVICE`], because Codex drops unknown fields whenever it
//!   rewrites its file.
//!
//! Refreshes are serialised across processes by [`CredentialStore::lock_for_refresh`], Codex's
//! per-credential lock `mcp-oauth-locks/<sha256 of the key>.lock`: take it, re-load, refresh
//! only if the credential still needs it, save, drop the guard.
//!
//! Everything here blocks (file locks, D-Bus). From async code, call it inside
//! `tokio::task::spawn_blocking`; the keyring client must never run on a tokio task. Nothing
//! is printed; errors ([`StoreError`]) are one sentence with the cause and the fix, and never
//! contain a token or secret ([`Secret`]'s `Debug` is `*****`).
//!
//! ```no_run
//! use mcpctl_credentials_store::{CredentialStore, StoreKey, StoreMode};
//! # fn main() -> Result<(), mcpctl_credentials_store::StoreError> {
//! let store = CredentialStore::new("/home/me/.mcpctl", StoreMode::Auto);
//! let key = StoreKey::new("docs", "https://example.com/mcp");
//! if let Some(found) = store.load(&key)? {
//!     println!("logged in ({}), client {}", found.location, found.credentials.client_id);
//! }
//! # Ok(()) }
//! ```

mod codex_format;
mod credentials;
mod error;
mod file_store;
mod key;
mod keyring_store;
mod lock;
mod secret;
mod store;

pub use credentials::{
    ClientDetails, Deleted, Loaded, Location, StoreMode, StoredCredentials, UnknownStoreMode,
};
pub use error::StoreError;
pub use file_store::{CREDENTIALS_FILE, SIDE_FILE};
pub use key::StoreKey;
pub use keyring_store::{CODEX_KEYRING_SERVICE, MCPCTL_KEYRING_SERVICE};
pub use lock::{FILE_STORE_LOCK, LOCK_DIR};
pub use secret::Secret;
pub use store::{CredentialStore, RefreshGuard};
