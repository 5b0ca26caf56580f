//! The file store: `.credentials.json` (Codex's file, shared) and `.mcpctl-credentials.json`
//! (mcpctl's client details), both private, both rewritten atomically under Codex's
//! `mcp-oauth-locks/file-store.lock`.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value};

use crate::codex_format::{FileEntry, SideEntry};
use crate::credentials::StoredCredentials;
use crate::error::StoreError;
use crate::key::StoreKey;
use crate::lock::{FILE_STORE_LOCK, LOCK_DIR, LockGuard};

/// Codex's credentials file in the home.
pub const CREDENTIALS_FILE: &str = ".credentials.json";
/// mcpctl's file of client details in the home.
pub const SIDE_FILE: &str = ".mcpctl-credentials.json";

// Entries in key order, as Codex writes them (a BTreeMap there too).
type Document = BTreeMap<String, Value>;

#[derive(Debug, Clone)]
pub(crate) struct FileStore {
    home: PathBuf,
    lock_timeout: Duration,
}

impl FileStore {
    pub fn new(home: PathBuf, lock_timeout: Duration) -> Self {
        Self { home, lock_timeout }
    }

    pub fn path(&self) -> PathBuf {
        self.home.join(CREDENTIALS_FILE)
    }

    fn side_path(&self) -> PathBuf {
        self.home.join(SIDE_FILE)
    }

    fn lock(&self) -> Result<LockGuard, StoreError> {
        LockGuard::acquire(
            self.home.join(LOCK_DIR).join(FILE_STORE_LOCK),
            self.lock_timeout,
        )
    }

    /// The credentials of each key, reading the files once.
    pub fn load_all(
        &self,
        keys: &[StoreKey],
    ) -> Result<Vec<Option<StoredCredentials>>, StoreError> {
        let _lock = self.lock()?;
        let (path, side_path) = (self.path(), self.side_path());
        let Some(main) = read_document(&path)? else {
            return Ok(vec![None; keys.len()]);
        };
        let side = read_document(&side_path)?.unwrap_or_default();
        keys.iter()
            .map(|key| {
                let Some(value) = main.get(key.as_str()) else {
                    return Ok(None);
                };
                let entry: FileEntry = parse_entry(&path, key, value)?;
                let client = match side.get(key.as_str()) {
                    Some(value) => parse_entry::<SideEntry>(&side_path, key, value)?
                        .for_client(&entry.client_id),
                    None => None,
                };
                Ok(Some(entry.into_credentials(client)))
            })
            .collect()
    }

    pub fn load(&self, key: &StoreKey) -> Result<Option<StoredCredentials>, StoreError> {
        Ok(self
            .load_all(std::slice::from_ref(key))?
            .into_iter()
            .next()
            .flatten())
    }

    /// Stores `credentials` (replacing its key's entry), and its client details or their absence.
    pub fn save(&self, credentials: &StoredCredentials) -> Result<(), StoreError> {
        let key = credentials.key();
        let _lock = self.lock()?;
        let (path, side_path) = (self.path(), self.side_path());
        // Both files are read before either is written: a corrupt one stops the save untouched.
        let mut main = read_document(&path)?.unwrap_or_default();
        let mut side = read_document(&side_path)?.unwrap_or_default();

        // Keep fields a newer Codex wrote into this entry.
        let other = main
            .get(key.as_str())
            .and_then(|v| serde_json::from_value::<FileEntry>(v.clone()).ok())
            .map(|e| e.other)
            .unwrap_or_else(Map::new);
        let entry = to_value(&FileEntry::from_credentials(credentials, other), &path)?;

        let side_changed = match &credentials.client {
            Some(details) => {
                let side_entry = SideEntry {
                    client_id: credentials.client_id.clone(),
                    details: details.clone(),
                };
                side.insert(key.as_str().to_owned(), to_value(&side_entry, &side_path)?);
                true
            }
            None => side.remove(key.as_str()).is_some(),
        };
        if side_changed {
            write_document(&side_path, &side)?;
        }
        main.insert(key.as_str().to_owned(), entry);
        write_document(&path, &main)
    }

