//! Admin requirements: listed names with matching identities stay enabled; nothing else.

use pretty_assertions::assert_eq;

use crate::support::TestHome;

const REQUIREMENTS: &str = r#"
[mcp_servers.docs]
identity = { command = "docs-mcp" }

[mcp_servers.web]
identity = { url = { match = "prefix", value = "https://example.com/" } }
"#;

#[test]
fn requirements_disable_with_reason_everywhere() {
    let t = TestHome::new();
    t.write_sys("requirements.toml", REQUIREMENTS);
    t.write_config(
        "[mcp_servers.docs]\ncommand = \"docs-mcp\"\n[mcp_servers.evil]\ncommand = \"evil\"\n[mcp_servers.web]\nurl = \"https://example.com/mcp\"\n",
    );
    let list = t.run(&["list", "--json"]).ok().json();
    let reasons: Vec<(String, bool, serde_json::Value)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["enabled"].as_bool().unwrap(),
                s["disabled_reason"].clone(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("docs".to_string(), true, serde_json::Value::Null),
            (
                "evil".to_string(),
                false,
                serde_json::json!("requirements ([TMP]/sys/requirements.toml)")
            ),
            ("web".to_string(), true, serde_json::Value::Null),
        ]
    );
    let table = t.run(&["list"]).ok().stdout;
    assert!(
        table.contains("disabled: requirements ([TMP]/sys/requirements.toml)"),
        "{table}"
    );
    let get = t.run(&["get", "evil"]).ok().stdout;
    assert!(
        get.contains("status: disabled: requirements ([TMP]/sys/requirements.toml)"),
        "{get}"
    );
}

#[test]
fn renaming_or_enabling_cannot_escape() {
    let t = TestHome::new();
    t.write_sys("requirements.toml", REQUIREMENTS);
    t.write_config("[mcp_servers.docs]\ncommand = \"evil\"\n");
    assert_eq!(
        t.run(&["get", "docs", "--json"]).ok().json()["enabled"],
        false
    );
    // `enable` of a server the admin disabled is an error that points at the administrator,
    // and writes nothing.
    let before = t.config();
    let run = t.run(&["enable", "docs"]).fails(1);
    assert!(
        run.stderr.contains("is disabled by requirements (")
            && run.stderr.contains("ask your administrator"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("Enabled"), "{}", run.stdout);
    assert_eq!(t.config(), before);
    let run = t
        .run(&[
            "-c",
            "mcp_servers.docs.enabled=true",
            "get",
            "docs",
            "--json",
        ])
        .ok();
    assert_eq!(run.json()["enabled"], false);
}

#[test]
fn add_of_disallowed_server_warns() {
    let t = TestHome::new();
    t.write_sys("requirements.toml", REQUIREMENTS);
    let run = t.run(&["add", "other", "--", "other-mcp"]).ok();
    assert!(
        run.stderr.contains("warning: MCP server 'other' was added but is disabled by requirements ([TMP]/sys/requirements.toml)"),
        "{}",
        run.stderr
    );
    assert!(t.config().contains("[mcp_servers.other]"));
}

#[test]
fn legacy_allowlist_form() {
    let t = TestHome::new();
    t.write_sys(
        "requirements.toml",
        "[mcp_server_allowlist.docs]\ncommand = \"docs-mcp\"\n",
    );
    t.write_config(
        "[mcp_servers.docs]\ncommand = \"docs-mcp\"\n[mcp_servers.x]\ncommand = \"x\"\n",
    );
    let list = t.run(&["list", "--json"]).ok().json();
    assert_eq!(list[0]["enabled"], true);
    assert_eq!(list[1]["enabled"], false);
}

#[test]
fn malformed_requirements_fail_every_command() {
    let t = TestHome::new();
    t.write_sys(
        "requirements.toml",
        "[mcp_servers.docs]\nidentity = { comand = \"x\" }\n",
    );
    t.write_config("[mcp_servers.docs]\ncommand = \"docs-mcp\"\n");
    for args in [
        &["list"][..],
        &["get", "docs"],
        &["add", "y", "--", "y"],
        &["features", "list"],
    ] {
        let run = t.run(args).fails(1);
        assert!(
            run.stderr.contains("[TMP]/sys/requirements.toml"),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert!(!t.config().contains("[mcp_servers.y]"));
}

/// A relative `MCPCTL_HOME` would make the folder you stand in (a cloned repository) your own
/// config, with no trust asked: it is refused, and nothing in that folder runs.
#[test]
fn a_relative_home_is_refused() {
    let t = TestHome::new();
    let marker = t.marker("repo");
    let script = marker.write_script(t.path(), "repo-mcp", 1);
    let repo_home = t.work().join(".mcpctl");
    std::fs::create_dir_all(&repo_home).unwrap();
    std::fs::write(
        repo_home.join("config.toml"),
        format!(
            "[mcp_servers.repo]\ncommand = {:?}\n",
            script.display().to_string()
        ),
    )
    .unwrap();
    let output = t
        .mcpctl()
        .current_dir(t.work())
        .env("MCPCTL_HOME", ".mcpctl")
        .args(["tools", "repo"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("'.mcpctl' is a relative path; set MCPCTL_HOME to an absolute folder"),
        "{stderr}"
    );
    assert!(!marker.ran());
}
