//! OAuth end to end: `mcpctl login`, use, refresh, logout against the real OAuth provider of
//! `testing/oauth-server` (the MCP TypeScript SDK's auth routers), with `$BROWSER` set to its
//! headless browser script; and every bad input and fault of issue 7 against scripted servers.
//!
//! Every test collects what mcpctl printed and checks at the end that no token, authorization
//! code or client secret of the test appears in it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use mcpctl_oauth_test_server::{OAuthTestServer, browser_env, node};
use mcpctl_test_support::{MockHttp, Reply};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::support::{Run, TestHome, read};

/// A test home with one OAuth server `docs`, file store, and a log of every output.
struct Fixture {
    t: TestHome,
    outputs: std::sync::Mutex<Vec<String>>,
    /// Values that must never be printed (the client secret of a confidential client...).
    secrets: std::sync::Mutex<Vec<String>>,
    browser_log: PathBuf,
}

impl Fixture {
    fn new(config: &str) -> Self {
        let t = TestHome::new();
        t.write_config(&format!("mcp_oauth_credentials_store = \"file\"\n{config}"));
        let browser_log = t.path().join("browser.jsonl");
        Self {
            t,
            outputs: Default::default(),
            secrets: Default::default(),
            browser_log,
        }
    }

    fn with_server(url: &str, extra: &str) -> Self {
        Self::new(&format!("\n[mcp_servers.docs]\nurl = \"{url}\"\n{extra}"))
    }

    fn cmd(&self) -> Command {
        let mut cmd = self.t.cmd();
        cmd.envs(browser_env())
            .env("MCPCTL_BROWSER_LOG", &self.browser_log)
            .stdin(Stdio::null());
        cmd
    }

    fn record(&self, output: &Output) -> Run {
        let run = Run::new(&self.t, output);
        self.outputs
            .lock()
            .unwrap()
            .push(format!("{}\n{}", run.stdout, run.stderr));
        run
    }

    fn run(&self, args: &[&str]) -> Run {
        let output = self.cmd().args(args).output().unwrap();
        self.record(&output)
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = self.cmd();
        for (k, v) in env {
            cmd.env(k, v);
        }
        let output = cmd.args(args).output().unwrap();
        self.record(&output)
    }

    fn credentials(&self) -> Value {
        serde_json::from_str(&read(&self.t.home().join(".credentials.json"))).unwrap_or(json!({}))
    }

    fn entry(&self) -> Value {
        let all = self.credentials();
        let mut entries = all.as_object().cloned().unwrap_or_default().into_iter();
        let Some((_, entry)) = entries.next() else {
            panic!("no stored credential in {all}");
        };
        entry
    }

    fn side(&self) -> Value {
        let text = read(&self.t.home().join(".mcpctl-credentials.json"));
        let all: Value = serde_json::from_str(&text).unwrap_or(json!({}));
        all.as_object()
            .and_then(|o| o.values().next().cloned())
            .unwrap_or(Value::Null)
    }

    /// Every token, code and secret the test met must be absent from every output.
    fn assert_no_secrets(&self) {
        let mut secrets = self.secrets.lock().unwrap().clone();
        for entry in self
            .credentials()
            .as_object()
            .into_iter()
            .flat_map(|o| o.values())
        {
            for key in ["access_token", "refresh_token"] {
                if let Some(s) = entry[key].as_str() {
                    secrets.push(s.to_owned());
                }
            }
        }
        if let Some(s) = self.side()["client_secret"].as_str() {
            secrets.push(s.to_owned());
        }
        for line in read(&self.browser_log).lines() {
            let hop: Value = serde_json::from_str(line).unwrap();
            let url = url_of(hop["url"].as_str().unwrap());
            for (k, v) in url.query_pairs() {
                if k == "code" {
                    secrets.push(v.into_owned());
                }
            }
        }
        secrets.retain(|s| s.len() >= 6);
        let outputs = self.outputs.lock().unwrap();
        for secret in &secrets {
            for output in outputs.iter() {
                assert!(
                    !output.contains(secret.as_str()),
                    "a secret value appears in mcpctl's output:\n{output}"
                );
            }
        }
    }
}

fn url_of(text: &str) -> url::Url {
    url::Url::parse(text).unwrap()
}

