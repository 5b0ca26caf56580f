//! [`CredentialStore`]: the keyring, the file, or both, per `mcp_oauth_credentials_store`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use crate::codex_format::{KeyringEntry, SideEntry};
use crate::credentials::{Deleted, Loaded, Location, StoreMode, StoredCredentials};
use crate::error::StoreError;
use crate::file_store::FileStore;
use crate::key::StoreKey;
use crate::keyring_store::{CODEX_KEYRING_SERVICE, Keyring, MCPCTL_KEYRING_SERVICE};
use crate::lock::{LOCK_DIR, LockGuard};

/// Codex waits this long for its store locks; so do we by default.
const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// Reads, writes and deletes OAuth credentials, and hands out per-credential refresh locks.
///
/// All methods block (file locks, D-Bus calls). In async code call them from
/// `tokio::task::spawn_blocking`: the keyring client must not run inside a tokio task.
pub struct CredentialStore {
    home: PathBuf,
    mode: StoreMode,
    file: FileStore,
    lock_timeout: Duration,
    // Connected on first use; a failed connection is remembered for this store's lifetime.
    keyring: OnceLock<Result<Keyring, StoreError>>,
}

impl std::fmt::Debug for CredentialStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialStore")
            .field("home", &self.home)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

/// The lock serialising one credential's refresh across processes (mcpctl and Codex), from
/// [`CredentialStore::lock_for_refresh`]. Released when dropped.
///
/// Hold it across: re-load the credential (another process may have refreshed it meanwhile,
/// and its rotated refresh token is the only valid one), refresh when still needed, save.
#[derive(Debug)]
pub struct RefreshGuard {
    lock: LockGuard,
}

impl RefreshGuard {
    /// The lock file, `$MCPCTL_HOME/mcp-oauth-locks/<sha256 of the key>.lock`.
    pub fn path(&self) -> &Path {
        self.lock.path()
    }
}

impl CredentialStore {
    /// A store rooted at `home` (mcpctl's `$MCPCTL_HOME`, which may be a Codex home).
    /// Nothing is read or connected until the first call.
    pub fn new(home: impl Into<PathBuf>, mode: StoreMode) -> Self {
        let home = home.into();
        Self {
            file: FileStore::new(home.clone(), DEFAULT_LOCK_TIMEOUT),
            home,
            mode,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            keyring: OnceLock::new(),
        }
    }

