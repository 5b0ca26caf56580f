//! Interop with the real Codex CLI (installed from npm by `.ci/run`; `just test` sets
//! `MCPCTL_CODEX_BIN`). Without the binary the test is skipped, unless
//! `MCPCTL_REQUIRE_CODEX=1` (as in CI), where a missing binary fails it.

use std::path::PathBuf;

use pretty_assertions::assert_eq;

use crate::support::TestHome;

fn codex() -> Option<PathBuf> {
    match std::env::var_os("MCPCTL_CODEX_BIN").map(PathBuf::from) {
        Some(bin) if bin.exists() => Some(bin),
        _ => {
            assert!(
                std::env::var_os("MCPCTL_REQUIRE_CODEX").is_none(),
                "MCPCTL_REQUIRE_CODEX is set but MCPCTL_CODEX_BIN does not name the codex binary; run `just peers`"
            );
            eprintln!("skipping: codex not installed (run `just peers`)");
            None
        }
    }
}

/// A Codex home outside /tmp (Codex warns about homes under /tmp).
fn codex_home() -> tempfile::TempDir {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    tempfile::Builder::new()
        .prefix("codex-home-")
        .tempdir_in(base)
        .unwrap()
}

/// Runs `codex mcp <args>` on `home`; panics with Codex's stderr when it fails.
fn codex_mcp(bin: &PathBuf, home: &std::path::Path, args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new(bin)
        .arg("mcp")
        .args(args)
        .env("CODEX_HOME", home)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "codex mcp {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn codex_list(bin: &PathBuf, home: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&codex_mcp(bin, home, &["list", "--json"])).unwrap()
}

#[test]
fn codex_reads_what_mcpctl_wrote() {
    let Some(bin) = codex() else { return };
    let home = codex_home();
    let t = TestHome::new();
    let run = |args: &[&str]| {
        let out = t
            .cmd()
            .env("MCPCTL_HOME", home.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "add",
        "docs",
        "--env",
        "A=1",
        "--startup-timeout",
        "12.5",
        "--",
        "docs-mcp",
        "--flag",
    ]);
    run(&[
        "add",
        "web",
        "--url",
        "http://127.0.0.1:9/mcp",
        "--bearer-token-env-var",
        "WEB_TOKEN",
    ]);
    run(&["add", "org.tool", "--disabled", "--", "tool"]);
    let list = codex_list(&bin, home.path());
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["docs", "org.tool", "web"]);
    let docs = &list[0];
    assert_eq!(docs["transport"]["command"], "docs-mcp");
    assert_eq!(docs["transport"]["args"], serde_json::json!(["--flag"]));
    assert_eq!(docs["startup_timeout_sec"], 12.5);
    assert_eq!(list[1]["enabled"], false);
    assert_eq!(list[2]["transport"]["url"], "http://127.0.0.1:9/mcp");
    assert_eq!(list[2]["transport"]["bearer_token_env_var"], "WEB_TOKEN");
}

