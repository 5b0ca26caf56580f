//! Logins shared with the real Codex CLI (0.171): through the credentials file, and through the
//! keyring (gnome-keyring in a private D-Bus session).

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use mcpctl_oauth_test_server::{OAuthTestServer, browser_env};
use pretty_assertions::assert_eq;
use serde_json::Value;

use super::state;

const INNER: &str = "MCPCTL_OAUTH_INNER";

fn codex() -> Option<PathBuf> {
    match std::env::var_os("MCPCTL_CODEX_BIN").map(PathBuf::from) {
        Some(bin) if bin.exists() => Some(bin),
        _ => {
            assert!(
                std::env::var_os("MCPCTL_REQUIRE_CODEX").is_none(),
                "MCPCTL_REQUIRE_CODEX is set but MCPCTL_CODEX_BIN does not name the codex binary"
            );
            eprintln!("skipping: codex not installed (run `just peers`)");
            None
        }
    }
}

/// A home both programs use (outside /tmp, where Codex warns).
fn shared_home() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("oauth-codex-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
}

fn write_config(home: &Path, store: &str, servers: &[(&str, &str)]) {
    let mut text = format!("mcp_oauth_credentials_store = \"{store}\"\n");
    for (name, url) in servers {
        text.push_str(&format!("\n[mcp_servers.{name}]\nurl = \"{url}\"\n"));
    }
    std::fs::write(home.join("config.toml"), text).unwrap();
}

fn mcpctl(home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mcpctl"))
        .args(args)
        .env("MCPCTL_HOME", home)
        .env("MCPCTL_SYSTEM_DIR", home.join("system"))
        .envs(browser_env())
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[track_caller]
fn ok(out: std::process::Output) -> String {
    assert!(
        out.status.success(),
        "failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn codex_login(codex: &Path, home: &Path, name: &str) {
    let out = Command::new(codex)
        .args(["mcp", "login", name])
        .env("CODEX_HOME", home)
        .envs(browser_env())
        .env_remove("RUST_BACKTRACE")
        .current_dir(home)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    ok(out);
}

/// The tool names `codex app-server` lists for each server (connecting with the stored
/// credentials), or its error.
fn codex_tools(codex: &Path, home: &Path) -> Vec<(String, Result<Vec<String>, String>)> {
    let mut child = Command::new(codex)
        .arg("app-server")
        .env("CODEX_HOME", home)
        .env_remove("RUST_BACKTRACE")
        .current_dir(home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for line in [
        r#"{"id":1,"method":"initialize","params":{"clientInfo":{"name":"mcpctl-test","title":"mcpctl test","version":"0"},"capabilities":{}}}"#,
        r#"{"method":"initialized"}"#,
        r#"{"id":2,"method":"mcpServerStatus/list","params":{}}"#,
    ] {
        writeln!(stdin, "{line}").unwrap();
    }
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<Value>(&line)
                && v["id"] == 2
            {
                let _ = tx.send(v);
                return;
            }
        }
    });
    let answer = rx.recv_timeout(Duration::from_secs(60));
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    let answer = answer.expect("codex app-server answered mcpServerStatus/list");
    answer["result"]["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|entry| {
            let mut tools: Vec<String> = entry["tools"]
                .as_object()
                .map(|t| t.keys().cloned().collect())
                .unwrap_or_default();
            tools.sort();
            let name = entry["name"].as_str().unwrap_or_default().to_owned();
            if tools.is_empty() {
                (name, Err(entry.to_string()))
            } else {
                (name, Ok(tools))
            }
        })
        .collect()
}

fn tools_of(list: &[(String, Result<Vec<String>, String>)], name: &str) -> Vec<String> {
    let (_, tools) = list.iter().find(|(n, _)| n == name).unwrap();
    tools
        .clone()
        .unwrap_or_else(|e| panic!("no tools for {name}: {e}"))
}

