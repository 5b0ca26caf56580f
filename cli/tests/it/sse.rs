//! Legacy HTTP+SSE servers (MCP 2024-11-05) through the real binary, against the test
//! server's `--sse` mode: add, list, get, `list --check`, tools, call, add-json, and hostile
//! servers (an event over the bound, an endpoint on another origin, a stream that drops).

use std::io::BufRead as _;

use pretty_assertions::assert_eq;

use crate::support::TestHome;

/// The test server in legacy SSE mode; killed on drop. `.1` is its SSE URL.
struct SseServer(std::process::Child, String);

impl Drop for SseServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sse_server(switches: &[&str]) -> SseServer {
    let mut child = std::process::Command::new(mcpctl_test_support::test_server_bin())
        .args(["--sse", "0"])
        .args(switches)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().trim_start_matches("listening on ").to_string();
    assert!(url.ends_with("/sse"), "{line}");
    SseServer(child, url)
}

#[test]
fn add_list_check_tools_and_call_a_legacy_sse_server() {
    let server = sse_server(&["--bearer-token", "s3cret"]);
    let t = TestHome::new();
    let added = t
        .run(&[
            "add",
            "--transport",
            "sse",
            "old",
            &server.1,
            "--bearer-token-env-var",
            "OLD_TOKEN",
        ])
        .ok();
    assert_eq!(added.stderr, "", "no login offer, no warning");
    assert_eq!(
        t.config(),
        format!(
            "[mcp_servers.old]\nurl = \"{}\"\ntransport = \"sse\"\nbearer_token_env_var = \"OLD_TOKEN\"\n",
            server.1
        )
    );
    let list = t.run(&["list"]).ok().stdout;
    assert!(list.contains(&format!("{} (sse)", server.1)), "{list}");
    let get = t.run(&["get", "old"]).ok().stdout;
    assert!(get.contains("  transport: sse\n"), "{get}");
    let json = t.run(&["list", "--json"]).ok().json();
    assert_eq!(json[0]["transport"]["type"], "sse", "{json}");
    assert_eq!(json[0]["transport"]["url"], server.1.as_str(), "{json}");

    // Without the token: 401, said as such.
    let check = t.run(&["list", "--check", "--json"]).ok().json();
    assert_eq!(check[0]["state"], "failed", "{check}");

    let with_token = |args: &[&str]| {
        let out = t
            .cmd()
            .env("OLD_TOKEN", "s3cret")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let check: serde_json::Value =
        serde_json::from_str(&with_token(&["list", "--check", "--json"])).unwrap();
    assert_eq!(check[0]["state"], "ready", "{check}");
    assert_eq!(check[0]["tool_count"], 8, "{check}");
    let tools: serde_json::Value =
        serde_json::from_str(&with_token(&["tools", "old", "--json"])).unwrap();
    assert_eq!(tools["tools"].as_array().unwrap().len(), 8, "{tools}");
    let sum = with_token(&["call", "old", "add", "a=2", "b=3", "--json"]);
    let sum: serde_json::Value = serde_json::from_str(&sum).unwrap();
    assert_eq!(sum["structuredContent"]["sum"], 5.0, "{sum}");
    let echo = with_token(&["call", "old", "echo", "text=over legacy sse"]);
    assert_eq!(echo, "over legacy sse\n");
}

#[test]
fn add_json_and_import_keep_type_sse() {
    let t = TestHome::new();
    let run = t
        .run(&[
            "add-json",
            "ev",
            r#"{"type":"sse","url":"https://h.example/sse","headers":{"X-Key":"k1"}}"#,
        ])
        .ok();
    assert!(run.stderr.contains("transport = \"sse\""), "{}", run.stderr);
    let config = t.config();
    assert!(
        config.starts_with(
            "[mcp_servers.ev]\nurl = \"https://h.example/sse\"\ntransport = \"sse\"\n"
        ),
        "{config}"
    );
    // A bad value names the key, the file and the choices.
    t.write_config("[mcp_servers.x]\nurl = \"https://h/sse\"\ntransport = \"websocket\"\n");
    let bad = t.run(&["list"]).fails(1);
    assert!(
        bad.stderr.contains(
            "config.toml:3:1: mcp_servers.x.transport: \"websocket\" is not valid: expected \"streamable_http\" or \"sse\""
        ),
        "{}",
        bad.stderr
    );
}

#[test]
fn hostile_legacy_sse_servers_fail_clearly() {
    let t = TestHome::new();
    let huge = sse_server(&["--sse-huge-event"]);
    let foreign = sse_server(&["--sse-endpoint", "http://attacker.example/steal"]);
    let crash = sse_server(&["--crash-mid-call"]);
    t.write_config(&format!(
        "[mcp_servers.huge]\nurl = \"{}\"\ntransport = \"sse\"\n\
         [mcp_servers.foreign]\nurl = \"{}\"\ntransport = \"sse\"\n\
         [mcp_servers.crash]\nurl = \"{}\"\ntransport = \"sse\"\n",
        huge.1, foreign.1, crash.1
    ));
    let huge_err = t.run(&["tools", "huge"]).fails(1).stderr;
    assert!(
        huge_err.contains("the server's answer was larger than 16 MiB"),
        "{huge_err}"
    );
    let foreign_err = t.run(&["tools", "foreign"]).fails(1).stderr;
    let origin = foreign.1.trim_end_matches("/sse");
    assert!(
        foreign_err.contains(&format!(
            "names another origin (http://attacker.example) than the SSE URL ({origin}): refused"
        )),
        "{foreign_err}"
    );
    let crashed = t.run(&["call", "crash", "crash"]).fails(1).stderr;
    assert!(
        crashed.contains("connection to server lost: the SSE stream broke (")
            || crashed.contains("connection to server lost: the server closed the SSE stream"),
        "{crashed}"
    );
    for text in [&huge_err, &foreign_err, &crashed] {
        assert!(!text.contains("::"), "no Rust type names: {text}");
        assert_eq!(text.matches("error:").count(), 1, "one error: {text}");
    }
}
