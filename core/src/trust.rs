//! `mcpctl trust | untrust`: project trust bound to the exact project root and to what its
//! config said when it was trusted.

use std::path::{Path, PathBuf};

use mcpctl_config::{
    ConfigError, Fingerprint, Layer, LayerSource, TrustLevel, TrustRecord, TrustRecords,
};

use crate::error::CoreError;
use crate::ops::EditOutcome;
use crate::workspace::Workspace;

/// Where a project stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustState {
    /// Not trusted: its config is not read.
    NotTrusted,
    /// Trusted, and its config is what was trusted.
    Trusted,
    /// Trusted by Codex or an older mcpctl, with no record of what was trusted: read as is.
    TrustedWithoutRecord,
    /// Trusted, but its config changed since: not read until trusted again.
    Changed,
}

/// A project's trust: its root, its config file, its state and what changed.
#[derive(Debug)]
pub struct TrustReport {
    /// The project root: the folder holding `.mcpctl/` (or the folder named, when none does).
    pub root: PathBuf,
    /// `<root>/.mcpctl/config.toml`, when it exists.
    pub file: Option<PathBuf>,
    /// The state (after the command, for `trust` and `untrust`).
    pub state: TrustState,
    /// What changed since the project was trusted (keys only, never values).
    pub changes: Vec<String>,
    /// The edit of the user's config, for `trust` and `untrust`.
    pub edit: Option<EditOutcome>,
}

impl Workspace {
    /// The project that `dir` belongs to: the nearest folder from `dir` up to its repository
    /// root that holds `.mcpctl/config.toml`, else `dir` itself. Trust from a subfolder thus
    /// trusts the project, never a folder above or below it.
    pub fn project_root(&self, dir: &Path) -> Result<(PathBuf, Option<PathBuf>), CoreError> {
        let dir = self.cwd().join(dir);
        let dir = dir
            .canonicalize()
            .ok()
            .filter(|d| d.is_dir())
            .ok_or(CoreError::NotAFolder { path: dir })?;
        Ok(match self.paths().project_config(&dir) {
            Some(project) => (project.root, Some(project.file)),
            None => (dir, None),
        })
    }

    /// Where the project of `dir` stands (`mcpctl trust --show`).
    pub fn project_trust(&self, dir: &Path) -> Result<TrustReport, CoreError> {
        let (root, file) = self.project_root(dir)?;
        let fingerprint = fingerprint(file.as_deref())?;
        let trusted = self.trusted_keys(&root).next().is_some();
        let records = TrustRecords::load(self.paths().home()).map_err(ConfigError::from)?;
        let (state, changes) = match (trusted, records.get(&root)) {
            (false, _) => (TrustState::NotTrusted, Vec::new()),
            (true, None) => (TrustState::TrustedWithoutRecord, Vec::new()),
            (true, Some(record)) => {
                let changes = fingerprint.changes_since(&record.fingerprint);
                let state = if changes.is_empty() {
                    TrustState::Trusted
                } else {
                    TrustState::Changed
                };
                (state, changes)
            }
        };
        Ok(TrustReport {
            root,
            file,
            state,
            changes,
            edit: None,
        })
    }

    /// Trusts the project of `dir` as its config is now: records its fingerprint, then marks
    /// the exact root trusted in the user's config (`[projects."<root>"]`, Codex's form).
    pub fn trust_project(&self, dir: &Path) -> Result<TrustReport, CoreError> {
        let (root, file) = self.project_root(dir)?;
        let fingerprint = fingerprint(file.as_deref())?;
        let home = self.paths().home();
        let mut records = TrustRecords::load(home).map_err(ConfigError::from)?;
        records.insert(root.clone(), TrustRecord { fingerprint });
        records.save(home).map_err(ConfigError::from)?;
        let outcome = self.writer().set_project_trusted(&root)?;
        Ok(TrustReport {
            root,
            file,
            state: TrustState::Trusted,
            changes: Vec::new(),
            edit: Some(EditOutcome {
                path: outcome.path,
                changed: outcome.changed,
                replaced: false,
                warnings: Vec::new(),
            }),
        })
    }

    /// Stops trusting the project of `dir`: removes its `[projects]` trust from the user's
    /// config (under whatever spelling of the path it was written) and its record.
    pub fn untrust_project(&self, dir: &Path) -> Result<TrustReport, CoreError> {
        let (root, file) = self.project_root(dir)?;
        let keys: Vec<String> = self.trusted_keys(&root).collect();
        let writer = self.writer();
        let mut edit = None;
        for key in keys {
            let outcome = writer.remove_value(
                &["projects".to_string(), key, "trust_level".to_string()],
                None,
            )?;
            edit = Some(EditOutcome {
                path: outcome.path,
                changed: outcome.changed,
                replaced: false,
                warnings: Vec::new(),
            });
        }
        let home = self.paths().home();
        let mut records = TrustRecords::load(home).map_err(ConfigError::from)?;
        if records.remove(&root) {
            records.save(home).map_err(ConfigError::from)?;
        }
        Ok(TrustReport {
            root,
            file,
            state: TrustState::NotTrusted,
            changes: Vec::new(),
            edit,
        })
    }

    /// The `[projects]` keys that trust exactly `root`, as written.
    fn trusted_keys<'a>(&'a self, root: &'a Path) -> impl Iterator<Item = String> + 'a {
        self.loaded()
            .config
            .projects
            .iter()
            .filter(move |(path, level)| {
                **level == TrustLevel::Trusted
                    && path.canonicalize().unwrap_or_else(|_| path.to_path_buf()) == root
            })
            .filter_map(|(path, _)| path.to_str().map(str::to_string))
    }
}

/// The fingerprint of a project config file (of nothing when there is none).
fn fingerprint(file: Option<&Path>) -> Result<Fingerprint, CoreError> {
    let layer = match file {
        Some(file) => Layer::load(LayerSource::Project(file.to_path_buf()))?,
        None => None,
    };
    Ok(layer.map_or_else(Fingerprint::default, |layer| Fingerprint::of(layer.table())))
}
