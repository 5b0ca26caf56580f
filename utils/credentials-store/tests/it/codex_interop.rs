//! Logins shared with the real Codex CLI (0.171) through the file store: a login made by one
//! program is used by the other, and Codex's refresh of an mcpctl login keeps mcpctl's details.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use mcpctl_credentials_store::{
    CredentialStore, Location, Secret, StoreKey, StoreMode, StoredCredentials,
};
use mcpctl_oauth_test_server::{OAuthTestServer, browser_env};
use pretty_assertions::assert_eq;

use crate::support::{codex, details, home};

/// Writes a Codex config with these servers (`name = url`) and store mode.
pub fn write_config(home: &Path, store: &str, servers: &[(&str, &str)]) {
    let mut text = format!("mcp_oauth_credentials_store = \"{store}\"\n");
    for (name, url) in servers {
        text.push_str(&format!("\n[mcp_servers.{name}]\nurl = \"{url}\"\n"));
    }
    std::fs::write(home.join("config.toml"), text).unwrap();
}

/// `codex mcp login <name>` with the browser script as `$BROWSER`.
pub fn codex_login(codex: &Path, home: &Path, name: &str) {
    let out = Command::new(codex)
        .args(["mcp", "login", name])
        .env("CODEX_HOME", home)
        .envs(browser_env())
        .env_remove("RUST_BACKTRACE")
        .current_dir(home)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "codex mcp login {name} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asks `codex app-server` for `mcpServerStatus/list`, which connects to every server with
/// its stored credentials; returns the `data` array.
pub fn codex_server_status(codex: &Path, home: &Path) -> Vec<serde_json::Value> {
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
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
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
}

/// The tool names Codex listed for `name`, or its error.
pub fn tools_of(status: &[serde_json::Value], name: &str) -> Result<Vec<String>, String> {
    let entry = status
        .iter()
        .find(|s| s["name"] == name)
        .ok_or_else(|| format!("{name} missing from {status:?}"))?;
    let mut tools: Vec<String> = entry["tools"]
        .as_object()
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default();
    tools.sort();
    if tools.is_empty() {
        return Err(format!("no tools for {name}: {entry}"));
    }
    Ok(tools)
}

/// The HTTP status the protected MCP server gives an `initialize` with this bearer token.
pub fn mcp_status_with(url: &str, token: &str) -> u16 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        reqwest::Client::new()
            .post(url)
            .bearer_auth(token)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

/// Credentials for `name` from tokens the provider issued directly.
pub fn issued(server: &OAuthTestServer, name: &str, ttl: Option<u64>) -> StoredCredentials {
    let t = server
        .issue_tokens(None, Some("mcp:read mcp:write"), ttl)
        .unwrap();
    let now = SystemTime::now();
    StoredCredentials {
        server_name: name.into(),
        server_url: server.mcp_url().into(),
        issuer: Some(server.issuer().into()),
        client_id: t.client_id,
        access_token: Secret::new(t.access_token),
        expires_at: Some(StoredCredentials::expires_at_from(
            Duration::from_secs(t.expires_in),
            now,
        )),
        refresh_token: t.refresh_token.map(Secret::new),
        scopes: t
            .scope
            .unwrap_or_default()
            .split(' ')
            .map(str::to_owned)
            .collect(),
        client: None,
    }
}

#[test]
fn a_codex_login_is_used_by_mcpctl() {
    let Some(codex) = codex() else { return };
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let home = home();
    write_config(home.path(), "file", &[("probe", server.mcp_url())]);
    codex_login(&codex, home.path(), "probe");

    let store = CredentialStore::new(home.path(), StoreMode::File);
    let found = store
        .load(&StoreKey::new("probe", server.mcp_url()))
        .unwrap()
        .unwrap();
    assert_eq!(found.location, Location::File);
    let c = found.credentials;
    assert_eq!(c.server_name, "probe");
    assert_eq!(c.issuer.as_deref(), Some(server.issuer()));
    assert_eq!(c.scopes, ["mcp:read", "mcp:write"]);
    assert!(c.refresh_token.is_some());
    assert!(!c.expires_within(Duration::from_secs(60), SystemTime::now()));
    assert_eq!(
        mcp_status_with(server.mcp_url(), c.access_token.expose()),
        200
    );
    assert_eq!(mcp_status_with(server.mcp_url(), "not-a-token"), 401);
}

#[test]
fn an_mcpctl_login_is_used_by_codex_and_survives_its_refresh() {
    let Some(codex) = codex() else { return };
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let home = home();
    let store = CredentialStore::new(home.path(), StoreMode::File);
    // `fresh` is usable as is; `stale` has an expired access token that Codex must refresh.
    let fresh = issued(&server, "fresh", None);
    let mut stale = issued(&server, "stale", Some(0));
    stale.expires_at = Some(1_000);
    stale.client = Some(details("stale-client-secret"));
    store.save(&fresh).unwrap();
    store.save(&stale).unwrap();
    write_config(
        home.path(),
        "file",
        &[("fresh", server.mcp_url()), ("stale", server.mcp_url())],
    );

    let status = codex_server_status(&codex, home.path());
    assert_eq!(
        tools_of(&status, "fresh").unwrap(),
        ["whoami", "write_note"]
    );
    assert_eq!(
        tools_of(&status, "stale").unwrap(),
        ["whoami", "write_note"]
    );
    assert!(server.state().unwrap()["refreshes"].as_u64().unwrap() >= 1);

    // Codex rotated the stale login's tokens and wrote them back; mcpctl reads the new ones,
    // and its own details (kept apart from Codex's entry) are still bound to the client.
    let after = store.load(&stale.key()).unwrap().unwrap().credentials;
    assert_ne!(after.access_token, stale.access_token);
    assert_ne!(after.refresh_token, stale.refresh_token);
    assert!(after.expires_at.unwrap() > 1_000);
    assert_eq!(after.client, stale.client);
    assert_eq!(
        mcp_status_with(server.mcp_url(), after.access_token.expose()),
        200
    );
    // The untouched login is exactly as mcpctl stored it.
    assert_eq!(
        store.load(&fresh.key()).unwrap().unwrap().credentials,
        fresh
    );
}

#[test]
fn codex_waits_for_mcpctls_refresh_lock() {
    let Some(codex) = codex() else { return };
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let home = home();
    let store = CredentialStore::new(home.path(), StoreMode::File);
    let mut stale = issued(&server, "stale", Some(0));
    stale.expires_at = Some(1_000);
    store.save(&stale).unwrap();
    write_config(home.path(), "file", &[("stale", server.mcp_url())]);

    // mcpctl is "refreshing" this credential: Codex must wait for the lock, then re-read.
    let guard = store.lock_for_refresh(&stale.key()).unwrap();
    let released_at = std::sync::Arc::new(std::sync::Mutex::new(None));
    let releaser = {
        let released_at = released_at.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(3));
            *released_at.lock().unwrap() = Some(SystemTime::now());
            drop(guard);
        })
    };
    let status = codex_server_status(&codex, home.path());
    releaser.join().unwrap();
    assert_eq!(
        tools_of(&status, "stale").unwrap(),
        ["whoami", "write_note"]
    );

    let released_at = released_at.lock().unwrap().unwrap();
    let refresh = server
        .requests()
        .into_iter()
        .find(|r| r["path"] == "/token" && r["values"]["grant_type"] == "refresh_token")
        .expect("Codex refreshed");
    let refreshed_at = refresh["at"].as_str().unwrap();
    let released = format_rfc3339_millis(released_at);
    // Codex was already at work (discovery) while the lock was held, so the gap is a wait.
    let first = server
        .requests()
        .into_iter()
        .find(|r| r["path"] == "/mcp")
        .unwrap();
    assert!(
        first["at"].as_str().unwrap() < released.as_str(),
        "Codex started only after the release ({first}); the test proves nothing"
    );
    assert!(
        refreshed_at >= released.as_str(),
        "Codex refreshed at {refreshed_at}, before mcpctl released its lock at {released}"
    );
}

/// `2026-12-04T22:57:30.831Z`, the provider's timestamp format (UTC, comparable as text).
fn format_rfc3339_millis(t: SystemTime) -> String {
    let ms = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let (secs, millis) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
