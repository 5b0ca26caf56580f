//! Cross-process locks in `mcp-oauth-locks/`, the folder and file names Codex uses, so that
//! mcpctl and Codex sharing one home exclude each other.
//!
//! Both are `flock` locks (Codex takes them with std's `File::try_lock`, which is `flock` on
//! Unix): they belong to the open file, so two handles in one process exclude each other too,
//! and the kernel drops them when the process dies.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::StoreError;

/// The lock folder inside the home.
pub const LOCK_DIR: &str = "mcp-oauth-locks";
/// The lock held around every read-modify-write of `.credentials.json`.
pub const FILE_STORE_LOCK: &str = "file-store.lock";

const RETRY: Duration = Duration::from_millis(25);

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct LockGuard {
    _file: File,
    path: PathBuf,
}

impl LockGuard {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Takes the exclusive lock on `path` (creating it and its folder), waiting at most
    /// `timeout`. Blocking: in async code call it from `spawn_blocking`.
    pub(crate) fn acquire(path: PathBuf, timeout: Duration) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                action: "create",
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        #[allow(clippy::disallowed_methods)] // reason: Codex's lock file (empty, 0600), not data.
        let file = options.open(&path).map_err(|source| StoreError::Io {
            action: "open",
            path: path.clone(),
            source,
        })?;
        let started = Instant::now();
        loop {
            // Through fs4's trait: std's inherent `File::try_lock` is newer than the MSRV.
            match fs4::FileExt::try_lock(&file) {
                Ok(()) => return Ok(Self { _file: file, path }),
                Err(fs4::TryLockError::WouldBlock) => {
                    let waited = started.elapsed();
                    if waited >= timeout {
                        return Err(StoreError::LockTimeout { path, waited });
                    }
                    std::thread::sleep(RETRY.min(timeout - waited));
                }
                Err(fs4::TryLockError::Error(source)) => {
                    return Err(StoreError::Io {
                        action: "lock",
                        path,
                        source,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_times_out_then_gets_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_DIR).join("x.lock");
        let held = LockGuard::acquire(path.clone(), Duration::from_secs(1)).unwrap();
        let err = LockGuard::acquire(path.clone(), Duration::from_millis(60)).unwrap_err();
        assert!(matches!(err, StoreError::LockTimeout { .. }), "{err}");
        assert!(err.to_string().contains("x.lock"), "{err}");
        drop(held);
        LockGuard::acquire(path, Duration::from_millis(60)).unwrap();
    }
}
