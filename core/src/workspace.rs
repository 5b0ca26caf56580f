//! Loading everything a command needs: paths, layers, requirements, effective servers.

use std::path::{Path, PathBuf};

use mcpctl_allowlist::Requirements;
use mcpctl_config::{
    ConfigOverride, FeatureState, LoadedConfig, Paths, Warning, load_config, resolve_features,
};

use crate::error::CoreError;
use crate::policy::{EffectiveServer, EffectiveServers};

/// What to load.
#[derive(Clone)]
pub struct LoadOptions {
    /// The working directory (project config discovery, relative paths).
    pub cwd: PathBuf,
    /// File locations.
    pub paths: Paths,
    /// `-c` / `--enable` / `--disable` flags, in order.
    pub overrides: Vec<ConfigOverride>,
    /// Where a long wait is reported (for example "waiting for mcpctl (pid 1234) to release
    /// …config.toml.lock"); front ends print it.
    pub notice: Option<mcpctl_config::WaitNotice>,
}

impl std::fmt::Debug for LoadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadOptions")
            .field("cwd", &self.cwd)
            .field("paths", &self.paths)
            .field("overrides", &self.overrides)
            .finish_non_exhaustive()
    }
}

impl LoadOptions {
    /// Options with paths resolved from the environment (`MCPCTL_HOME`, `MCPCTL_SYSTEM_DIR`).
    pub fn from_env(cwd: PathBuf, overrides: Vec<ConfigOverride>) -> Result<Self, CoreError> {
        let paths = Paths::from_env(&cwd)?;
        Ok(Self {
            cwd,
            paths,
            overrides,
            notice: None,
        })
    }
}

/// The loaded state every command works on. Building it never touches the network.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub(crate) options: LoadOptions,
    loaded: LoadedConfig,
    requirements: Vec<Requirements>,
    servers: EffectiveServers,
    oauth_step_up: Option<crate::login::StepUp>,
}

impl Workspace {
    /// Reads the requirements (failing closed when malformed) and every config layer.
    pub fn load(options: LoadOptions) -> Result<Self, CoreError> {
        // Every requirements file that exists applies (the fixed one and an extra one).
        let mut requirements = Vec::new();
        for path in options.paths.requirements() {
            mcpctl_private_file::check_private(&path).map_err(mcpctl_config::ConfigError::from)?;
            if let Some(loaded) = Requirements::load(&path)? {
                requirements.push(loaded);
            }
        }
        let loaded = load_config(&options.paths, &options.cwd, &options.overrides)?;
        let overrides = crate::policy::ServerOverrides::from_stack(&loaded.stack);
        let servers = EffectiveServers::resolve_with(&loaded.config, &requirements, &overrides);
        Ok(Self {
            options,
            loaded,
            requirements,
            servers,
            oauth_step_up: None,
        })
    }

    /// The workspace loaded again with the same options, to see an edit just made.
    pub fn reload(&self) -> Result<Self, CoreError> {
        Ok(Self {
            oauth_step_up: self.oauth_step_up.clone(),
            ..Self::load(self.options.clone())?
        })
    }

    /// Allows connections of this workspace to run a new OAuth login when a server asks for
    /// more scope (`403 insufficient_scope`), once per connection. Without it such a request
    /// fails with the server's answer.
    pub fn with_oauth_step_up(mut self, step_up: crate::login::StepUp) -> Self {
        self.oauth_step_up = Some(step_up);
        self
    }

    /// The step-up policy, when the front end gave one.
    pub(crate) fn oauth_step_up(&self) -> Option<&crate::login::StepUp> {
        self.oauth_step_up.as_ref()
    }

    /// File locations.
    pub fn paths(&self) -> &Paths {
        &self.options.paths
    }

    /// The working directory the workspace was loaded for.
    pub fn cwd(&self) -> &Path {
        &self.options.cwd
    }

    /// The loaded layers and typed configuration.
    pub fn loaded(&self) -> &LoadedConfig {
        &self.loaded
    }

    /// The admin requirements files that exist (a server must satisfy every one).
    pub fn requirements(&self) -> &[Requirements] {
        &self.requirements
    }

    /// Every configured server, after policy.
    pub fn servers(&self) -> &EffectiveServers {
        &self.servers
    }

    /// Warnings about the configuration (unknown or legacy keys).
    pub fn warnings(&self) -> &[Warning] {
        &self.loaded.warnings
    }

    /// One-line notices (e.g. an ignored untrusted project config).
    pub fn notices(&self) -> Vec<String> {
        self.loaded.notices()
    }

    /// Every known feature and any unknown `[features]` keys, with the layer that decided.
    pub fn features(&self) -> Vec<FeatureState> {
        resolve_features(&self.loaded.stack)
    }

    /// The server named `name`, or an error with a did-you-mean suggestion.
    pub fn server(&self, name: &str) -> Result<&EffectiveServer, CoreError> {
        self.servers
            .get(name)
            .ok_or_else(|| CoreError::UnknownServer {
                name: name.to_string(),
                suggestion: mcpctl_fuzzy_match::did_you_mean(
                    name,
                    self.servers.iter().map(|s| s.name().as_str()),
                )
                .map(str::to_string),
            })
    }
}
