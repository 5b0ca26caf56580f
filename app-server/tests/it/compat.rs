//! The pinned Codex CLI's own generated schema validates mcpctl's answers to shared methods
//! (with Python's `jsonschema`). Skipped when either is missing, unless MCPCTL_REQUIRE_PEERS=1.

use std::process::Command;

use mcpctl_test_support::{TestHome, peers_dir};
use serde_json::{Value, json};

use crate::client::{AppServer, test_server};

fn skip(why: &str) {
    assert!(
        std::env::var("MCPCTL_REQUIRE_PEERS").as_deref() != Ok("1"),
        "MCPCTL_REQUIRE_PEERS=1 but {why}"
    );
    eprintln!("skipped: {why}");
}

#[test]
fn codex_schema_validates_our_answers() {
    let codex = peers_dir().join(".bin/codex");
    if !codex.is_file() {
        return skip("the Codex CLI peer is not installed (run `just peers`)");
    }
    let has_jsonschema = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_jsonschema {
        return skip("python3 with the `jsonschema` module is not available");
    }
    let t = TestHome::new();
    let dir = t.path().join("codex-schema");
    let status = Command::new(&codex)
        .args(["app-server", "generate-json-schema", "--out"])
        .arg(&dir)
        .env("CODEX_HOME", t.path())
        .status()
        .unwrap();
    assert!(status.success());
    t.write_config(&format!(
        "[mcp_servers.web]\nurl = \"https://example.com/mcp\"\n{}",
        test_server("t", &[], "")
    ));
    let mut s = AppServer::started(&t);
    let mut answers: Vec<(&str, Value)> = Vec::new();
    let thread = s.result("thread/start", json!({}));
    let thread_id = thread["thread"]["id"].clone();
    s.notification("mcpServer/startupStatus/updated", |p| {
        p["status"] == "ready"
    });
    answers.push((
        "v2/ConfigReadResponse.json",
        s.result("config/read", json!({"includeLayers": true})),
    ));
    answers.push((
        "v2/ConfigWriteResponse.json",
        s.result(
            "config/value/write",
            json!({"keyPath": "features.x", "value": true, "mergeStrategy": "upsert"}),
        ),
    ));
    answers.push((
        "v2/ListMcpServerStatusResponse.json",
        s.result("mcpServerStatus/list", json!({})),
    ));
    answers.push((
        "v2/ListMcpServerStatusResponse.json",
        s.result("mcpServerStatus/list", json!({"threadId": thread_id})),
    ));
    answers.push((
        "v2/McpServerToolCallResponse.json",
        s.result("mcpServer/tool/call", json!({"threadId": thread_id, "server": "t", "tool": "add", "arguments": {"a": 1, "b": 2}})),
    ));
    answers.push((
        "v2/McpResourceReadResponse.json",
        s.result(
            "mcpServer/resource/read",
            json!({"threadId": thread_id, "server": "t", "uri": "test://text"}),
        ),
    ));
    answers.push((
        "v2/ConfigRequirementsReadResponse.json",
        s.result("configRequirements/read", json!({})),
    ));
    let update = s.notification("mcpServer/startupStatus/updated", |_| true);
    answers.push((
        "v2/McpServerStatusUpdatedNotification.json",
        update["params"].clone(),
    ));
    assert!(s.close().success());
    let cases: Vec<Value> = answers
        .iter()
        .map(|(schema, answer)| json!([dir.join(schema).display().to_string(), answer]))
        .collect();
    let input = t.path().join("cases.json");
    std::fs::write(&input, serde_json::to_string(&cases).unwrap()).unwrap();
    let script = r#"
import json, sys, jsonschema
bad = []
for path, answer in json.load(open(sys.argv[1])):
    schema = json.load(open(path))
    for error in jsonschema.Draft7Validator(schema).iter_errors(answer):
        bad.append(f"{path.rsplit('/', 1)[-1]}: {list(error.absolute_path)}: {error.message}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "Codex's schema refuses our answers:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Our own checked-in schema (which the TypeScript declarations come from) describes the
    // same answers: every field it calls required is there, with its type.
    let ours =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app-server-protocol/schema/json");
    let cases: Vec<Value> = answers
        .iter()
        .map(|(schema, answer)| json!([ours.join(schema).display().to_string(), answer]))
        .collect();
    std::fs::write(&input, serde_json::to_string(&cases).unwrap()).unwrap();
    let out = Command::new("python3")
        .args([
            "-c",
            &script.replace("Draft7Validator", "Draft202012Validator"),
        ])
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "our own schema refuses our answers:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
