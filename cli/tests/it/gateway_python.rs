//! The Python MCP SDK's client (`mcp`, pinned in testing/peers/requirements.txt) drives the
//! gateway through `gateway_client.py`: over streamable HTTP (`serve --http` with a bearer
//! token), and through every answer a user can give to an approval request. The stdio tour is
//! `gateway::the_python_sdk_client_works_through_the_gateway`.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::gateway::{HttpGateway, backend};
use crate::support::TestHome;

/// Whether `import mcp` works; without it the test is skipped, except in CI (`CI` or
/// `MCPCTL_REQUIRE_PEERS` set), where a missing peer fails like the TypeScript SDK's.
fn have_python_sdk() -> bool {
    let have = Command::new("python3")
        .args(["-c", "import mcp"])
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        assert!(
            std::env::var_os("CI").is_none() && std::env::var_os("MCPCTL_REQUIRE_PEERS").is_none(),
            "the Python `mcp` package is missing: python3 -m pip install -r testing/peers/requirements.txt"
        );
        eprintln!("skipping: the Python `mcp` package is not installed");
    }
    have
}

/// `python3` in the home's environment. The home is a temporary one: packages pip installed
/// with `--user` stay importable.
fn python(back: &TestHome) -> Command {
    let mut python = back.command("python3");
    if std::env::var_os("PYTHONUSERBASE").is_none()
        && let Some(home) = std::env::var_os("HOME")
    {
        python.env("PYTHONUSERBASE", Path::new(&home).join(".local"));
    }
    python
}

/// `python3 gateway_client.py args…` in the home's environment, with `env` added.
fn python_client(back: &TestHome, args: &[&str], env: &[(&str, &str)]) -> Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/gateway_client.py");
    let mut python = python(back);
    python.env_remove("PY_SCENARIO").env_remove("PY_APPROVALS");
    for (key, value) in env {
        python.env(key, value);
    }
    python.arg(&script).args(args).output().unwrap()
}

