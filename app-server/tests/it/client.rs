//! A line-based JSON-RPC client for `mcpctl app-server` in a test home.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use mcpctl_test_support::TestHome;
use serde_json::{Value, json};

pub struct AppServer {
    pub child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<Value>,
    /// Messages read while waiting for something else.
    pub seen: Vec<Value>,
    next: i64,
}

impl AppServer {
    pub fn start(t: &TestHome) -> Self {
        Self::start_with(t, &[])
    }

    pub fn start_with(t: &TestHome, env: &[(&str, &str)]) -> Self {
        let mut child = t
            .mcpctl()
            .arg("app-server")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout: ChildStdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Self {
            child,
            stdin,
            lines,
            seen: Vec::new(),
            next: 1000,
        }
    }

    pub fn started(t: &TestHome) -> Self {
        let mut server = Self::start(t);
        let init = server.request(
            "initialize",
            json!({"clientInfo": {"name": "it", "title": null, "version": "1"}, "capabilities": {}}),
        );
        assert!(init["result"]["userAgent"].is_string(), "{init}");
        server.send_line(r#"{"method":"initialized"}"#);
        server
    }

    pub fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    pub fn send(&mut self, method: &str, params: Value) -> i64 {
        self.next += 1;
        let id = self.next;
        self.send_line(
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string(),
        );
        id
    }

    pub fn recv(&mut self) -> Value {
        self.lines
            .recv_timeout(Duration::from_secs(30))
            .expect("no message from the app server within 30 s")
    }

    /// The answer to `id`; everything else read meanwhile goes to `seen`.
    pub fn wait_for(&mut self, id: &Value) -> Value {
        if let Some(pos) = self
            .seen
            .iter()
            .position(|m| m.get("id") == Some(id) && m.get("method").is_none())
        {
            return self.seen.remove(pos);
        }
        loop {
            let message = self.recv();
            if message.get("id") == Some(id) && message.get("method").is_none() {
                return message;
            }
            self.seen.push(message);
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params);
        self.wait_for(&json!(id))
    }

    pub fn result(&mut self, method: &str, params: Value) -> Value {
        let answer = self.request(method, params);
        assert!(answer.get("error").is_none(), "{method}: {answer}");
        answer["result"].clone()
    }

    pub fn error(&mut self, method: &str, params: Value) -> Value {
        let answer = self.request(method, params);
        assert!(answer.get("result").is_none(), "{method}: {answer}");
        answer["error"].clone()
    }

    /// The first notification `method` (seen or still to come).
    pub fn notification(&mut self, method: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let is =
            |m: &Value| m["method"] == method && m.get("id").is_none() && matches(&m["params"]);
        if let Some(pos) = self.seen.iter().position(is) {
            return self.seen.remove(pos);
        }
        loop {
            let message = self.recv();
            if is(&message) {
                return message;
            }
            self.seen.push(message);
        }
    }

    /// Closes stdin and waits for the exit status.
    pub fn close(mut self) -> std::process::ExitStatus {
        drop(self.stdin.take());
        self.child.wait().unwrap()
    }
}

/// A `[mcp_servers.<name>]` table running the workspace test server.
pub fn test_server(name: &str, switches: &[&str], extra: &str) -> String {
    let bin = mcpctl_test_support::test_server_bin();
    let args: Vec<String> = switches.iter().map(|s| format!("{s:?}")).collect();
    format!(
        "[mcp_servers.{name}]\ncommand = {:?}\nargs = [{}]\n{extra}\n",
        bin.display().to_string(),
        args.join(", ")
    )
}
