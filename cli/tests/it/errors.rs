//! Every user error: its message, its exit code, and an untouched config file.

use pretty_assertions::assert_eq;

use crate::support::TestHome;

#[test]
fn malformed_toml_names_file_line_column_and_shows_line() {
    let t = TestHome::new();
    let bad = "[mcp_servers.docs]\ncommand = \"docs\"\nargs = [\"a\",\n";
    t.write_config(bad);
    for args in [&["list"][..], &["add", "x", "--", "y"], &["remove", "docs"]] {
        let run = t.run(args).fails(1);
        assert!(
            run.stderr.starts_with("error: [TMP]/home/config.toml:3:"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("3 | args = [\"a\","), "{}", run.stderr);
        assert_eq!(t.config(), bad);
    }
}

#[test]
fn wrong_type_names_key_path() {
    let t = TestHome::new();
    t.write_config("[mcp_servers.x]\ncommand = \"a\"\nargs = \"b\"\n");
    let run = t.run(&["list"]).fails(1);
    assert_eq!(
        run.stderr,
        "error: [TMP]/home/config.toml:3:1: mcp_servers.x.args: expected an array of strings, found a string\n"
    );
}

#[test]
fn mixed_transport_names_table() {
    let t = TestHome::new();
    t.write_config("[mcp_servers.x]\ncommand = \"a\"\nurl = \"http://h\"\n");
    let run = t.run(&["get", "x"]).fails(1);
    assert!(
        run.stderr
            .contains("mcp_servers.x: 'url' cannot be combined with 'command'"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_key_is_kept_and_warned() {
    let t = TestHome::new();
    let text = "[mcp_servers.x]\ncommand = \"a\"\ncomand = \"b\"\n";
    t.write_config(text);
    let run = t.run(&["list"]).ok();
    assert!(
        run.stderr.contains("warning: [TMP]/home/config.toml:3:1: mcp_servers.x.comand: unknown key (did you mean 'command'?)"),
        "{}",
        run.stderr
    );
    t.run(&["add", "y", "--", "y"]).ok();
    assert!(t.config().starts_with(text));
}

#[test]
fn unknown_server_suggests_a_name() {
    let t = TestHome::new();
    t.run(&["add", "github", "--", "gh-mcp"]).ok();
    for cmd in ["get", "remove", "enable", "disable"] {
        let run = t.run(&[cmd, "githb"]).fails(1);
        assert_eq!(
            run.stderr, "error: No MCP server named 'githb'. Did you mean 'github'?\n",
            "{cmd}"
        );
    }
    let run = t.run(&["get", "zzzzzz"]).fails(1);
    assert_eq!(run.stderr, "error: No MCP server named 'zzzzzz'.\n");
}

#[test]
fn transport_mismatched_options_are_usage_errors() {
    let t = TestHome::new();
    let cases: &[&[&str]] = &[
        &["add", "x", "--url", "http://h", "--env", "A=1"],
        &["add", "x", "--url", "http://h", "--cwd", "/tmp"],
        &["add", "x", "--header", "A=1", "--", "cmd"],
        &["add", "x", "--bearer-token-env-var", "T", "--", "cmd"],
        &["add", "x", "--url", "http://h", "--", "cmd"],
        &["add", "x"],
        &["add", "bad name", "--", "cmd"],
        &["add", "x", "--env", "novalue", "--", "cmd"],
        &["add", "x", "--startup-timeout", "-1", "--", "cmd"],
    ];
    for args in cases {
        let run = t.run(args).fails(2);
        assert!(
            run.stderr.starts_with("error: "),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("Usage: mcpctl add [OPTIONS] <NAME> [--url <URL> | -- <COMMAND>...]")
                || run.stderr.contains("invalid value"),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert!(!t.config_path().exists());
}

#[test]
fn bad_override_is_reported() {
    let t = TestHome::new();
    let run = t
        .run(&["-c", "mcp_oauth_callback_port=\"x\"", "list"])
        .fails(1);
    assert!(
        run.stderr.contains(
            "-c mcp_oauth_callback_port=\"x\": mcp_oauth_callback_port: expected a port number"
        ),
        "{}",
        run.stderr
    );
    // A flag that is not key=value is a usage error (exit 2), like clap's own.
    let run = t.run(&["-c", "novalue", "list"]).fails(2);
    assert!(run.stderr.contains("-c key=value"), "{}", run.stderr);
}

#[test]
fn invalid_url_is_refused_before_writing() {
    let t = TestHome::new();
    let run = t.run(&["add", "x", "--url", "ftp://h"]).fails(2);
    assert!(run.stderr.contains("http:// or https://"), "{}", run.stderr);
    assert!(!t.config_path().exists());
}

#[test]
fn secret_override_is_not_echoed() {
    let t = TestHome::new();
    t.write_config("[mcp_servers.x]\ncommand = \"a\"\n");
    let run = t
        .run(&["-c", "mcp_servers.x.env.TOKEN=424242", "list"])
        .fails(1);
    assert!(
        run.stderr.contains("-c mcp_servers.x.env.TOKEN=*****"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("424242"), "{}", run.stderr);
}

/// A syntax error quotes its line, but never a secret value on it (issue 13 §3): not in the
/// loader's error, not in the writer's.
#[test]
fn syntax_error_snippets_mask_secret_values() {
    let t = TestHome::new();
    t.write_config(
        "[mcp_servers.x]\ncommand = \"npx\"\n[mcp_servers.x.env]\nAPI_TOKEN = \"tok-s3cret-42\" oops\n",
    );
    for args in [&["list"][..], &["add", "y", "--", "echo"], &["get", "x"]] {
        let run = t.run(args).fails(1);
        assert!(!run.stderr.contains("s3cret"), "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("API_TOKEN = \"*************\" oops"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("config.toml:4:"), "{}", run.stderr);
    }
}

/// Credentials over plain http:// to another machine are warned about on add, get and list;
/// loopback and https are not (issue 13 §3).
#[test]
fn credentials_over_plain_http_are_warned_about() {
    let t = TestHome::new();
    let expected = "warning: MCP server 'remote' sends a bearer token to mcp.example.com over plain http://, readable by anyone on the network path; use an https:// URL";
    let run = t
        .run(&[
            "add",
            "remote",
            "--url",
            "http://mcp.example.com/mcp",
            "--bearer-token-env-var",
            "TOKEN",
        ])
        .ok();
    assert!(run.stderr.contains(expected), "{}", run.stderr);
    for args in [&["get", "remote"][..], &["list"]] {
        let run = t.run(args).ok();
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
    }
    for url in ["http://127.0.0.1:9/mcp", "https://mcp.example.com/mcp"] {
        let run = t
            .run(&[
                "add",
                "other",
                "--url",
                url,
                "--bearer-token-env-var",
                "T",
                "--replace",
            ])
            .ok();
        assert!(!run.stderr.contains("plain http"), "{url}: {}", run.stderr);
    }
}

/// Near misses of mcpctl's own keys get a did-you-mean; Codex's own keys and features don't.
#[test]
fn misspelt_tables_and_features_get_a_did_you_mean() {
    let t = TestHome::new();
    t.write_config(
        "model = \"o3\"\nprofiles = {}\nnotify = []\n[mcp_server.a]\ncommand = \"x\"\n[features]\nrmcp_clinet = true\nweb_search_request = true\n",
    );
    let run = t.run(&["list"]).ok();
    assert_eq!(
        run.stderr,
        "warning: [TMP]/home/config.toml:7:1: features.rmcp_clinet: unknown feature `rmcp_clinet`; did you mean `rmcp_client`?\nwarning: [TMP]/home/config.toml:4:2: mcp_server: `mcp_server` is not a key mcpctl reads; did you mean `mcp_servers`?\n"
    );
}

/// A timeout from a file or `-c` gets the same range as the flags (issue 14 §2).
#[test]
fn timeouts_out_of_range_from_a_file_or_c_are_errors_with_the_range() {
    let t = TestHome::new();
    t.write_config("[mcp_servers.ok]\ncommand = \"y\"\ntool_timeout_sec = 1e20\n");
    let run = t.run(&["list"]).fails(1);
    assert_eq!(
        run.stderr,
        "error: [TMP]/home/config.toml:3:1: mcp_servers.ok.tool_timeout_sec: expected a number of seconds from 0.001 to 31536000 (one year), found 1e20\n"
    );
    t.write_config("[mcp_servers.ok]\ncommand = \"y\"\n");
    for value in ["1e300", "1e-300", "-1", "18446744073709551616"] {
        let flag = format!("mcp_servers.ok.startup_timeout_sec={value}");
        let run = t.run(&["-c", &flag, "list"]).fails(1);
        assert!(
            run.stderr
                .contains("expected a number of seconds from 0.001 to 31536000 (one year)"),
            "{value}: {}",
            run.stderr
        );
    }
}

/// A table Codex accepts but whose name mcpctl cannot use is skipped with a warning; the other
/// servers work and `remove` still removes it (issue 14 §3).
#[test]
fn a_server_name_mcpctl_cannot_use_is_skipped_and_removable() {
    let t = TestHome::new();
    t.write_config("[mcp_servers.\"a b\"]\ncommand = \"x\"\n\n[mcp_servers.ok]\ncommand = \"y\"\n");
    let run = t.run(&["list", "--json"]).ok();
    assert_eq!(run.json().as_array().unwrap().len(), 1);
    assert_eq!(run.json()[0]["name"], "ok");
    assert!(
        run.stderr
            .contains("mcp_servers.\"a b\": invalid server name \"a b\": ' ' is not allowed")
            && run
                .stderr
                .contains("this server is skipped: rename the table, or run `mcpctl remove 'a b'`"),
        "{}",
        run.stderr
    );
    t.run(&["remove", "a b"]).ok();
    assert_eq!(t.config(), "[mcp_servers.ok]\ncommand = \"y\"\n");
    let run = t.run(&["list"]).ok();
    assert_eq!(run.stderr, "");
}
