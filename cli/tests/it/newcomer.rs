//! What a new user hit (issue 11): each test failed before its fix.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::TestHome;

fn server(name: &str, switches: &[&str], extra: &str) -> String {
    let bin = mcpctl_test_support::test_server_bin();
    let args: Vec<String> = switches.iter().map(|s| format!("{s:?}")).collect();
    format!(
        "[mcp_servers.{name}]\ncommand = {:?}\nargs = [{}]\n{extra}\n",
        bin.display().to_string(),
        args.join(", ")
    )
}

/// `mcpctl` as a plain `std::process::Command`, for tests that wire stdout themselves.
fn std_cmd(t: &TestHome) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("mcpctl"));
    cmd.current_dir(t.work())
        .env("MCPCTL_HOME", t.home())
        .env("MCPCTL_SYSTEM_DIR", t.sys())
        .env("HOME", t.root.path())
        .env_remove("RUST_BACKTRACE");
    cmd
}

fn many_servers(t: &TestHome, n: usize) {
    let text: String = (0..n)
        .map(|i| format!("[mcp_servers.s{i}]\ncommand = \"echo\"\nargs = [\"{i}\"]\n"))
        .collect();
    t.write_config(&text);
}

/// `mcpctl list | head -0`: stdout is closed before mcpctl writes.
#[test]
fn a_closed_pipe_exits_quietly() {
    let t = TestHome::new();
    many_servers(&t, 50);
    for args in [
        &["list"][..],
        &["features", "list", "--json"],
        &["list", "--json"],
    ] {
        let mut child = std_cmd(&t)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[test]
fn a_full_disk_is_an_error_not_a_panic() {
    let t = TestHome::new();
    many_servers(&t, 5);
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = std_cmd(&t).arg("list").stdout(full).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: writing output: No space left on device"),
        "{stderr}"
    );
}

/// A required server that crashes at once does not wait for a hung sibling.
#[test]
fn required_servers_fail_fast_in_tools_and_list_check() {
    let t = TestHome::new();
    t.write_config(&format!(
        "{}{}",
        server(
            "hung",
            &["--init-delay-ms", "20000"],
            "startup_timeout_sec = 15"
        ),
        server("needed", &["--crash-on-start"], "required = true"),
    ));
    for args in [&["tools"][..], &["list", "--check"]] {
        let started = Instant::now();
        let run = t.run(args).fails(1);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{args:?} took {:?}",
            started.elapsed()
        );
        assert!(run.stderr.contains("needed"), "{}", run.stderr);
        if args == ["tools"] {
            assert_eq!(
                run.stdout, "",
                "tools prints nothing when a required server fails"
            );
            assert!(
                run.stderr.contains("required MCP server failed to start"),
                "{}",
                run.stderr
            );
        } else {
            assert!(run.stdout.contains("cancelled"), "{}", run.stdout);
        }
    }
}

/// `tools <server>` for a server that failed: an error and nothing on stdout.
#[test]
fn tools_of_a_failed_server_is_an_error() {
    let t = TestHome::new();
    t.write_config("[mcp_servers.nocmd]\ncommand = \"mcpctl-no-such-command\"\n");
    let run = t.run(&["tools", "nocmd"]).fails(1);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .starts_with("error: MCP server 'nocmd' failed to start"),
        "{}",
        run.stderr
    );
}

/// `list --check --strict` fails on any failed server, not only a required one.
#[test]
fn list_check_strict_fails_on_any_failure() {
    let t = TestHome::new();
    t.write_config(&format!(
        "{}{}",
        server("good", &[], ""),
        server("broken", &["--crash-on-start"], ""),
    ));
    t.run(&["list", "--check"]).ok();
    let run = t.run(&["list", "--check", "--strict"]).fails(1);
    assert!(run.stderr.contains("(--strict): broken"), "{}", run.stderr);
}

/// `tools --json` names the servers that failed.
#[test]
fn tools_json_reports_failed_servers() {
    let t = TestHome::new();
    t.write_config(&format!(
        "{}{}",
        server("good", &[], ""),
        server("broken", &["--crash-on-start"], ""),
    ));
    let json = t.run(&["tools", "--json"]).ok().json();
    assert_eq!(json["failed"][0]["server"], "broken", "{json}");
    assert!(
        json["failed"][0]["error"]
            .as_str()
            .unwrap()
            .contains("failed to start"),
        "{json}"
    );
    assert!(!json["tools"].as_array().unwrap().is_empty());
}