    /// How long to wait for a lock another process holds (default 60 s, as Codex).
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self.file = FileStore::new(self.home.clone(), timeout);
        self
    }

    /// The configured mode.
    pub fn mode(&self) -> StoreMode {
        self.mode
    }

    /// The credentials file, `<home>/.credentials.json`.
    pub fn file_path(&self) -> PathBuf {
        self.file.path()
    }

    fn keyring(&self) -> Result<&Keyring, StoreError> {
        match self.keyring.get_or_init(Keyring::connect) {
            Ok(keyring) => Ok(keyring),
            Err(StoreError::KeyringUnavailable { reason }) => Err(StoreError::KeyringUnavailable {
                reason: reason.clone(),
            }),
            Err(other) => Err(StoreError::Keyring {
                reason: other.to_string(),
            }),
        }
    }

    /// The credentials stored under `key`, and where they were found.
    ///
    /// `auto` looks in the keyring first, then the file. A keyring that cannot be reached is
    /// skipped silently; any other keyring error is returned only when the file has nothing.
    pub fn load(&self, key: &StoreKey) -> Result<Option<Loaded>, StoreError> {
        match self.mode {
            StoreMode::File => Ok(self.file.load(key)?.map(loaded_from(Location::File))),
            StoreMode::Keyring => Ok(self.keyring_load(key)?.map(loaded_from(Location::Keyring))),
            StoreMode::Auto => match self.keyring_load(key) {
                Ok(Some(found)) => Ok(Some(loaded_from(Location::Keyring)(found))),
                Ok(None) | Err(StoreError::KeyringUnavailable { .. }) => {
                    Ok(self.file.load(key)?.map(loaded_from(Location::File)))
                }
                Err(keyring_error) => match self.file.load(key)? {
                    Some(found) => Ok(Some(loaded_from(Location::File)(found))),
                    None => Err(keyring_error),
                },
            },
        }
    }

    /// [`load`](Self::load) for many keys, for status listings (`list`, `auth status`): the
    /// file is read once, and [`ClientDetails`](crate::ClientDetails) are not read (`client` is
    /// `None`; refresh and logout go through [`load`](Self::load)), which halves the keyring
    /// round trips.
    pub fn load_all(&self, keys: &[StoreKey]) -> Result<Vec<Option<Loaded>>, StoreError> {
        let without_details = |c: StoredCredentials| StoredCredentials { client: None, ..c };
        if self.mode == StoreMode::File {
            return Ok(self
                .file
                .load_all(keys)?
                .into_iter()
                .map(|c| c.map(without_details).map(loaded_from(Location::File)))
                .collect());
        }
        let mut out = Vec::with_capacity(keys.len());
        let mut file_found: Option<Vec<Option<StoredCredentials>>> = None;
        for (i, key) in keys.iter().enumerate() {
            let from_keyring = self.keyring_load_tokens(key);
            let found = match (self.mode, from_keyring) {
                (_, Ok(Some(found))) => Some(loaded_from(Location::Keyring)(found)),
                (StoreMode::Keyring, Ok(None)) => None,
                (StoreMode::Keyring, Err(e)) => return Err(e),
                (_, result) => {
                    if file_found.is_none() {
                        file_found = Some(self.file.load_all(keys)?);
                    }
                    let in_file = file_found
                        .as_ref()
                        .and_then(|all| all.get(i).cloned().flatten());
                    match (in_file, result) {
                        (Some(found), _) => {
                            Some(loaded_from(Location::File)(without_details(found)))
                        }
                        (None, Err(e)) if !matches!(e, StoreError::KeyringUnavailable { .. }) => {
                            return Err(e);
                        }
                        (None, _) => None,
                    }
                }
            };
            out.push(found);
        }
        Ok(out)
    }

    /// Stores `credentials` under their key and says where.
    ///
    /// `auto` writes to the keyring when it answers, then removes any stale file entry for the
    /// key; when the keyring fails it writes the file. A failed save leaves what was stored
    /// before untouched.
    pub fn save(&self, credentials: &StoredCredentials) -> Result<Location, StoreError> {
        match self.mode {
            StoreMode::File => self.file.save(credentials).map(|()| Location::File),
            StoreMode::Keyring => self.keyring_save(credentials).map(|()| Location::Keyring),
            StoreMode::Auto => match self.keyring_save(credentials) {
                Ok(()) => {
                    // A leftover file entry would be stale; losing it is harmless, so a file
                    // that cannot be cleaned (corrupt, unwritable) does not fail the save.
                    let _ = self.file.delete(&credentials.key());
                    Ok(Location::Keyring)
                }
                Err(_) => self.file.save(credentials).map(|()| Location::File),
            },
        }
    }

    /// Removes the credentials and client details of `key`.
    ///
    /// `auto` deletes from both the keyring and the file: a keyring that cannot be reached
    /// does not stop the file's entry from going (Codex's logout fails there). Another keyring
    /// error is returned after the file has been cleaned.
    pub fn delete(&self, key: &StoreKey) -> Result<Deleted, StoreError> {
        match self.mode {
            StoreMode::File => Ok(Deleted {
                keyring: false,
                file: self.file.delete(key)?,
            }),
            StoreMode::Keyring => Ok(Deleted {
                keyring: self.keyring_delete(key)?,
                file: false,
            }),
            StoreMode::Auto => {
                let keyring = self.keyring_delete(key);
                let file = self.file.delete(key)?;
                match keyring {
                    Ok(keyring) => Ok(Deleted { keyring, file }),
                    Err(StoreError::KeyringUnavailable { .. }) => Ok(Deleted {
                        keyring: false,
                        file,
                    }),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// Takes the cross-process refresh lock of `key`: `<home>/mcp-oauth-locks/<sha256 of the
    /// key>.lock`, the lock Codex takes for the same credential. Waits at most the lock timeout.
    pub fn lock_for_refresh(&self, key: &StoreKey) -> Result<RefreshGuard, StoreError> {
        let path = self.home.join(LOCK_DIR).join(key.refresh_lock_file_name());
        let lock = LockGuard::acquire(path, self.lock_timeout)?;
        Ok(RefreshGuard { lock })
    }

    /// Codex's keyring entry alone (no client details).
    fn keyring_load_tokens(&self, key: &StoreKey) -> Result<Option<StoredCredentials>, StoreError> {
        Ok(self
            .keyring_entry(key)?
            .map(|entry| entry.into_credentials(None)))
    }

    fn keyring_entry(&self, key: &StoreKey) -> Result<Option<KeyringEntry>, StoreError> {
        let Some(json) = self.keyring()?.get(CODEX_KEYRING_SERVICE, key.as_str())? else {
            return Ok(None);
        };
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| StoreError::CorruptKeyringEntry {
                service: CODEX_KEYRING_SERVICE.to_owned(),
                account: key.as_str().to_owned(),
                reason: e.to_string(),
            })
    }

    fn keyring_load(&self, key: &StoreKey) -> Result<Option<StoredCredentials>, StoreError> {
        let Some(entry) = self.keyring_entry(key)? else {
            return Ok(None);
        };
        let keyring = self.keyring()?;
        let client = match keyring.get(MCPCTL_KEYRING_SERVICE, key.as_str())? {
            Some(json) => serde_json::from_str::<SideEntry>(&json)
                .map_err(|e| StoreError::CorruptKeyringEntry {
                    service: MCPCTL_KEYRING_SERVICE.to_owned(),
                    account: key.as_str().to_owned(),
                    reason: e.to_string(),
                })?
                .for_client(&entry.client_id),
            None => None,
        };
        Ok(Some(entry.into_credentials(client)))
    }

    fn keyring_save(&self, credentials: &StoredCredentials) -> Result<(), StoreError> {
        let keyring = self.keyring()?;
        let key = credentials.key();
        let serialise = |e: serde_json::Error| StoreError::Keyring {
            reason: format!("cannot serialise the credential: {e}"),
        };
        // Client details first: details without tokens are inert, tokens without the secret
        // they need to refresh would fail later.
        match &credentials.client {
            Some(details) => {
                let side = SideEntry {
                    client_id: credentials.client_id.clone(),
                    details: details.clone(),
                };
                let json = serde_json::to_string(&side).map_err(serialise)?;
                keyring.set(MCPCTL_KEYRING_SERVICE, key.as_str(), &json)?;
            }
            None => {
                keyring.delete(MCPCTL_KEYRING_SERVICE, key.as_str())?;
            }
        }
        let entry = KeyringEntry::from_credentials(credentials, SystemTime::now());
        let json = serde_json::to_string(&entry).map_err(serialise)?;
        keyring.set(CODEX_KEYRING_SERVICE, key.as_str(), &json)
    }

    fn keyring_delete(&self, key: &StoreKey) -> Result<bool, StoreError> {
        let keyring = self.keyring()?;
        keyring.delete(MCPCTL_KEYRING_SERVICE, key.as_str())?;
        keyring.delete(CODEX_KEYRING_SERVICE, key.as_str())
    }
}

fn loaded_from(location: Location) -> impl Fn(StoredCredentials) -> Loaded {
    move |credentials| Loaded {
        credentials,
        location,
    }
}
