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
    let writes = server_writes(name);
    let settings = SchemaSettings::default();
    let settings = if writes {
        settings.for_serialize()
    } else {
        settings.for_deserialize()
    };
    let mut schema = serde_json::to_value(settings.into_generator().into_root_schema_for::<T>())
        .unwrap_or(Value::Null);
    if writes {
        absent_rather_than_null(&mut schema);
    }
    schema
}

/// In the serialize contract a field is left out of `required` only by
/// `skip_serializing_if = "Option::is_none"` (the only one the protocol uses), so such a field
/// is either absent or a value, never `null`: drop `null` from its type (Codex's declarations
/// say `error?: string` there too). The compat test checks real answers against the result.
fn absent_rather_than_null(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    let required: Vec<String> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, property) in properties.iter_mut() {
            if !required.contains(name) {
                drop_null(property);
            }
        }
    }
    for value in object.values_mut() {
        match value {
            Value::Object(_) => absent_rather_than_null(value),
            Value::Array(items) => items.iter_mut().for_each(absent_rather_than_null),
            _ => {}
        }
    }
}

fn drop_null(property: &mut Value) {
    let Some(object) = property.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = object.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            object.insert("type".to_string(), only);
        }
    }
    let null = serde_json::json!({"type": "null"});
    if let Some(Value::Array(variants)) = object.get_mut("anyOf") {
        variants.retain(|v| *v != null);
        if let [Value::Object(only)] = variants.as_slice() {
            let only = only.clone();
            object.remove("anyOf");
            for (key, value) in only {
                object.entry(key).or_insert(value);
            }
        }
    }
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
    fn what_the_server_writes_is_required_or_absent_never_null_when_skipped() {
        let schemas: std::collections::BTreeMap<_, _> = json_schemas().into_iter().collect();
        let call = &schemas["McpServerToolCallResponse"];
        assert_eq!(call["properties"]["isError"]["type"], "boolean");
        assert_eq!(call["required"], serde_json::json!(["content"]));
        let list = &schemas["ListMcpServerStatusResponse"];
        assert_eq!(
            list["properties"]["nextCursor"]["type"],
            serde_json::json!(["string", "null"])
        );
        assert!(
            list["required"]
                .as_array()
                .unwrap()
                .contains(&"nextCursor".into())
        );
        let status = &schemas["McpServerStatusUpdatedNotification"]["properties"]["failureReason"];
        assert_eq!(status["$ref"], "#/$defs/McpServerStartupFailureReason");
        assert!(status.get("anyOf").is_none());
        // What the server reads keeps `null` (a client may send it) and stays optional.
        let params = &schemas["ListMcpServerStatusParams"];
        assert_eq!(
            params["properties"]["cursor"]["type"],
            serde_json::json!(["string", "null"])
        );
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