/// `transport = "sse"` is mcpctl's key: Codex 0.171 ignores it and still reads the server (as
/// a streamable HTTP URL). Codex rewrites its server tables from its own types when it writes
/// the file, so a Codex write drops the key (the README says so); this test notices should
/// Codex start keeping it.
#[test]
fn codex_reads_a_legacy_sse_server_and_drops_the_key_when_it_writes() {
    let Some(bin) = codex() else { return };
    let home = codex_home();
    let t = TestHome::new();
    let mcpctl = |args: &[&str]| {
        let out = t
            .cmd()
            .env("MCPCTL_HOME", home.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    mcpctl(&["add", "--transport", "sse", "old", "http://127.0.0.1:9/sse"]);
    let list = codex_list(&bin, home.path());
    assert_eq!(list[0]["name"], "old", "{list}");
    assert_eq!(
        list[0]["transport"]["url"], "http://127.0.0.1:9/sse",
        "{list}"
    );
    assert!(mcpctl(&["get", "old"]).contains("  transport: sse\n"));
    codex_mcp(&bin, home.path(), &["add", "docs", "--", "docs-mcp"]);
    let text = std::fs::read_to_string(home.path().join("config.toml")).unwrap();
    assert!(!text.contains("transport = \"sse\""), "{text}");
    assert!(mcpctl(&["get", "old"]).contains("  transport: streamable_http\n"));
}

#[test]
fn mcpctl_reads_what_codex_wrote() {
    let Some(bin) = codex() else { return };
    let home = codex_home();
    let codex_add = |args: &[&str]| {
        let mut all = vec!["add"];
        all.extend_from_slice(args);
        codex_mcp(&bin, home.path(), &all);
    };
    codex_add(&["docs", "--env", "A=1", "--", "docs-mcp", "--flag"]);
    codex_add(&[
        "web",
        "--url",
        "http://127.0.0.1:9/mcp",
        "--bearer-token-env-var",
        "WEB_TOKEN",
    ]);
    let t = TestHome::new();
    let out = t
        .cmd()
        .env("MCPCTL_HOME", home.path())
        .args(["list", "--json", "--show-secrets"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ours: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let theirs = codex_list(&bin, home.path());
    for (a, b) in ours
        .as_array()
        .unwrap()
        .iter()
        .zip(theirs.as_array().unwrap())
    {
        assert_eq!(a["name"], b["name"]);
        assert_eq!(a["enabled"], b["enabled"]);
        assert_eq!(a["transport"]["type"], b["transport"]["type"]);
        assert_eq!(a["transport"]["command"], b["transport"]["command"]);
        assert_eq!(a["transport"]["args"], b["transport"]["args"]);
        assert_eq!(a["transport"]["url"], b["transport"]["url"]);
        assert_eq!(
            a["transport"]["bearer_token_env_var"],
            b["transport"]["bearer_token_env_var"]
        );
    }
    assert_eq!(ours[0]["transport"]["env"]["A"], "1");
    assert_eq!(ours.as_array().unwrap().len(), 2);
}

/// Issue 11 bug 1: disabling a server defined in a trusted project or the system config
/// writes an override Codex ignores, so the home stays loadable for both programs, also from a
/// folder where the project is not read; `enable` removes the override.
#[test]
fn disabling_a_project_or_system_server_keeps_the_home_loadable_for_both() {
    let Some(bin) = codex() else { return };
    let t = TestHome::new();
    std::fs::create_dir_all(t.work().join(".mcpctl")).unwrap();
    std::fs::write(
        t.work().join(".mcpctl/config.toml"),
        "[mcp_servers.proj]\ncommand = \"echo\"\n",
    )
    .unwrap();
    t.write_sys("config.toml", "[mcp_servers.sys]\ncommand = \"echo\"\n");
    t.write_config("[mcp_servers.mine]\ncommand = \"echo\"\n");
    t.run(&["trust"]).ok();
    for name in ["proj", "sys"] {
        let run = t.run(&["disable", name]).ok();
        assert!(
            run.stdout
                .contains(&format!("Disabled MCP server '{name}'"))
        );
        assert_eq!(run.stderr, "", "no warning about keys it did not write");
    }
    let enabled = |t: &TestHome, name: &str| {
        let list = t.run(&["list", "--json"]).ok().json();
        list.as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .map(|s| s["enabled"].clone())
    };
    assert_eq!(enabled(&t, "proj"), Some(serde_json::json!(false)));
    assert_eq!(enabled(&t, "sys"), Some(serde_json::json!(false)));
    let config = t.config();
    assert!(
        config.contains("[mcpctl.server_overrides.proj]"),
        "{config}"
    );
    assert!(!config.contains("[mcp_servers.proj]"), "{config}");
    // From a folder outside the project, mcpctl still loads the file.
    let elsewhere = t.root.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let out = t
        .cmd()
        .current_dir(&elsewhere)
        .arg("list")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Codex reads the same home without complaint, and still sees the user's own server.
    let listed = codex_list(&bin, &t.home());
    assert!(listed.to_string().contains("\"mine\""), "{listed}");
    // `enable` removes the override instead of writing `enabled = true`.
    t.run(&["enable", "proj"]).ok();
    assert_eq!(enabled(&t, "proj"), Some(serde_json::json!(true)));
    let config = t.config();
    assert!(!config.contains("server_overrides.proj"), "{config}");
    assert!(!config.contains("enabled = true"), "{config}");
}

/// Issue 11 (Codex 0.171 keys): a file Codex 0.171 accepts loads without warnings, `get --json`
/// and `list --json` show the keys, a `disable`/`enable` keeps them byte for byte, and Codex
/// still loads the edited file.
#[test]
fn codex_0_171_keys_are_known_shown_and_kept() {
    let t = TestHome::new();
    let text = r#"approval_preset = "ask"

[mcp_servers.web]
url = "http://127.0.0.1:9/mcp"
http_headers_helper = "print-headers --token-file /secret/path"
default_tools_approval_mode = "writes"
supports_parallel_tool_calls = true

[mcp_servers.web.tools.delete_file]
approval_mode = "prompt"
"#;
    t.write_config(text);
    let get = t.run(&["get", "web", "--json"]).ok();
    assert_eq!(get.stderr, "", "no unknown-key warnings");
    let view = get.json();
    assert_eq!(view["default_tools_approval_mode"], "writes");
    assert_eq!(view["supports_parallel_tool_calls"], true);
    assert_eq!(view["tools"]["delete_file"]["approval_mode"], "prompt");
    assert_eq!(view["ignored_keys"], serde_json::json!([]));
    let helper = view["transport"]["http_headers_helper"].as_str().unwrap();
    assert!(!helper.contains("/secret/path"), "masked: {helper}");
    let shown = t
        .run(&["get", "web", "--json", "--show-secrets"])
        .ok()
        .json();
    assert_eq!(
        shown["transport"]["http_headers_helper"],
        "print-headers --token-file /secret/path"
    );
    let list = t.run(&["list", "--json"]).ok().json();
    assert_eq!(list[0]["tools"]["delete_file"]["approval_mode"], "prompt");

    t.run(&["disable", "web"]).ok();
    t.run(&["enable", "web"]).ok();
    assert_eq!(t.config(), text);

    let Some(bin) = codex() else { return };
    let listed = codex_list(&bin, &t.home());
    assert_eq!(listed[0]["name"], "web", "{listed}");
}
