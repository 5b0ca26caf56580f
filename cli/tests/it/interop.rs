//! Interop with third-party MCP servers from npm (pinned in testing/peers, installed by
//! `just peers`): server-everything over stdio, streamable HTTP and legacy HTTP+SSE, server-filesystem over stdio.
//! Without the peers these tests are skipped, unless `MCPCTL_REQUIRE_PEERS=1` (as in CI).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::TestHome;

fn peer(name: &str) -> Option<PathBuf> {
    let found = mcpctl_test_support::peer_package(name);
    if found.is_none() {
        assert!(
            std::env::var_os("MCPCTL_REQUIRE_PEERS").is_none(),
            "MCPCTL_REQUIRE_PEERS is set but {name} is not installed: run `just peers`"
        );
        eprintln!("skipping: {name} not installed (run `just peers`)");
    }
    found
}

fn everything() -> Option<PathBuf> {
    peer("@modelcontextprotocol/server-everything").map(|p| p.join("dist/index.js"))
}

#[test]
fn everything_over_stdio() {
    let Some(script) = everything() else { return };
    let t = TestHome::new();
    t.write_config(&format!(
        "[mcp_servers.everything]\ncommand = \"node\"\nargs = [{:?}, \"stdio\"]\n",
        script.display().to_string()
    ));
    let tools = t.run(&["tools", "everything", "--json"]).ok().json();
    let names: Vec<&str> = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for expected in ["echo", "get-sum", "get-tiny-image"] {
        assert!(names.contains(&expected), "{names:?}");
    }
    let run = t
        .run(&["call", "everything", "echo", "message=hi there"])
        .ok();
    assert!(run.stdout.contains("hi there"), "{}", run.stdout);
    let run = t.run(&["call", "everything", "get-sum", "a=2", "b=3"]).ok();
    assert!(run.stdout.contains('5'), "{}", run.stdout);
    let dir = t.root.path().join("img");
    let run = t
        .run(&[
            "call",
            "everything",
            "get-tiny-image",
            "--save-dir",
            dir.to_str().unwrap(),
        ])
        .ok();
    assert!(run.stdout.contains("[image image/png"), "{}", run.stdout);
    let check = t.run(&["list", "--check"]).ok();
    assert!(check.stdout.contains("ready"), "{}", check.stdout);
    let resources = t.run(&["resources", "everything", "--json"]).ok().json();
    assert!(!resources["resources"].as_array().unwrap().is_empty());
    let prompts = t.run(&["prompts", "everything", "--json"]).ok().json();
    assert!(!prompts.as_array().unwrap().is_empty());
}

struct Peer(Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn everything_over_streamable_http() {
    let Some(script) = everything() else { return };
    let port = free_port();
    let preload = mcpctl_test_support::peers_dir().join("../loopback.cjs");
    let _server = Peer(
        Command::new("node")
            .arg("--require")
            .arg(&preload)
            .arg(&script)
            .arg("streamableHttp")
            .env("PORT", port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "server-everything did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let t = TestHome::new();
    t.run(&[
        "add",
        "remote",
        "--url",
        &format!("http://127.0.0.1:{port}/mcp"),
    ])
    .ok();
    let run = t.run(&["call", "remote", "echo", "message=over http"]).ok();
    assert!(run.stdout.contains("over http"), "{}", run.stdout);
    let check = t.run(&["list", "--check", "--json"]).ok().json();
    assert_eq!(check[0]["state"], "ready", "{check}");
}

/// server-everything's `sse` mode: the legacy HTTP+SSE transport of MCP 2024-11-05, as the
/// TypeScript SDK serves it (`GET /sse`, then `POST /message?sessionId=…`, answers `202`).
#[test]
fn everything_over_legacy_sse() {
    let Some(script) = everything() else { return };
    let port = free_port();
    let preload = mcpctl_test_support::peers_dir().join("../loopback.cjs");
    let _server = Peer(
        Command::new("node")
            .arg("--require")
            .arg(&preload)
            .arg(&script)
            .arg("sse")
            .env("PORT", port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "server-everything did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let t = TestHome::new();
    t.run(&[
        "add",
        "--transport",
        "sse",
        "legacy",
        &format!("http://127.0.0.1:{port}/sse"),
    ])
    .ok();
    let check = t.run(&["list", "--check", "--json"]).ok().json();
    assert_eq!(check[0]["state"], "ready", "{check}");
    assert_eq!(
        check[0]["server_info"]["name"], "mcp-servers/everything",
        "{check}"
    );
    let run = t.run(&["call", "legacy", "echo", "message=over sse"]).ok();
    assert!(run.stdout.contains("over sse"), "{}", run.stdout);
    let run = t.run(&["call", "legacy", "get-sum", "a=2", "b=3"]).ok();
    assert!(run.stdout.contains('5'), "{}", run.stdout);
    let resources = t.run(&["resources", "legacy", "--json"]).ok().json();
    assert!(!resources["resources"].as_array().unwrap().is_empty());
}

#[test]
fn filesystem_over_stdio() {
    let Some(pkg) = peer("@modelcontextprotocol/server-filesystem") else {
        return;
    };
    let t = TestHome::new();
    let data = t.root.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("hello.txt"), "hello from the filesystem\n").unwrap();
    let data = data.canonicalize().unwrap();
    t.write_config(&format!(
        "[mcp_servers.fs]\ncommand = \"node\"\nargs = [{:?}, {:?}]\n",
        pkg.join("dist/index.js").display().to_string(),
        data.display().to_string()
    ));
    let tools = t.run(&["tools", "fs", "--json"]).ok().json();
    assert!(tools["tools"].as_array().unwrap().len() >= 10, "{tools}");
    let file = data.join("hello.txt");
    let run = t
        .run(&[
            "call",
            "fs",
            "read_text_file",
            &format!("path={}", file.display()),
        ])
        .ok();
    assert!(
        run.stdout.contains("hello from the filesystem"),
        "{}",
        run.stdout
    );
    let outside = t.run(&["call", "fs", "read_text_file", "path=/etc/hostname"]);
    assert_eq!(outside.code, 1, "{}", outside.stdout);
    // server-filesystem declares neither resources nor prompts: mcpctl says so instead of
    // sending the request and printing a raw -32601.
    for (command, noun) in [("resources", "resources"), ("prompts", "prompts")] {
        let run = t.run(&[command, "fs"]).fails(1);
        assert!(
            run.stderr
                .contains(&format!("MCP server 'fs' offers no {noun}")),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("-32601"), "{}", run.stderr);
    }
}
