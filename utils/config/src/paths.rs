//! The one place that resolves where mcpctl's files live.

use std::env;
use std::path::{Path, PathBuf};

use crate::error::ConfigError;

/// Environment variable naming mcpctl's home folder (default `~/.mcpctl`).
pub const HOME_ENV: &str = "MCPCTL_HOME";
/// Environment variable relocating the system folder (default `/etc/mcpctl`), for tests and
/// packagers.
pub const SYSTEM_DIR_ENV: &str = "MCPCTL_SYSTEM_DIR";
/// The system folder when [`SYSTEM_DIR_ENV`] is not set.
pub const DEFAULT_SYSTEM_DIR: &str = "/etc/mcpctl";
/// The name of a project's config folder (`<project>/.mcpctl/config.toml`).
pub const PROJECT_DIR_NAME: &str = ".mcpctl";
/// The file name of every config layer.
pub const CONFIG_FILE: &str = "config.toml";

/// Where every file mcpctl reads or writes lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    home: PathBuf,
    system_dir: PathBuf,
}

impl Paths {
    /// Paths with an explicit home and system folder (tests, embedders).
    pub fn new(home: impl Into<PathBuf>, system_dir: impl Into<PathBuf>) -> Self {
        Self {
            home: home.into(),
            system_dir: system_dir.into(),
        }
    }

    /// Resolves the paths from `MCPCTL_HOME`, `MCPCTL_SYSTEM_DIR` and `HOME`.
    ///
    /// Relative values are taken relative to `cwd`. An empty variable counts as unset.
    pub fn from_env(cwd: &Path) -> Result<Self, ConfigError> {
        let home = match non_empty_var(HOME_ENV) {
            Some(value) => cwd.join(value),
            None => match non_empty_var("HOME") {
                Some(user_home) => cwd.join(user_home).join(PROJECT_DIR_NAME),
                None => {
                    return Err(ConfigError::Invalid {
                        location: String::new(),
                        key: HOME_ENV.to_string(),
                        message: "neither MCPCTL_HOME nor HOME is set; set MCPCTL_HOME to the \
                                  folder mcpctl should use (e.g. ~/.mcpctl or ~/.codex)"
                            .to_string(),
                    });
                }
            },
        };
        let system_dir = non_empty_var(SYSTEM_DIR_ENV)
            .map(|v| cwd.join(v))
            .unwrap_or_else(|| PathBuf::from(DEFAULT_SYSTEM_DIR));
        Ok(Self { home, system_dir })
    }

    /// mcpctl's home folder (`$MCPCTL_HOME`, default `~/.mcpctl`).
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The system folder (`$MCPCTL_SYSTEM_DIR`, default `/etc/mcpctl`).
    pub fn system_dir(&self) -> &Path {
        &self.system_dir
    }

    /// The user's config file, the only file mcpctl writes: `$MCPCTL_HOME/config.toml`.
    pub fn user_config(&self) -> PathBuf {
        self.home.join(CONFIG_FILE)
    }

    /// The system-wide config: `/etc/mcpctl/config.toml`.
    pub fn system_config(&self) -> PathBuf {
        self.system_dir.join(CONFIG_FILE)
    }

    /// Managed config files, lowest precedence first.
    pub fn managed_configs(&self) -> [PathBuf; 2] {
        [
            self.system_dir.join("managed_config.toml"),
            self.home.join("managed_config.toml"),
        ]
    }

    /// The admin requirements file: `/etc/mcpctl/requirements.toml`.
    pub fn requirements(&self) -> PathBuf {
        self.system_dir.join("requirements.toml")
    }

    /// Folder for server logs: `$MCPCTL_HOME/log`.
    pub fn log_dir(&self) -> PathBuf {
        self.home.join("log")
    }

    /// The nearest project config from `cwd` upwards, stopping at the repository root (the
    /// first folder holding `.git`); outside a repository only `cwd` itself is looked at.
    ///
    /// The user's own home config is never taken for a project config.
    pub fn project_config(&self, cwd: &Path) -> Option<ProjectConfig> {
        let in_repo = cwd.ancestors().any(|dir| dir.join(".git").exists());
        for dir in cwd.ancestors() {
            let candidate = dir.join(PROJECT_DIR_NAME).join(CONFIG_FILE);
            if candidate.is_file() && !same_file(&candidate, &self.user_config()) {
                return Some(ProjectConfig {
                    root: dir.to_path_buf(),
                    file: candidate,
                });
            }
            if !in_repo || dir.join(".git").exists() {
                break;
            }
        }
        None
    }
}

/// A project's config file and the folder that holds its `.mcpctl/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectConfig {
    /// The project folder (the parent of `.mcpctl/`); this is what `mcpctl trust` records.
    pub root: PathBuf,
    /// `<root>/.mcpctl/config.toml`.
    pub file: PathBuf,
}

fn non_empty_var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.is_empty())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[allow(clippy::disallowed_methods)]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_locations() {
        let p = Paths::new("/h", "/sys");
        assert_eq!(p.user_config(), PathBuf::from("/h/config.toml"));
        assert_eq!(p.system_config(), PathBuf::from("/sys/config.toml"));
        assert_eq!(p.requirements(), PathBuf::from("/sys/requirements.toml"));
        assert_eq!(
            p.managed_configs(),
            [
                PathBuf::from("/sys/managed_config.toml"),
                PathBuf::from("/h/managed_config.toml")
            ]
        );
    }

    #[test]
    fn project_config_stops_at_repo_root() {
        let tmp = tempfile::tempdir().unwrap();
        let outer = tmp.path();
        std::fs::create_dir_all(outer.join(".mcpctl")).unwrap();
        std::fs::write(outer.join(".mcpctl/config.toml"), "").unwrap();
        let repo = outer.join("repo");
        let sub = repo.join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        let paths = Paths::new(outer.join("home"), outer.join("sys"));
        assert_eq!(paths.project_config(&sub), None);
        std::fs::create_dir_all(repo.join("a/.mcpctl")).unwrap();
        std::fs::write(repo.join("a/.mcpctl/config.toml"), "").unwrap();
        let found = paths.project_config(&sub).unwrap();
        assert_eq!(found.root, repo.join("a"));
    }

    #[test]
    fn home_config_is_not_a_project_config() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join(".mcpctl");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::write(home.join("config.toml"), "").unwrap();
        let paths = Paths::new(&home, tmp.path().join("sys"));
        assert_eq!(paths.project_config(tmp.path()), None);
    }
}