/// The provider's request log entries for `path` (`/token`, `/authorize`, ...).
fn requests_to(server: &OAuthTestServer, path: &str) -> Vec<Value> {
    server
        .requests()
        .into_iter()
        .filter(|r| r["path"] == path)
        .collect()
}

fn state(server: &OAuthTestServer, counter: &str) -> u64 {
    server.state().unwrap()[counter].as_u64().unwrap()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `$BROWSER` script (Node) in `dir` that runs `before` (JavaScript with `auth`, the
/// authorization URL, and `cb`, its redirect URI, in scope) and then follows the URL as the
/// real browser script does, with hosts rewritten by `MAP_HOST` (`from=to`) when set.
fn browser_wrapper(dir: &Path, before: &str) -> PathBuf {
    let node = node().unwrap();
    let script = dir.join("browser-wrapper.cjs");
    std::fs::write(
        &script,
        format!(
            r#""use strict";
const fs = require("node:fs");
(async () => {{
  const auth = new URL(process.argv[2]);
  const cb = new URL(auth.searchParams.get("redirect_uri"));
  const out = process.env.WRAPPER_LOG;
  const note = (what, status) => fs.appendFileSync(out, JSON.stringify({{what, status}}) + "\n");
  {before}
  let url = auth.href;
  const map = process.env.MAP_HOST ? process.env.MAP_HOST.split("=") : null;
  for (let hop = 0; hop < 10; hop++) {{
    let target = new URL(url);
    if (map && target.hostname === map[0]) target.hostname = map[1];
    const res = await fetch(target, {{ redirect: "manual" }});
    note("hop " + target.pathname, res.status);
    const location = res.headers.get("location");
    await res.arrayBuffer();
    if (res.status >= 300 && res.status < 400 && location) {{ url = new URL(location, url).href; continue; }}
    process.exit(res.status < 300 ? 0 : 1);
  }}
}})().catch(e => {{ fs.appendFileSync(process.env.WRAPPER_LOG, JSON.stringify({{error: String(e)}}) + "\n"); process.exit(1); }});
"#
        ),
    )
    .unwrap();
    let wrapper = dir.join("browser-wrapper.sh");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nexec \"{}\" \"{}\" \"$@\"\n",
            node.display(),
            script.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    wrapper
}

fn wrapper_log(path: &Path) -> Vec<Value> {
    read(path)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn login_use_list_status_relogin_and_logout() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    let login = f.run(&["login", "docs"]).ok();
    assert!(
        login.stdout.starts_with(
            "Logged in to MCP server 'docs' with a newly registered client (scopes mcp:read mcp:write; expires in 59m; refreshes automatically)"
        ),
        "{}",
        login.stdout
    );
    assert!(
        login.stderr.contains("Opened the browser"),
        "{}",
        login.stderr
    );
    let entry = f.entry();
    assert_eq!(entry["server_name"], "docs");
    assert_eq!(entry["server_url"], server.mcp_url());
    assert_eq!(entry["issuer"], server.issuer());
    assert_eq!(entry["scopes"], json!(["mcp:read", "mcp:write"]));
    let side = f.side();
    assert_eq!(side["registration"], "dcr");
    assert_eq!(side["token_endpoint_auth_method"], "none");
    assert_eq!(side["resource"], server.mcp_url());

    // The token works: a tool call through mcpctl.
    let whoami = f.run(&["call", "docs", "whoami", "--json"]).ok();
    assert!(
        whoami.stdout.contains(entry["client_id"].as_str().unwrap()),
        "{}",
        whoami.stdout
    );

    let list = f.run(&["list"]).ok();
    assert!(
        list.stdout.contains("OAuth (expires in 59m)"),
        "{}",
        list.stdout
    );
    let list_json = f.run(&["list", "--json"]).ok().json();
    assert_eq!(list_json[0]["auth_status"], "o_auth");
    assert_eq!(list_json[0]["oauth_login"]["location"], "file");

    let status = f.run(&["auth", "status", "--json"]).ok().json();
    assert_eq!(status[0]["server"], "docs");
    assert_eq!(status[0]["status"], "o_auth");
    assert_eq!(status[0]["login"]["client_id"], entry["client_id"]);
    assert_eq!(status[0]["login"]["refresh_token"], true);
    let table = f.run(&["auth", "status", "docs"]).ok();
    assert!(table.stdout.contains("file"), "{}", table.stdout);

    // PKCE S256 and the same resource on the authorization and token requests.
    let authorize = requests_to(&server, "/authorize");
    assert_eq!(authorize[0]["values"]["code_challenge_method"], "S256");
    assert_eq!(authorize[0]["values"]["resource"], server.mcp_url());
    let token = requests_to(&server, "/token");
    assert_eq!(token[0]["values"]["resource"], server.mcp_url());
    assert_eq!(token[0]["values"]["grant_type"], "authorization_code");

    // A second login reuses the registered client.
    let again = f.run(&["login", "docs"]).ok();
    assert!(
        again
            .stdout
            .contains("the client registered at the last login"),
        "{}",
        again.stdout
    );
    assert_eq!(state(&server, "registrations"), 1);

    let logout = f.run(&["logout", "docs"]).ok();
    assert_eq!(
        logout.stdout,
        "Logged out of MCP server 'docs': tokens revoked at the provider and deleted from the credentials file.\n"
    );
    assert_eq!(state(&server, "revocations"), 2);
    assert!(!f.t.home().join(".credentials.json").exists());
    let after = f.run(&["call", "docs", "whoami"]).fails(1);
    assert!(
        after
            .stderr
            .contains("needs login (HTTP 401): run `mcpctl login docs`"),
        "{}",
        after.stderr
    );
    assert_eq!(
        f.run(&["logout", "docs"]).ok().stdout,
        "MCP server 'docs' was not logged in.\n"
    );
    f.assert_no_secrets();
}

#[test]
fn expiry_refresh_with_rotation_and_two_processes_at_once() {
    let Some(server) = OAuthTestServer::start_or_skip(&["--access-ttl", "2"]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    f.run(&["login", "docs"]).ok();
    let first = f.entry();
    std::thread::sleep(Duration::from_millis(2300));
    assert!(f.run(&["list"]).ok().stdout.contains("OAuth (expired)"));
    f.run(&["call", "docs", "whoami"]).ok();
    let second = f.entry();
    assert_eq!(state(&server, "refreshes"), 1);
    assert_ne!(second["refresh_token"], first["refresh_token"], "rotated");
    assert_ne!(second["access_token"], first["access_token"]);
    let refresh = requests_to(&server, "/token")
        .into_iter()
        .find(|r| r["values"]["grant_type"] == "refresh_token")
        .unwrap();
    assert_eq!(refresh["values"]["resource"], server.mcp_url());

    // Two processes with an expired token at once: one refresh, both succeed.
    std::thread::sleep(Duration::from_millis(2300));
    let spawn = || f.cmd().args(["call", "docs", "whoami"]).output().unwrap();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap(), b.join().unwrap())
    });
    f.record(&a).ok();
    f.record(&b).ok();
    assert_eq!(state(&server, "refreshes"), 2);
    assert_eq!(state(&server, "rejected_refreshes"), 0);
    f.assert_no_secrets();
}

