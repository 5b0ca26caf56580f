//! Files that steer mcpctl must be the user's own (as ssh's StrictModes checks).

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

/// A config, managed-config or requirements file (or its folder) that another user could
/// have written.
#[derive(Debug, thiserror::Error)]
pub enum OwnershipError {
    /// Writable by group or others.
    #[error(
        "{} is writable by other users (mode {mode:04o}): anyone who can write it can make mcpctl run programs as you; fix it with `chmod go-w {}`",
        path.display(),
        path.display()
    )]
    WritableByOthers {
        /// The file or folder.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// Owned by another non-root user.
    #[error(
        "{} belongs to another user (uid {owner}): mcpctl reads only files that you or root own; remove it or take it over with `chown`",
        path.display()
    )]
    OtherOwner {
        /// The file or folder.
        path: PathBuf,
        /// Its owner.
        owner: u32,
    },
    /// Its metadata could not be read.
    #[error("cannot check the owner of {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

/// Checks that `path` (when it exists) and the folder holding it are owned by the current
/// user or root and not writable by group or others. A sticky folder (such as `/tmp`) may be
/// world-writable, since others cannot replace what is in it. A missing file passes: when it
/// appears, it is checked then.
pub fn check_private(path: &Path) -> Result<(), OwnershipError> {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(OwnershipError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    check_one(path, &meta, false)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let dir_meta = fs::metadata(dir).map_err(|source| OwnershipError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        check_one(dir, &dir_meta, true)?;
    }
    Ok(())
}

fn check_one(path: &Path, meta: &fs::Metadata, is_dir: bool) -> Result<(), OwnershipError> {
    let me = nix::unistd::getuid().as_raw();
    let owner = meta.uid();
    if owner != me && owner != 0 {
        return Err(OwnershipError::OtherOwner {
            path: path.to_path_buf(),
            owner,
        });
    }
    let mode = meta.mode() & 0o7777;
    let sticky = is_dir && mode & 0o1000 != 0;
    let others_write = mode & 0o002 != 0;
    let group_write = mode & 0o020 != 0 && !private_group(meta.gid(), me);
    if (others_write || group_write) && !sticky {
        return Err(OwnershipError::WritableByOthers {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

/// Whether `gid` is the user-private group of `uid` (Debian's and Ubuntu's default, with umask
/// 002): named as the user and with no other members, so its write bit gives nobody else
/// access. Debian's OpenSSH makes the same exception to StrictModes.
fn private_group(gid: u32, uid: u32) -> bool {
    use nix::unistd::{Gid, Group, Uid, User};
    let (Ok(Some(group)), Ok(Some(user))) = (
        Group::from_gid(Gid::from_raw(gid)),
        User::from_uid(Uid::from_raw(uid)),
    ) else {
        return false;
    };
    group.name == user.name && group.mem.iter().all(|member| *member == user.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn group_or_world_writable_files_and_folders_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("home");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        let file = dir.join("managed_config.toml");
        assert!(check_private(&file).is_ok(), "a missing file passes");
        fs::write(&file, "").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(check_private(&file).is_ok());
        fs::set_permissions(&file, fs::Permissions::from_mode(0o666)).unwrap();
        let err = check_private(&file).unwrap_err().to_string();
        assert!(err.contains("writable by other users (mode 0666)"), "{err}");
        assert!(err.contains("chmod go-w"), "{err}");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        let err = check_private(&file).unwrap_err().to_string();
        assert!(err.contains("home is writable"), "{err}");
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o1777)).unwrap();
        assert!(check_private(&file).is_ok(), "a sticky folder is fine");
    }

    #[test]
    fn group_write_is_refused_unless_the_group_is_the_users_own() {
        use nix::unistd::{Gid, Group, Uid, User};
        use std::os::unix::fs::chown;
        let me = User::from_uid(Uid::current()).unwrap().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("config.toml");
        fs::write(&file, "").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o660)).unwrap();
        let own = Group::from_gid(me.gid).unwrap();
        let private = own.is_some_and(|g| g.name == me.name && g.mem.iter().all(|m| *m == me.name));
        assert_eq!(check_private(&file).is_ok(), private);
        // Another group (only root may hand a file to a group it is not in).
        if !Uid::current().is_root() {
            return;
        }
        let other = (1..100)
            .filter_map(|gid| Group::from_gid(Gid::from_raw(gid)).ok().flatten())
            .find(|g| g.name != me.name)
            .expect("some system group");
        chown(&file, None, Some(other.gid.as_raw())).unwrap();
        let err = check_private(&file).unwrap_err().to_string();
        assert!(err.contains("writable by other users (mode 0660)"), "{err}");
    }
}
