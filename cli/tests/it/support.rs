//! A throwaway home, system folder and working folder for one test.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

pub struct TestHome {
    pub root: TempDir,
}

impl TestHome {
    pub fn new() -> Self {
        let root = tempfile::Builder::new()
            .prefix("mcpctl-it-")
            .tempdir()
            .unwrap();
        for dir in ["home", "sys", "work"] {
            fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        Self { root }
    }

    pub fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    pub fn sys(&self) -> PathBuf {
        self.root.path().join("sys")
    }

    pub fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    pub fn config_path(&self) -> PathBuf {
        self.home().join("config.toml")
    }

    pub fn config(&self) -> String {
        fs::read_to_string(self.config_path()).unwrap_or_default()
    }

    pub fn write_config(&self, text: &str) {
        fs::write(self.config_path(), text).unwrap();
    }

    pub fn write_sys(&self, file: &str, text: &str) {
        fs::write(self.sys().join(file), text).unwrap();
    }

    /// `mcpctl` with this home, no inherited backtraces, run in the work folder.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("mcpctl").unwrap();
        cmd.current_dir(self.work())
            .env("MCPCTL_HOME", self.home())
            .env("MCPCTL_SYSTEM_DIR", self.sys())
            .env("HOME", self.root.path())
            .env_remove("RUST_BACKTRACE")
            .env("NO_COLOR", "1");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self, self.cmd().args(args).output().unwrap())
    }

    /// Replaces the temporary root in text so snapshots are stable.
    pub fn redact(&self, text: &str) -> String {
        let root = self.root.path().to_string_lossy().to_string();
        let canonical = self
            .root
            .path()
            .canonicalize()
            .unwrap()
            .to_string_lossy()
            .to_string();
        text.replace(&canonical, "[TMP]").replace(&root, "[TMP]")
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(home: &TestHome, output: Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: home.redact(&String::from_utf8_lossy(&output.stdout)),
            stderr: home.redact(&String::from_utf8_lossy(&output.stderr)),
        }
    }

    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn fails(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap()
    }
}

pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_default()
}