    /// Removes the key's entries; each file goes when its last entry does.
    pub fn delete(&self, key: &StoreKey) -> Result<bool, StoreError> {
        let _lock = self.lock()?;
        let (path, side_path) = (self.path(), self.side_path());
        let main = read_document(&path)?;
        let side = read_document(&side_path)?;
        let mut removed = false;
        if let Some(mut side) = side
            && side.remove(key.as_str()).is_some()
        {
            write_document(&side_path, &side)?;
        }
        if let Some(mut main) = main
            && main.remove(key.as_str()).is_some()
        {
            write_document(&path, &main)?;
            removed = true;
        }
        Ok(removed)
    }
}

fn parse_entry<T: serde::de::DeserializeOwned>(
    path: &Path,
    key: &StoreKey,
    value: &Value,
) -> Result<T, StoreError> {
    serde_json::from_value(value.clone()).map_err(|e| StoreError::CorruptEntry {
        path: path.to_path_buf(),
        key: key.as_str().to_owned(),
        reason: e.to_string(),
    })
}

fn to_value<T: serde::Serialize>(value: &T, path: &Path) -> Result<Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Io {
        action: "serialise an entry for",
        path: path.to_path_buf(),
        source: io::Error::other(e.to_string()),
    })
}

/// The file's entries, `None` when it does not exist. Anything but a JSON object is an error
/// (an empty file too: mcpctl never guesses what a damaged file held).
fn read_document(path: &Path) -> Result<Option<Document>, StoreError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StoreError::Io {
                action: "read",
                path: path.to_path_buf(),
                source,
            });
        }
    };
    serde_json::from_slice::<Document>(&bytes)
        .map(Some)
        .map_err(|e| StoreError::CorruptFile {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
}

/// Writes the entries atomically (a private temporary file beside the target, fsync, rename,
/// fsync of the folder), or removes the file when there are none left.
fn write_document(path: &Path, document: &Document) -> Result<(), StoreError> {
    if document.is_empty() {
        return match fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(StoreError::Io {
                action: "remove",
                path: path.to_path_buf(),
                source,
            }),
        };
    }
    let io_error = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io {
            action,
            path,
            source,
        }
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    mcpctl_private_file::create_private_dir(dir).map_err(io_error("create", dir))?;
    let bytes = serde_json::to_vec(document)
        .map_err(|e| io_error("serialise", path)(io::Error::other(e.to_string())))?;
    // Atomic and private (a new file is 0600), with mcpctl's own temporary names.
    mcpctl_private_file::write_atomic(path, &bytes).map_err(io_error("write", path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn creds(name: &str) -> StoredCredentials {
        StoredCredentials {
            server_name: name.into(),
            server_url: format!("http://127.0.0.1:9/{name}"),
            issuer: None,
            client_id: "cid".into(),
            access_token: Secret::new("AT"),
            expires_at: None,
            refresh_token: None,
            scopes: vec![],
            client: None,
        }
    }

    #[test]
    fn keeps_unknown_fields_and_other_entries_verbatim() {
        let home = tempfile::tempdir().unwrap();
        let store = FileStore::new(home.path().to_path_buf(), Duration::from_secs(5));
        let a = creds("a");
        let other_entry = serde_json::json!({"shape": "unknown to mcpctl"});
        let mut doc = Document::new();
        let mut a_value =
            serde_json::to_value(FileEntry::from_credentials(&a, Map::new())).unwrap();
        a_value["future_field"] = serde_json::json!(7);
        doc.insert(a.key().to_string(), a_value);
        doc.insert("zzz|0000000000000000".into(), other_entry.clone());
        write_document(&store.path(), &doc).unwrap();

        let mut a2 = a.clone();
        a2.access_token = Secret::new("AT2");
        store.save(&a2).unwrap();
        let doc = read_document(&store.path()).unwrap().unwrap();
        assert_eq!(doc[a.key().as_str()]["future_field"], 7);
        assert_eq!(doc[a.key().as_str()]["access_token"], "AT2");
        assert_eq!(doc["zzz|0000000000000000"], other_entry);
    }
}
