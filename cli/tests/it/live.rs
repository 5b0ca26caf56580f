//! Live commands against the workspace's test MCP server: `list --check`, `tools`, `call`.

use std::path::Path;
use std::time::{Duration, Instant};

use pretty_assertions::assert_eq;

use crate::support::TestHome;

/// A config table for a stdio test server with extra switches and keys.
fn server(name: &str, switches: &[&str], extra: &str) -> String {
    let bin = mcpctl_test_support::test_server_bin();
    let args: Vec<String> = switches.iter().map(|s| format!("{s:?}")).collect();
    format!(
        "[mcp_servers.{name}]\ncommand = {:?}\nargs = [{}]\n{extra}\n",
        bin.display().to_string(),
        args.join(", ")
    )
}

#[test]
fn list_check_reports_each_server() {
    let t = TestHome::new();
    t.write_config(&format!(
        "{}{}{}",
        server("good", &[], ""),
        server("broken", &["--crash-on-start"], ""),
        server("off", &[], "enabled = false"),
    ));
    let run = t.run(&["list", "--check"]).ok();
    let line = |name: &str| {
        run.stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line("good").contains("ready"), "{}", run.stdout);
    assert!(
        line("good").contains("mcpctl-test-server"),
        "{}",
        run.stdout
    );
    assert!(line("broken").contains("failed"), "{}", run.stdout);
    assert!(line("off").contains("disabled"), "{}", run.stdout);
    assert!(run.stdout.contains("Errors:\n  broken: "), "{}", run.stdout);
    // The failed server's last stderr lines explain the failure.
    assert!(
        run.stdout.contains("mcpctl-test-server: starting"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("✓ good"), "{}", run.stderr);

    let json = t.run(&["list", "--check", "--json"]).ok().json();
    let good = json
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "good")
        .unwrap();
    assert_eq!(good["state"], "ready");
    assert!(good["tool_count"].as_u64().unwrap() >= 5);
}

#[test]
fn list_check_fails_when_a_required_server_fails() {
    let t = TestHome::new();
    t.write_config(&format!(
        "{}{}",
        server("good", &[], ""),
        server("needed", &["--crash-on-start"], "required = true"),
    ));
    let run = t.run(&["list", "--check"]).fails(1);
    assert!(
        run.stderr.contains("required MCP server failed: needed"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("needed (required)"), "{}", run.stdout);
}

#[test]
fn startup_timeout_is_reported() {
    let t = TestHome::new();
    t.write_config(&server(
        "sleepy",
        &["--init-delay-ms", "5000"],
        "startup_timeout_sec = 0.3",
    ));
    let started = Instant::now();
    let run = t.run(&["list", "--check"]).ok();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(run.stdout.contains("failed"), "{}", run.stdout);
    assert!(
        run.stdout.to_lowercase().contains("timed out"),
        "{}",
        run.stdout
    );
}

#[test]
fn tools_lists_with_filters_and_search() {
    let t = TestHome::new();
    t.write_config(&server("t", &[], "disabled_tools = [\"fail\"]"));
    let run = t.run(&["tools"]).ok();
    let fail = run
        .stdout
        .lines()
        .find(|l| l.contains(" fail "))
        .unwrap_or_default();
    assert!(
        fail.contains("filtered by mcp_servers.t.disabled_tools"),
        "{}",
        run.stdout
    );
    let json = t.run(&["tools", "t", "--json"]).ok().json();
    let echo = json["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "echo")
        .unwrap();
    assert_eq!(echo["qualified_name"], "mcp__t__echo");
    assert_eq!(echo["enabled"], true);
    assert_eq!(echo["input_schema"]["properties"]["text"]["type"], "string");
    let search = t.run(&["tools", "--search", "image"]).ok();
    let first = search.stdout.lines().nth(1).unwrap_or_default();
    assert!(first.contains("image"), "{}", search.stdout);
}

#[test]
fn call_prints_text_structured_and_saves_images() {
    let t = TestHome::new();
    t.write_config(&server("t", &[], ""));
    let run = t.run(&["call", "t", "echo", "text=hello there"]).ok();
    assert_eq!(run.stdout, "hello there\n");
    let json = t
        .run(&["call", "t", "add", "a=2", "b=3.5", "--json"])
        .ok()
        .json();
    assert_eq!(json["structuredContent"]["sum"], 5.5);
    let dir = t.root.path().join("out");
    let run = t
        .run(&["call", "t", "image", "--save-dir", dir.to_str().unwrap()])
        .ok();
    assert!(run.stdout.contains("[image image/png"), "{}", run.stdout);
    let saved = dir.join("image-1.png");
    let bytes = std::fs::read(&saved).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
}

#[test]
fn call_errors_are_clear_and_exit_1() {
    let t = TestHome::new();
    t.write_config(&server("t", &[], "disabled_tools = [\"env\"]"));
    let run = t.run(&["call", "t", "fail"]).fails(1);
    assert!(
        run.stdout.contains("this tool always fails"),
        "{}",
        run.stdout
    );

    let run = t.run(&["call", "t", "add", "a=two", "b=1"]).fails(1);
    assert!(
        run.stderr
            .contains("invalid arguments for tool 'add': a: expected a number, got 'two'"),
        "{}",
        run.stderr
    );
    let run = t.run(&["call", "t", "add", "a=1"]).fails(1);
    assert!(
        run.stderr.contains("b: required but missing"),
        "{}",
        run.stderr
    );
    let run = t.run(&["call", "t", "ech", "text=x"]).fails(1);
    assert!(
        run.stderr
            .contains("has no tool named 'ech'. Did you mean 'echo'?"),
        "{}",
        run.stderr
    );
    let run = t.run(&["call", "t", "env", "name=HOME"]).fails(1);
    assert!(
        run.stderr
            .contains("filtered out by mcp_servers.t.disabled_tools"),
        "{}",
        run.stderr
    );
    let run = t.run(&["call", "tt", "echo"]).fails(1);
    assert!(run.stderr.contains("Did you mean 't'?"), "{}", run.stderr);
}

#[test]
fn call_on_disabled_or_failing_server() {
    let t = TestHome::new();
    t.write_config(&format!(
        "{}{}",
        server("off", &[], "enabled = false"),
        server("broken", &["--crash-on-start"], ""),
    ));
    let run = t.run(&["call", "off", "echo", "text=x"]).fails(1);
    assert!(
        run.stderr
            .contains("MCP server 'off' is disabled; enable it with `mcpctl enable off`"),
        "{}",
        run.stderr
    );
    let run = t.run(&["call", "broken", "echo", "text=x"]).fails(1);
    assert!(
        run.stderr.contains("MCP server 'broken' failed to start"),
        "{}",
        run.stderr
    );
}

#[test]
fn tool_timeout_cancels_the_call() {
    let t = TestHome::new();
    t.write_config(&server(
        "t",
        &["--slow-ms", "10000"],
        "tool_timeout_sec = 0.5",
    ));
    let started = Instant::now();
    let run = t.run(&["call", "t", "slow"]).fails(1);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        run.stderr.to_lowercase().contains("timed out"),
        "{}",
        run.stderr
    );
}

fn survivors(marker: &Path) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if std::fs::read_link(entry.path().join("cwd")).is_ok_and(|cwd| cwd.starts_with(marker)) {
            found.push(pid);
        }
    }
    found
}