#[test]
fn logins_are_shared_through_the_credentials_file() {
    let Some(codex) = codex() else { return };
    let Some(server) = OAuthTestServer::start_or_skip(&["--access-ttl", "4"]) else {
        return;
    };
    let home = shared_home();
    write_config(
        home.path(),
        "file",
        &[("ours", server.mcp_url()), ("theirs", server.mcp_url())],
    );
    // mcpctl's login, used by Codex.
    ok(mcpctl(home.path(), &["login", "ours"]));
    // Codex's login, used and refreshed by mcpctl.
    codex_login(&codex, home.path(), "theirs");
    let status = ok(mcpctl(home.path(), &["auth", "status", "theirs", "--json"]));
    let status: Value = serde_json::from_str(&status).unwrap();
    assert_eq!(status[0]["status"], "o_auth");
    assert_eq!(status[0]["login"]["location"], "file");
    assert!(ok(mcpctl(home.path(), &["call", "theirs", "whoami"])).contains("mcp:read"));
    std::thread::sleep(Duration::from_millis(4300));
    let before = state(&server, "refreshes");
    assert!(ok(mcpctl(home.path(), &["call", "theirs", "whoami"])).contains("mcp:read"));
    assert_eq!(
        state(&server, "refreshes"),
        before + 1,
        "mcpctl refreshed Codex's login"
    );
    // Codex uses both: mcpctl's login, and its own that mcpctl rotated.
    let list = codex_tools(&codex, home.path());
    assert_eq!(tools_of(&list, "ours"), ["whoami", "write_note"]);
    assert_eq!(tools_of(&list, "theirs"), ["whoami", "write_note"]);
    assert_eq!(state(&server, "rejected_refreshes"), 0);
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

#[test]
fn logins_are_shared_through_the_keyring() {
    let Some(codex) = codex() else { return };
    let missing: Vec<&str> = ["dbus-run-session", "gnome-keyring-daemon"]
        .into_iter()
        .filter(|p| !on_path(p))
        .collect();
    if !missing.is_empty() {
        assert!(
            std::env::var_os("MCPCTL_REQUIRE_KEYRING").is_none_or(|v| v != "1"),
            "MCPCTL_REQUIRE_KEYRING=1 but {} missing",
            missing.join(", ")
        );
        eprintln!("skipped: {} not installed", missing.join(", "));
        return;
    }
    let dir = shared_home();
    let (data, run) = (dir.path().join("data"), dir.path().join("run"));
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&run).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
    let name = "oauth::codex::inner_keyring";
    let out = Command::new("dbus-run-session")
        .args([
            "--",
            "sh",
            "-c",
            "printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec \"$@\"",
            "sh",
        ])
        .arg(std::env::current_exe().unwrap())
        .args([name, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(INNER, "1")
        .env("MCPCTL_CODEX_BIN", &codex)
        .env("XDG_DATA_HOME", &data)
        .env("XDG_RUNTIME_DIR", &run)
        .env("HOME", dir.path())
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "inner test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "runs inside dbus-run-session; started by logins_are_shared_through_the_keyring"]
fn inner_keyring() {
    if std::env::var_os(INNER).is_none_or(|v| v != "1") {
        return;
    }
    let codex = codex().unwrap();
    let server = OAuthTestServer::start(&[]).unwrap();
    let home = shared_home();
    write_config(
        home.path(),
        "auto",
        &[("ours", server.mcp_url()), ("theirs", server.mcp_url())],
    );
    let login = ok(mcpctl(home.path(), &["login", "ours"]));
    assert!(login.contains("stored in the OS keyring"), "{login}");
    assert!(!home.path().join(".credentials.json").exists());
    codex_login(&codex, home.path(), "theirs");
    assert!(
        !home.path().join(".credentials.json").exists(),
        "Codex used the keyring"
    );
    let status = ok(mcpctl(home.path(), &["auth", "status", "--json"]));
    let status: Value = serde_json::from_str(&status).unwrap();
    for entry in status.as_array().unwrap() {
        assert_eq!(entry["login"]["location"], "keyring", "{entry}");
    }
    assert!(ok(mcpctl(home.path(), &["call", "theirs", "whoami"])).contains("mcp:read"));
    let list = codex_tools(&codex, home.path());
    assert_eq!(tools_of(&list, "ours"), ["whoami", "write_note"]);
    let logout = ok(mcpctl(home.path(), &["logout", "theirs"]));
    assert!(logout.contains("deleted from the OS keyring"), "{logout}");
    let after = ok(mcpctl(home.path(), &["auth", "status", "theirs", "--json"]));
    let after: Value = serde_json::from_str(&after).unwrap();
    assert_eq!(after[0]["login"], Value::Null);
}
