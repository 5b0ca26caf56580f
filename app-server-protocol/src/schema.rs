//! The JSON schema of every message, one file per type, laid out as Codex's
//! `generate-json-schema` output (`v2/<Type>.json` plus one bundle).

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
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

/// Types only the server writes: their schema describes how they are serialized, so a field
/// always written (even as `null`) is `required`. All other types describe what the server
/// reads (a field with a default may be left out).
fn server_writes(name: &str) -> bool {
    const ALSO: &[&str] = &["FailedServer", "JsonRpcErrorResponse", "JsonRpcResponse"];
    ALSO.contains(&name)
        || CLIENT_REQUESTS.iter().any(|spec| spec.result == Some(name))
        || SERVER_NOTIFICATIONS
            .iter()
            .chain(SERVER_REQUESTS)
            .any(|spec| spec.params == Some(name))
}

fn schema_of<T: JsonSchema>(name: &str) -> Value {
    let settings = SchemaSettings::default();
    let settings = if server_writes(name) {
        settings.for_serialize()
    } else {
        settings.for_deserialize()
    };
    serde_json::to_value(settings.into_generator().into_root_schema_for::<T>())
        .unwrap_or(Value::Null)
}

macro_rules! schemas {
    ($($ty:ty),* $(,)?) => {
        vec![$((stringify!($ty), schema_of::<$ty>(stringify!($ty)))),*]
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

// Generated protocol files go to a folder the user names (`--out DIR`), readable like any
// source file: not a file that steers mcpctl, so not written private.
#[allow(clippy::disallowed_methods)]
fn write(path: &Path, value: &Value) -> Result<(), SchemaError> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    std::fs::write(path, text).map_err(|source| SchemaError {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checked-in copies under `schema/json` match the types; regenerate them with
    /// `mcpctl app-server generate-json-schema --out app-server-protocol/schema/json`.
    #[test]
    fn checked_in_schemas_are_current() {
        let checked_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/json");
        let fresh = std::env::temp_dir().join(format!("mcpctl-schema-{}", std::process::id()));
        let written = write_json_schemas(&fresh).unwrap();
        for path in &written {
            let relative = path.strip_prefix(&fresh).unwrap();
            let expected = std::fs::read_to_string(checked_in.join(relative)).unwrap_or_default();
            let actual = std::fs::read_to_string(path).unwrap();
            assert!(
                expected == actual,
                "{} is stale: run `mcpctl app-server generate-json-schema --out app-server-protocol/schema/json`",
                relative.display()
            );
        }
        let on_disk = std::fs::read_dir(checked_in.join("v2")).unwrap().count();
        assert_eq!(
            on_disk + 1,
            written.len(),
            "a checked-in schema has no type any more"
        );
        std::fs::remove_dir_all(&fresh).unwrap();
    }

    #[test]
    fn messages_use_codex_field_names() {
        let schemas: std::collections::BTreeMap<_, _> = json_schemas().into_iter().collect();
        let props = |name: &str| {
            schemas[name]["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            props("InitializeResponse"),
            ["userAgent", "codexHome", "platformFamily", "platformOs"]
        );
        assert!(
            schemas["ListMcpServerStatusResponse"]
                .to_string()
                .contains("resourceTemplates")
        );
    }
}
