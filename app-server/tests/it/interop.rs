//! Interop with `vscode-jsonrpc` (the JSON-RPC library of VS Code's language clients, pinned in
//! testing/peers): `vscode_jsonrpc_client.cjs` drives the real `mcpctl app-server` over pipes
//! through a newline-delimited reader/writer pair. Skipped when the peer is missing, unless
//! MCPCTL_REQUIRE_PEERS=1 or CI=true.

use std::process::Command;

use mcpctl_test_support::{TestHome, mcpctl_bin, node22, peer_package, peers_dir};

use crate::client::test_server;
use crate::typescript::skip;

fn run_client(mode: &str) -> Option<(String, i32)> {
    if peer_package("vscode-jsonrpc").is_none() {
        skip("the vscode-jsonrpc peer is not installed (run `just peers`)");
        return None;
    }
    let t = TestHome::new();
    t.write_config(&format!(
        "[features]\nelicitation = true\n{}",
        test_server("t", &[], "")
    ));
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/it/vscode_jsonrpc_client.cjs"
    );
    let node = node22().unwrap_or_else(|| "node".into());
    let out = t
        .command(&node)
        .arg(script)
        .arg(peers_dir().join(".."))
        .arg(mcpctl_bin())
        .arg(mode)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    Some((stdout, out.status.code().unwrap_or(-1)))
}

fn step<'a>(stdout: &'a str, name: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(&format!("ok {name} ")))
        .unwrap_or_else(|| panic!("step {name} missing:\n{stdout}"))
}

#[test]
fn vscode_jsonrpc_client_drives_the_app_server_then_eof() {
    let Some((stdout, code)) = run_client("eof") else {
        return;
    };
    assert!(!stdout.contains("FAIL"), "{stdout}");
    assert!(
        step(&stdout, "initialize").contains("platformOs"),
        "{stdout}"
    );
    assert_eq!(step(&stdout, "config/read"), r#"{"servers":["t"]}"#);
    assert_eq!(
        step(&stdout, "mcpServerStatus/list"),
        r#"{"name":"t","runtimeStatus":"notStarted"}"#
    );
    assert_eq!(
        step(&stdout, "notification"),
        r#"{"method":"mcpServer/startupStatus/updated","name":"t","status":"ready"}"#
    );
    assert!(
        step(&stdout, "mcpServer/tool/call").contains("42"),
        "{stdout}"
    );
    let unknown = step(&stdout, "unknownMethod");
    assert!(unknown.starts_with(r#"{"code":-32601,"#), "{unknown}");
    assert!(unknown.contains("no/suchMethod"), "{unknown}");
    assert_eq!(
        step(&stdout, "elicitation"),
        r#"{"mode":"form","name":"Ada","resolved":true}"#
    );
    step(&stdout, "eof");
    assert!(stdout.contains("done exit=0 signal=null"), "{stdout}");
    assert_eq!(code, 0);
}

#[test]
fn vscode_jsonrpc_client_shutdown_request_exits_zero() {
    let Some((stdout, code)) = run_client("shutdown") else {
        return;
    };
    assert!(!stdout.contains("FAIL"), "{stdout}");
    assert_eq!(step(&stdout, "shutdown"), "{}");
    assert!(stdout.contains("done exit=0 signal=null"), "{stdout}");
    assert_eq!(code, 0);
    // The script itself must be able to fail: a step that is not there is reported.
    let bad = Command::new(node22().unwrap_or_else(|| "node".into()))
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/it/vscode_jsonrpc_client.cjs"
        ))
        .arg(peers_dir().join(".."))
        .arg("/nonexistent/mcpctl")
        .arg("eof")
        .output()
        .unwrap();
    assert!(!bad.status.success());
}
