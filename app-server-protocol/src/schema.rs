//! The JSON schema of every message, one file per type, laid out as Codex's
//! `generate-json-schema` output (`v2/<Type>.json` plus one bundle).

use std::path::{Path, PathBuf};

use schemars::schema_for;
use serde_json::Value;
use thiserror::Error;

use crate::*;

/// Writing the schema files failed.
#[derive(Debug, Error)]
#[error("cannot write {}: {source}; check that the folder is writable", path.display())]
pub struct SchemaError {
    /// The file or folder.
    pub path: PathBuf,
    /// The cause.
    #[source]
    pub source: std::io::Error,
}

macro_rules! schemas {
    ($($ty:ty),* $(,)?) => {
        vec![$((stringify!($ty), serde_json::to_value(schema_for!($ty)).unwrap_or(Value::Null))),*]
    };
}

/// `(type name, schema)` for every message type, sorted by name.
pub fn json_schemas() -> Vec<(&'static str, Value)> {
    let mut all: Vec<(&'static str, Value)> = schemas![
        JsonRpcRequest,
        JsonRpcNotification,
        JsonRpcResponse,
        JsonRpcErrorResponse,
        RequestId,
        InitializeParams,
        InitializeResponse,
        ConfigReadParams,
        ConfigReadResponse,
        ConfigValueWriteParams,
        ConfigBatchWriteParams,
        ConfigWriteResponse,
        ConfigRequirementsReadResponse,
        McpServerRefreshResponse,
        ListMcpServerStatusParams,
        ListMcpServerStatusResponse,
        McpServerOauthLoginParams,
        McpServerOauthLoginResponse,
        McpServerOauthLoginCompletedNotification,
        McpServerStatusUpdatedNotification,
        McpResourceReadParams,
        McpResourceReadResponse,
        McpServerToolCallParams,
        McpServerToolCallResponse,
        McpServerElicitationRequestParams,
        McpServerElicitationRequestResponse,
        ServerRequestResolvedNotification,
        ThreadStartParams,
        ThreadResumeParams,
        ThreadStartResponse,
        FailedServer,
    ];
    all.sort_by_key(|(name, _)| *name);
    all
}

/// Writes `<dir>/v2/<Type>.json` for every type and `<dir>/mcpctl_app_server_protocol.schemas.json`
/// with all of them under `definitions`. Output is deterministic, so checked-in copies can be
/// compared byte for byte.
pub fn write_json_schemas(dir: &Path) -> Result<Vec<PathBuf>, SchemaError> {
    let v2 = dir.join("v2");
    std::fs::create_dir_all(&v2).map_err(|source| SchemaError {
        path: v2.clone(),
        source,
    })?;
    let mut written = Vec::new();
    let mut bundle = serde_json::Map::new();
    for (name, schema) in json_schemas() {
        let path = v2.join(format!("{name}.json"));
        write(&path, &schema)?;
        written.push(path);
        bundle.insert(name.to_string(), schema);
    }
    let bundle_path = dir.join("mcpctl_app_server_protocol.schemas.json");
    let bundle = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "McpctlAppServerProtocol",
        "definitions": bundle,
    });
    write(&bundle_path, &bundle)?;
    written.push(bundle_path);
    Ok(written)
}

fn write(path: &Path, value: &Value) -> Result<(), SchemaError> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    std::fs::write(path, text).map_err(|source| SchemaError {
        path: path.to_path_buf(),
        source,
    })
}
