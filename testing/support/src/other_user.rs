//! A second, unprivileged Unix user: for tests that prove another local user can't read
//! mcpctl's secrets or plant files that steer it.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use nix::unistd::{User, geteuid};

/// The throwaway account created (or reused) when no other is named.
pub const OTHER_USER_NAME: &str = "mcpctl-test-other";
/// Names an existing unprivileged account to use instead of creating one.
pub const OTHER_USER_ENV: &str = "MCPCTL_TEST_OTHER_USER";
/// When set, an unavailable second user fails the test instead of skipping it (CI sets it).
pub const REQUIRE_OTHER_USER_ENV: &str = "MCPCTL_REQUIRE_OTHER_USER";

/// A second local user the tests can run commands as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherUser {
    name: String,
    uid: u32,
    gid: u32,
}

impl OtherUser {
    /// The second user: `$MCPCTL_TEST_OTHER_USER`, else `mcpctl-test-other`, created with
    /// `useradd` (no home, no login shell) the first time. Running as it needs root.
    ///
    /// Returns `None` and prints why on stderr when the tests don't run as root, the account
    /// can't be created, or `setpriv` is missing: the caller skips its test.
    ///
    /// # Panics
    /// When it is unavailable and `$MCPCTL_REQUIRE_OTHER_USER` is set.
    pub fn get() -> Option<Self> {
        static FOUND: OnceLock<Result<OtherUser, String>> = OnceLock::new();
        match FOUND.get_or_init(find_or_create) {
            Ok(user) => Some(user.clone()),
            Err(reason) => {
                assert!(
                    std::env::var_os(REQUIRE_OTHER_USER_ENV).is_none(),
                    "no second user, and ${REQUIRE_OTHER_USER_ENV} is set: {reason}"
                );
                eprintln!("skipped: no second user: {reason}");
                None
            }
        }
    }

    /// The account name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The numeric user id.
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// The numeric primary group id.
    pub fn gid(&self) -> u32 {
        self.gid
    }

    /// `program` run as this user (`setpriv` with its uid and gid and no supplementary
    /// groups); the environment is inherited, so set `HOME` and friends as the test needs.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new("setpriv");
        cmd.arg(format!("--reuid={}", self.uid))
            .arg(format!("--regid={}", self.gid))
            .arg("--clear-groups")
            .arg("--")
            .arg(program);
        cmd
    }

    /// True when this user may read `path` (asked of the kernel through `test -r`).
    pub fn can_read(&self, path: &Path) -> bool {
        self.test("-r", path)
    }

    /// True when this user may write `path` (or create entries in it, for a folder).
    pub fn can_write(&self, path: &Path) -> bool {
        self.test("-w", path)
    }

    /// The text of `path` as this user reads it, `None` when it may not.
    pub fn read(&self, path: &Path) -> Option<String> {
        let output = self
            .command("cat")
            .arg("--")
            .arg(path)
            .stdin(Stdio::null())
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }

    fn test(&self, flag: &str, path: &Path) -> bool {
        self.command("test")
            .arg(flag)
            .arg(path)
            .stdin(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

fn find_or_create() -> Result<OtherUser, String> {
    if !geteuid().is_root() {
        return Err("the tests don't run as root (needed to run as another user)".to_owned());
    }
    let have = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    if !have("setpriv") {
        return Err("`setpriv` (util-linux) is not installed".to_owned());
    }
    let name = std::env::var(OTHER_USER_ENV)
        .ok()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| OTHER_USER_NAME.to_owned());
    if lookup(&name)?.is_none() {
        if !have("useradd") {
            return Err(format!(
                "user {name} doesn't exist and `useradd` is missing"
            ));
        }
        let output = Command::new("useradd")
            .args(["--system", "--user-group", "--no-create-home"])
            .args(["--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin"])
            .arg(&name)
            .output()
            .map_err(|err| format!("useradd {name}: {err}"))?;
        // Another test process may have created it meanwhile: look again before giving up.
        if !output.status.success() && lookup(&name)?.is_none() {
            return Err(format!(
                "useradd {name} failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
    }
    let user = lookup(&name)?.ok_or_else(|| format!("user {name} not found after useradd"))?;
    if user.uid.is_root() {
        return Err(format!(
            "{name} is root; a second user must be unprivileged"
        ));
    }
    Ok(OtherUser {
        name,
        uid: user.uid.as_raw(),
        gid: user.gid.as_raw(),
    })
}

fn lookup(name: &str) -> Result<Option<User>, String> {
    User::from_name(name).map_err(|err| format!("looking up user {name}: {err}"))
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    #[test]
    fn the_second_user_sees_file_modes_as_the_kernel_applies_them() {
        let Some(other) = OtherUser::get() else {
            return;
        };
        assert_ne!(other.uid(), 0);
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let private = dir.path().join("private");
        let public = dir.path().join("public");
        fs::write(&private, "secret").unwrap();
        fs::write(&public, "hello").unwrap();
        fs::set_permissions(&private, fs::Permissions::from_mode(0o600)).unwrap();
        fs::set_permissions(&public, fs::Permissions::from_mode(0o644)).unwrap();

        assert!(!other.can_read(&private));
        assert_eq!(other.read(&private), None);
        assert!(other.can_read(&public));
        assert_eq!(other.read(&public).as_deref(), Some("hello"));
        assert!(!other.can_write(&public));
        assert!(!other.can_write(dir.path()));

        let id = other.command("id").arg("-u").output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&id.stdout).trim(),
            other.uid().to_string()
        );
    }
}
