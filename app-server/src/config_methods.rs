//! `config/read`, `config/value/write`, `config/batchWrite`, `configRequirements/read`,
//! `config/mcpServer/reload`.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use mcpctl_app_server_protocol::{
    CONFIG_CONFLICT, ConfigBatchWriteParams, ConfigEdit, ConfigLayer, ConfigLayerMetadata,
    ConfigLayerSource, ConfigReadParams, ConfigReadResponse, ConfigRequirements,
    ConfigRequirementsReadResponse, ConfigValueWriteParams, ConfigWriteResponse, JsonRpcError,
    McpServerRefreshResponse, MergeStrategy, OverriddenMetadata, WriteStatus,
};
use mcpctl_config::{ConfigWriter, Layer, LayerSource, Version, WriteError, display_key_path};
use mcpctl_core::{LoadOptions, MASK, Workspace, is_secret_key};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::error::{internal, invalid};
use crate::memo::Inputs;
use crate::outgoing::Answer;
use crate::server::State;

/// The running binary, named as the file of the defaults layer (looked up once).
fn current_exe() -> &'static str {
    static EXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    EXE.get_or_init(|| {
        std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "mcpctl".into())
    })
}

fn source_of(source: &LayerSource) -> ConfigLayerSource {
    let file = |p: &Path| p.display().to_string();
    match source {
        LayerSource::Defaults => ConfigLayerSource::Defaults {
            file: current_exe().to_string(),
        },
        LayerSource::System(p) => ConfigLayerSource::System { file: file(p) },
        LayerSource::User(p) => ConfigLayerSource::User {
            file: file(p),
            profile: None,
        },
        LayerSource::Project(p) => ConfigLayerSource::Project {
            dot_codex_folder: p.parent().map(file).unwrap_or_else(|| file(p)),
        },
        LayerSource::Managed(p) => ConfigLayerSource::Managed { file: file(p) },
        LayerSource::Override(_) => ConfigLayerSource::SessionFlags {},
    }
}

/// A layer's name and the version of the text it was loaded from (what `expected_version`
/// must match while the file is unchanged); computed at most once per loaded layer.
fn metadata(layer: &Layer) -> ConfigLayerMetadata {
    ConfigLayerMetadata {
        name: source_of(layer.source()),
        version: layer.version().to_string(),
    }
}

/// A TOML table as JSON with every secret (env values, headers, client secrets) masked.
fn masked_json(table: &toml::Table) -> Value {
    let mut json = serde_json::to_value(table).unwrap_or_else(|_| json!({}));
    mask(&mut json, &mut Vec::new());
    json
}

fn mask(value: &mut Value, path: &mut Vec<String>) {
    if !path.is_empty() && is_secret_key(path) {
        match value {
            Value::Object(map) => map.values_mut().for_each(|v| *v = Value::from(MASK)),
            other => *other = Value::from(MASK),
        }
        return;
    }
    if let Value::Object(map) = value {
        for (key, inner) in map.iter_mut() {
            path.push(key.clone());
            mask(inner, path);
            path.pop();
        }
    }
}

pub(crate) fn read(state: &State, params: ConfigReadParams) -> Result<Answer, JsonRpcError> {
    let Some(cwd) = &params.cwd else {
        // The answer depends on the loaded workspace only: kept until a write or reload.
        let workspace = state.workspace()?;
        let key = format!("config/read:{}", params.include_layers);
        if let Some(answer) = state.memo.get(&key, &workspace) {
            return Ok(Answer::Raw(answer));
        }
        let answer = raw(read_response(&workspace, params.include_layers))?;
        state.memo.put(
            key,
            &workspace,
            Inputs::stamp(Vec::new()),
            Arc::clone(&answer),
        );
        return Ok(Answer::Raw(answer));
    };
    let options = LoadOptions {
        cwd: cwd.into(),
        ..state.load.clone()
    };
    let workspace = Workspace::load(options).map_err(internal)?;
    raw(read_response(&workspace, params.include_layers)).map(Answer::Raw)
}

