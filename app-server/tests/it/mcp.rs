//! Threads, tools, resources, status and OAuth against real servers.

use mcpctl_oauth_test_server::{OAuthTestServer, node};
use mcpctl_test_support::TestHome;
use pretty_assertions::assert_eq;
use serde_json::json;

use crate::client::{AppServer, test_server};

#[test]
fn a_required_server_failing_fails_thread_start_with_codex_error() {
    let t = TestHome::new();
    t.write_config(&format!(
        "{}{}",
        test_server("ok", &[], ""),
        test_server("needed", &["--crash-on-start"], "required = true"),
    ));
    let mut s = AppServer::started(&t);
    let error = s.error("thread/start", json!({}));
    assert_eq!(error["code"], -32603);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "error creating thread: required MCP servers failed to initialize: needed: "
        ),
        "{message}"
    );
    assert_eq!(error["data"]["failedServers"][0]["name"], "needed");
    let failed = s.notification("mcpServer/startupStatus/updated", |p| {
        p["name"] == "needed" && p["status"] == "failed"
    });
    assert!(failed["params"]["emittedAtMs"].as_u64().unwrap() > 0);
    assert!(failed["params"]["error"].is_string());
    assert!(s.close().success());
}

#[test]
fn thread_tool_call_resources_status_resume_and_elicitation() {
    let t = TestHome::new();
    t.write_config(&format!(
        "[features]\nelicitation = true\n{}",
        test_server("t", &[], "")
    ));
    let mut s = AppServer::started(&t);
    // Before any start, nothing is cached.
    let cold = s.result("mcpServerStatus/list", json!({}));
    assert_eq!(cold["data"][0]["runtimeStatus"], "notStarted");
    assert!(cold["data"][0]["toolsError"].is_string());

    let started = s.result("thread/start", json!({"cwd": "/somewhere"}));
    let thread_id = started["thread"]["id"].as_str().unwrap().to_string();
    // Only required servers are waited for; the others report through notifications.
    let status = started["mcpServers"][0]["status"].clone();
    assert!(status == "ready" || status == "starting", "{started}");
    assert_eq!(started["cwd"], "/somewhere");
    let ready = s.notification("mcpServer/startupStatus/updated", |p| {
        p["status"] == "ready"
    });
    assert_eq!(ready["params"]["threadId"], json!(thread_id));

    let call = s.result(
        "mcpServer/tool/call",
        json!({"threadId": thread_id, "server": "t", "tool": "add", "arguments": {"a": 2, "b": 3.5}}),
    );
    assert!(
        call["content"][0]["text"].as_str().unwrap().contains("5.5"),
        "{call}"
    );
    let unknown = s.error(
        "mcpServer/tool/call",
        json!({"threadId": "nope", "server": "t", "tool": "add"}),
    );
    assert_eq!(unknown["code"], -32602);
    assert!(unknown["message"].as_str().unwrap().contains("threadId"));

    let live = s.result("mcpServerStatus/list", json!({"threadId": thread_id}));
    let entry = &live["data"][0];
    assert_eq!(entry["runtimeStatus"], "connected");
    assert!(entry["tools"]["add"]["inputSchema"].is_object(), "{entry}");
    assert!(entry["serverInfo"]["name"].is_string());
    assert!(
        entry["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["uri"] == "test://text")
    );
    // The start cached the tools: without a thread they come from the cache.
    let cached = s.result(
        "mcpServerStatus/list",
        json!({"detail": "toolsAndAuthOnly"}),
    );
    assert!(cached["data"][0]["tools"]["add"].is_object(), "{cached}");
    assert_eq!(cached["data"][0]["authStatus"], "unsupported");

    let read = s.result(
        "mcpServer/resource/read",
        json!({"threadId": thread_id, "server": "t", "uri": "test://text"}),
    );
    assert!(read["contents"][0]["text"].is_string(), "{read}");
    let read = s.result(
        "mcpServer/resource/read",
        json!({"server": "t", "uri": "test://text"}),
    );
    assert!(read["contents"][0]["text"].is_string(), "{read}");

    let resumed = s.result("thread/resume", json!({"threadId": thread_id}));
    assert_eq!(resumed["thread"]["id"], json!(thread_id));

    // Elicitation: the server asks, the client answers, serverRequest/resolved follows.
    let call_id = s.send(
        "mcpServer/tool/call",
        json!({"threadId": thread_id, "server": "t", "tool": "elicit"}),
    );
    let request = loop {
        let m = s.recv();
        if m["method"] == "mcpServer/elicitation/request" {
            break m;
        }
        s.seen.push(m);
    };
    assert_eq!(request["params"]["serverName"], "t");
    assert_eq!(request["params"]["request"]["mode"], "form");
    s.send_line(
        &json!({"id": request["id"], "result": {"action": "accept", "content": {"name": "Grace"}}})
            .to_string(),
    );
    let answer = s.wait_for(&json!(call_id));
    assert_eq!(
        answer["result"]["structuredContent"]["content"]["name"], "Grace",
        "{answer}"
    );
    let resolved = s.notification("serverRequest/resolved", |_| true);
    assert_eq!(resolved["params"]["requestId"], request["id"]);
    assert!(s.close().success());
}

#[test]
fn oauth_login_completes_through_the_notification() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let t = TestHome::new();
    t.write_config(&format!(
        "mcp_oauth_credentials_store = \"file\"\n[mcp_servers.docs]\nurl = \"{}\"\n",
        server.mcp_url()
    ));
    let mut s = AppServer::started(&t);
    let login = s.result(
        "mcpServer/oauth/login",
        json!({"name": "docs", "threadId": "x", "timeoutSecs": 30}),
    );
    let url = login["authorizationUrl"].as_str().unwrap().to_string();
    let login_id = login["loginId"].clone();
    // Play the browser: the provider redirects to our callback, which we then visit.
    let script = r#"fetch(process.argv[1], {redirect: "manual"}).then(r => fetch(r.headers.get("location"))).then(r => process.stdout.write(String(r.status)))"#;
    let out = std::process::Command::new(node().unwrap())
        .args(["-e", script, &url])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "200",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let done = s.notification("mcpServer/oauthLogin/completed", |_| true);
    let params = &done["params"];
    assert_eq!(params["name"], "docs");
    assert_eq!(params["loginId"], login_id);
    assert_eq!(params["threadId"], "x");
    assert_eq!(params["success"], true, "{done}");
    let list = s.result("mcpServerStatus/list", json!({}));
    assert_eq!(list["data"][0]["authStatus"], "oAuth", "{list}");
    let credentials = std::fs::read_to_string(t.home().join(".credentials.json")).unwrap();
    let token = serde_json::from_str::<serde_json::Value>(&credentials).unwrap();
    let access = token.as_object().unwrap().values().next().unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let all: Vec<String> = s.seen.iter().map(ToString::to_string).collect();
    assert!(
        !all.join("\n").contains(&access),
        "a token reached the client"
    );
    assert!(s.close().success());
}
