//! Reading every layer in precedence order and producing the typed configuration.

use std::path::{Path, PathBuf};

use crate::convert::{Config, TrustLevel, Warning, build_config};
use crate::error::ConfigError;
use crate::features::{FEATURES, Stage};
use crate::layers::{Layer, LayerSource, LayerStack};
use crate::paths::{Paths, ProjectConfig};
use crate::trust::{Fingerprint, TrustRecords};

/// One `-c key=value` (or `--enable`/`--disable`) flag, already parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigOverride {
    /// The flag as the user typed it, for `config explain` (e.g. `-c a.b=1`).
    pub raw: String,
    /// The dotted key path.
    pub key_path: Vec<String>,
    /// The value.
    pub value: toml::Value,
}

/// What a project config in the working directory did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectStatus {
    /// No project config was found.
    None,
    /// A trusted project's config was read.
    Trusted(ProjectConfig),
    /// An untrusted project's config was ignored.
    Ignored(ProjectConfig),
    /// A trusted project's config changed since it was trusted, and was ignored.
    Changed {
        /// The project.
        project: ProjectConfig,
        /// What changed, one key per line (`mcp_servers.x.command: changed`), no values.
        changes: Vec<String>,
    },
}

/// Everything loaded from the configuration files and flags.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The layers and their merged view.
    pub stack: LayerStack,
    /// The typed configuration.
    pub config: Config,
    /// Non-fatal problems (unknown or legacy keys), one line each.
    pub warnings: Vec<Warning>,
    /// What happened to a project config, if any.
    pub project: ProjectStatus,
}

impl LoadedConfig {
    /// One-line notices for the user (e.g. an ignored untrusted project config).
    pub fn notices(&self) -> Vec<String> {
        match &self.project {
            ProjectStatus::Ignored(project) => vec![format!(
                "note: ignoring {} because {} is not trusted; run `mcpctl trust {}` to use it",
                project.file.display(),
                project.root.display(),
                project.root.display()
            )],
            ProjectStatus::Changed { project, changes } => {
                let shown: Vec<&str> = changes.iter().take(3).map(String::as_str).collect();
                let more = changes.len().saturating_sub(shown.len());
                let more = if more > 0 {
                    format!(", and {more} more")
                } else {
                    String::new()
                };
                vec![format!(
                    "note: ignoring {} because it changed since you trusted {} ({}{more}); review it with `mcpctl trust --show`, then run `mcpctl trust {}` to use it",
                    project.file.display(),
                    project.root.display(),
                    shown.join(", "),
                    project.root.display()
                )]
            }
            _ => Vec::new(),
        }
    }
}

/// Loads defaults → system → user → trusted project → overrides → managed.
pub fn load_config(
    paths: &Paths,
    cwd: &Path,
    overrides: &[ConfigOverride],
) -> Result<LoadedConfig, ConfigError> {
    let mut layers = vec![defaults_layer()];
    layers.extend(Layer::load(LayerSource::System(paths.system_config()))?);
    layers.extend(Layer::load(LayerSource::User(paths.user_config()))?);

    let project = match paths.project_config(cwd) {
        None => ProjectStatus::None,
        Some(project) => {
            let (trust_config, _) = build_config(&LayerStack::new(layers.clone()))?;
            if is_trusted(&trust_config, &project.root) {
                let layer = Layer::load(LayerSource::Project(project.file.clone()))?;
                let records = TrustRecords::load(paths.home())?;
                let changes = match (records.get(&normalize(&project.root)), &layer) {
                    (Some(record), Some(layer)) => {
                        Fingerprint::of(layer.table()).changes_since(&record.fingerprint)
                    }
                    // Trusted by Codex or an older mcpctl: no fingerprint to hold it to.
                    _ => Vec::new(),
                };
                if changes.is_empty() {
                    layers.extend(layer);
                    ProjectStatus::Trusted(project)
                } else {
                    ProjectStatus::Changed { project, changes }
                }
            } else {
                ProjectStatus::Ignored(project)
            }
        }
    };
    // Managed config is the top layer, as in Codex: a `-c` flag cannot undo what an admin
    // set there (`config explain` shows the flag as overridden).
    for o in overrides {
        layers.push(Layer::single(
            LayerSource::Override(o.raw.clone()),
            &o.key_path,
            o.value.clone(),
        ));
    }
    for managed in paths.managed_configs() {
        layers.extend(Layer::load(LayerSource::Managed(managed))?);
    }
    let stack = LayerStack::new(layers);
    let (config, warnings) = build_config(&stack)?;
    Ok(LoadedConfig {
        stack,
        config,
        warnings,
        project,
    })
}

/// Built-in values, so that `config explain` can show where every default comes from.
fn defaults_layer() -> Layer {
    let mut table = toml::Table::new();
    table.insert(
        "mcp_oauth_credentials_store".to_string(),
        toml::Value::String("auto".to_string()),
    );
    let features = FEATURES
        .iter()
        .filter(|spec| spec.stage != Stage::Removed)
        .map(|spec| {
            (
                spec.key.to_string(),
                toml::Value::Boolean(spec.default_enabled),
            )
        })
        .collect();
    table.insert("features".to_string(), toml::Value::Table(features));
    Layer::from_table(LayerSource::Defaults, table)
}

/// A project is trusted when its exact root is marked trusted: trust does not spread to the
/// folders below a trusted one (a clone under a trusted `~/src`, a nested repository, a
/// package's `.mcpctl/` under `node_modules`).
fn is_trusted(config: &Config, root: &Path) -> bool {
    let root = normalize(root);
    config
        .projects
        .iter()
        .any(|(path, level)| *level == TrustLevel::Trusted && normalize(path) == root)
}

/// `path` with symbolic links resolved, when it exists.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}
