//! Marker files: the proof that a program ran ("did the server mcpctl should have refused start?").

use std::fs;
use std::path::{Path, PathBuf};

/// A file that a program creates when it runs. It does not exist until then.
#[derive(Debug, Clone)]
pub struct Marker {
    path: PathBuf,
}

impl Marker {
    /// The marker `<dir>/<name>.ran` (not created).
    pub fn new(dir: &Path, name: &str) -> Self {
        Self {
            path: dir.join(format!("{name}.ran")),
        }
    }

    /// Where the marker is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True once something has written the marker.
    pub fn ran(&self) -> bool {
        self.path.exists()
    }

    /// What was written to it: one line per run from [`Marker::write_script`]'s script, empty
    /// when nothing ran.
    pub fn contents(&self) -> String {
        fs::read_to_string(&self.path).unwrap_or_default()
    }

    /// A shell command line that appends `ran` and its arguments to the marker, for
    /// `sh -c '<this>' arg0 args…` (e.g. a server `command = "sh"`, `args = ["-c", …]`).
    pub fn shell(&self) -> String {
        format!("echo ran \"$@\" >> {}", shell_quote(&self.path))
    }

    /// Writes an executable `/bin/sh` script at `<dir>/<name>` that appends a line to the
    /// marker (`ran <args>`, then the values of `LD_PRELOAD`, `NODE_OPTIONS` and `PATH` it saw)
    /// and exits with status `exit_code`. Use it as a server command whose start must (not)
    /// happen.
    ///
    /// # Panics
    /// When the script can't be written.
    pub fn write_script(&self, dir: &Path, name: &str, exit_code: u8) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let script = dir.join(name);
        let text = format!(
            "#!/bin/sh\necho ran \"$@\" LD_PRELOAD=\"$LD_PRELOAD\" NODE_OPTIONS=\"$NODE_OPTIONS\" \\\n    PATH=\"$PATH\" >> {}\nexit {exit_code}\n",
            shell_quote(&self.path)
        );
        fs::write(&script, text).expect("write the marker script");
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755))
            .expect("make the marker script executable");
        script
    }
}

/// `path` in single quotes for `sh`.
fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    #[test]
    fn script_runs_leave_a_line_each() {
        let dir = tempfile::tempdir().unwrap();
        let marker = Marker::new(dir.path(), "it's");
        assert!(!marker.ran());
        let script = marker.write_script(dir.path(), "server", 3);
        let status = Command::new(&script)
            .args(["a", "b"])
            .env("LD_PRELOAD", "/x.so")
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(3));
        assert!(marker.ran());
        let line = marker.contents();
        assert!(
            line.starts_with("ran a b LD_PRELOAD=/x.so NODE_OPTIONS= PATH="),
            "{line}"
        );
    }

    #[test]
    fn shell_line_works_through_sh_c() {
        let dir = tempfile::tempdir().unwrap();
        let marker = Marker::new(dir.path(), "m");
        Command::new("sh")
            .args(["-c", &marker.shell(), "sh", "x"])
            .status()
            .unwrap();
        assert_eq!(marker.contents(), "ran x\n");
    }
}