/// The client's JSON report; panics with its stderr when it failed.
fn report_of(out: &Output) -> Value {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the Python client failed:\n{stderr}");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn audit(back: &TestHome) -> Vec<Value> {
    std::fs::read_to_string(back.home().join("log/gateway.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

/// The audit record's `arguments_digest` starts with the digest its approval prompt showed.
fn assert_digest_of(record: &Value, prompt: &str) {
    assert!(
        record["arguments_digest"]
            .as_str()
            .unwrap()
            .starts_with(prompt_digest(prompt)),
        "{record} vs {prompt}"
    );
}

/// The `call sha256:…` a prompt names, which starts the audited `arguments_digest`.
fn prompt_digest(prompt: &str) -> &str {
    let start = prompt.find("call sha256:").unwrap() + "call ".len();
    prompt[start..].trim_end_matches(')')
}

/// `mcpctl serve --http 127.0.0.1:0 --token-env-var GW_TOKEN` with `token`; killed on drop.
fn http_gateway(back: &TestHome, token: &str) -> HttpGateway {
    HttpGateway::start(
        back,
        &["--token-env-var", "GW_TOKEN"],
        &[("GW_TOKEN", token)],
    )
}

/// Over streamable HTTP with a bearer token the Python client gets the whole tour: approval
/// requests (server-to-client requests on the HTTP stream), a backend's own elicitation,
/// progress before the result, prompts, resources, completion and log messages; every call is
/// audited as the user's decision. A wrong token gets nothing done.
#[test]
fn the_python_sdk_client_works_over_streamable_http() {
    if !have_python_sdk() {
        return;
    }
    let back = backend("");
    let gw = http_gateway(&back, "tok-python-1234");

    let wrong = python_client(&back, &[&gw.url], &[("PY_BEARER_TOKEN", "tok-python-1235")]);
    assert!(
        !wrong.status.success(),
        "a wrong token was let in: {}",
        String::from_utf8_lossy(&wrong.stdout)
    );
    assert!(wrong.stdout.is_empty(), "{wrong:?}");

    let out = python_client(&back, &[&gw.url], &[("PY_BEARER_TOKEN", "tok-python-1234")]);
    let report = report_of(&out);
    // Its closing DELETE is answered as a termination that happened (204, not rmcp's 202).
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("Session termination failed"), "{stderr}");
    assert_eq!(report["transport"], "http", "{report}");
    assert_eq!(report["server"], "mcpctl-gateway", "{report}");
    assert_eq!(report["protocol"], "2025-11-25", "{report}");
    let tools = strings(&report["tools"]);
    for tool in ["t__echo", "t__add", "t__elicit", "t__progress"] {
        assert!(tools.contains(&tool), "{tool} missing: {report}");
    }
    assert!(tools.iter().all(|t| t.starts_with("t__")), "{report}");
    assert_eq!(report["echo"], "from python", "{report}");
    assert_eq!(report["add"], "7", "{report}");
    assert_eq!(report["add_error"], false, "{report}");
    assert_eq!(report["add_structured"], json!({"sum": 7.0}), "{report}");
    assert_eq!(
        report["elicited"],
        json!({"action": "accept", "content": {"name": "Grace", "age": 85}}),
        "{report}"
    );
    // All three progress notifications, in order, before the result.
    assert_eq!(
        report["progress_notes"],
        json!([
            {"progress": 1.0, "total": 3.0, "message": "step 1 of 3"},
            {"progress": 2.0, "total": 3.0, "message": "step 2 of 3"},
            {"progress": 3.0, "total": 3.0, "message": "step 3 of 3"},
        ]),
        "{report}"
    );
    assert_eq!(report["progress_result"], "done", "{report}");
    assert_eq!(report["prompts"], json!(["t__greet"]), "{report}");
    assert_eq!(report["greet"], "Say hello to Grace.", "{report}");
    let resources = strings(&report["resources"]);
    assert!(resources.contains(&"mcpctl://status"), "{report}");
    assert!(resources.contains(&"test://text"), "{report}");
    assert_eq!(
        report["resource_text"], "hello from the test server",
        "{report}"
    );
    assert_eq!(report["resource_templated"], "templated", "{report}");
    assert_eq!(report["status"]["servers"][0]["server"], "t", "{report}");
    assert_eq!(report["status"]["servers"][0]["state"], "ready", "{report}");
    assert_eq!(
        report["completions"],
        json!(["alice", "albert"]),
        "{report}"
    );
    assert_eq!(
        report["logs"][0],
        json!({"level": "info", "logger": "t/test-server", "data": "log level set to info"}),
        "{report}"
    );

    // The `auto` mode asks about each of these (the test server's tools have no annotations),
    // naming tool, server, arguments and mode, and offers to remember the answer.
    let asked = strings(&report["asked"]);
    let approvals: Vec<&str> = asked
        .iter()
        .copied()
        .filter(|a| a.starts_with("Allow "))
        .collect();
    assert_eq!(approvals.len(), 4, "{asked:?}");
    assert!(
        approvals[0].starts_with(
            "Allow echo on t?\nArguments: {\"text\":\"from python\"}\n(approval mode `auto`; call sha256:"
        ),
        "{asked:?}"
    );
    assert!(
        approvals[1].starts_with("Allow add on t?\nArguments: {\"a\":2,\"b\":5}\n"),
        "{asked:?}"
    );
    assert!(approvals[2].starts_with("Allow elicit on t?"), "{asked:?}");
    assert!(
        approvals[3].starts_with("Allow progress on t?"),
        "{asked:?}"
    );
    // The backend's own question came after its approval, through the same HTTP session.
    assert_eq!(asked[3], "Who are you?", "{asked:?}");
    assert_eq!(
        report["approval_fields"],
        json!([["remember"], ["remember"], ["remember"], ["remember"]]),
        "{report}"
    );

    // One audit line per call: asked, approved by the user, the Python SDK named as client,
    // and the digest the prompt showed.
    let records = audit(&back);
    let tools: Vec<&str> = records
        .iter()
        .map(|r| r["tool"].as_str().unwrap())
        .collect();
    assert_eq!(tools, ["echo", "add", "elicit", "progress"], "{records:?}");
    for (record, prompt) in records.iter().zip(&approvals) {
        assert_eq!(record["server"], "t", "{record}");
        assert_eq!(record["decision"], "ask", "{record}");
        assert_eq!(record["result"], "approved", "{record}");
        assert_eq!(record["decided_by"], "user", "{record}");
        assert_eq!(record["mode"], "auto", "{record}");
        assert_eq!(record["is_error"], false, "{record}");
        assert!(
            record["client"].as_str().unwrap().starts_with("mcp "),
            "{record}"
        );
        assert_digest_of(record, prompt);
    }
}

/// Each answer a Python client can give to an approval request, over stdio: decline and
/// cancel are errors the model can read and are audited as declined; "remember" runs the call
/// and the next one without asking (audited as remembered); a tool whose mode is `prompt` offers
/// no remembering and asks every time even when the answer says remember.
#[test]
fn every_approval_answer_of_the_python_sdk_client_is_honoured_and_audited() {
    if !have_python_sdk() {
        return;
    }
    let mcpctl = env!("CARGO_BIN_EXE_mcpctl");
    let back = backend("");
    let out = python_client(
        &back,
        &[mcpctl, "serve"],
        &[
            ("PY_SCENARIO", "approvals"),
            ("PY_APPROVALS", "decline,cancel,remember"),
        ],
    );
    let report = report_of(&out);
    assert_eq!(report["transport"], "stdio", "{report}");
    assert_eq!(
        report["calls"],
        json!([
            {"text": "The call of add on t was not approved: the user declined.", "is_error": true},
            {"text": "The call of add on t was not approved: the user cancelled.", "is_error": true},
            {"text": "12", "is_error": false},
            {"text": "13", "is_error": false},
        ]),
        "{report}"
    );
    // Asked three times (not the fourth: remembered), each naming the call's own arguments.
    let asked = strings(&report["asked"]);
    assert_eq!(asked.len(), 3, "{asked:?}");
    for (i, prompt) in asked.iter().enumerate() {
        assert!(
            prompt.starts_with(&format!(
                "Allow add on t?\nArguments: {{\"a\":{i},\"b\":10}}\n(approval mode `auto`; call sha256:"
            )),
            "{prompt}"
        );
    }
    let records = audit(&back);
    let seen: Vec<(&str, &str, bool)> = records
        .iter()
        .map(|r| {
            assert_eq!(r["tool"], "add", "{r}");
            assert_eq!(r["decision"], "ask", "{r}");
            (
                r["result"].as_str().unwrap(),
                r["decided_by"].as_str().unwrap(),
                r["is_error"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("declined", "user", true),
            ("declined", "user", true),
            ("approved", "user", false),
            ("approved", "remembered", false),
        ],
        "{records:?}"
    );
    for (record, prompt) in records.iter().zip(&asked) {
        assert_digest_of(record, prompt);
    }

    // `prompt` mode: no "remember" field, and a "remember" answer does not stick.
    let back = backend("[mcp_servers.t.tools.add]\napproval_mode = \"prompt\"\n");
    let out = python_client(
        &back,
        &[mcpctl, "serve"],
        &[("PY_SCENARIO", "approvals"), ("PY_APPROVALS", "remember")],
    );
    let report = report_of(&out);
    assert_eq!(
        report["calls"],
        json!([{"text": "10", "is_error": false}, {"text": "11", "is_error": false}]),
        "{report}"
    );
    let asked = strings(&report["asked"]);
    assert_eq!(asked.len(), 2, "asked every time: {asked:?}");
    assert!(
        asked
            .iter()
            .all(|a| a.contains("(approval mode `prompt`; call sha256:")),
        "{asked:?}"
    );
    assert_eq!(report["approval_fields"], json!([[], []]), "{report}");
    let records = audit(&back);
    assert_eq!(records.len(), 2, "{records:?}");
    for record in &records {
        assert_eq!(record["result"], "approved", "{record}");
        assert_eq!(record["decided_by"], "user", "{record}");
        assert_eq!(record["mode"], "prompt", "{record}");
    }
}

/// Two HTTP sessions on one gateway: a backend's elicitation and progress reach the session
/// whose call caused them and never the other, and "remember for this session" stays in the
/// session that chose it.
#[test]
fn two_http_sessions_each_get_only_their_own_messages() {
    if !have_python_sdk() {
        return;
    }
    let back = backend(
        "[mcp_servers.t.tools.elicit]\napproval_mode = \"approve\"\n[mcp_servers.t.tools.progress]\napproval_mode = \"approve\"\n",
    );
    let gateway = http_gateway(&back, "two-sessions-token");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/gateway_sessions.py");
    let out = python(&back)
        .env("PY_BEARER_TOKEN", "two-sessions-token")
        .arg(&script)
        .arg(&gateway.url)
        .output()
        .unwrap();
    let report = report_of(&out);
    // Each backend question went to the session that called, and its answer came back there.
    assert_eq!(report["b_elicited"]["content"]["name"], "b", "{report}");
    assert_eq!(report["a_elicited"]["content"]["name"], "a", "{report}");
    let asked_a = strings(&report["asked"]["a"]);
    let asked_b = strings(&report["asked"]["b"]);
    assert_eq!(
        asked_a.iter().filter(|m| **m == "Who are you?").count(),
        1,
        "{report}"
    );
    assert_eq!(
        asked_b.iter().filter(|m| **m == "Who are you?").count(),
        1,
        "{report}"
    );
    assert_eq!(report["progress"]["b"], json!([1.0, 2.0, 3.0]), "{report}");
    assert_eq!(report["progress"]["a"], json!([]), "{report}");
    // A remembered `add` after one approval; B, another session, was asked on its own.
    assert_eq!(report["a_add"], json!(["1", "2"]), "{report}");
    assert_eq!(report["b_add"], "6", "{report}");
    assert_eq!(
        asked_a
            .iter()
            .filter(|m| m.starts_with("Allow add on t?"))
            .count(),
        1,
        "{report}"
    );
    assert_eq!(
        asked_b
            .iter()
            .filter(|m| m.starts_with("Allow add on t?"))
            .count(),
        1,
        "{report}"
    );
}

/// server-everything (npm, pinned) behind the gateway, driven by the Python SDK client: its
/// progress, its own elicitation, its sampling request and its roots request all reach the
/// client and their answers come back.
#[test]
fn server_everything_behind_the_gateway_reaches_the_python_client() {
    if !have_python_sdk() {
        return;
    }
    let Some(everything) =
        mcpctl_test_support::peer_package("@modelcontextprotocol/server-everything")
    else {
        assert!(
            std::env::var_os("MCPCTL_REQUIRE_PEERS").is_none(),
            "MCPCTL_REQUIRE_PEERS is set but server-everything is not installed: run `just peers`"
        );
        eprintln!("skipping: server-everything not installed (run `just peers`)");
        return;
    };
    let back = TestHome::new();
    back.write_config(&format!(
        "[mcp_servers.everything]\ncommand = \"node\"\nargs = [{:?}, \"stdio\"]\n",
        everything.join("dist/index.js").display().to_string()
    ));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/gateway_everything.py");
    let out = python(&back)
        .arg(&script)
        .arg(env!("CARGO_BIN_EXE_mcpctl"))
        .args(["serve", "--preset", "full-access"])
        .output()
        .unwrap();
    let report = report_of(&out);
    let tools = strings(&report["tools"]);
    assert!(
        tools.contains(&"everything__trigger-sampling-request"),
        "{report}"
    );
    assert!(
        tools.iter().all(|t| t.starts_with("everything__")),
        "{report}"
    );
    assert_eq!(
        report["progress"],
        json!([[1.0, 3.0], [2.0, 3.0], [3.0, 3.0]]),
        "{report}"
    );
    assert!(
        report["long"].as_str().unwrap().contains("Steps: 3"),
        "{report}"
    );
    assert_eq!(
        report["asked"],
        json!(["Please provide inputs for the following fields:"])
    );
    assert!(
        report["elicited"]
            .as_str()
            .unwrap()
            .contains("Name: Ada Lovelace"),
        "{report}"
    );
    assert_eq!(
        report["sampled"],
        json!(["Resource trigger-sampling-request context: the answer?"])
    );
    assert!(
        report["sampling"].as_str().unwrap().contains("forty-two")
            && report["sampling"]
                .as_str()
                .unwrap()
                .contains("python-model"),
        "{report}"
    );
    // It asks once at start (it declares interest in roots) and once for the tool.
    assert!(report["roots_asked"].as_u64().unwrap() >= 1, "{report}");
    assert!(
        report["roots"]
            .as_str()
            .unwrap()
            .contains("file:///projects/demo"),
        "{report}"
    );
}

/// The Python MCP SDK's client (`mcp`, pinned in testing/peers/requirements.txt) drives the
/// gateway over stdio: it probes `server/discover`, falls back to `initialize` at 2025-11-25,
/// accepts the approval prompts, answers a backend's elicitation, hears progress and log
/// messages, and uses prompts, resources and completion.
#[test]
fn the_python_sdk_client_works_through_the_gateway() {
    if !have_python_sdk() {
        return;
    }
    let back = backend("[mcp_servers.t.tools.elicit]\napproval_mode = \"approve\"\n");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/gateway_client.py");
    let out = python(&back)
        .arg(&script)
        .arg(env!("CARGO_BIN_EXE_mcpctl"))
        .arg("serve")
        .output()
        .unwrap();
    let report = report_of(&out);
    assert_eq!(report["server"], "mcpctl-gateway", "{report}");
    assert_eq!(report["protocol"], "2025-11-25", "{report}");
    assert!(
        report["tools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.as_str().unwrap().starts_with("t__")),
        "{report}"
    );
    assert_eq!(report["echo"], "from python");
    assert_eq!(report["add"], "7");
    // The backend's own question reached the Python client, and its answer came back.
    assert_eq!(report["elicited"]["action"], "accept", "{report}");
    assert_eq!(report["elicited"]["content"]["name"], "Grace", "{report}");
    assert_eq!(report["progress"], json!([1.0, 2.0, 3.0]), "{report}");
    assert_eq!(report["greet"], "Say hello to Grace.");
    assert_eq!(report["status"]["servers"][0]["state"], "ready");
    assert_eq!(report["completions"], json!(["alice", "albert"]));
    assert_eq!(
        report["logs"][0],
        json!({"level": "info", "logger": "t/test-server", "data": "log level set to info"})
    );
    // Approval was asked for the calls the `auto` mode asks about (not for `elicit`, set to
    // `approve`), each naming tool, server and a redacted preview.
    let asked: Vec<&str> = report["asked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        asked.iter().any(|a| a.starts_with("Allow add on t?")),
        "{asked:?}"
    );
    assert!(asked.contains(&"Who are you?"), "{asked:?}");
    assert!(
        !asked.iter().any(|a| a.starts_with("Allow elicit")),
        "{asked:?}"
    );
    // Each call is in the audit log, with who decided.
    let records = audit(&back);
    let add = records.iter().find(|r| r["tool"] == "add").unwrap();
    assert_eq!(add["decided_by"], "user");
    assert_eq!(add["result"], "approved");
    assert!(add["client"].as_str().unwrap().starts_with("mcp"), "{add}");
    let elicit = records.iter().find(|r| r["tool"] == "elicit").unwrap();
    assert_eq!(elicit["result"], "ran");
}
