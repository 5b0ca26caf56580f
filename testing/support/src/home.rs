//! A throwaway mcpctl home, system folder and working folder for one test.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

use crate::binaries::{absolute, mcpctl_bin};
use crate::marker::Marker;
use crate::snapshots::{TMP, insta_settings};

/// A temporary root holding `home/` (`MCPCTL_HOME`), `sys/` (`MCPCTL_SYSTEM_DIR`) and `work/`
/// (the current folder of the commands it builds). Removed when dropped.
pub struct TestHome {
    /// The temporary root; `HOME` of the commands it builds.
    pub root: TempDir,
    mcpctl: Option<PathBuf>,
}

impl Default for TestHome {
    fn default() -> Self {
        Self::new()
    }
}

impl TestHome {
    /// Creates the root, private to this user (mode 0700 whatever the umask; see
    /// [`TestHome::share_with_other_users`]), with empty `home/`, `sys/`, `work/`.
    ///
    /// # Panics
    /// When the temporary folders can't be created.
    pub fn new() -> Self {
        use std::os::unix::fs::PermissionsExt as _;
        let root = tempfile::Builder::new()
            .prefix("mcpctl-it-")
            .permissions(fs::Permissions::from_mode(0o700))
            .tempdir()
            .expect("create a temporary test root");
        for dir in ["home", "sys", "work"] {
            fs::create_dir_all(root.path().join(dir)).expect("create a test folder");
        }
        Self { root, mcpctl: None }
    }

    /// Uses `bin` as `mcpctl` instead of [`mcpctl_bin`]'s search: suites of `mcpctl-cli` pass
    /// `env!("CARGO_BIN_EXE_mcpctl")`. A relative path is taken from the current folder.
    pub fn with_mcpctl(mut self, bin: impl AsRef<Path>) -> Self {
        self.mcpctl = Some(absolute(bin.as_ref()));
        self
    }

    /// The temporary root.
    pub fn path(&self) -> &Path {
        self.root.path()
    }

    /// `MCPCTL_HOME` of the commands.
    pub fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    /// `MCPCTL_SYSTEM_DIR` of the commands.
    pub fn sys(&self) -> PathBuf {
        self.root.path().join("sys")
    }

    /// The current folder of the commands.
    pub fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    /// The user `config.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.home().join("config.toml")
    }

    /// The user `config.toml`'s text, empty when it doesn't exist.
    pub fn config(&self) -> String {
        read(&self.config_path())
    }

    /// Writes the user `config.toml`.
    ///
    /// # Panics
    /// When the file can't be written.
    pub fn write_config(&self, text: &str) {
        fs::write(self.config_path(), text).expect("write config.toml");
    }

    /// Writes `file` (e.g. `requirements.toml`) in the system folder.
    ///
    /// # Panics
    /// When the file can't be written.
    pub fn write_sys(&self, file: &str, text: &str) {
        fs::write(self.sys().join(file), text).expect("write a system file");
    }

    /// A marker file under the root whose existence proves that something ran.
    pub fn marker(&self, name: &str) -> Marker {
        Marker::new(self.root.path(), name)
    }

    /// `mcpctl` in this home: `MCPCTL_HOME`, `MCPCTL_SYSTEM_DIR`, `HOME`, `NO_COLOR=1`, no
    /// inherited `RUST_BACKTRACE`, run in `work/`.
    ///
    /// # Panics
    /// When the `mcpctl` binary is not built.
    pub fn mcpctl(&self) -> Command {
        match &self.mcpctl {
            Some(bin) => self.command(bin),
            None => self.command(mcpctl_bin()),
        }
    }

    /// Any program with the environment and folder [`TestHome::mcpctl`] gives `mcpctl` (for a
    /// wrapper such as `script`, or the Codex CLI reading the same home).
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.work())
            .env("MCPCTL_HOME", self.home())
            .env("MCPCTL_SYSTEM_DIR", self.sys())
            .env("HOME", self.root.path())
            .env("NO_COLOR", "1")
            .env_remove("RUST_BACKTRACE")
            .env_remove("RUST_LIB_BACKTRACE");
        cmd
    }

    /// Runs `mcpctl args…` to the end; the output has the root replaced by `[TMP]`.
    ///
    /// # Panics
    /// When `mcpctl` can't be started.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = self.mcpctl().args(args).output().expect("start mcpctl");
        Run::new(self, &output)
    }

    /// `text` with the root (as given and canonical) replaced by `[TMP]`, so snapshots are stable.
    pub fn redact(&self, text: &str) -> String {
        let root = self.root.path();
        let mut out = text.to_owned();
        if let Ok(canonical) = root.canonicalize() {
            out = out.replace(&*canonical.to_string_lossy(), TMP);
        }
        out.replace(&*root.to_string_lossy(), TMP)
    }

    /// [`insta_settings`] plus a filter that replaces this root by `[TMP]`; bind it around a
    /// snapshot assertion with `settings.bind(|| …)`.
    pub fn insta_settings(&self) -> insta::Settings {
        let mut settings = insta_settings();
        let root = self.root.path();
        let mut paths = vec![root.to_string_lossy().into_owned()];
        if let Ok(canonical) = root.canonicalize() {
            paths.push(canonical.to_string_lossy().into_owned());
        }
        // The longer path first, so a canonical path that extends the given one is taken whole.
        paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for path in paths {
            settings.add_filter(&regex::escape(&path), TMP);
        }
        settings
    }

    /// Makes the root traversable by other users (mode 0755) so that a second user meets the
    /// modes mcpctl set on what it created inside, not the root's 0700.
    ///
    /// # Panics
    /// When the mode can't be changed.
    pub fn share_with_other_users(&self) {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(self.root.path(), fs::Permissions::from_mode(0o755))
            .expect("chmod the test root");
    }
}

