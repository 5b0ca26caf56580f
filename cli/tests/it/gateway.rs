//! The gateway (`mcpctl serve`, issue 9) driven by real clients: a second mcpctl that has the
//! gateway as its stdio server, a bare JSON-RPC client without elicitation, the TypeScript SDK
//! client and the Codex CLI. The backend is the workspace's test server.

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::TestHome;

/// The backend's home: one test server `t` (its `cwd` a folder of its own, to find the process
/// later), plus `extra` config.
pub(crate) fn backend(extra: &str) -> TestHome {
    let t = TestHome::new();
    let cwd = t.path().join("backend-cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    t.write_config(&format!(
        "[mcp_servers.t]\ncommand = {:?}\ncwd = {:?}\n{extra}",
        mcpctl_test_support::test_server_bin().display().to_string(),
        cwd.display().to_string(),
    ));
    t
}

/// A front home whose one server `gw` is `mcpctl serve <args>` over the backend's home.
fn front(back: &TestHome, args: &[&str]) -> TestHome {
    let f = TestHome::new();
    let mut all = vec!["serve".to_string()];
    all.extend(args.iter().map(|a| (*a).to_string()));
    f.write_config(&format!(
        "[mcp_servers.gw]\ncommand = {:?}\nargs = {}\n[mcp_servers.gw.env]\nMCPCTL_HOME = {:?}\nMCPCTL_SYSTEM_DIR = {:?}\nHOME = {:?}\n",
        env!("CARGO_BIN_EXE_mcpctl"),
        serde_json::to_string(&all).unwrap(),
        back.home().display().to_string(),
        back.sys().display().to_string(),
        back.path().display().to_string(),
    ));
    f
}

