//! Property tests of the config loader (issue 14 §2): whatever a file holds, loading it never
//! panics, and every error says where (the file, with a line and column for text errors).
//! `just fuzz` runs them with more cases (`PROPTEST_CASES`).

use std::path::PathBuf;

use proptest::prelude::*;

use crate::convert::build_config;
use crate::layers::{Layer, LayerSource, LayerStack};

fn cases() -> ProptestConfig {
    ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(256),
    )
}

/// Loads `text` as a user config; the error text when it fails.
fn load(text: &str) -> Result<(), String> {
    let layer = Layer::parse(LayerSource::User(PathBuf::from("/h/config.toml")), text)
        .map_err(|e| e.to_string())?;
    build_config(&LayerStack::new(vec![layer]))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Lines that look like a config: known keys and tables, wrong types, odd names and values.
fn config_line() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("command"),
        Just("args"),
        Just("url"),
        Just("env"),
        Just("enabled"),
        Just("startup_timeout_sec"),
        Just("tool_timeout_sec"),
        Just("enabled_tools"),
        Just("default_tools_approval_mode"),
        Just("scopes"),
        Just("oauth"),
        Just("x"),
        Just("mcp_oauth_callback_port"),
        Just("features"),
        Just("projects"),
    ];
    let value = prop_oneof![
        Just("\"npx\"".to_string()),
        Just("\"http://127.0.0.1:9/mcp\"".to_string()),
        Just("1e300".to_string()),
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("true".to_string()),
        Just("[\"a\", 1]".to_string()),
        Just("{ K = \"v\" }".to_string()),
        Just("\"auto\"".to_string()),
        Just("\"never\"".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[a-z ]{0,8}".prop_map(|s| format!("{s:?}")),
    ];
    let header = prop_oneof![
        Just("[mcp_servers.a]".to_string()),
        Just("[mcp_servers.\"a b\"]".to_string()),
        Just("[mcp_servers.a.env]".to_string()),
        Just("[mcp_servers.a.tools.t]".to_string()),
        Just("[features]".to_string()),
        Just("[projects.\"/p\"]".to_string()),
        Just("[mcp_servers]".to_string()),
        Just("[[mcp_servers]]".to_string()),
    ];
    prop_oneof![
        (key, value).prop_map(|(k, v)| format!("{k} = {v}")),
        header,
        "[ -~]{0,20}",
    ]
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn any_bytes_load_without_panic_and_errors_name_the_file(text in "\\PC{0,200}") {
        if let Err(error) = load(&text) {
            prop_assert!(error.contains("/h/config.toml"), "{error}");
        }
    }

    #[test]
    fn config_shaped_files_load_without_panic_and_errors_say_where(
        lines in proptest::collection::vec(config_line(), 0..12)
    ) {
        let text = lines.join("\n");
        if let Err(error) = load(&text) {
            prop_assert!(error.contains("/h/config.toml:"), "{error}\n---\n{text}");
        }
    }
}
