//! `--hostile MODE`: a server that misbehaves on purpose, for the client's bounds (issue 14).
//!
//! These modes speak newline-delimited JSON-RPC by hand, without rmcp, because each of them
//! breaks the protocol or the pipe discipline in a way an SDK would not let a server do. They
//! answer `initialize` and a first `tools/list` (so a client connects), then misbehave. Every
//! `tools/list` they receive is counted on stderr (`tools/list #N`), so a test can check how
//! many the client sent.

use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::ValueEnum;
use serde_json::{Value, json};

/// How the server misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// After the first `tools/list`, send `--count` log messages (`notifications/message`,
    /// about 200 bytes each), then serve on.
    LogFlood,
    /// After the first `tools/list`, send `--count` `notifications/tools/list_changed` before
    /// reading anything more.
    ListChangedFlood,
    /// After the first `tools/list`, never read stdin again.
    StopReading,
    /// After the first `tools/list`, send `--count` `ping` requests and never read again.
    PingFlood,
    /// Every `tools/list` page has a `nextCursor`: the list never ends.
    EndlessPages,
    /// `tools/list` offers, besides `echo`, tools named with 128, 129 and 70,000 characters.
    LongToolNames,
    /// Answer `tools/call` with a line larger than 16 MiB.
    HugeAnswer,
    /// Answer `tools/call` with a result nested `--count` levels deep.
    DeepAnswer,
    /// Write `--count` bytes to stderr without a newline, then exit with status 7.
    StderrFlood,
    /// Start a grandchild that leaves the process group (`setsid sleep 300`), print its pid to
    /// stderr (`grandchild=N`), then serve.
    SetsidGrandchild,
}

/// The session id of a process, from `/proc/<pid>/stat` (Linux); `None` elsewhere.
fn session_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(") ")?.1.split(' ').nth(3)?.parse().ok()
}

static TOOLS_LISTS: AtomicUsize = AtomicUsize::new(0);

/// Runs the hostile server on stdin/stdout until stdin ends.
pub fn run(mode: Mode, count: usize) -> anyhow::Result<()> {
    if mode == Mode::StderrFlood {
        let mut err = std::io::stderr().lock();
        let chunk = vec![b'e'; 64 * 1024];
        let mut left = count;
        while left > 0 {
            let n = left.min(chunk.len());
            err.write_all(&chunk[..n])?;
            left -= n;
        }
        err.flush()?;
        std::process::exit(7);
    }
    if mode == Mode::SetsidGrandchild {
        let child = std::process::Command::new("setsid")
            .args(["sleep", "300"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .spawn()?;
        // `setsid` calls setsid(2) and then runs `sleep`; print the pid only once the new
        // session exists, so that a reader never sees the grandchild still in ours.
        let pid = child.id();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while matches!(session_of(pid), Some(s) if s != pid) && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        eprintln!("grandchild={pid}");
    }
    let stdin = std::io::stdin();
    let lines = stdin.lock().lines();
    let mut listed = false;
    for line in lines {
        let line = line?;
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let Some(id) = message.get("id").cloned() else {
            continue;
        };
        let method = message["method"].as_str().unwrap_or_default();
        let result = match method {
            "initialize" => json!({
                "protocolVersion": message["params"]["protocolVersion"],
                "capabilities": { "tools": { "listChanged": true } },
                "serverInfo": { "name": "mcpctl-hostile", "version": "0" },
            }),
            "tools/list" => tools_page(mode, &message),
            "tools/call" => match mode {
                Mode::HugeAnswer => {
                    let text = "x".repeat(17 * 1024 * 1024);
                    json!({ "content": [{ "type": "text", "text": text }] })
                }
                Mode::DeepAnswer => {
                    let depth = count.max(1);
                    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
                    let raw = format!(
                        r#"{{"jsonrpc":"2.0","id":{id},"result":{{"content":[],"structuredContent":{{"deep":{nested}}}}}}}"#
                    );
                    write_line(&raw)?;
                    continue;
                }
                _ => json!({ "content": [{ "type": "text", "text": "ok" }] }),
            },
            _ => json!({}),
        };
        write_line(&json!({ "jsonrpc": "2.0", "id": id, "result": result }).to_string())?;
        if method == "tools/list" && !listed {
            listed = true;
            misbehave(mode, count)?;
        }
    }
    Ok(())
}

/// What the mode does once the client is connected.
fn misbehave(mode: Mode, count: usize) -> anyhow::Result<()> {
    match mode {
        Mode::ListChangedFlood => {
            let note = r#"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#;
            for _ in 0..count {
                write_line(note)?;
            }
            eprintln!("mcpctl-test-server: sent {count} list_changed");
        }
        Mode::LogFlood => {
            let data = "l".repeat(150);
            for i in 0..count {
                write_line(&format!(
                    r#"{{"jsonrpc":"2.0","method":"notifications/message","params":{{"level":"info","data":"{i} {data}"}}}}"#
                ))?;
            }
            eprintln!("mcpctl-test-server: sent {count} log messages");
        }
        Mode::StopReading => {
            eprintln!("mcpctl-test-server: no longer reading stdin");
            std::thread::sleep(std::time::Duration::from_secs(600));
        }
        Mode::PingFlood => {
            eprintln!("mcpctl-test-server: sending {count} pings, reading nothing");
            for i in 0..count {
                // The client's answers go unread: once the pipe is full its writes wait.
                write_line(&format!(
                    r#"{{"jsonrpc":"2.0","id":"p{i}","method":"ping"}}"#
                ))?;
            }
            eprintln!("mcpctl-test-server: sent {count} pings");
            std::thread::sleep(std::time::Duration::from_secs(600));
        }
        _ => {}
    }
    Ok(())
}

fn tools_page(mode: Mode, request: &Value) -> Value {
    let n = TOOLS_LISTS.fetch_add(1, Ordering::Relaxed) + 1;
    eprintln!("mcpctl-test-server: tools/list #{n}");
    let tool = |name: String| json!({ "name": name, "inputSchema": { "type": "object" } });
    if mode == Mode::EndlessPages {
        let page: u64 = request["params"]["cursor"]
            .as_str()
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        return json!({
            "tools": [tool(format!("t{page}"))],
            "nextCursor": (page + 1).to_string(),
        });
    }
    if mode == Mode::LongToolNames {
        return json!({ "tools": [
            tool("echo".to_owned()),
            tool("m".repeat(128)),
            tool("n".repeat(129)),
            tool("x".repeat(70_000)),
        ]});
    }
    json!({ "tools": [tool("echo".to_owned())] })
}

fn write_line(line: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}
