use pretty_assertions::assert_eq;

use crate::support::TestHome;

#[test]
fn add_stdio_then_get_and_list_json() {
    let t = TestHome::new();
    t.run(&[
        "add",
        "docs",
        "--env",
        "TOKEN=s3cret",
        "--env-var",
        "PATH_EXTRA",
        "--required",
        "--startup-timeout",
        "20",
        "--enabled-tools",
        "a,b",
        "--",
        "docs-mcp",
        "--port",
        "3000",
    ])
    .ok();
    let text = t.config();
    let parsed: toml::Table = toml::from_str(&text).unwrap();
    let docs = &parsed["mcp_servers"]["docs"];
    assert_eq!(docs["command"].as_str(), Some("docs-mcp"));
    assert_eq!(docs["args"].as_array().unwrap().len(), 2);
    assert_eq!(docs["env"]["TOKEN"].as_str(), Some("s3cret"));
    assert_eq!(docs["required"].as_bool(), Some(true));
    assert_eq!(docs["startup_timeout_sec"].as_float(), Some(20.0));

    let list = t.run(&["list", "--json"]).ok().json();
    let entry = &list[0];
    assert_eq!(entry["name"], "docs");
    assert_eq!(entry["enabled"], true);
    assert_eq!(entry["required"], true);
    assert_eq!(entry["transport"]["type"], "stdio");
    assert_eq!(entry["transport"]["env"]["TOKEN"], "*****");
    assert_eq!(entry["enabled_tools"], serde_json::json!(["a", "b"]));
    assert_eq!(entry["auth_status"], "unsupported");
    assert_eq!(entry["source"], "[TMP]/home/config.toml");

    let shown = t.run(&["list", "--json", "--show-secrets"]).ok().json();
    assert_eq!(shown[0]["transport"]["env"]["TOKEN"], "s3cret");

    let get = t.run(&["get", "docs"]).ok();
    assert!(get.stdout.contains("  env: TOKEN=*****"), "{}", get.stdout);
    assert!(!get.stdout.contains("s3cret"));
}

#[test]
fn new_config_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let t = TestHome::new();
    std::fs::remove_dir_all(t.home()).unwrap();
    t.run(&["add", "x", "--", "x-mcp"]).ok();
    let mode = std::fs::metadata(t.config_path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn add_http_with_headers() {
    let t = TestHome::new();
    t.run(&[
        "add",
        "web",
        "--url",
        "https://example.com/mcp",
        "--bearer-token-env-var",
        "WEB_TOKEN",
        "--header",
        "X-Team=blue",
        "--env-header",
        "X-Key=WEB_KEY",
        "--scopes",
        "read,write",
    ])
    .ok();
    let json = t.run(&["get", "web", "--json"]).ok().json();
    assert_eq!(json["transport"]["type"], "streamable_http");
    assert_eq!(json["transport"]["http_headers"]["X-Team"], "*****");
    assert_eq!(json["transport"]["env_http_headers"]["X-Key"], "WEB_KEY");
    assert_eq!(json["auth_status"], "bearer_token");
    assert_eq!(json["scopes"], serde_json::json!(["read", "write"]));
}

#[test]
fn existing_name_is_refused_unless_replace() {
    let t = TestHome::new();
    t.run(&["add", "docs", "--", "one"]).ok();
    let before = t.config();
    let run = t.run(&["add", "docs", "--", "two"]).fails(1);
    assert!(
        run.stderr.contains("MCP server 'docs' already exists") && run.stderr.contains("--replace"),
        "{}",
        run.stderr
    );
    assert_eq!(t.config(), before);
    t.run(&[
        "add",
        "docs",
        "--replace",
        "--url",
        "http://127.0.0.1:9/mcp",
    ])
    .ok();
    let json = t.run(&["get", "docs", "--json"]).ok().json();
    assert_eq!(json["transport"]["type"], "streamable_http");
}

#[test]
fn edits_keep_comments_and_other_servers() {
    let t = TestHome::new();
    let original = "# my settings\nmodel = \"o3\" # keep me\n\n[mcp_servers.keep]\n# why keep\ncommand = \"keep-mcp\"\nodd_key = 1\n";
    t.write_config(original);
    t.run(&["add", "new", "--", "new-mcp"]).ok();
    t.run(&["disable", "new"]).ok();
    t.run(&["enable", "new"]).ok();
    t.run(&["remove", "new"]).ok();
    assert_eq!(t.config(), original);
}

#[test]
fn enable_disable_and_remove() {
    let t = TestHome::new();
    t.run(&["add", "docs", "--", "docs-mcp"]).ok();
    let out = t.run(&["disable", "docs"]).ok();
    assert!(out.stdout.contains("Disabled MCP server 'docs'"));
    assert_eq!(
        t.run(&["get", "docs", "--json"]).ok().json()["enabled"],
        false
    );
    t.run(&["enable", "docs"]).ok();
    assert_eq!(
        t.run(&["get", "docs", "--json"]).ok().json()["enabled"],
        true
    );
    t.run(&["remove", "docs"]).ok();
    assert_eq!(
        t.run(&["list", "--json"]).ok().json(),
        serde_json::json!([])
    );
}

#[test]
fn trust_reads_project_config() {
    let t = TestHome::new();
    std::fs::create_dir_all(t.work().join(".git")).unwrap();
    std::fs::create_dir_all(t.work().join(".mcpctl")).unwrap();
    std::fs::write(
        t.work().join(".mcpctl/config.toml"),
        "[mcp_servers.proj]\ncommand = \"proj-mcp\"\n",
    )
    .unwrap();
    let run = t.run(&["list", "--json"]).ok();
    assert_eq!(run.json(), serde_json::json!([]));
    assert!(
        run.stderr.contains("is not trusted; run `mcpctl trust"),
        "{}",
        run.stderr
    );
    t.run(&["trust"]).ok();
    let run = t.run(&["list", "--json"]).ok();
    assert_eq!(run.json()[0]["name"], "proj");
    assert!(
        run.json()[0]["source"]
            .as_str()
            .unwrap()
            .ends_with("work/.mcpctl/config.toml")
    );
    assert!(!run.stderr.contains("not trusted"));
}
