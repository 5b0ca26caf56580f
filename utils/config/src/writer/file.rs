//! Files: locking, reading.

use super::*;

/// The folder holding `path`; `.` for a bare file name.
pub(super) fn parent_dir(path: &Path) -> &Path {
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
pub(super) fn lock(
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
pub(super) fn lock_holder(lock_path: &Path) -> String {
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
pub(super) fn read_existing(path: &Path) -> Result<(Vec<u8>, bool), WriteError> {
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
