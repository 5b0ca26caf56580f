//! Atomic, private writes.

use std::fs::{self, File};
use std::io::{self, Write as _};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

/// What [`write_atomic_if_unchanged`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtomicWrite {
    /// The new content is in place.
    Written,
    /// The file changed since it was read; nothing was written (read it again and redo).
    Changed,
}

/// The prefix of mcpctl's temporary files for `target`: `.<name>.mcpctl-tmp-`. No other
/// program uses it, so cleaning up never touches a user's own files.
pub fn temp_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    format!(".{name}.mcpctl-tmp-")
}

/// True when `file_name` is one of mcpctl's temporary files for `target`.
pub fn is_own_temp_file(target: &Path, file_name: &str) -> bool {
    file_name.starts_with(&temp_prefix(target))
}

/// Writes `bytes` to `path` atomically: readers see the old or the new content, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write(path, bytes, None).map(|_| ())
}

/// Like [`write_atomic`], but only if the file still holds `expected` (`None`: the file did
/// not exist) just before the rename. A writer that takes no lock (Codex) may have changed it
/// since it was read; renaming over that change would lose it.
pub fn write_atomic_if_unchanged(
    path: &Path,
    bytes: &[u8],
    expected: Option<&[u8]>,
) -> io::Result<AtomicWrite> {
    write(path, bytes, Some(expected))
}

fn write(path: &Path, bytes: &[u8], expected: Option<Option<&[u8]>>) -> io::Result<AtomicWrite> {
    // Write through a symbolic link (dotfile managers link config files) instead of replacing
    // the link with a regular file.
    let target = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let dir = parent_dir(&target);
    let prefix = temp_prefix(&target);
    remove_stale_temps(&dir, &prefix);
    let mode = match fs::metadata(&target) {
        Ok(meta) => meta.permissions().mode() & 0o7777,
        // A new file may hold secrets: owner only.
        Err(err) if err.kind() == io::ErrorKind::NotFound => 0o600,
        Err(err) => return Err(err),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(&format!("{prefix}{}-", std::process::id()))
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(&dir)?;
    // Through the std file: its errors are the OS errors, without the temporary name.
    temp.as_file_mut().write_all(bytes)?;
    temp.as_file().sync_all()?;
    fs::set_permissions(temp.path(), fs::Permissions::from_mode(mode))?;
    if let Some(expected) = expected {
        let current = match fs::read(&target) {
            Ok(current) => Some(current),
            Err(err) if err.kind() == io::ErrorKind::NotFound => None,
            Err(err) => return Err(err),
        };
        if current.as_deref() != expected {
            // Dropping the temporary file removes it.
            return Ok(AtomicWrite::Changed);
        }
    }
    temp.persist(&target).map_err(|err| err.error)?;
    // Without syncing the folder, a crash right after the rename may lose the new entry.
    File::open(&dir)?.sync_all()?;
    Ok(AtomicWrite::Written)
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Removes temporary files left by mcpctl processes that died mid-write: only files with
/// mcpctl's prefix, and only when the process that made them (its pid is in the name) is gone,
/// so a concurrent writer's file is never pulled away from under it.
fn remove_stale_temps(dir: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<i32>().ok());
        let alive = pid.is_some_and(|pid| {
            pid != 0 && nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
        });
        if !alive || pid == Some(std::process::id() as i32) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_files_are_private_and_existing_ones_keep_their_mode() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("config.toml");
        write_atomic(&path, b"a = 1\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"a = 1\n");
        assert_eq!(mode(&path), 0o600);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"a = 2\n").unwrap();
        assert_eq!(mode(&path), 0o640);
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().flatten().collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }

    #[test]
    fn a_changed_file_is_not_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("config.toml");
        fs::write(&path, "mine\n").unwrap();
        let outcome = write_atomic_if_unchanged(&path, b"new\n", Some(b"old\n")).unwrap();
        assert_eq!(outcome, AtomicWrite::Changed);
        assert_eq!(fs::read(&path).unwrap(), b"mine\n");
        let outcome = write_atomic_if_unchanged(&path, b"new\n", Some(b"mine\n")).unwrap();
        assert_eq!(outcome, AtomicWrite::Written);
        assert_eq!(fs::read(&path).unwrap(), b"new\n");
        // Expected absent, but someone created it.
        let other = tmp.path().join("other.toml");
        fs::write(&other, "x").unwrap();
        assert_eq!(
            write_atomic_if_unchanged(&other, b"y", None).unwrap(),
            AtomicWrite::Changed
        );
        let names: Vec<String> = fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        assert!(names.iter().all(|n| !n.contains("mcpctl-tmp")), "{names:?}");
    }

    #[test]
    fn symlinked_targets_are_written_through_and_foreign_temps_are_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let dotfiles = tmp.path().join("dotfiles");
        fs::create_dir(&dotfiles).unwrap();
        let real = dotfiles.join("config.toml");
        fs::write(&real, "a = 1\n").unwrap();
        // A user's own file with the old prefix, and a stale one of ours from a dead process.
        fs::write(dotfiles.join(".config.toml.tmp-notes"), "keep me").unwrap();
        fs::write(
            dotfiles.join(".config.toml.mcpctl-tmp-999999999-x"),
            "stale",
        )
        .unwrap();
        let link = tmp.path().join("config.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"a = 2\n").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&real).unwrap(), b"a = 2\n");
        assert_eq!(
            fs::read_to_string(dotfiles.join(".config.toml.tmp-notes")).unwrap(),
            "keep me"
        );
        assert!(
            !dotfiles
                .join(".config.toml.mcpctl-tmp-999999999-x")
                .exists()
        );
    }

    #[test]
    fn temp_names_are_recognised() {
        let target = Path::new("/x/config.toml");
        assert!(is_own_temp_file(target, ".config.toml.mcpctl-tmp-12-abc"));
        assert!(!is_own_temp_file(target, ".config.toml.tmp123"));
    }
}
