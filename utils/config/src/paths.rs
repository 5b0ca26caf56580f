//! The one place that resolves where mcpctl's files live.

use std::env;
use std::path::{Path, PathBuf};

use crate::error::ConfigError;

/// Environment variable naming mcpctl's home folder (default `~/.mcpctl`).
pub const HOME_ENV: &str = "MCPCTL_HOME";
/// Environment variable naming an *extra* system folder, for tests and packagers. It can only
/// add: its `requirements.toml` and `managed_config.toml` apply on top of the fixed system
/// folder's (a server must satisfy both requirement files), and its `config.toml` replaces the
/// fixed folder's as the lowest layer. No variable removes or relocates the fixed files.
pub const SYSTEM_DIR_ENV: &str = "MCPCTL_SYSTEM_DIR";
/// The fixed system folder: `/etc/mcpctl`, or what the build set with the compile-time
/// variable `MCPCTL_BUILD_SYSTEM_DIR` (packagers).
pub const DEFAULT_SYSTEM_DIR: &str = match option_env!("MCPCTL_BUILD_SYSTEM_DIR") {
    Some(dir) => dir,
    None => "/etc/mcpctl",
};
/// The name of a project's config folder (`<project>/.mcpctl/config.toml`).
pub const PROJECT_DIR_NAME: &str = ".mcpctl";
/// The file name of every config layer.
pub const CONFIG_FILE: &str = "config.toml";

/// Where every file mcpctl reads or writes lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    home: PathBuf,
    system_dir: PathBuf,
    extra_dir: Option<PathBuf>,
}

impl Paths {
    /// Paths with an explicit home and (fixed) system folder (tests, embedders).
    pub fn new(home: impl Into<PathBuf>, system_dir: impl Into<PathBuf>) -> Self {
        Self {
            home: home.into(),
            system_dir: system_dir.into(),
            extra_dir: None,
        }
    }

    /// Resolves the paths from `MCPCTL_HOME`, `MCPCTL_SYSTEM_DIR` and `HOME`; the fixed system
    /// folder always applies ([`DEFAULT_SYSTEM_DIR`]).
    ///
    /// `MCPCTL_HOME` must be absolute: a relative one would let a cloned repository become
    /// the user layer (`MCPCTL_HOME=.mcpctl`) without any trust. An empty variable counts as
    /// unset. A relative `MCPCTL_SYSTEM_DIR` is taken relative to `cwd` (it can only add).
    pub fn from_env(cwd: &Path) -> Result<Self, ConfigError> {
        let home = match non_empty_var(HOME_ENV) {
            Some(value) if Path::new(&value).is_absolute() => PathBuf::from(value),
            Some(value) => {
                return Err(ConfigError::Invalid {
                    location: String::new(),
                    key: HOME_ENV.to_string(),
                    message: format!(
                        "'{value}' is a relative path; set MCPCTL_HOME to an absolute folder such as ~/.mcpctl (a relative one would read whatever folder you stand in as your own config)"
                    ),
                });
            }
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
        let system_dir = PathBuf::from(DEFAULT_SYSTEM_DIR);
        let extra_dir = non_empty_var(SYSTEM_DIR_ENV)
            .map(|v| cwd.join(v))
            .filter(|dir| dir != &system_dir);
        Ok(Self {
            home,
            system_dir,
            extra_dir,
        })
    }

    /// The same paths with an extra system folder ([`SYSTEM_DIR_ENV`]'s meaning).
    pub fn with_extra_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.extra_dir = Some(dir.into());
        self
    }

    /// The extra system folder, when `MCPCTL_SYSTEM_DIR` names one.
    pub fn extra_dir(&self) -> Option<&Path> {
        self.extra_dir.as_deref()
    }

    /// mcpctl's home folder (`$MCPCTL_HOME`, default `~/.mcpctl`).
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The fixed system folder (`/etc/mcpctl` unless the build set another).
    pub fn system_dir(&self) -> &Path {
        &self.system_dir
    }

    /// The user's config file, the only file mcpctl writes: `$MCPCTL_HOME/config.toml`.
    pub fn user_config(&self) -> PathBuf {
        self.home.join(CONFIG_FILE)
    }

    /// The system-wide config, the lowest layer: `config.toml` in the extra system folder when
    /// one is set, else in the fixed one.
    pub fn system_config(&self) -> PathBuf {
        self.extra_dir
            .as_deref()
            .unwrap_or(&self.system_dir)
            .join(CONFIG_FILE)
    }

    /// Managed config files, lowest precedence first: the fixed system folder's, the extra
    /// folder's, then `$MCPCTL_HOME/managed_config.toml`.
    pub fn managed_configs(&self) -> Vec<PathBuf> {
        let mut files = vec![self.system_dir.join("managed_config.toml")];
        if let Some(extra) = &self.extra_dir {
            files.push(extra.join("managed_config.toml"));
        }
        files.push(self.home.join("managed_config.toml"));
        files
    }

    /// The admin requirements files: the fixed `/etc/mcpctl/requirements.toml`, which always
    /// applies when it exists, then the extra folder's. A server must satisfy every one.
    pub fn requirements(&self) -> Vec<PathBuf> {
        let mut files = vec![self.system_dir.join("requirements.toml")];
        if let Some(extra) = &self.extra_dir {
            files.push(extra.join("requirements.toml"));
        }
        files
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
        assert_eq!(
            p.requirements(),
            vec![PathBuf::from("/sys/requirements.toml")]
        );
        assert_eq!(
            p.managed_configs(),
            vec![
                PathBuf::from("/sys/managed_config.toml"),
                PathBuf::from("/h/managed_config.toml")
            ]
        );
        // An extra folder adds files; it never removes the fixed ones.
        let p = p.with_extra_dir("/extra");
        assert_eq!(p.system_config(), PathBuf::from("/extra/config.toml"));
        assert_eq!(
            p.requirements(),
            vec![
                PathBuf::from("/sys/requirements.toml"),
                PathBuf::from("/extra/requirements.toml")
            ]
        );
        assert_eq!(p.managed_configs().len(), 3);
        assert_eq!(
            p.managed_configs()[0],
            PathBuf::from("/sys/managed_config.toml")
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