fn kill_during_startup(signal: &str) {
    let t = TestHome::new();
    let marker = t.root.path().join("servers");
    std::fs::create_dir_all(&marker).unwrap();
    let marker = marker.canonicalize().unwrap();
    let mut config = String::new();
    for i in 0..10 {
        config.push_str(&server(
            &format!("s{i}"),
            &["--init-delay-ms", "20000"],
            &format!(
                "cwd = {:?}\nstartup_timeout_sec = 60",
                marker.display().to_string()
            ),
        ));
    }
    t.write_config(&config);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("mcpctl"))
        .current_dir(t.work())
        .env("MCPCTL_HOME", t.home())
        .env("MCPCTL_SYSTEM_DIR", t.sys())
        .args(["list", "--check"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while survivors(&marker).len() < 10 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        survivors(&marker).len(),
        10,
        "the servers did not all start"
    );
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = child.wait();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !survivors(&marker).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        survivors(&marker),
        Vec::<u32>::new(),
        "orphans after {signal}"
    );
}

#[test]
fn no_orphans_after_ctrl_c() {
    kill_during_startup("-INT");
}

#[test]
fn no_orphans_after_sigterm() {
    kill_during_startup("-TERM");
}

#[test]
fn no_orphans_after_sigkill() {
    kill_during_startup("-KILL");
}

#[test]
fn tools_are_cached_per_config() {
    let t = TestHome::new();
    t.write_config(&server("t", &[], ""));
    let run = t.run(&["tools", "t", "--cached"]).ok();
    assert!(
        run.stderr.contains("no cached tools for t"),
        "{}",
        run.stderr
    );
    let live = t.run(&["tools", "t", "--json"]).ok().json();
    let cached = t.run(&["tools", "t", "--cached", "--json"]).ok().json();
    assert_eq!(live, cached);
    // A changed command line is another server: its old tools are not shown.
    t.write_config(&server("t", &["--tools", "3"], ""));
    let run = t.run(&["tools", "--cached", "--json"]).ok();
    assert_eq!(
        run.json(),
        serde_json::json!({"tools": [], "failed": [], "not_cached": ["t"]})
    );
}

#[test]
fn elicitation_is_answered_with_defaults_or_declined() {
    let t = TestHome::new();
    t.write_config(&server("t", &[], ""));
    let json = t
        .run(&["call", "t", "elicit", "--elicit", "defaults", "--json"])
        .ok()
        .json();
    let answer = json["structuredContent"].clone();
    assert_eq!(answer["action"], "accept", "{json}");
    assert!(
        answer["content"].as_object().is_some_and(|c| !c.is_empty()),
        "{json}"
    );
    let json = t.run(&["call", "t", "elicit", "--json"]).ok().json();
    assert_eq!(json["structuredContent"]["action"], "decline", "{json}");
}

