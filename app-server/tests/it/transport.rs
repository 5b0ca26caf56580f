//! Framing, error codes, ordering and the end of the process.

use std::time::Duration;

use mcpctl_test_support::TestHome;
use pretty_assertions::assert_eq;
use serde_json::json;

use crate::client::{AppServer, test_server};

#[test]
fn errors_before_and_after_initialize_and_garbage_keeps_it_serving() {
    let t = TestHome::new();
    let mut s = AppServer::start(&t);
    let error = s.error("config/read", json!({}));
    assert_eq!(error, json!({"code": -32600, "message": "Not initialized"}));
    s.send_line("this is not json");
    let parse = s.recv();
    assert_eq!(parse["id"], json!(null));
    assert_eq!(parse["error"]["code"], -32700);
    s.send_line("");
    s.send_line("[1,2]");
    assert_eq!(s.recv()["error"]["code"], -32600);
    // Without "jsonrpc", as Codex's clients send it.
    s.send_line(r#"{"id":"a","method":"initialize","params":{"clientInfo":{"name":"ed","title":null,"version":"2"},"capabilities":null}}"#);
    let init = s.wait_for(&json!("a"));
    let result = &init["result"];
    assert!(
        result["userAgent"].as_str().unwrap().starts_with("mcpctl/")
            && result["userAgent"].as_str().unwrap().ends_with(" ed/2"),
        "{init}"
    );
    assert_eq!(result["codexHome"], json!(t.home().display().to_string()));
    assert_eq!(result["platformFamily"], "unix");
    assert_eq!(result["platformOs"], std::env::consts::OS);
    let again = s.error(
        "initialize",
        json!({"clientInfo": {"name": "ed", "version": "2"}}),
    );
    assert_eq!(again["code"], -32600);
    assert_eq!(again["message"], "Already initialized");
    let unknown = s.error("config/reed", json!({}));
    assert_eq!(unknown["code"], -32601);
    assert!(
        unknown["message"].as_str().unwrap().contains("config/read"),
        "{unknown}"
    );
    let bad = s.error("mcpServerStatus/list", json!({"limit": "ten"}));
    assert_eq!(bad["code"], -32602);
    assert!(
        bad["message"].as_str().unwrap().contains("`limit`"),
        "{bad}"
    );
    let missing = s.error(
        "config/value/write",
        json!({"value": 1, "mergeStrategy": "replace"}),
    );
    assert_eq!(missing["code"], -32602);
    assert!(
        missing["message"].as_str().unwrap().contains("keyPath"),
        "{missing}"
    );
    let bad_id = r#"{"id":{"x":1},"method":"config/read"}"#;
    s.send_line(bad_id);
    let reply = s.recv();
    assert_eq!(
        (reply["id"].clone(), reply["error"]["code"].clone()),
        (json!(null), json!(-32600))
    );
    // Still serving after all of that.
    assert!(s.result("config/read", json!({}))["config"].is_object());
    assert!(s.close().success());
}

#[test]
fn a_thousand_pipelined_requests_are_all_answered() {
    let t = TestHome::new();
    t.write_config("[mcp_servers.docs]\ncommand = \"docs-mcp\"\n");
    let mut s = AppServer::started(&t);
    let mut text = String::new();
    for id in 0..1000 {
        let method = if id % 2 == 0 {
            "config/read"
        } else {
            "mcpServerStatus/list"
        };
        text.push_str(&json!({"id": id, "method": method}).to_string());
        text.push('\n');
        if id % 97 == 0 {
            text.push_str("garbage\n");
        }
    }
    s.send_line(text.trim_end());
    let mut answered = vec![false; 1000];
    let mut parse_errors = 0;
    while answered.iter().any(|a| !a) {
        let m = s.recv();
        if m["id"].is_null() {
            assert_eq!(m["error"]["code"], -32700);
            parse_errors += 1;
            continue;
        }
        let id = usize::try_from(m["id"].as_u64().unwrap()).unwrap();
        assert!(m.get("result").is_some(), "{m}");
        if id % 2 == 1 {
            assert_eq!(m["result"]["data"][0]["name"], "docs");
        }
        assert!(!answered[id], "answered twice: {id}");
        answered[id] = true;
    }
    assert_eq!(parse_errors, 11);
    assert!(s.close().success());
}

#[test]
fn shutdown_answers_then_exits_zero() {
    let t = TestHome::new();
    let mut s = AppServer::started(&t);
    assert_eq!(s.result("shutdown", json!({})), json!({}));
    assert!(s.close().success());
}

#[test]
fn eof_stops_every_server_of_every_thread() {
    let t = TestHome::new();
    let marker = t.marker("alive");
    t.write_config(&format!(
        "{}{}",
        test_server(
            "a",
            &[],
            &format!(
                "env = {{ MARKER = {:?} }}",
                marker.path().display().to_string()
            )
        ),
        test_server(
            "b",
            &[],
            &format!(
                "env = {{ MARKER = {:?} }}",
                marker.path().display().to_string()
            )
        ),
    ));
    let mut s = AppServer::started(&t);
    let thread = s.result("thread/start", json!({}));
    assert_eq!(
        thread["mcpServers"].as_array().unwrap().len(),
        2,
        "{thread}"
    );
    let needle = marker.path().display().to_string();
    let children = mcpctl_test_support::processes_with_marker(&needle);
    assert_eq!(children.len(), 2, "{children:?}");
    assert!(s.close().success());
    let left = mcpctl_test_support::wait_for_exit(&children, Duration::from_secs(5));
    assert_eq!(left, Vec::<u32>::new());
}