fn read_response(workspace: &Workspace, include_layers: bool) -> ConfigReadResponse {
    let stack = &workspace.loaded().stack;
    let mut origins = BTreeMap::new();
    let mut versions: BTreeMap<&LayerSource, ConfigLayerMetadata> = BTreeMap::new();
    for (path, layer) in stack.leaves(&[]) {
        let meta = versions
            .entry(layer.source())
            .or_insert_with(|| metadata(layer))
            .clone();
        origins.insert(display_key_path(path), meta);
    }
    let layers = include_layers.then(|| {
        stack
            .layers()
            .iter()
            .map(|layer| ConfigLayer {
                name: source_of(layer.source()),
                version: layer.version().to_string(),
                config: masked_json(layer.table()),
                disabled_reason: None,
            })
            .collect()
    });
    ConfigReadResponse {
        config: masked_json(stack.merged()),
        origins,
        layers,
    }
}

pub(crate) fn requirements(state: &State) -> Result<Value, JsonRpcError> {
    let workspace = state.workspace()?;
    let files = workspace.requirements();
    let response = if files.is_empty() {
        ConfigRequirementsReadResponse { requirements: None }
    } else {
        let constrained = files.iter().any(|r| r.constrains_mcp());
        let servers = constrained.then(|| {
            files
                .iter()
                .flat_map(|r| r.entries())
                .map(|e| (e.name().to_string(), Value::from(e.description())))
                .collect()
        });
        ConfigRequirementsReadResponse {
            requirements: Some(ConfigRequirements {
                files: files
                    .iter()
                    .map(|r| r.source().display().to_string())
                    .collect(),
                mcp_servers: servers,
            }),
        }
    };
    to_value(response)
}

pub(crate) async fn reload(state: &State) -> Result<Value, JsonRpcError> {
    let _guard = state.write_lock.lock().await;
    state.reload()?;
    to_value(McpServerRefreshResponse {})
}

pub(crate) async fn value_write(
    state: &State,
    params: ConfigValueWriteParams,
) -> Result<Value, JsonRpcError> {
    let edit = ConfigEdit {
        key_path: params.key_path,
        value: params.value,
        merge_strategy: params.merge_strategy,
    };
    write(
        state,
        vec![edit],
        params.expected_version,
        params.file_path,
        "",
    )
    .await
}

pub(crate) async fn batch_write(
    state: &State,
    params: ConfigBatchWriteParams,
) -> Result<Value, JsonRpcError> {
    if params.edits.is_empty() {
        return Err(invalid("edits", "give at least one edit"));
    }
    write(
        state,
        params.edits,
        params.expected_version,
        params.file_path,
        "edits",
    )
    .await
}

/// One leaf write or removal, checked before anything is written.
enum Step {
    Set(Vec<String>, toml_edit::Value),
    Remove(Vec<String>),
}

