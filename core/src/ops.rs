//! Edits commands ask for: add, remove, enable, disable, trust. Every write goes through
//! [`mcpctl_config::ConfigWriter`] into the user config, never into system, project or managed
//! files.

use std::path::{Path, PathBuf};

use mcpctl_config::{
    ConfigError, ConfigWriter, LayerSource, McpServerConfig, ServerName, UpsertMode,
    display_key_path,
};

use crate::error::CoreError;
use crate::policy::{DisabledReason, ServerStatus, policy_status};
use crate::workspace::Workspace;

/// A server to add (or replace).
#[derive(Debug, Clone)]
pub struct AddRequest {
    /// Its name.
    pub name: ServerName,
    /// Its configuration.
    pub config: McpServerConfig,
    /// Replace an existing server of the same name instead of refusing.
    pub replace: bool,
}

/// The result of an edit.
#[derive(Debug)]
pub struct EditOutcome {
    /// The file written.
    pub path: PathBuf,
    /// False when the file already said this (nothing written).
    pub changed: bool,
    /// True when the edit replaced an existing server.
    pub replaced: bool,
    /// Things the user should know: the policy disables the server, a higher layer overrides
    /// what was written.
    pub warnings: Vec<String>,
}

impl Workspace {
    pub(crate) fn writer(&self) -> ConfigWriter {
        let writer = ConfigWriter::new(self.paths().user_config());
        match &self.options.notice {
            Some(notice) => writer.with_wait_notice(notice.clone()),
            None => writer,
        }
    }

    fn user_file(&self) -> PathBuf {
        self.paths().user_config()
    }

    /// Adds a server to the user config; refuses an existing name unless `replace` is set.
    pub fn add_server(&self, request: AddRequest) -> Result<EditOutcome, CoreError> {
        let name = request.name.as_str();
        validate_new(&request)?;
        let mut replaced = false;
        if let Some(existing) = self.servers().get(name) {
            if !matches!(existing.source(), LayerSource::User(_)) {
                return Err(self.not_user_defined(name, existing.source()));
            }
            if !request.replace {
                return Err(CoreError::ServerExists {
                    name: name.to_string(),
                    source_file: self.user_file(),
                });
            }
            replaced = true;
        }
        let mode = if request.replace {
            UpsertMode::Replace
        } else {
            UpsertMode::CreateOnly
        };
        let outcome = self
            .writer()
            .upsert_server(&request.name, &request.config, mode, None)?;
        // Warnings come from the state read before the edit: the edit only touched this
        // server's tables in the user layer, so re-reading every file would tell nothing new.
        let mut warnings: Vec<String> = overridden_keys(self, name)
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        if let ServerStatus::Disabled(DisabledReason::Requirements { path, detail }) =
            policy_status(self.requirements(), &request.name, &request.config)
        {
            warnings.insert(
                0,
                format!(
                    "MCP server '{name}' was added but is disabled by requirements ({}): {detail}",
                    path.display()
                ),
            );
        }
        warnings.extend(crate::policy::cleartext_warning(
            &request.name,
            &request.config,
        ));
        Ok(EditOutcome {
            path: outcome.path,
            changed: outcome.changed,
            replaced,
            warnings,
        })
    }

    /// Removes a server (and its sub-tables) from the user config.
    pub fn remove_server(&self, name: &str) -> Result<EditOutcome, CoreError> {
        // A table skipped for its name (`"a b"`, which Codex accepts) can still be removed.
        if self
            .loaded()
            .config
            .skipped_servers
            .iter()
            .any(|n| n == name)
        {
            let key = ["mcp_servers".to_string(), name.to_string()];
            if let Some(layer) = self.loaded().stack.origin(&key)
                && !matches!(layer.source(), LayerSource::User(_))
            {
                return Err(self.not_user_defined(name, layer.source()));
            }
            let outcome = self.writer().remove_value(&key, None)?;
            return Ok(EditOutcome {
                path: outcome.path,
                changed: outcome.changed,
                replaced: false,
                warnings: Vec::new(),
            });
        }
        let server = self.server(name)?;
        if !matches!(server.source(), LayerSource::User(_)) {
            return Err(self.not_user_defined(name, server.source()));
        }
        let outcome = self.writer().remove_server(server.name(), None)?;
        let mut warnings = Vec::new();
        let prefix = vec!["mcp_servers".to_string(), name.to_string()];
        let mut others: Vec<String> = self
            .loaded()
            .stack
            .leaves(&prefix)
            .into_iter()
            .filter(|(_, layer)| !matches!(layer.source(), LayerSource::User(_)))
            .map(|(_, layer)| layer.source().to_string())
            .collect();
        others.dedup();
        for other in others {
            warnings.push(format!("MCP server '{name}' still has settings in {other}"));
        }
        Ok(EditOutcome {
            path: outcome.path,
            changed: outcome.changed,
            replaced: false,
            warnings,
        })
    }