/// A server the admin disabled: the error says so and does not suggest `mcpctl enable`.
#[test]
fn policy_disabled_server_points_at_the_administrator() {
    let t = TestHome::new();
    t.write_config(&server("t", &[], ""));
    t.write_sys("requirements.toml", "[mcp_servers]\n");
    let run = t.run(&["tools", "t"]).fails(1);
    assert!(
        run.stderr.contains("ask your administrator"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("mcpctl enable"), "{}", run.stderr);
}

/// Values that cannot be right are usage errors (exit 2), like clap's own.
#[test]
fn bad_values_are_usage_errors() {
    let t = TestHome::new();
    t.write_config(&server("t", &[], ""));
    let cases: &[&[&str]] = &[
        &["add", "x", "--url", "notaurl"],
        &["-c", "foo", "list"],
        &["call", "t", "echo", "message"],
        &["call", "t", "echo", "--args", "{bad"],
        &["call", "t", "echo", "--args", "[1]"],
        &["add", "x", "--scopes", "a", "--", "cmd"],
        &["add", "x", "--startup-timeout", "1e20", "--", "cmd"],
        &[
            "add",
            "x",
            "--startup-timeout",
            "18446744073709551616",
            "--",
            "cmd",
        ],
        &["add", "x", "--tool-timeout", "1e-300", "--", "cmd"],
        &["call", "t", "echo", "--timeout", "0"],
    ];
    let before = t.config();
    for args in cases {
        let run = t.run(args).fails(2);
        assert!(
            run.stderr.starts_with("error: "),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    assert_eq!(t.config(), before);
    let run = t
        .run(&["add", "x", "--startup-timeout", "1e300", "--", "cmd"])
        .fails(2);
    assert!(
        run.stderr.contains("from 0.001 to 31536000"),
        "{}",
        run.stderr
    );
}

/// `--cwd .` is stored as the folder itself.
#[test]
fn cwd_is_normalised() {
    let t = TestHome::new();
    t.run(&["add", "x", "--cwd", ".", "--", "cmd"]).ok();
    let work = t.work().canonicalize().unwrap();
    let config = t.config();
    assert!(
        config.contains(&format!("cwd = {:?}", t.work().display().to_string()))
            || config.contains(&format!("cwd = {:?}", work.display().to_string())),
        "{config}"
    );
    assert!(!config.contains("/."), "{config}");
}

/// `get` shows OAuth settings, with the client secret masked.
#[test]
fn get_shows_oauth_settings() {
    let t = TestHome::new();
    t.write_config(
        "[mcp_servers.w]\nurl = \"https://example.com/mcp\"\noauth_resource = \"https://example.com\"\n[mcp_servers.w.oauth]\nclient_id = \"abc\"\nclient_secret = \"s3cr3t\"\n",
    );
    let run = t.run(&["get", "w"]).ok();
    assert!(run.stdout.contains("client_id=abc"), "{}", run.stdout);
    assert!(run.stdout.contains("client_secret=*****"), "{}", run.stdout);
    assert!(
        run.stdout.contains("oauth_resource: https://example.com"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("s3cr3t"));
    let json = t.run(&["get", "w", "--json"]).ok().json();
    assert_eq!(json["oauth"]["client_secret"], "*****");
}

/// `config explain --json` gives values as JSON, not TOML text.
#[test]
fn explain_json_values_are_json() {
    let t = TestHome::new();
    t.write_config("[mcp_servers.x]\ncommand = \"a\"\nargs = [\"b\"]\nstartup_timeout_sec = 2.5\n");
    let json = t.run(&["config", "explain", "--json"]).ok().json();
    let value = |key: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|e| e["key"] == key)
            .map(|e| e["value"].clone())
            .unwrap()
    };
    assert_eq!(value("mcp_servers.x.command"), "a");
    assert_eq!(value("mcp_servers.x.args"), serde_json::json!(["b"]));
    assert_eq!(value("mcp_servers.x.startup_timeout_sec"), 2.5);
}

/// A tool result's binary parts: saved privately under the home, with their exact size.
#[test]
fn call_saves_binaries_in_a_private_folder_with_exact_sizes() {
    let t = TestHome::new();
    t.write_config(&server("t", &[], ""));
    let run = t.run(&["call", "t", "image"]).ok();
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("[image"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    let path = line
        .rsplit("saved to ")
        .next()
        .unwrap()
        .trim_end_matches(']');
    let path = path.replace("[TMP]", &t.root.path().display().to_string());
    assert!(path.contains("/home/files/"), "{line}");
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(line.contains(&format!(", {size} bytes,")), "{line}");
    use std::os::unix::fs::PermissionsExt as _;
    let dir_mode = std::fs::metadata(t.home().join("files"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700);
}

/// Server-controlled text cannot drive the terminal from a table.
#[test]
fn server_text_is_escaped_in_tables() {
    let t = TestHome::new();
    t.write_config(
        "[mcp_servers.\"x\"]\ncommand = \"a\"\nargs = [\"\\u001b[2J\", \"line\\nfake\"]\n",
    );
    let run = t.run(&["list"]).ok();
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
    assert!(run.stdout.contains("\\u{1b}[2J"), "{}", run.stdout);
    assert!(run.stdout.contains("line\\nfake"), "{}", run.stdout);
    // --json stays exact.
    let json = t.run(&["list", "--json"]).ok().json();
    assert_eq!(json[0]["transport"]["args"][0], "\u{1b}[2J");
}

#[test]
fn help_documents_home_files_and_exit_codes() {
    let t = TestHome::new();
    let run = t.run(&["--help"]).ok();
    for needle in [
        "MCPCTL_HOME",
        "requirements.toml",
        "Exit codes",
        "usage error",
    ] {
        assert!(run.stdout.contains(needle), "{needle}: {}", run.stdout);
    }
}

/// `tools <server> <tool>` shows one tool's arguments; a misspelt tool gets a suggestion.
#[test]
fn tools_shows_one_tools_arguments() {
    let t = TestHome::new();
    t.write_config(&server("t", &[], ""));
    let run = t.run(&["tools", "t", "add"]).ok();
    insta::assert_snapshot!(run.stdout);
    let json = t.run(&["tools", "t", "add", "--json"]).ok().json();
    assert_eq!(json["arguments"][0]["name"], "a");
    assert_eq!(json["arguments"][0]["required"], true);
    let run = t.run(&["tools", "t", "ad"]).fails(1);
    assert!(run.stderr.contains("Did you mean 'add'?"), "{}", run.stderr);
}

/// `read` fills a resource template from KEY=VALUE pairs.
#[test]
fn read_fills_a_resource_template() {
    let t = TestHome::new();
    t.write_config(&server("t", &[], ""));
    let run = t
        .run(&["read", "t", "test://echo/{text}", "text=hi there"])
        .ok();
    assert_eq!(run.stdout, "hi%20there\n");
    let run = t.run(&["read", "t", "test://echo/{text}"]).fails(1);
    assert!(
        run.stderr.contains("no value for 'text': add text=VALUE"),
        "{}",
        run.stderr
    );
}

/// Repeated KEY=VALUE pairs build an array argument.
#[test]
fn call_collects_repeated_keys_into_an_array() {
    let Some(pkg) = mcpctl_test_support::peer_package("@modelcontextprotocol/server-filesystem")
    else {
        return;
    };
    let t = TestHome::new();
    let data = t.root.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("a.txt"), "first file\n").unwrap();
    std::fs::write(data.join("b.txt"), "second file\n").unwrap();
    let data = data.canonicalize().unwrap();
    t.write_config(&format!(
        "[mcp_servers.fs]\ncommand = \"node\"\nargs = [{:?}, {:?}]\n",
        pkg.join("dist/index.js").display().to_string(),
        data.display().to_string()
    ));
    let a = format!("paths={}", data.join("a.txt").display());
    let b = format!("paths={}", data.join("b.txt").display());
    let run = t.run(&["call", "fs", "read_multiple_files", &a, &b]).ok();
    assert!(run.stdout.contains("first file"), "{}", run.stdout);
    assert!(run.stdout.contains("second file"), "{}", run.stdout);
}

/// "mcpctl prints no colours" holds for clap's own errors and help too, even where colour is
/// forced (`CLICOLOR_FORCE=1`, as a terminal would get it).
#[test]
fn clap_output_has_no_colours() {
    let t = TestHome::new();
    for args in [&["--bogus"][..], &["add", "--help"][..]] {
        let out = t
            .cmd()
            .env("CLICOLOR_FORCE", "1")
            .args(args)
            .output()
            .unwrap();
        let all = [out.stdout, out.stderr].concat();
        assert!(!all.is_empty(), "{args:?}");
        assert!(
            !all.contains(&0x1b),
            "{args:?}: {}",
            String::from_utf8_lossy(&all)
        );
    }
}