fn audit(back: &TestHome) -> Vec<Value> {
    let path = back.home().join("log/gateway.jsonl");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_second_mcpctl_lists_and_calls_through_the_gateway() {
    let back = backend("[mcp_servers.t.tools.echo]\napproval_mode = \"approve\"\n");
    let f = front(&back, &[]);

    let tools = f.run(&["tools", "gw", "--json"]).ok().json();
    let names: Vec<&str> = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"t__echo"), "{names:?}");
    assert!(names.contains(&"t__add"), "{names:?}");
    assert!(names.iter().all(|n| n.starts_with("t__")), "{names:?}");

    // `approve` runs without asking; the secret-looking value never reaches the audit log.
    let run = f.run(&["call", "gw", "t__echo", "text=s3cr3t-value"]).ok();
    assert_eq!(run.stdout, "s3cr3t-value\n");
    // `auto` on a tool without hints asks: mcpctl without a terminal declines...
    let run = f.run(&["call", "gw", "t__add", "a=1", "b=2"]).fails(1);
    assert!(
        run.stdout
            .contains("The call of add on t was not approved: the user declined."),
        "{}{}",
        run.stdout,
        run.stderr
    );
    // ...and accepts when told to answer with the form's defaults.
    let run = f
        .run(&["call", "gw", "t__add", "a=1", "b=2", "--elicit", "defaults"])
        .ok();
    assert_eq!(run.stdout.trim(), "3");
    // A backend's own elicitation reaches the gateway's client and its answer comes back.
    let run = f
        .run(&["call", "gw", "t__elicit", "--elicit", "defaults", "--json"])
        .ok();
    // The gateway asks first (auto), then the backend's form is answered with its defaults.
    assert!(run.stdout.contains("\"accept\""), "{}", run.stdout);

    let log = audit(&back);
    let summary: Vec<(String, String, String)> = log
        .iter()
        .map(|r| {
            (
                r["tool"].as_str().unwrap().to_string(),
                r["result"].as_str().unwrap().to_string(),
                r["decided_by"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary[..3],
        [
            ("echo".into(), "ran".into(), "tool_mode".into()),
            ("add".into(), "declined".into(), "user".into()),
            ("add".into(), "approved".into(), "user".into()),
        ]
    );
    assert!(
        log[0]["arguments_digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert!(log[0]["client"].as_str().unwrap().starts_with("mcpctl"));
    let text = std::fs::read_to_string(back.home().join("log/gateway.jsonl")).unwrap();
    assert!(!text.contains("s3cr3t"), "{text}");
    let mode = std::fs::metadata(back.home().join("log/gateway.jsonl"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn an_admin_cap_holds_through_the_gateway() {
    let back = backend(
        "default_tools_approval_mode = \"approve\"\n[mcp_servers.t.tools.echo]\napproval_mode = \"approve\"\n",
    );
    back.write_sys(
        "requirements.toml",
        "allowed_approval_modes = [\"prompt\"]\n",
    );
    // Even `--preset full-access` on the command line cannot raise the cap.
    let f = front(&back, &["--preset", "full-access"]);
    let run = f.run(&["call", "gw", "t__echo", "text=hi"]).fails(1);
    assert!(run.stdout.contains("not approved"), "{}", run.stdout);
    let run = f
        .run(&["call", "gw", "t__echo", "text=hi", "--elicit", "defaults"])
        .ok();
    assert_eq!(run.stdout, "hi\n");
    let log = audit(&back);
    assert!(log.iter().all(|r| r["mode"] == "prompt"), "{log:?}");

    // A client that cannot be asked is refused, and told the administrator set it.
    let mut gw = RawClient::start(&back, &[], false);
    let answer = gw.call_tool("t__echo", json!({"text": "hi"}));
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    let text = answer["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("administrator"), "{text}");
    gw.stop();
}

#[test]
fn a_client_without_elicitation_is_refused_with_the_setting_that_would_allow_it() {
    let back = backend("");
    let mut gw = RawClient::start(&back, &[], false);
    let answer = gw.call_tool("t__add", json!({"a": 1, "b": 2}));
    let text = answer["result"]["content"][0]["text"].as_str().unwrap();
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert!(
        text.contains("[mcp_servers.t.tools.add]") && text.contains("approval_mode = \"approve\""),
        "{text}"
    );
    // Unknown tools are a JSON-RPC error with a did-you-mean.
    let answer = gw.call_tool("t__ad", json!({}));
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean 't__add'?"),
        "{answer}"
    );
    // The status resource lists the backend.
    let status = gw.request("resources/read", json!({"uri": "mcpctl://status"}));
    let body: Value =
        serde_json::from_str(status["result"]["contents"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(body["servers"][0]["server"], "t");
    assert_eq!(body["servers"][0]["state"], "ready");
    let cwd = back.path().join("backend-cwd");
    assert!(processes_in(&cwd) > 0, "the backend should be running");
    // Closing stdin stops the gateway (exit 0) and every backend with it.
    gw.stop();
    assert_no_backend_left(&cwd);
}

#[test]
fn read_only_preset_servers_subset_and_loops() {
    let back = backend(&format!(
        "[mcp_servers.self]\ncommand = {:?}\nargs = [\"serve\"]\n",
        env!("CARGO_BIN_EXE_mcpctl")
    ));
    // No tool of the test server says it is read-only: none is listed, none can be called.
    let f = front(&back, &["--preset", "read-only", "--servers", "t,self"]);
    let tools = f.run(&["tools", "gw", "--json"]).ok().json();
    assert_eq!(tools["tools"], json!([]), "{tools}");
    let run = f.run(&["call", "gw", "t__echo", "text=x"]).fails(1);
    assert!(run.stderr.contains("t__echo"), "{}", run.stderr);
    // The gateway never serves itself: `self` is left out, and the status says why.
    let run = f.run(&["read", "gw", "mcpctl://status"]).ok();
    assert!(run.stdout.contains("\"left out\""), "{}", run.stdout);
    assert!(run.stdout.contains("a loop"), "{}", run.stdout);

    let run = back.run(&["serve", "--servers", "tt"]).fails(1);
    assert!(
        run.stderr.contains("no enabled server 'tt'") && run.stderr.contains("did you mean 't'?"),
        "{}",
        run.stderr
    );
}

#[test]
fn print_config_names_this_executable() {
    let back = backend("");
    let run = back.run(&["serve", "--print-config", "codex"]).ok();
    assert!(
        run.stdout.contains("[mcp_servers.mcpctl]"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("args = [\"serve\"]"), "{}", run.stdout);
    let run = back.run(&["serve", "--print-config", "claude"]).ok();
    let json: Value = serde_json::from_str(run.stdout.split_once('\n').unwrap().1).unwrap();
    let command = json["mcpServers"]["mcpctl"]["command"].as_str().unwrap();
    assert!(Path::new(command).is_absolute(), "{command}");
}

/// The TypeScript SDK's client (pinned in testing/peers) lists, calls with an approval it
/// accepts, answers a backend's elicitation, and hears the backend's progress.
#[test]
fn the_typescript_sdk_client_works_through_the_gateway() {
    let Some(sdk) = mcpctl_test_support::peer_package("@modelcontextprotocol/sdk") else {
        assert!(
            std::env::var_os("CI").is_none() && std::env::var_os("MCPCTL_REQUIRE_PEERS").is_none(),
            "the TypeScript SDK is missing: run `just peers`"
        );
        eprintln!("skipping: @modelcontextprotocol/sdk not installed (run `just peers`)");
        return;
    };
    let back = backend("");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/gateway_client.mjs");
    let out = Command::new("node")
        .arg(&script)
        .env("SDK_DIR", &sdk)
        .env("MCPCTL_BIN", env!("CARGO_BIN_EXE_mcpctl"))
        .env("BACK_HOME", back.home())
        .env("BACK_SYS", back.sys())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert!(
        report["tools"]
            .as_array()
            .unwrap()
            .contains(&json!("t__add")),
        "{report}"
    );
    assert_eq!(report["add"], "3", "{report}");
    assert!(
        report["prompts"][0]
            .as_str()
            .unwrap()
            .starts_with("Allow add on t?"),
        "{report}"
    );
    assert_eq!(report["elicit_action"], "accept", "{report}");
    // Progress passes through (a notification sent right before the result can be late).
    let progress = report["progress"].as_u64().unwrap();
    assert_eq!(
        progress, 3,
        "every progress notification, before the result: {report}"
    );
    assert_eq!(report["greet"], "Say hello to Ada.", "{report}");
}

/// Codex 0.171 takes the gateway as its stdio server: `codex mcp add gw -- mcpctl serve`.
#[test]
fn codex_adds_and_lists_the_gateway() {
    let Some(codex) = std::env::var_os("MCPCTL_CODEX_BIN").map(PathBuf::from) else {
        assert!(
            std::env::var_os("MCPCTL_REQUIRE_CODEX").is_none(),
            "MCPCTL_REQUIRE_CODEX is set but MCPCTL_CODEX_BIN is not"
        );
        eprintln!("skipping: codex not installed (run `just peers`)");
        return;
    };
    let home = tempfile::Builder::new()
        .prefix("codex-home-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let codex_mcp = |args: &[&str]| {
        let out = Command::new(&codex)
            .arg("mcp")
            .args(args)
            .env("CODEX_HOME", home.path())
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    codex_mcp(&["add", "gw", "--", env!("CARGO_BIN_EXE_mcpctl"), "serve"]);
    let list: Value = serde_json::from_str(&codex_mcp(&["list", "--json"])).unwrap();
    let gw = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "gw")
        .unwrap();
    assert_eq!(gw["transport"]["args"], json!(["serve"]), "{gw}");
    let get = codex_mcp(&["get", "gw"]);
    assert!(get.contains("serve"), "{get}");
    // And mcpctl, pointed at Codex's home, reads the same server.
    let run = Command::new(env!("CARGO_BIN_EXE_mcpctl"))
        .args(["get", "gw", "--json"])
        .env("MCPCTL_HOME", home.path())
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stdout).contains("\"serve\""));
}

/// Waits up to 5 s for every process whose working folder is `dir` to be gone.
fn assert_no_backend_left(dir: &Path) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while processes_in(dir) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(processes_in(dir), 0, "a backend outlived the gateway");
}

/// Processes whose working folder is `dir`.
fn processes_in(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().parse::<u32>().is_ok())
        .filter(|e| std::fs::read_link(e.path().join("cwd")).is_ok_and(|cwd| cwd == dir))
        .count()
}

/// The tool names of a `tools/list` answer.
fn names_in(listed: &Value) -> Vec<String> {
    listed["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

/// A bare JSON-RPC client on the gateway's stdio.
struct RawClient {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
    /// Notifications received while waiting for answers, in order.
    notes: Vec<Value>,
}

impl RawClient {
    fn start(back: &TestHome, args: &[&str], elicitation: bool) -> Self {
        let capabilities = if elicitation {
            json!({"elicitation": {}})
        } else {
            json!({})
        };
        Self::start_with(back, args, capabilities)
    }

    /// Declares `capabilities`; requests from the gateway are answered at once: elicitation
    /// accepted, sampling with the text "four" from model `raw-model`, roots with
    /// `file:///work`.
    fn start_with(back: &TestHome, args: &[&str], capabilities: Value) -> Self {
        let mut child = back
            .mcpctl()
            .arg("serve")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut client = Self {
            child,
            stdin,
            stdout,
            next_id: 0,
            notes: Vec::new(),
        };
        let init = client.request(
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": capabilities,
                "clientInfo": {"name": "raw-test", "version": "1"},
            }),
        );
        assert_eq!(init["result"]["protocolVersion"], "2025-06-18", "{init}");
        assert_eq!(init["result"]["serverInfo"]["name"], "mcpctl-gateway");
        let caps = &init["result"]["capabilities"];
        assert_eq!(caps["resources"]["subscribe"], true, "{init}");
        assert!(
            caps["logging"].is_object() && caps["completions"].is_object(),
            "{init}"
        );
        client.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        client
    }

    fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    fn send_raw(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let mut line = String::new();
            assert!(
                self.stdout.read_line(&mut line).unwrap() > 0,
                "gateway closed stdout"
            );
            let message: Value = serde_json::from_str(&line).unwrap();
            if message["id"] == id {
                return message;
            }
            if message.get("id").is_none() {
                self.notes.push(message);
            } else if let Some(method) = message["method"].as_str() {
                let result = match method {
                    "sampling/createMessage" => json!({"role": "assistant",
                        "content": {"type": "text", "text": "four"}, "model": "raw-model"}),
                    "roots/list" => json!({"roots": [{"uri": "file:///work", "name": "work"}]}),
                    "elicitation/create" => json!({"action": "accept", "content": {}}),
                    _ => json!({}),
                };
                self.notes.push(message.clone());
                self.send(&json!({"jsonrpc": "2.0", "id": message["id"], "result": result}));
            }
        }
    }

    /// The first notification received so far (or within about 5 s) that `matches`.
    fn note(&mut self, matches: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..250 {
            if let Some(found) = self.notes.iter().find(|n| matches(n)) {
                return found.clone();
            }
            std::thread::sleep(Duration::from_millis(20));
            let _ = self.request("ping", json!({}));
        }
        panic!("no such notification among {:?}", self.notes);
    }

    /// The names in a `tools/list` answer (every page is one page here).
    fn tool_names(&mut self) -> Vec<String> {
        names_in(&self.request("tools/list", json!({})))
    }

    fn call_tool(&mut self, name: &str, arguments: Value) -> Value {
        self.request("tools/call", json!({"name": name, "arguments": arguments}))
    }

    /// Closes stdin and waits for a clean exit.
    fn stop(mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "the gateway exited with {status}");
                return;
            }
            assert!(Instant::now() < deadline, "the gateway did not stop at EOF");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// `serve --http`: a running gateway on a free loopback port; stopped (killed) on drop.
pub(crate) struct HttpGateway {
    child: Child,
    pub(crate) url: String,
}

impl HttpGateway {
    pub(crate) fn start(back: &TestHome, extra: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = back.mcpctl();
        cmd.args(["serve", "--http", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in env {
            cmd.env(key, value);
        }
        let mut child = cmd.spawn().unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        let url = loop {
            line.clear();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "the gateway exited"
            );
            if let Some(rest) = line.trim().strip_prefix("mcpctl serve: listening on ") {
                break rest.to_string();
            }
        };
        // Keep draining stderr so the gateway never blocks on it.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while stderr.read_line(&mut sink).unwrap_or(0) > 0 {
                sink.clear();
            }
        });
        Self { child, url }
    }
}

impl Drop for HttpGateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A raw HTTP POST of an initialize request with the given extra headers; the status code.
fn raw_post(url: &str, headers: &[(&str, &str)]) -> u16 {
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#;
    raw_request("POST", url, headers, body)
}

/// A raw HTTP request; the status code.
fn raw_request(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> u16 {
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_once('/').unwrap();
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    let mut request = format!(
        "{method} /{path} HTTP/1.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: {authority}\r\n"));
    }
    for (key, value) in headers {
        request.push_str(&format!("{key}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    status.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn http_gateway_serves_a_client_and_refuses_strangers() {
    let back = backend("[mcp_servers.t.tools.echo]\napproval_mode = \"approve\"\n");
    let gw = HttpGateway::start(
        &back,
        &["--token-env-var", "GW_TOKEN"],
        &[("GW_TOKEN", "tok-123456")],
    );
    // A second mcpctl with the token reaches the tools.
    let f = TestHome::new();
    f.write_config(&format!(
        "[mcp_servers.gw]\nurl = {:?}\nbearer_token_env_var = \"GW_TOKEN\"\n",
        gw.url
    ));
    let run = f
        .cmd()
        .args(["call", "gw", "t__echo", "text=over http"])
        .env("GW_TOKEN", "tok-123456")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&run.stdout), "over http\n");

    assert_eq!(
        raw_post(&gw.url, &[("Authorization", "Bearer tok-123456")]),
        200
    );
    // No token, a wrong one: 401.
    assert_eq!(raw_post(&gw.url, &[]), 401);
    assert_eq!(
        raw_post(&gw.url, &[("Authorization", "Bearer tok-123457")]),
        401
    );
    // DNS rebinding: a foreign Host or Origin is refused even with the token.
    let auth = ("Authorization", "Bearer tok-123456");
    assert_eq!(raw_post(&gw.url, &[auth, ("Host", "evil.example")]), 403);
    assert_eq!(
        raw_post(&gw.url, &[auth, ("Origin", "http://evil.example")]),
        403
    );
    // Ending a session that does not exist: 404, as the spec says (rmcp alone accepts it).
    let unknown = [
        auth,
        ("Mcp-Session-Id", "no-such-session"),
        ("Mcp-Protocol-Version", "2025-06-18"),
    ];
    assert_eq!(raw_request("DELETE", &gw.url, &unknown, ""), 404);
}

#[test]
fn http_off_loopback_needs_bind_and_a_token() {
    let back = backend("");
    let run = back.run(&["serve", "--http", "0.0.0.0:0"]).fails(2);
    assert!(run.stderr.contains("--bind 0.0.0.0"), "{}", run.stderr);
    let run = back
        .run(&["serve", "--http", "0", "--bind", "0.0.0.0"])
        .fails(1);
    assert!(
        run.stderr.contains("needs a bearer token"),
        "{}",
        run.stderr
    );
    let run = back
        .run(&["serve", "--http", "0", "--token-env-var", "NOPE_UNSET"])
        .fails(2);
    assert!(run.stderr.contains("NOPE_UNSET"), "{}", run.stderr);
}

#[test]
fn tool_search_lists_two_tools_and_calls_through_them() {
    let back = backend("[mcp_servers.t.tools.echo]\napproval_mode = \"approve\"\n");
    let mut config = std::fs::read_to_string(back.config_path()).unwrap();
    config.insert_str(0, "gateway_pinned_tools = [\"t__add\"]\n");
    back.write_config(&config);
    let f = front(&back, &["--tool-search"]);
    let tools = f.run(&["tools", "gw", "--json"]).ok().json();
    let names: Vec<&str> = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["search_tools", "call_tool", "t__add"]);
    let found = f
        .run(&[
            "call",
            "gw",
            "search_tools",
            "query=text argument",
            "--json",
        ])
        .ok()
        .json();
    let first = &found["structuredContent"]["tools"][0];
    assert_eq!(first["name"], "t__echo", "{found}");
    assert!(
        first["inputSchema"]["properties"]["text"].is_object(),
        "{found}"
    );
    // call_tool goes through the same approval: `echo` is approved in the config.
    let run = f
        .run(&[
            "call",
            "gw",
            "call_tool",
            "--args",
            r#"{"name": "t__echo", "arguments": {"text": "found"}}"#,
        ])
        .ok();
    assert_eq!(run.stdout, "found\n");
    // Tools that are neither meta tools nor pinned cannot be called directly.
    let run = f.run(&["call", "gw", "t__echo", "text=x"]).fails(1);
    assert!(run.stderr.contains("t__echo"), "{}", run.stderr);
    let log = audit(&back);
    assert_eq!(log.last().unwrap()["tool"], "echo", "{log:?}");
}

/// Lines of the test server's `--events` file.
fn events(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn result_text(answer: &Value) -> String {
    answer["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_crashed_backend_restarts_on_the_next_call_with_backoff() {
    let t = TestHome::new();
    let log = t.path().join("events.log");
    let back = backend(&format!(
        "args = [\"--crash-mid-call\", \"--events\", {:?}]\n",
        log.display().to_string()
    ));
    let mut gw = RawClient::start(&back, &["--preset", "full-access"], false);
    let starts = || {
        events(&log)
            .iter()
            .filter(|l| l.starts_with("start "))
            .count()
    };

    let answer = gw.call_tool("t__echo", json!({"text": "one"}));
    assert_eq!(result_text(&answer), "one", "{answer}");
    assert_eq!(starts(), 1);

    // The backend dies mid-call: the call fails, the gateway keeps serving.
    let answer = gw.call_tool("t__crash", json!({}));
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    // The next call starts it again (the first restart does not wait).
    let answer = gw.call_tool("t__echo", json!({"text": "two"}));
    assert_eq!(result_text(&answer), "two", "{answer}");
    assert_eq!(starts(), 2);

    // A second crash right after: the next restart backs off (1 s) and says so at once.
    let answer = gw.call_tool("t__crash", json!({}));
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    let asked = Instant::now();
    let answer = gw.call_tool("t__echo", json!({"text": "three"}));
    assert!(asked.elapsed() < Duration::from_millis(900), "it waited");
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    let text = result_text(&answer);
    assert!(
        text.contains(
            "MCP server 't' stopped again after 1 restart: the next restart is allowed in"
        ),
        "{text}"
    );
    assert_eq!(starts(), 2, "no restart during the backoff");
    std::thread::sleep(Duration::from_millis(1100));
    let answer = gw.call_tool("t__echo", json!({"text": "four"}));
    assert_eq!(result_text(&answer), "four", "{answer}");
    assert_eq!(starts(), 3);
    // Only the restarted backend runs, and it stops with the gateway.
    let cwd = back.path().join("backend-cwd");
    assert_eq!(processes_in(&cwd), 1);
    gw.stop();
    assert_no_backend_left(&cwd);
}

#[test]
fn a_cancelled_call_is_cancelled_at_the_backend() {
    let t = TestHome::new();
    let log = t.path().join("events.log");
    let back = backend(&format!(
        "args = [\"--slow-ms\", \"30000\", \"--events\", {:?}]\n",
        log.display().to_string()
    ));
    let mut gw = RawClient::start(&back, &["--preset", "full-access"], false);
    // Settle the backends first, so the call below goes straight to the backend.
    let listed = gw.request("tools/list", json!({}));
    assert!(listed["result"]["tools"].as_array().unwrap().len() > 3);
    gw.send(&json!({"jsonrpc": "2.0", "id": 900, "method": "tools/call",
        "params": {"name": "t__slow", "arguments": {}}}));
    std::thread::sleep(Duration::from_millis(300));
    gw.send(
        &json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": 900, "reason": "the user pressed stop"}}),
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while !events(&log).iter().any(|l| l == "cancelled slow") {
        assert!(
            Instant::now() < deadline,
            "the backend never heard of the cancellation"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The gateway keeps serving, and the audit log says the call was cancelled.
    let answer = gw.call_tool("t__echo", json!({"text": "after"}));
    assert_eq!(result_text(&answer), "after", "{answer}");
    gw.stop();
    let records = audit(&back);
    assert!(
        records
            .iter()
            .any(|r| r["tool"] == "slow" && r["result"] == "cancelled"),
        "{records:?}"
    );
}

#[test]
fn logging_completion_and_subscriptions_pass_through() {
    let t = TestHome::new();
    let log = t.path().join("events.log");
    let back = backend(&format!(
        "args = [\"--events\", {:?}]\n",
        log.display().to_string()
    ));
    let mut gw = RawClient::start(&back, &[], false);

    // logging/setLevel reaches the backend; its log message comes back named by server.
    let answer = gw.request("logging/setLevel", json!({"level": "debug"}));
    assert_eq!(answer["result"], json!({}), "{answer}");
    assert!(events(&log).contains(&"setLevel debug".to_string()));
    let logged = gw.note(|n| n["method"] == "notifications/message");
    assert_eq!(logged["params"]["logger"], "t/test-server");
    assert_eq!(logged["params"]["level"], "debug");
    assert_eq!(logged["params"]["data"], "log level set to debug");

    // completion/complete: the prompt's exposed name is mapped back to the backend's.
    let answer = gw.request(
        "completion/complete",
        json!({"ref": {"type": "ref/prompt", "name": "t__greet"},
               "argument": {"name": "name", "value": "al"}}),
    );
    assert_eq!(
        answer["result"]["completion"]["values"],
        json!(["alice", "albert"]),
        "{answer}"
    );
    let answer = gw.request(
        "completion/complete",
        json!({"ref": {"type": "ref/prompt", "name": "nope__greet"},
               "argument": {"name": "name", "value": "al"}}),
    );
    assert_eq!(answer["error"]["code"], -32602, "{answer}");

    // resources/subscribe goes to the resource's owner; its update reaches the client.
    let listed = gw.request("resources/list", json!({}));
    let uri = listed["result"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uri"].as_str().unwrap().to_string())
        .find(|u| u != "mcpctl://status")
        .unwrap();
    gw.notes.clear();
    let answer = gw.request("resources/subscribe", json!({"uri": uri}));
    assert_eq!(answer["result"], json!({}), "{answer}");
    let updated = gw.note(|n| n["method"] == "notifications/resources/updated");
    assert_eq!(updated["params"]["uri"], uri.as_str());
    let answer = gw.request("resources/unsubscribe", json!({"uri": uri}));
    assert_eq!(answer["result"], json!({}), "{answer}");
    let seen = events(&log);
    assert!(seen.contains(&format!("subscribe {uri}")), "{seen:?}");
    assert!(seen.contains(&format!("unsubscribe {uri}")), "{seen:?}");
    gw.stop();
}

/// Sampling and roots requests of a backend reach the client that offers them, and only a
/// client that offers them gets them offered to the backends.
#[test]
fn sampling_and_roots_pass_through_when_the_client_offers_them() {
    let t = TestHome::new();
    let log = t.path().join("events.log");
    let back = backend(&format!(
        "args = [\"--client-requests\", \"--events\", {:?}]\n",
        log.display().to_string()
    ));
    let caps = json!({"sampling": {}, "roots": {"listChanged": true}});
    let mut gw = RawClient::start_with(&back, &["--preset", "full-access", "--eager"], caps);
    let answer = gw.call_tool("t__sample", json!({"text": "2 + 2?"}));
    assert_eq!(result_text(&answer), "four (model raw-model)", "{answer}");
    let asked = gw
        .notes
        .iter()
        .find(|n| n["method"] == "sampling/createMessage")
        .unwrap();
    assert_eq!(
        asked["params"]["messages"][0]["content"]["text"], "2 + 2?",
        "{asked}"
    );
    let answer = gw.call_tool("t__roots", json!({}));
    assert_eq!(result_text(&answer), "file:///work", "{answer}");
    // The client's roots changed: the backend hears it.
    gw.send(&json!({"jsonrpc": "2.0", "method": "notifications/roots/list_changed"}));
    let deadline = Instant::now() + Duration::from_secs(5);
    while !events(&log).contains(&"roots changed".to_string()) {
        assert!(Instant::now() < deadline, "{:?}", events(&log));
        std::thread::sleep(Duration::from_millis(20));
    }
    gw.stop();

    // A client without them: the backend is not offered them, and its requests fail.
    let mut gw = RawClient::start(&back, &["--preset", "full-access"], false);
    let answer = gw.call_tool("t__sample", json!({"text": "2 + 2?"}));
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert!(
        !gw.notes
            .iter()
            .any(|n| n["method"] == "sampling/createMessage"),
        "{:?}",
        gw.notes
    );
    gw.stop();
}

/// Garbage, malformed requests, an oversized line and unknown methods each get their JSON-RPC
/// error and the gateway keeps serving; a client that goes away mid-call stops the gateway and
/// its backends.
#[test]
fn bad_input_gets_errors_and_a_client_leaving_mid_call_stops_everything() {
    let back = backend("args = [\"--slow-ms\", \"30000\"]\n");
    let mut gw = RawClient::start(&back, &["--preset", "full-access"], false);
    let read = |gw: &mut RawClient| {
        let mut line = String::new();
        gw.stdout.read_line(&mut line).unwrap();
        serde_json::from_str::<Value>(&line).unwrap()
    };
    gw.send_raw("this is not json");
    let answer = read(&mut gw);
    assert_eq!(answer["error"]["code"], -32700, "{answer}");
    assert_eq!(answer["id"], Value::Null, "{answer}");
    gw.send_raw(r#"{"jsonrpc":"2.0","id":41,"method":"tools/call","params":"bad"}"#);
    let answer = read(&mut gw);
    assert_eq!(answer["id"], 41, "{answer}");
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
    gw.send_raw(&"x".repeat(5 << 20));
    let answer = read(&mut gw);
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    let answer = gw.request("no/such/method", json!({}));
    assert_eq!(answer["error"]["code"], -32601, "{answer}");
    let answer = gw.call_tool("t__echo", json!({"text": "still here"}));
    assert_eq!(result_text(&answer), "still here", "{answer}");
    // No list_changed after the first listing: nothing changed.
    assert!(
        !gw.notes
            .iter()
            .any(|n| n["method"] == "notifications/tools/list_changed"),
        "{:?}",
        gw.notes
    );

    // A call in flight, then the client goes away: the gateway exits 0, the backend is gone.
    gw.send(&json!({"jsonrpc": "2.0", "id": 99, "method": "tools/call",
        "params": {"name": "t__slow", "arguments": {}}}));
    std::thread::sleep(Duration::from_millis(200));
    let cwd = back.path().join("backend-cwd");
    assert_eq!(processes_in(&cwd), 1);
    gw.stop();
    assert_no_backend_left(&cwd);
}

/// A slow server does not hold up the others' tools: the listing answers after the grace
/// (3 s) without it, and `tools/list_changed` follows once it is up.
#[test]
fn a_slow_backend_joins_the_list_later_with_list_changed() {
    let back = backend(&format!(
        "[mcp_servers.slow]\ncommand = {:?}\nargs = [\"--init-delay-ms\", \"4500\"]\n",
        mcpctl_test_support::test_server_bin().display().to_string()
    ));
    let mut gw = RawClient::start(&back, &[], false);
    let asked = Instant::now();
    let listed = gw.request("tools/list", json!({}));
    let waited = asked.elapsed();
    let first = names_in(&listed);
    assert!(first.contains(&"t__echo".to_string()), "{first:?}");
    assert!(!first.iter().any(|n| n.starts_with("slow__")), "{first:?}");
    assert!(
        waited >= Duration::from_millis(2900) && waited < Duration::from_millis(4400),
        "{waited:?}"
    );
    let changed = gw.note(|n| n["method"] == "notifications/tools/list_changed");
    assert_eq!(changed["method"], "notifications/tools/list_changed");
    let again = gw.tool_names();
    assert!(again.contains(&"slow__echo".to_string()), "{again:?}");
    assert!(again.contains(&"t__echo".to_string()), "{again:?}");
    gw.stop();
}

/// Elicitation is declared to a backend only when the client has it: a server that offers a
/// tool only to clients that can answer its questions offers it through the gateway exactly
/// then.
#[test]
fn a_backend_is_offered_elicitation_only_when_the_client_has_it() {
    let back = backend("args = [\"--elicitation-tool\"]\n");
    let mut plain = RawClient::start(&back, &[], false);
    let listed = plain.tool_names();
    assert!(listed.contains(&"t__echo".to_string()), "{listed:?}");
    assert!(!listed.contains(&"t__confirm".to_string()), "{listed:?}");
    plain.stop();
    let mut eliciting = RawClient::start(&back, &[], true);
    let listed = eliciting.tool_names();
    assert!(listed.contains(&"t__confirm".to_string()), "{listed:?}");
    eliciting.stop();
}

/// Resident memory of a process, in KiB (Linux).
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A backend that floods log messages while the client reads nothing can't grow the gateway's
/// memory: at most 1,024 notifications wait for the client, the rest are dropped (and logged),
/// and the gateway still answers.
#[test]
fn a_backend_flooding_a_client_that_does_not_read_is_bounded() {
    let back = backend("args = [\"--hostile\", \"log-flood\", \"--count\", \"100000\"]\n");
    let mut gw = RawClient::start(&back, &["--preset", "full-access"], false);
    let pid = gw.child.id();
    let before = rss_kib(pid);
    // The first tools/list sets the flood off; then the client reads nothing for a while.
    gw.send(&json!({"jsonrpc": "2.0", "id": 500, "method": "tools/list", "params": {}}));
    let backend_log = back.home().join("log/t.log");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !std::fs::read_to_string(&backend_log)
        .unwrap_or_default()
        .contains("sent 100000 log messages")
    {
        assert!(Instant::now() < deadline, "the flood never ended");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let during = rss_kib(pid);
    assert!(
        during < before + 20 * 1024,
        "the gateway grew from {before} KiB to {during} KiB"
    );
    // It still answers, after what it kept.
    let answer = gw.request("ping", json!({}));
    assert_eq!(answer["result"], json!({}), "{answer}");
    let logged = gw
        .notes
        .iter()
        .filter(|n| n["method"] == "notifications/message")
        .count();
    assert!(logged > 0 && logged < 5_000, "{logged} log messages kept");
    gw.stop();
}

/// A server whose start failed is tried again when a client lists tools, once its backoff
/// (1 s) has passed; when it comes up its tools join the list, with `tools/list_changed`.
#[test]
fn a_server_that_failed_to_start_is_tried_again_later() {
    let t = TestHome::new();
    let ready = t.path().join("flaky-may-start");
    let back = backend(&format!(
        "[mcp_servers.flaky]\ncommand = \"sh\"\nargs = [\"-c\", {:?}]\n",
        format!(
            "test -f '{}' && exec '{}'; echo 'not yet' >&2; exit 3",
            ready.display(),
            mcpctl_test_support::test_server_bin().display()
        )
    ));
    let mut gw = RawClient::start(&back, &[], false);
    let first = gw.tool_names();
    assert!(first.contains(&"t__echo".to_string()), "{first:?}");
    assert!(!first.iter().any(|n| n.starts_with("flaky__")), "{first:?}");
    std::fs::write(&ready, "").unwrap();
    // Within the backoff nothing is tried; after it, the next listing tries again.
    std::thread::sleep(Duration::from_millis(1100));
    let _ = gw.tool_names();
    let changed = gw.note(|n| n["method"] == "notifications/tools/list_changed");
    assert_eq!(changed["method"], "notifications/tools/list_changed");
    let again = gw.tool_names();
    assert!(again.contains(&"flaky__echo".to_string()), "{again:?}");
    gw.stop();
}
