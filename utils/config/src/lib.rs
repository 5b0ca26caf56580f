//! Configuration of mcpctl: the types of `config.toml`, parsing with located errors, layering of
//! the system, user, project, managed and `-c` layers, the JSON schema, and the one writer of
//! config files.
//!
//! Data flows one way: files are parsed into [`Layer`]s, merged into a [`LayerStack`], and
//! converted into a typed [`Config`]; nothing here applies admin policy (see `mcpctl-core`).

mod convert;
mod error;
mod features;
mod keypath;
mod layers;
mod load;
mod name;
mod paths;
#[cfg(test)]
mod properties;
mod raw;
mod schema;
mod snippet;
mod trust;
mod types;
mod writer;

pub use convert::{Config, CredentialsStoreMode, ServerEntry, TrustLevel, Warning, build_config};
pub use error::ConfigError;
pub use features::{
    FEATURES, FeatureSpec, FeatureState, LEGACY_FEATURE_KEYS, Stage, resolve_features,
};
pub use keypath::{KeyPath, display_key_path};
pub use layers::{Layer, LayerSource, LayerStack, Location};
pub use load::{ConfigOverride, LoadedConfig, ProjectStatus, load_config};
pub use name::{MAX_SERVER_NAME_LEN, ServerName};
pub use paths::{
    CONFIG_FILE, DEFAULT_SYSTEM_DIR, HOME_ENV, PROJECT_DIR_NAME, Paths, ProjectConfig,
    SYSTEM_DIR_ENV,
};
pub use schema::config_schema_json;
pub use trust::{Fingerprint, TRUST_FILE, TrustRecord, TrustRecords, TrustStoreError};
pub use types::{
    HttpTransport, InvalidField, MAX_TIMEOUT_SECS, MIN_TIMEOUT_SECS, McpServerConfig, OAUTH_GRANTS,
    OAuthClientConfig, StdioTransport, ToolConfig, Transport,
};
pub use writer::*;

/// The approval enums of `default_tools_approval_mode`, `approval_mode` and `approval_preset`.
pub use mcpctl_approval_presets::{ApprovalMode, Preset as ApprovalPreset};
