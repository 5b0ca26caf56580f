//! The keyring store: the Secret Service through keyring-core and its pure-Rust zbus store.
//!
//! Every call here blocks on D-Bus. The zbus store runs its own executor and must not be driven
//! from inside a tokio task: async callers wrap store calls in `tokio::task::spawn_blocking`.

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::{CredentialStore as KeyringBackend, Entry, Error as KeyringError};

use crate::error::StoreError;

/// The keyring service of Codex's MCP OAuth entries; the account is the [`StoreKey`]
/// (`<name>|<hash>`). Items carry the attributes `service`, `username` and `target=default`,
/// as the keyring crate 3.x that Codex uses writes and searches them.
///
/// [`StoreKey`]: crate::StoreKey
pub const CODEX_KEYRING_SERVICE: &str = "Codex MCP Credentials";
/// The keyring service of mcpctl's client details (see [`ClientDetails`]), same account.
///
/// [`ClientDetails`]: crate::ClientDetails
pub const MCPCTL_KEYRING_SERVICE: &str = "mcpctl MCP OAuth Client";

pub(crate) struct Keyring {
    backend: Arc<KeyringBackend>,
}

impl Keyring {
    /// Connects to the Secret Service on the session bus.
    pub fn connect() -> Result<Self, StoreError> {
        let store = zbus_secret_service_keyring_store::store::Store::new().map_err(|e| {
            StoreError::KeyringUnavailable {
                reason: platform_reason(&e),
            }
        })?;
        let backend: Arc<KeyringBackend> = store;
        Ok(Self { backend })
    }

    fn entry(&self, service: &str, account: &str) -> Result<Entry, StoreError> {
        let label = format!("{account}@{service}");
        let modifiers = HashMap::from([("target", "default"), ("label", label.as_str())]);
        Entry::new_in_store_with_modifiers(&self.backend, service, account, &modifiers)
            .map_err(|e| map_error(e, service, account))
    }

    pub fn get(&self, service: &str, account: &str) -> Result<Option<String>, StoreError> {
        match self.entry(service, account)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e, service, account)),
        }
    }

    pub fn set(&self, service: &str, account: &str, value: &str) -> Result<(), StoreError> {
        self.entry(service, account)?
            .set_password(value)
            .map_err(|e| map_error(e, service, account))
    }

    pub fn delete(&self, service: &str, account: &str) -> Result<bool, StoreError> {
        match self.entry(service, account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(KeyringError::NoEntry) => Ok(false),
            Err(e) => Err(map_error(e, service, account)),
        }
    }
}

/// The platform error's text; keyring errors that carry secret bytes are never formatted.
fn platform_reason(e: &KeyringError) -> String {
    match e {
        KeyringError::PlatformFailure(inner) | KeyringError::NoStorageAccess(inner) => {
            inner.to_string()
        }
        KeyringError::BadEncoding(_) | KeyringError::BadDataFormat(..) => {
            "the stored value is not UTF-8 text".to_owned()
        }
        other => other.to_string(),
    }
}

fn map_error(e: KeyringError, service: &str, account: &str) -> StoreError {
    let reason = platform_reason(&e);
    match e {
        KeyringError::NoStorageAccess(_) => StoreError::KeyringLocked { reason },
        // The Secret Service reports a locked collection on write as a failed prompt.
        KeyringError::PlatformFailure(_) if looks_locked(&reason) => {
            StoreError::KeyringLocked { reason }
        }
        KeyringError::PlatformFailure(_) if looks_unreachable(&reason) => {
            StoreError::KeyringUnavailable { reason }
        }
        KeyringError::BadEncoding(_) | KeyringError::BadDataFormat(..) => {
            StoreError::CorruptKeyringEntry {
                service: service.to_owned(),
                account: account.to_owned(),
                reason,
            }
        }
        KeyringError::Ambiguous(entries) => StoreError::AmbiguousKeyringEntry {
            service: service.to_owned(),
            account: account.to_owned(),
            count: entries.len(),
        },
        _ => StoreError::Keyring { reason },
    }
}

fn looks_locked(reason: &str) -> bool {
    let r = reason.to_ascii_lowercase();
    r.contains("locked") || r.contains("prompt") || r.contains("dismissed")
}

fn looks_unreachable(reason: &str) -> bool {
    let r = reason.to_ascii_lowercase();
    r.contains("serviceunknown")
        || r.contains("not provided by any .service")
        || r.contains("no such file")
}
