//! Config methods through the one writer.

use mcpctl_test_support::TestHome;
use pretty_assertions::assert_eq;
use serde_json::json;

use crate::client::AppServer;

#[test]
fn read_write_conflict_batch_reload_and_requirements() {
    let t = TestHome::new();
    t.write_config(
        "# my servers\n[mcp_servers.docs]\ncommand = \"docs-mcp\" # keep me\nenv = { TOKEN = \"s3cret\" }\n",
    );
    let mut s = AppServer::started(&t);
    let read = s.result("config/read", json!({"includeLayers": true}));
    assert_eq!(read["config"]["mcp_servers"]["docs"]["command"], "docs-mcp");
    assert_eq!(
        read["config"]["mcp_servers"]["docs"]["env"]["TOKEN"],
        "*****"
    );
    assert!(!read.to_string().contains("s3cret"));
    let origin = &read["origins"]["mcp_servers.docs.command"];
    assert_eq!(origin["name"]["type"], "user");
    assert_eq!(
        origin["name"]["file"],
        json!(t.config_path().display().to_string())
    );
    let version = origin["version"].as_str().unwrap().to_string();
    assert!(version.starts_with("sha256:"));
    assert!(read["layers"].as_array().unwrap().len() >= 2);

    let written = s.result(
        "config/value/write",
        json!({"keyPath": "mcp_servers.docs.enabled", "value": false, "mergeStrategy": "upsert", "expectedVersion": version}),
    );
    assert_eq!(written["status"], "ok");
    assert_eq!(
        written["filePath"],
        json!(t.config_path().display().to_string())
    );
    let config = t.config();
    assert!(
        config.contains("# my servers") && config.contains("# keep me"),
        "{config}"
    );
    assert!(config.contains("enabled = false"), "{config}");

    // The old version is stale now.
    let conflict = s.error(
        "config/value/write",
        json!({"keyPath": "mcp_servers.docs.enabled", "value": true, "mergeStrategy": "replace", "expectedVersion": version}),
    );
    assert_eq!(conflict["code"], -32001, "{conflict}");
    assert_eq!(
        conflict["data"]["configWriteErrorCode"],
        "configVersionConflict"
    );
    assert!(t.config().contains("enabled = false"));

    let batch = s.result(
        "config/batchWrite",
        json!({"expectedVersion": written["version"], "edits": [
            {"keyPath": "mcp_servers.web.url", "value": "https://example.com/mcp", "mergeStrategy": "upsert"},
            {"keyPath": "mcp_servers.docs.enabled", "value": null, "mergeStrategy": "replace"},
            {"keyPath": "features", "value": {"elicitation": true}, "mergeStrategy": "upsert"}
        ]}),
    );
    assert_eq!(batch["status"], "ok");
    let config = t.config();
    assert!(
        config.contains("[mcp_servers.web]") && !config.contains("enabled = false"),
        "{config}"
    );
    let list = s.result("mcpServerStatus/list", json!({}));
    let names: Vec<_> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("docs"), json!("web")]);

    // A bad edit in a batch writes nothing.
    let before = t.config();
    let bad = s.error(
        "config/batchWrite",
        json!({"edits": [
            {"keyPath": "features.a", "value": true, "mergeStrategy": "upsert"},
            {"keyPath": "", "value": 1, "mergeStrategy": "upsert"}
        ]}),
    );
    assert_eq!(bad["code"], -32602);
    assert!(
        bad["message"]
            .as_str()
            .unwrap()
            .contains("edits[1].keyPath"),
        "{bad}"
    );
    assert_eq!(t.config(), before);

    // An edit made behind the server's back is seen after reload.
    t.write_config(&format!(
        "{before}\n[mcp_servers.late]\ncommand = \"late\"\n"
    ));
    assert_eq!(s.result("config/mcpServer/reload", json!({})), json!({}));
    let list = s.result("mcpServerStatus/list", json!({"serverName": "late"}));
    assert_eq!(list["data"][0]["name"], "late");

    assert_eq!(
        s.result("configRequirements/read", json!({})),
        json!({"requirements": null})
    );
    assert!(s.close().success());
}

#[test]
fn requirements_are_reported() {
    let t = TestHome::new();
    t.write_sys(
        "requirements.toml",
        "[mcp_servers.docs]\nidentity = { command = \"docs-mcp\" }\n",
    );
    t.write_config(
        "[mcp_servers.docs]\ncommand = \"docs-mcp\"\n[mcp_servers.other]\ncommand = \"x\"\n",
    );
    let mut s = AppServer::started(&t);
    let req = s.result("configRequirements/read", json!({}));
    let servers = &req["requirements"]["mcpServers"];
    assert!(
        servers["docs"].as_str().unwrap().contains("docs-mcp"),
        "{req}"
    );
    let list = s.result("mcpServerStatus/list", json!({}));
    assert_eq!(list["data"][1]["runtimeStatus"], "disabled", "{list}");
    assert!(s.close().success());
}