#[test]
fn a_rejected_refresh_ends_the_login_and_says_so() {
    let Some(server) = OAuthTestServer::start_or_skip(&["--access-ttl", "1"]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    f.run(&["login", "docs"]).ok();
    // Another client spent the refresh token (a leaked copy, a buggy process): it is rejected.
    let mut all = f.credentials();
    let (key, entry) = all.as_object_mut().unwrap().iter_mut().next().unwrap();
    let key = key.clone();
    entry["refresh_token"] = json!("spent-elsewhere");
    std::fs::write(f.t.home().join(".credentials.json"), all.to_string()).unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    let run = f.run(&["call", "docs", "whoami"]).fails(1);
    assert!(
        run.stderr.contains(
            "the OAuth login of MCP server 'docs' has ended (the provider rejected its refresh token"
        ) && run.stderr.contains("run `mcpctl login docs`"),
        "{}",
        run.stderr
    );
    let ended = f.credentials()[&key].clone();
    assert_eq!(ended["refresh_token"], Value::Null);
    assert_eq!(ended["expires_at"], 0);
    assert!(f.run(&["list"]).ok().stdout.contains("Not logged in"));
    // The client survives for the next login.
    let again = f.run(&["login", "docs"]).ok();
    assert!(
        again.stdout.contains("registered at the last login"),
        "{}",
        again.stdout
    );
    f.assert_no_secrets();
}

#[test]
fn a_confidential_client_keeps_its_secret_for_refresh() {
    let Some(server) =
        OAuthTestServer::start_or_skip(&["--confidential", "basic", "--access-ttl", "1"])
    else {
        return;
    };
    let ready = server.ready().clone();
    let client_id = ready.client_id.unwrap();
    let secret = ready.client_secret.unwrap();
    let f = Fixture::with_server(
        server.mcp_url(),
        &format!(
            "[mcp_servers.docs.oauth]\nclient_id = \"{client_id}\"\nclient_secret_env_var = \"DOCS_SECRET\"\n"
        ),
    );
    f.secrets.lock().unwrap().push(secret.clone());
    let env = [("DOCS_SECRET", secret.as_str())];
    let missing = f.run(&["login", "docs"]).fails(1);
    assert!(
        missing.stderr.contains(
            "environment variable $DOCS_SECRET (named by oauth.client_secret_env_var) is not set"
        ),
        "{}",
        missing.stderr
    );
    let login = f.run_with(&["login", "docs"], &env).ok();
    assert!(
        login.stdout.contains("with the configured client"),
        "{}",
        login.stdout
    );
    std::thread::sleep(Duration::from_millis(1200));
    // rmcp alone would forget the secret after loading stored credentials (rust-sdk#784).
    f.run(&["call", "docs", "whoami"]).ok();
    assert_eq!(state(&server, "refreshes"), 1);
    for request in requests_to(&server, "/token") {
        assert_eq!(request["authorization_scheme"], "Basic", "{request}");
        assert_eq!(request["status"], 200, "{request}");
    }
    f.assert_no_secrets();
}

#[test]
fn provider_denial_fails_and_keeps_the_stored_login() {
    let Some(server) = OAuthTestServer::start_or_skip(&["--deny"]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    // A login stored before (by another run): a failed login must leave it as it was.
    let issued = server.issue_tokens(None, Some("mcp:read"), None).unwrap();
    f.secrets.lock().unwrap().push(issued.access_token.clone());
    let key = key_of("docs", server.mcp_url());
    let stored = json!({ key: {
        "server_name": "docs", "server_url": server.mcp_url(), "client_id": issued.client_id,
        "access_token": issued.access_token, "expires_at": null, "refresh_token": null,
        "scopes": ["mcp:read"]
    }})
    .to_string();
    std::fs::write(f.t.home().join(".credentials.json"), &stored).unwrap();
    let run = f.run(&["login", "docs"]).fails(1);
    assert!(
        run.stderr.contains(
            "error: cannot log in to MCP server 'docs': the authorization server refused the login: access_denied (The test provider was told to deny this login)"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(read(&f.t.home().join(".credentials.json")), stored);
    f.assert_no_secrets();
}

/// The store key Codex and mcpctl compute for a server.
fn key_of(name: &str, url: &str) -> String {
    use sha2::{Digest as _, Sha256};
    let payload = format!(r#"{{"type":"http","url":{},"headers":{{}}}}"#, json!(url));
    let hex: String = Sha256::digest(payload.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{name}|{}", &hex[..16])
}

#[test]
fn forged_callbacks_are_refused_and_the_code_cannot_be_replayed() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    let log = f.t.path().join("wrapper.jsonl");
    let wrapper = browser_wrapper(
        f.t.path(),
        r#"
  const state = auth.searchParams.get("state");
  let r = await fetch(cb.origin + "/not-the-callback?code=x&state=" + state); note("wrong path", r.status);
  r = await fetch(cb.href + "?code=forged&state=wrong"); note("wrong state", r.status);
  r = await fetch(cb.href + "?error=access_denied&state=wrong"); note("forged error", r.status);
  r = await fetch(cb.href + "?code=forged"); note("no state", r.status);
"#,
    );
    let run = f.run_with(
        &["login", "docs"],
        &[
            ("BROWSER", wrapper.to_str().unwrap()),
            ("WRAPPER_LOG", log.to_str().unwrap()),
        ],
    );
    let run = run.ok();
    let notes: Vec<(String, u64)> = wrapper_log(&log)
        .iter()
        .filter(|e| !e["what"].as_str().unwrap_or("").starts_with("hop"))
        .map(|e| {
            (
                e["what"].as_str().unwrap().to_owned(),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        notes,
        vec![
            ("wrong path".to_owned(), 404),
            ("wrong state".to_owned(), 400),
            ("forged error".to_owned(), 400),
            ("no state".to_owned(), 400),
        ]
    );
    assert!(
        run.stderr.contains(
            "ignored a request to the OAuth callback (a callback whose state is not this login's)"
        ),
        "{}",
        run.stderr
    );
    // The real callback, sent again after the login: nothing listens any more.
    let callback = wrapper_log(&log)
        .iter()
        .filter_map(|e| e["what"].as_str().map(str::to_owned))
        .find(|w| w == "hop /callback");
    assert!(callback.is_some());
    let redirect = requests_to(&server, "/authorize")[0]["values"]["redirect_uri"]
        .as_str()
        .unwrap()
        .to_owned();
    let replay = std::net::TcpStream::connect(url_of(&redirect).socket_addrs(|| None).unwrap()[0]);
    assert!(
        replay.is_err(),
        "the callback listener is closed after the login"
    );
    // And at the provider a used code is refused: only one code exchange happened.
    assert_eq!(state(&server, "codes"), 1);
    assert_eq!(
        requests_to(&server, "/token")
            .iter()
            .filter(|r| r["values"]["grant_type"] == "authorization_code")
            .count(),
        1
    );
    f.assert_no_secrets();
}

#[test]
fn callback_url_of_another_host_is_sent_exactly_and_binds_every_interface() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let port = free_port();
    let callback = format!("http://mcpctl-callback.test:{port}/oauth/done");
    let f = Fixture::new(&format!(
        "mcp_oauth_callback_url = \"{callback}\"\nmcp_oauth_callback_port = {port}\n\n[mcp_servers.docs]\nurl = \"{}\"\n",
        server.mcp_url()
    ));
    assert_eq!(
        f.run(&["callback-url", "docs"]).ok().stdout,
        format!("{callback}\n")
    );
    let log = f.t.path().join("wrapper.jsonl");
    // The ingress: the browser reaches mcpctl-callback.test through this machine.
    let wrapper = browser_wrapper(f.t.path(), "");
    let run = f
        .run_with(
            &["login", "docs"],
            &[
                ("BROWSER", wrapper.to_str().unwrap()),
                ("WRAPPER_LOG", log.to_str().unwrap()),
                ("MAP_HOST", "mcpctl-callback.test=127.0.0.1"),
            ],
        )
        .ok();
    assert!(
        run.stderr.contains(&format!(
            "warning: the OAuth callback listener for {callback} is bound to every network interface (0.0.0.0)"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(
        requests_to(&server, "/authorize")[0]["values"]["redirect_uri"],
        callback
    );
    let register = requests_to(&server, "/register");
    assert_eq!(register[0]["values"]["redirect_uris"], json!([callback]));
    assert_eq!(register[0]["values"]["application_type"], "web");
    f.assert_no_secrets();
}

#[test]
fn a_fixed_callback_port() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let port = free_port();
    let f = Fixture::new(&format!(
        "mcp_oauth_callback_port = {port}\n\n[mcp_servers.docs]\nurl = \"{}\"\n",
        server.mcp_url()
    ));
    let expected = format!("http://127.0.0.1:{port}/callback");
    assert_eq!(
        f.run(&["callback-url", "docs"]).ok().stdout,
        format!("{expected}\n")
    );
    f.run(&["login", "docs"]).ok();
    assert_eq!(
        requests_to(&server, "/authorize")[0]["values"]["redirect_uri"],
        expected
    );
    // The port is taken by another program: one sentence, nothing stored.
    let f2 = Fixture::new(&format!(
        "mcp_oauth_callback_port = {port}\n\n[mcp_servers.docs]\nurl = \"{}\"\n",
        server.mcp_url()
    ));
    let _taken = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let busy = f2.run(&["login", "docs"]).fails(1);
    assert!(
        busy.stderr.contains(&format!(
            "cannot listen for the OAuth callback on 127.0.0.1:{port}: the port is already in use; stop the program using it, or choose another port with mcp_oauth_callback_port"
        )),
        "{}",
        busy.stderr
    );
    assert!(!f2.t.home().join(".credentials.json").exists());
    f.assert_no_secrets();
}

#[test]
fn no_browser_prints_the_url_and_takes_the_pasted_callback() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    let mut child = f
        .cmd()
        .args(["login", "docs", "--no-browser", "--timeout", "20"])
        .env_remove("BROWSER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read stderr until the URL shows, then play the browser without reaching the listener.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut url = String::new();
    let mut seen = String::new();
    while url.is_empty() {
        let mut line = String::new();
        assert!(
            std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() > 0,
            "{seen}"
        );
        seen.push_str(&line);
        if line.trim_start().starts_with("http") {
            url = line.trim().to_owned();
        }
    }
    // The provider answers with a redirect to the callback; its Location is what a user
    // would copy from the address bar.
    let location = redirect_location(&url);
    use std::io::Write as _;
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "not a url").unwrap();
    writeln!(stdin, "{location}").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    let mut output = output;
    output.stderr = format!("{seen}{rest}").into_bytes();
    let run = f.record(&output).ok();
    assert!(
        run.stderr.contains("open this URL in a browser"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("that is not the callback URL of this login"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.starts_with("Logged in to MCP server 'docs'"));
    f.secrets.lock().unwrap().push(
        url_of(&location)
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .into_owned(),
    );
    f.assert_no_secrets();
}

/// The `Location` the provider answers `url` with (without following it).
fn redirect_location(url: &str) -> String {
    let script = r#"fetch(process.argv[1], {redirect: "manual"}).then(r => process.stdout.write(r.headers.get("location")))"#;
    let out = Command::new(node().unwrap())
        .args(["-e", script, url])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn logins_that_cannot_work_are_refused_before_anything_is_sent() {
    let f = Fixture::new(
        r#"
[mcp_servers.local]
command = "some-mcp"

[mcp_servers.plain]
url = "http://mcp.example.com/mcp"

[mcp_servers.gh]
url = "https://api.githubcopilot.com/mcp/"

[mcp_servers.token]
url = "https://mcp.example.com/mcp"
bearer_token_env_var = "TOKEN"
"#,
    );
    let cases = [
        (
            "local",
            "error: MCP server 'local' is a stdio server (a local command); OAuth login is only for HTTP servers (--url)\n",
        ),
        (
            "plain",
            "error: MCP server 'plain' is reached over plain http:// at http://mcp.example.com/mcp; OAuth tokens would travel unencrypted, so mcpctl logs in only to https:// servers (or http:// on this machine)\n",
        ),
        (
            "gh",
            "error: GitHub's MCP server does not offer OAuth login to clients like mcpctl; create a personal access token (https://github.com/settings/personal-access-tokens), export it, and use it: `mcpctl add gh --url https://api.githubcopilot.com/mcp/ --bearer-token-env-var GITHUB_PAT --replace`\n",
        ),
        (
            "token",
            "error: MCP server 'token' sends a bearer token from $TOKEN (bearer_token_env_var); remove that key to log in with OAuth instead\n",
        ),
        ("nope", "error: No MCP server named 'nope'.\n"),
    ];
    for (name, expected) in cases {
        let run = f.run(&["login", name]).fails(1);
        assert_eq!(run.stderr, expected, "{name}");
    }
}

#[test]
fn a_corrupt_credentials_file_or_a_missing_keyring_fail_before_the_network() {
    let mock = MockHttp::start();
    let f = Fixture::with_server(&mock.url("/mcp"), "");
    let path = f.t.home().join(".credentials.json");
    std::fs::write(&path, "{not json").unwrap();
    let run = f.run(&["login", "docs"]).fails(1);
    assert!(
        run.stderr
            .contains(".credentials.json: not a valid credentials file")
            && run.stderr.contains("mcpctl leaves it untouched"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&path), "{not json");
    assert!(mock.requests().is_empty(), "nothing was sent");

    let k = Fixture::new("");
    k.t.write_config(&format!(
        "mcp_oauth_credentials_store = \"keyring\"\n[mcp_servers.docs]\nurl = \"{}\"\n",
        mock.url("/mcp")
    ));
    let run = k.run_with(
        &["login", "docs"],
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")],
    );
    let run = run.fails(1);
    assert!(
        run.stderr.contains("no OS keyring is available")
            && run
                .stderr
                .contains("mcp_oauth_credentials_store = \"file\""),
        "{}",
        run.stderr
    );
    assert!(mock.requests().is_empty(), "nothing was sent");
}

/// A scripted OAuth server on the mock: 401 with `resource_metadata`, its metadata, a
/// registration endpoint, and `token` as the token endpoint's answer. The browser script
/// skips `/authorize` and goes straight to the callback with a code.
fn scripted_provider(mock: &MockHttp, token: Reply) {
    let base = mock.base_url();
    mock.route(
        "POST",
        "/mcp",
        Reply::unauthorized(&format!(
            r#"Bearer resource_metadata="{base}/.well-known/oauth-protected-resource/mcp""#
        )),
    );
    mock.route(
        "GET",
        "/.well-known/oauth-protected-resource/mcp",
        Reply::json(&json!({"resource": format!("{base}/mcp"), "authorization_servers": [base]})),
    );
    mock.route(
        "GET",
        "/.well-known/oauth-authorization-server",
        Reply::json(&json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "registration_endpoint": format!("{base}/register"),
            "code_challenge_methods_supported": ["S256"],
        })),
    );
    mock.route(
        "POST",
        "/register",
        json_reply(
            201,
            &json!({"client_id": "scripted-client", "redirect_uris": []}),
        ),
    );
    mock.route("POST", "/token", token);
}

#[test]
fn a_token_endpoint_that_answers_html_or_500_is_one_sentence() {
    for (reply, expected) in [
        (
            html_reply(500, "<html>oops</html>"),
            "did not answer the code exchange with an OAuth token response (HTTP 500, text/html); the provider may be down or misconfigured, try again later",
        ),
        (
            html_reply(200, "<html>login page</html>"),
            "did not answer the code exchange with an OAuth token response (HTTP 200, text/html)",
        ),
        (
            json_reply(
                400,
                &json!({"error": "invalid_grant", "error_description": "bad code"}),
            ),
            "refused the code exchange: invalid_grant",
        ),
    ] {
        let mock = MockHttp::start();
        scripted_provider(&mock, reply);
        let f = Fixture::with_server(&mock.url("/mcp"), "");
        let wrapper = browser_wrapper(
            f.t.path(),
            r#"
  const back = new URL(cb.href);
  back.searchParams.set("code", "scripted-code-123");
  back.searchParams.set("state", auth.searchParams.get("state"));
  const r = await fetch(back); note("callback", r.status); process.exit(0);
"#,
        );
        let log = f.t.path().join("wrapper.jsonl");
        let run = f
            .run_with(
                &["login", "docs"],
                &[
                    ("BROWSER", wrapper.to_str().unwrap()),
                    ("WRAPPER_LOG", log.to_str().unwrap()),
                ],
            )
            .fails(1);
        assert!(
            run.stderr.contains(&format!(
                "error: cannot log in to MCP server 'docs': the token endpoint {}",
                mock.url("/token")
            )) && run.stderr.contains(expected),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("scripted-code-123"));
        assert!(!f.t.home().join(".credentials.json").exists());
    }
}

#[test]
fn garbage_metadata_is_one_sentence() {
    let mock = MockHttp::start();
    let base = mock.base_url();
    mock.route(
        "POST",
        "/mcp",
        Reply::unauthorized(&format!(r#"Bearer resource_metadata="{base}/meta""#)),
    );
    mock.route("GET", "/meta", html_reply(200, "<html>not metadata</html>"));
    let f = Fixture::with_server(&mock.url("/mcp"), "");
    let run = f.run(&["login", "docs"]).fails(1);
    assert!(
        run.stderr.starts_with(&format!(
            "error: cannot log in to MCP server 'docs': {base}/meta does not serve valid OAuth metadata (text/html: expected value at line 1 column 1)"
        )),
        "{}",
        run.stderr
    );
    // A server that needs no login at all.
    let open = MockHttp::start();
    open.route(
        "POST",
        "/mcp",
        Reply::json(&json!({"jsonrpc": "2.0", "id": 0, "result": {}})),
    );
    let g = Fixture::with_server(&open.url("/mcp"), "");
    let run = g.run(&["login", "docs"]).fails(1);
    assert!(
        run.stderr.contains("does not offer an OAuth login: it answered HTTP 200 without credentials and publishes no OAuth metadata"),
        "{}",
        run.stderr
    );
}

#[test]
fn add_on_a_terminal_only_offers_the_login() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let f = Fixture::new("");
    // Not a terminal: `add` says how to log in and does not start it.
    let run = f.run(&["add", "docs", "--url", server.mcp_url()]).ok();
    assert!(
        run.stderr
            .contains("note: MCP server 'docs' asks for an OAuth login: run `mcpctl login docs`"),
        "{}",
        run.stderr
    );
    assert_eq!(state(&server, "codes"), 0);
    let quiet = f
        .run(&["add", "docs2", "--url", server.mcp_url(), "--no-login"])
        .ok();
    assert!(!quiet.stderr.contains("login"), "{}", quiet.stderr);
    let gh = f
        .run(&["add", "gh", "--url", "https://api.githubcopilot.com/mcp/"])
        .ok();
    assert!(
        gh.stderr
            .contains("note: GitHub's MCP server does not offer OAuth login"),
        "{}",
        gh.stderr
    );
    let secret = f
        .run(&[
            "add",
            "pre",
            "--url",
            server.mcp_url(),
            "--oauth-client-id",
            "abc",
            "--oauth-client-secret-env-var",
            "PRE_SECRET",
            "--no-login",
        ])
        .ok();
    assert!(!secret.stderr.contains("plain text"), "{}", secret.stderr);
    assert!(
        f.t.config().contains(
            "[mcp_servers.pre.oauth]\nclient_id = \"abc\"\nclient_secret_env_var = \"PRE_SECRET\"\n"
        ),
        "{}",
        f.t.config()
    );
    let stdio = f.run(&["add", "x", "--no-login", "--", "cmd"]).fails(2);
    assert!(
        stdio
            .stderr
            .contains("'--no-login' cannot be used with a stdio server"),
        "{}",
        stdio.stderr
    );
}

#[test]
fn a_step_up_asks_for_the_union_of_scopes_once() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    f.run(&["login", "docs", "--scopes", "mcp:read"]).ok();
    assert_eq!(f.entry()["scopes"], json!(["mcp:read"]));
    let run = f.run(&["call", "docs", "write_note", "text=hi"]).ok();
    assert!(run.stdout.contains("noted: hi"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("asks for more access (insufficient_scope)"),
        "{}",
        run.stderr
    );
    let authorize = requests_to(&server, "/authorize");
    assert_eq!(authorize.len(), 2);
    assert_eq!(authorize[1]["values"]["scope"], "mcp:read mcp:write");
    assert_eq!(f.entry()["scopes"], json!(["mcp:read", "mcp:write"]));
    f.assert_no_secrets();
}

#[test]
fn a_browser_that_cannot_be_opened_prints_the_url() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    let run = f
        .run_with(
            &["login", "docs", "--timeout", "1"],
            &[("BROWSER", "/nonexistent/browser")],
        )
        .fails(1);
    assert!(
        run.stderr.contains("Could not open a browser ("),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("/authorize?response_type=code"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("no OAuth callback arrived within 1s; run the login again (with a longer --timeout if you need more time)"),
        "{}",
        run.stderr
    );
}

fn json_reply(status: u16, value: &Value) -> Reply {
    Reply::status(status)
        .header("content-type", "application/json")
        .body(value.to_string())
}

fn html_reply(status: u16, body: &str) -> Reply {
    Reply::status(status)
        .header("content-type", "text/html")
        .body(body)
}

/// Logins shared with the real Codex CLI (0.171): through the credentials file, and through the
/// keyring (gnome-keyring in a private D-Bus session).
mod codex {
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
}