    /// Enables or disables a server. A server defined in the user config gets `enabled = false`
    /// in its table (enabling removes it). A server defined in a file mcpctl does not write (a
    /// project, the system config) gets an override in the user config's
    /// `[mcpctl.server_overrides.<name>]`, which enabling removes; Codex ignores that table, so
    /// the file stays loadable for both programs wherever the defining file is not read.
    ///
    /// A server the admin requirements disable cannot be enabled: that is an error, and
    /// nothing is written.
    pub fn set_server_enabled(&self, name: &str, enabled: bool) -> Result<EditOutcome, CoreError> {
        let server = self.server(name)?;
        let mut wanted = server.config().clone();
        wanted.enabled = true;
        if enabled
            && let ServerStatus::Disabled(reason @ DisabledReason::Requirements { .. }) =
                policy_status(self.requirements(), server.name(), &wanted)
        {
            return Err(CoreError::ServerDisabled {
                name: name.to_string(),
                reason,
            });
        }
        let writer = self.writer();
        let user_defined = matches!(server.source(), LayerSource::User(_));
        let override_key: Vec<String> = crate::policy::SERVER_OVERRIDES
            .iter()
            .map(|s| (*s).to_string())
            .chain([name.to_string(), "enabled".to_string()])
            .collect();
        let (outcome, written) = if user_defined {
            let outcome = writer.set_server_enabled(server.name(), enabled, None)?;
            let key = vec![
                "mcp_servers".to_string(),
                name.to_string(),
                "enabled".to_string(),
            ];
            (outcome, key)
        } else if enabled {
            let outcome = writer.remove_value(&override_key, None)?;
            (outcome, override_key)
        } else {
            let outcome = writer.set_value(&override_key, toml_edit::Value::from(false), None)?;
            (outcome, override_key)
        };
        let mut warnings: Vec<String> = overridden_keys(self, name)
            .into_iter()
            .filter(|(path, _)| *path == written)
            .map(|(_, text)| text)
            .collect();
        // Enabling removed mcpctl's override; the defining file may still say `enabled = false`.
        if enabled && !user_defined && !server.config().enabled {
            let file = server
                .source()
                .path()
                .map_or_else(|| server.source().to_string(), |p| p.display().to_string());
            warnings.push(format!(
                "MCP server '{name}' stays disabled: `enabled = false` is set in {file}, which mcpctl does not write; edit that file"
            ));
        }
        Ok(EditOutcome {
            path: outcome.path,
            changed: outcome.changed,
            replaced: false,
            warnings,
        })
    }

    fn not_user_defined(&self, name: &str, source: &LayerSource) -> CoreError {
        CoreError::NotUserDefined {
            name: name.to_string(),
            source_file: source.path().map(Path::to_path_buf).unwrap_or_default(),
            kind: source.kind().to_string(),
        }
    }
}

/// Checks what the config loader would refuse, so a bad `add` never reaches the file.
/// The rules a server read from a file must follow hold for one about to be written, too: the
/// same check (`Transport::check`), named by the key it would be written under.
fn validate_new(request: &AddRequest) -> Result<(), CoreError> {
    request.config.transport.check().map_err(|err| {
        CoreError::Config(ConfigError::Invalid {
            location: String::new(),
            key: display_key_path(&[
                "mcp_servers".to_string(),
                request.name.to_string(),
                err.key.to_string(),
            ]),
            message: err.message.to_string(),
        })
    })
}

/// Keys of a server that a layer above the user config sets, so a write there has no effect.
fn overridden_keys(workspace: &Workspace, name: &str) -> Vec<(Vec<String>, String)> {
    let prefix = vec!["mcp_servers".to_string(), name.to_string()];
    workspace
        .loaded()
        .stack
        .leaves(&prefix)
        .into_iter()
        .filter(|(_, layer)| {
            matches!(
                layer.source(),
                LayerSource::Project(_) | LayerSource::Managed(_) | LayerSource::Override(_)
            )
        })
        .map(|(path, layer)| {
            let text = format!(
                "{} is set by {} ({} config), which takes precedence over {}",
                display_key_path(path),
                layer.source(),
                layer.source().kind(),
                workspace.paths().user_config().display()
            );
            (path.clone(), text)
        })
        .collect()
}
