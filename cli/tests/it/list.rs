//! Human output, pinned with snapshots.

use crate::support::TestHome;

fn sample(t: &TestHome) {
    t.write_config(
        r#"
[mcp_servers.docs]
command = "docs-mcp"
args = ["--port", "3000"]
cwd = "/srv/docs"
required = true
[mcp_servers.docs.env]
TOKEN = "s3cret"
LEVEL = "debug"

[mcp_servers.files]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-filesystem", "/data"]
enabled = false

[mcp_servers.web]
url = "https://example.com/mcp"
bearer_token_env_var = "WEB_TOKEN"

[mcp_servers.remote]
url = "https://mcp.example.org/v1"
"#,
    );
}

#[test]
fn list_tables() {
    let t = TestHome::new();
    sample(&t);
    let run = t.run(&["list"]).ok();
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn list_empty() {
    let t = TestHome::new();
    insta::assert_snapshot!(t.run(&["list"]).ok().stdout);
}

#[test]
fn get_details() {
    let t = TestHome::new();
    sample(&t);
    insta::assert_snapshot!(t.run(&["get", "docs"]).ok().stdout);
    insta::assert_snapshot!(t.run(&["get", "web"]).ok().stdout);
}

#[test]
fn list_json() {
    let t = TestHome::new();
    sample(&t);
    insta::assert_snapshot!(t.run(&["list", "--json"]).ok().stdout);
}

#[test]
fn features_list() {
    let t = TestHome::new();
    t.write_config("[features]\ntools_cache = true\n");
    let run = t
        .run(&["--disable", "rmcp_client", "features", "list"])
        .ok();
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn config_explain() {
    let t = TestHome::new();
    sample(&t);
    t.write_sys(
        "managed_config.toml",
        "[mcp_servers.docs]\ntool_timeout_sec = 30\n",
    );
    let run = t
        .run(&[
            "-c",
            "mcp_servers.web.enabled=false",
            "config",
            "explain",
            "mcp_servers",
        ])
        .ok();
    insta::assert_snapshot!(run.stdout);
    let one = t
        .run(&["config", "explain", "mcp_servers.docs.tool_timeout_sec"])
        .ok();
    assert!(
        one.stdout.contains("30") && one.stdout.contains("[TMP]/sys/managed_config.toml"),
        "{}",
        one.stdout
    );
    let missing = t
        .run(&["config", "explain", "mcp_servers.docs.tool_timeout"])
        .fails(1);
    assert!(
        missing
            .stderr
            .contains("Did you mean 'mcp_servers.docs.tool_timeout_sec'?"),
        "{}",
        missing.stderr
    );
}

#[test]
fn config_schema_matches_checked_in_file() {
    let t = TestHome::new();
    let run = t.run(&["config", "schema"]).ok();
    let checked_in = crate::support::read(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../config.schema.json"),
    );
    assert_eq!(run.stdout, checked_in);
}