struct HttpServer(std::process::Child, String);

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http_server(switches: &[&str]) -> HttpServer {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(mcpctl_test_support::test_server_bin())
        .args(["--http", "0"])
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
    HttpServer(child, url)
}

#[test]
fn list_check_remembers_auth_status_for_list() {
    let protected = http_server(&["--bearer-token", "s3cret"]);
    let open = http_server(&[]);
    let t = TestHome::new();
    t.run(&["add", "locked", "--url", &protected.1]).ok();
    t.run(&["add", "open", "--url", &open.1]).ok();
    let before = t.run(&["list", "--json"]).ok().json();
    assert_eq!(before[0]["auth_status"], "unknown");
    let run = t.run(&["list", "--check"]).ok();
    // It answers 401 but offers no OAuth login: the hint agrees with the Auth column.
    assert!(
        run.stdout
            .contains("refused the request (HTTP 401) and offers no OAuth login"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("mcpctl login"), "{}", run.stdout);
    let after = t.run(&["list", "--json"]).ok().json();
    let status = |name: &str| {
        after
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()["auth_status"]
            .clone()
    };
    // The test server answers 401 without OAuth metadata: it does not support OAuth login.
    assert_eq!(status("locked"), "unsupported");
    assert_eq!(status("open"), "unsupported");
    // With the token from the environment it connects.
    let run = t
        .cmd()
        .env("LOCKED_TOKEN", "s3cret")
        .args([
            "-c",
            "mcp_servers.locked.bearer_token_env_var=\"LOCKED_TOKEN\"",
            "call",
            "locked",
            "echo",
            "text=in",
        ])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&run.stdout), "in\n");
    // A wrong token is named as such: logging in would not help.
    let run = t
        .cmd()
        .env("LOCKED_TOKEN", "wrong")
        .args([
            "-c",
            "mcp_servers.locked.bearer_token_env_var=\"LOCKED_TOKEN\"",
            "call",
            "locked",
            "echo",
            "text=in",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("rejected the bearer token in `LOCKED_TOKEN` (HTTP 401)"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong"), "the token leaked: {stderr}");
    assert!(!stderr.contains("mcpctl login"), "{stderr}");
}

/// On a terminal, elicitation asks for each field; `script` gives mcpctl a pseudo-terminal.
#[test]
fn elicitation_asks_on_a_terminal() {
    use std::io::Write as _;
    let t = TestHome::new();
    t.write_config(&server("t", &[], ""));
    let mcpctl = assert_cmd::cargo::cargo_bin("mcpctl");
    let mut child = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("{} call t elicit --json", mcpctl.display()),
            "/dev/null",
        ])
        .current_dir(t.work())
        .env("MCPCTL_HOME", t.home())
        .env("MCPCTL_SYSTEM_DIR", t.sys())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // name, age (typed), score (default), status (default), verified (typed).
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Grace\n41\n\n\nfalse\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("MCP server 't' asks:"), "{text}");
    let json_start = text.find("{\r\n").or_else(|| text.find("{\n")).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&text[json_start..].replace("\r\n", "\n")).unwrap();
    let content = &json["structuredContent"]["content"];
    assert_eq!(json["structuredContent"]["action"], "accept");
    assert_eq!(content["name"], "Grace");
    assert_eq!(content["age"], 41);
    assert_eq!(content["verified"], false);
    assert_eq!(content["status"], "active");
}

#[test]
fn prompts_get_renders_a_prompt_and_checks_its_arguments() {
    let t = TestHome::new();
    t.write_config(&server("t", &[], ""));
    let run = t.run(&["prompts", "get", "t", "greet", "name=Ada"]).ok();
    assert_eq!(run.stdout, "[user]\nSay hello to Ada.\n");
    let run = t
        .run(&["prompts", "get", "t", "greet", "name=Ada", "--json"])
        .ok();
    assert_eq!(
        run.json()["messages"][0]["content"]["text"],
        "Say hello to Ada."
    );
    for (args, expected) in [
        (
            &["prompts", "get", "t", "greet"][..],
            "error: invalid arguments for prompt 'greet': missing name; it takes name (required)",
        ),
        (
            &["prompts", "get", "t", "gret"],
            "error: MCP server 't' has no prompt named 'gret'. Did you mean 'greet'?",
        ),
        (
            &["prompts", "get", "t", "greet", "nme=x"],
            "error: invalid arguments for prompt 'greet': unknown argument 'nme' (did you mean 'name'?); it takes name (required)",
        ),
    ] {
        let run = t.run(args).fails(1);
        assert_eq!(run.stderr.trim_end(), expected, "{args:?}");
    }
    let run = t.run(&["prompts", "get", "t", "greet", "name"]).fails(2);
    assert!(
        run.stderr.contains("expected KEY=VALUE, got 'name'"),
        "{}",
        run.stderr
    );
    // The listing keeps its old form, and `prompts list` reaches a server named `get`.
    let run = t.run(&["prompts", "t"]).ok();
    assert!(run.stdout.contains("greet"), "{}", run.stdout);
    t.write_config(&server("get", &[], ""));
    let run = t.run(&["prompts", "list", "get", "--json"]).ok();
    assert_eq!(run.json()[0]["name"], "greet");
}
