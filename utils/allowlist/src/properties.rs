//! Property tests of the requirements parser (issue 14 §2): whatever the file holds, parsing
//! never panics, and every error names the file (with a line and column when the text is at
//! fault). `just fuzz` runs them with more cases (`PROPTEST_CASES`).

use std::path::Path;

use proptest::prelude::*;

use crate::Requirements;

const PATH: &str = "/etc/mcpctl/requirements.toml";

fn cases() -> ProptestConfig {
    ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(256),
    )
}

/// Lines that look like a requirements file: both forms, matchers, caps, wrong types.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[mcp_servers.docs]".to_string()),
        Just("[mcp_server_allowlist.docs]".to_string()),
        Just("[mcp_servers.\"a.b\".identity]".to_string()),
        Just("identity = { command = \"docs-mcp\" }".to_string()),
        Just("identity = { url = { match = \"regex\", expression = \"^(\" } }".to_string()),
        Just("identity = { url = { match = \"prefix\", value = 3 } }".to_string()),
        Just("identity = { command = \"./rel\", args = [1] }".to_string()),
        Just("command = \"x\"".to_string()),
        Just("url = [\"x\"]".to_string()),
        Just("allowed_approval_modes = [\"prompt\", \"nope\"]".to_string()),
        Just("allowed_approval_modes = []".to_string()),
        Just("cwd = \"relative\"".to_string()),
        Just("allow_env = [\"LD_*\"]".to_string()),
        "[a-z_\\.\\[\\]\"= {}0-9,]{0,40}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn any_text_parses_or_fails_with_the_file(text in any::<String>()) {
        if let Err(error) = Requirements::parse(&text, Path::new(PATH)) {
            prop_assert!(error.to_string().contains(PATH), "{error}");
        }
    }

    #[test]
    fn requirement_shaped_files_fail_with_a_location(lines in prop::collection::vec(line(), 0..12)) {
        let text = lines.join("\n");
        if let Err(error) = Requirements::parse(&text, Path::new(PATH)) {
            let message = error.to_string();
            prop_assert!(message.starts_with(&format!("{PATH}:")), "{message}");
        }
    }
}
