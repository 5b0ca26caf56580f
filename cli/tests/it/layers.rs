//! Layer precedence: system < user < project < -c < managed (the managed config is the top
//! layer, as in Codex, so a flag cannot undo it).

use crate::support::TestHome;

#[test]
fn precedence_and_deprecation_warning() {
    let t = TestHome::new();
    t.write_sys(
        "config.toml",
        "[mcp_servers.sys]\ncommand = \"sys-mcp\"\nstartup_timeout_sec = 5\n",
    );
    t.write_config(
        "experimental_use_rmcp_client = true\n[mcp_servers.sys]\nstartup_timeout_sec = 7\n",
    );
    let run = t.run(&["get", "sys", "--json"]).ok();
    assert_eq!(run.json()["startup_timeout_sec"], 7.0);
    assert_eq!(run.json()["source"], "[TMP]/sys/config.toml");
    assert!(
        run.stderr.contains("`experimental_use_rmcp_client` is deprecated: write `rmcp_client = true` under `[features]` instead"),
        "{}",
        run.stderr
    );
    let run = t
        .run(&[
            "-c",
            "mcp_servers.sys.startup_timeout_sec=9",
            "get",
            "sys",
            "--json",
        ])
        .ok();
    assert_eq!(run.json()["startup_timeout_sec"], 9.0);
}

#[test]
fn system_servers_are_not_removed_but_can_be_disabled() {
    let t = TestHome::new();
    t.write_sys("config.toml", "[mcp_servers.sys]\ncommand = \"sys-mcp\"\n");
    let run = t.run(&["remove", "sys"]).fails(1);
    assert!(
        run.stderr.contains("which mcpctl does not write"),
        "{}",
        run.stderr
    );
    t.run(&["disable", "sys"]).ok();
    assert_eq!(
        t.run(&["get", "sys", "--json"]).ok().json()["enabled"],
        false
    );
    assert!(t.config().contains("enabled = false"));
}

#[test]
fn managed_layer_wins_and_writes_say_so() {
    let t = TestHome::new();
    t.write_sys(
        "managed_config.toml",
        "[mcp_servers.docs]\nenabled = false\n",
    );
    t.write_config("[mcp_servers.docs]\ncommand = \"docs-mcp\"\n");
    let run = t.run(&["enable", "docs"]).ok();
    assert!(
        run.stderr.contains("mcp_servers.docs.enabled is set by [TMP]/sys/managed_config.toml (managed config), which takes precedence"),
        "{}",
        run.stderr
    );
    assert_eq!(
        t.run(&["get", "docs", "--json"]).ok().json()["enabled"],
        false
    );
}

#[test]
fn a_c_flag_cannot_reenable_what_the_managed_config_disabled() {
    let t = TestHome::new();
    let marker = t.marker("docs");
    let script = marker.write_script(t.path(), "docs-mcp", 1);
    t.write_config(&format!(
        "[mcp_servers.docs]\ncommand = {:?}\n",
        script.display().to_string()
    ));
    let flag = "mcp_servers.docs.enabled=true";
    // Control: without the managed file the flag starts the server.
    let control = t.run(&["-c", flag, "tools", "docs"]);
    assert!(
        marker.ran(),
        "control did not start the server: {}",
        control.stderr
    );
    std::fs::remove_file(marker.path()).unwrap();

    t.write_sys(
        "managed_config.toml",
        "[mcp_servers.docs]\nenabled = false\n",
    );
    for args in [
        &["-c", flag, "tools", "docs"][..],
        &["-c", flag, "call", "docs", "x"],
        &["-c", flag, "list", "--check"],
    ] {
        t.run(args);
        assert!(!marker.ran(), "{args:?} started the server");
    }
    let run = t.run(&["-c", flag, "get", "docs", "--json"]).ok();
    assert_eq!(run.json()["enabled"], false);
    let run = t
        .run(&["-c", flag, "config", "explain", "mcp_servers.docs.enabled"])
        .ok();
    assert!(
        run.stdout
            .contains("[TMP]/sys/managed_config.toml (overrides -c mcp_servers.docs.enabled=true)"),
        "{}",
        run.stdout
    );
}

#[test]
fn codex_home_works() {
    // A Codex config: many non-MCP keys, quoted server names.
    let t = TestHome::new();
    t.write_config(
        "model = \"gpt-5\"\napproval_policy = \"on-request\"\n[tui]\nnotifications = true\n[mcp_servers.\"org/tool\"]\ncommand = \"tool\"\n[mcp_servers.remote]\nurl = \"https://example.com/mcp\"\n[mcp_servers.remote.http_headers]\nX-A = \"b\"\n",
    );
    let run = t.run(&["list", "--json"]).ok();
    assert_eq!(run.json()[0]["name"], "org/tool");
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}