async fn write(
    state: &State,
    edits: Vec<ConfigEdit>,
    expected: Option<String>,
    file_path: Option<String>,
    field_prefix: &str,
) -> Result<Value, JsonRpcError> {
    let field = |i: usize, name: &str| {
        if field_prefix.is_empty() {
            name.to_string()
        } else {
            format!("{field_prefix}[{i}].{name}")
        }
    };
    let user_config = state.load.paths.user_config();
    if let Some(path) = &file_path
        && Path::new(path) != user_config
    {
        return Err(invalid(
            "filePath",
            format!(
                "only the user config ({}) is writable; omit filePath",
                user_config.display()
            ),
        ));
    }
    let expected = match expected {
        Some(text) => Some(Version::from_str(&text).map_err(|e| invalid("expectedVersion", e))?),
        None => None,
    };
    // Every edit is checked before the first is written, so a bad one writes nothing.
    let mut steps = Vec::new();
    let mut keys = Vec::new();
    for (i, edit) in edits.iter().enumerate() {
        let key_path = mcpctl_keypath::parse_key_path(&edit.key_path)
            .map_err(|e| invalid(&field(i, "keyPath"), e))?;
        keys.push(key_path.clone());
        if edit.value.is_null() {
            steps.push(Step::Remove(key_path));
            continue;
        }
        if edit.merge_strategy == MergeStrategy::Replace && edit.value.is_object() {
            steps.push(Step::Remove(key_path.clone()));
        }
        leaves(&key_path, &edit.value, &mut steps).map_err(|e| invalid(&field(i, "value"), e))?;
    }
    let _guard = state.write_lock.lock().await;
    let writer = ConfigWriter::new(&user_config);
    let mut version = expected;
    let mut last = None;
    for step in steps {
        let outcome = match &step {
            Step::Set(path, value) => writer.set_value(path, value.clone(), version.as_ref()),
            Step::Remove(path) => writer.remove_value(path, version.as_ref()),
        }
        .map_err(write_error)?;
        version = Some(outcome.version.clone());
        last = Some(outcome);
    }
    let workspace = state.reload()?;
    let version = last
        .map(|o| o.version.to_string())
        .unwrap_or_else(|| writer.version().map(|v| v.to_string()).unwrap_or_default());
    let stack = &workspace.loaded().stack;
    let overridden = keys.iter().find_map(|key| {
        let layer = stack.origin(key)?;
        if matches!(layer.source(), LayerSource::User(_)) {
            return None;
        }
        Some(OverriddenMetadata {
            message: format!(
                "`{}` is written, but {} sets it too and wins",
                display_key_path(key),
                layer.source()
            ),
            overriding_layer: metadata(layer),
            effective_value: if is_secret_key(key) {
                Value::from(MASK)
            } else {
                stack
                    .get(key)
                    .and_then(|v| serde_json::to_value(v).ok())
                    .unwrap_or(Value::Null)
            },
        })
    });
    to_value(ConfigWriteResponse {
        status: if overridden.is_some() {
            WriteStatus::OkOverridden
        } else {
            WriteStatus::Ok
        },
        version,
        file_path: user_config.display().to_string(),
        overridden_metadata: overridden,
    })
}

fn write_error(err: WriteError) -> JsonRpcError {
    match err {
        WriteError::Conflict { .. } => JsonRpcError::new(CONFIG_CONFLICT, err.to_string())
            .with_data(json!({"configWriteErrorCode": "configVersionConflict"})),
        other => internal(other),
    }
}

/// Objects become one write per leaf (so tables stay tables and comments stay); other values
/// are written whole.
fn leaves(path: &[String], value: &Value, steps: &mut Vec<Step>) -> Result<(), String> {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let mut inner_path = path.to_vec();
                inner_path.push(key.clone());
                if inner.is_null() {
                    steps.push(Step::Remove(inner_path));
                } else {
                    leaves(&inner_path, inner, steps)?;
                }
            }
            Ok(())
        }
        other => {
            steps.push(Step::Set(path.to_vec(), toml_value(other)?));
            Ok(())
        }
    }
}

fn toml_value(value: &Value) -> Result<toml_edit::Value, String> {
    Ok(match value {
        Value::Null => {
            return Err("null is only allowed as a whole value (it removes the key)".into());
        }
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.into(),
            (None, Some(f)) => f.into(),
            (None, None) => return Err(format!("{n} does not fit a TOML number")),
        },
        Value::String(s) => s.as_str().into(),
        Value::Array(items) => {
            let mut array = toml_edit::Array::new();
            for item in items {
                array.push(toml_value(item)?);
            }
            toml_edit::Value::Array(array)
        }
        Value::Object(map) => {
            let mut table = toml_edit::InlineTable::new();
            for (key, inner) in map {
                table.insert(key, toml_value(inner)?);
            }
            toml_edit::Value::InlineTable(table)
        }
    })
}

pub(crate) fn to_value(value: impl serde::Serialize) -> Result<Value, JsonRpcError> {
    serde_json::to_value(value).map_err(internal)
}

/// `value` serialised once, to be kept and written as it is.
pub(crate) fn raw(value: impl serde::Serialize) -> Result<Arc<RawValue>, JsonRpcError> {
    serde_json::value::to_raw_value(&value)
        .map(Arc::from)
        .map_err(internal)
}
