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
use serde_json::{Value, json};

use crate::support::{Run, TestHome, read};

mod codex;
mod faults;
mod flow;

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

/// The `Location` the provider answers `url` with (without following it).
fn redirect_location(url: &str) -> String {
    let script = r#"fetch(process.argv[1], {redirect: "manual"}).then(r => process.stdout.write(r.headers.get("location")))"#;
    let out = Command::new(node().unwrap())
        .args(["-e", script, url])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
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