/// The end of one command: exit code (-1 when killed by a signal) and redacted output.
#[derive(Debug, Clone)]
pub struct Run {
    /// The exit code, or -1 when the process was killed by a signal.
    pub code: i32,
    /// Standard output, the root replaced by `[TMP]`.
    pub stdout: String,
    /// Standard error, the root replaced by `[TMP]`.
    pub stderr: String,
}

impl Run {
    /// The redacted result of `output`, a command run in `home`.
    pub fn new(home: &TestHome, output: &Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: home.redact(&String::from_utf8_lossy(&output.stdout)),
            stderr: home.redact(&String::from_utf8_lossy(&output.stderr)),
        }
    }

    /// Asserts exit code 0.
    ///
    /// # Panics
    /// When the code is not 0; the message holds both outputs.
    #[track_caller]
    pub fn ok(self) -> Self {
        self.fails(0)
    }

    /// Asserts exit code `code`.
    ///
    /// # Panics
    /// When the code differs; the message holds both outputs.
    #[track_caller]
    pub fn fails(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Standard output parsed as JSON.
    ///
    /// # Panics
    /// When it is not JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("stdout is not JSON ({err}):\n{}", self.stdout))
    }
}

/// The text of `path`, empty when it can't be read.
pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    #[test]
    fn folders_exist_and_commands_get_the_home() {
        let t = TestHome::new();
        for dir in [t.home(), t.sys(), t.work()] {
            assert!(dir.is_dir(), "{}", dir.display());
        }
        let cmd = t.command("env");
        let envs: Vec<_> = cmd.get_envs().collect();
        assert!(envs.contains(&(OsStr::new("MCPCTL_HOME"), Some(t.home().as_os_str()))));
        assert!(envs.contains(&(OsStr::new("RUST_BACKTRACE"), None)));
        assert_eq!(cmd.get_current_dir(), Some(t.work().as_path()));
    }

    #[test]
    fn commands_run_with_the_environment_and_output_is_redacted() {
        let t = TestHome::new();
        let output = t
            .command("sh")
            .args([
                "-c",
                "echo \"$MCPCTL_HOME\"; pwd; echo \"${RUST_BACKTRACE-unset}\" >&2",
            ])
            .output()
            .unwrap();
        let run = Run::new(&t, &output).ok();
        assert_eq!(run.stdout, "[TMP]/home\n[TMP]/work\n");
        assert_eq!(run.stderr, "unset\n");
    }

    #[test]
    fn config_round_trips_and_missing_reads_empty() {
        let t = TestHome::new();
        assert_eq!(t.config(), "");
        t.write_config("[mcp_servers.a]\ncommand = \"a\"\n");
        assert!(t.config().contains("[mcp_servers.a]"));
        t.write_sys("requirements.toml", "x = 1\n");
        assert_eq!(read(&t.sys().join("requirements.toml")), "x = 1\n");
    }

    #[test]
    fn insta_settings_replace_the_root() {
        let t = TestHome::new();
        let text = format!("saved {}/work/a.png", t.path().display());
        t.insta_settings().bind(|| {
            insta::assert_snapshot!(text, @"saved [TMP]/work/a.png");
        });
    }

    #[test]
    fn sharing_opens_the_root_only() {
        let t = TestHome::new();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(t.path()), 0o700);
        t.share_with_other_users();
        assert_eq!(mode(t.path()), 0o755);
    }
}
