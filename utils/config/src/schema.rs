//! The JSON schema of `config.toml` (the MCP subset mcpctl reads; other keys are allowed).

use crate::raw::RawConfig;

/// The JSON schema of `config.toml`, pretty-printed, ending with a newline.
pub fn config_schema_json() -> String {
    let schema = schemars::schema_for!(RawConfig);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[allow(clippy::disallowed_methods)]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_in_schema_is_current() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config.schema.json");
        let current = config_schema_json();
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &current).unwrap();
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == current,
            "config.schema.json is stale: run `just schema` (or UPDATE_SCHEMA=1 cargo test -p mcpctl-config schema)"
        );
        assert!(current.contains("\"bearer_token_env_var\""));
    }
}
