//! Benchmark: the tools/call round trip through [`McpClient`] against a raw JSON-RPC pipe to the
//! same server program, in one process.
//!
//! `CALL_OVERHEAD_ONLY=client` (or `raw`) runs one side only, for profiling it alone.
//! `CALL_OVERHEAD_SERVER_ARGS` (split at spaces), `CALL_OVERHEAD_TOOL` (default `echo`) and
//! `CALL_OVERHEAD_ARGUMENTS` (JSON, default `{"text":"hello"}`) point it at another server,
//! e.g. `node` with `server-everything`'s `dist/index.js stdio`.
//!
//! The raw side is a minimal JSON-RPC client: it serialises each request with serde_json,
//! writes it as one line, and parses answer lines until the one with its id. Both sides run on
//! a current-thread runtime, like the `mcpctl` binary.
//!
//! `cargo run --release -p mcpctl-rmcp-client --example call_overhead -- <test-server-bin> [N]
//! [TRIALS]` (`just bench` runs it). Each trial starts a fresh test-server process for each
//! side; after 100 warm-up rounds the two sides alternate call by call for N rounds of one `echo`
//! call each, so drift in the machine's speed hits both alike. Which core each server process
//! lands on moves a trial's figures by ±15%, so there are several trials (default 7 x 2000):
//! it prints each trial's medians and ratio, then the median of the trial ratios.
// An example program: it reports on the terminal.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use mcpctl_rmcp_client::{McpClient, StdioSpec};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn mean(samples: &[Duration]) -> Duration {
    let total: Duration = samples.iter().sum();
    total / u32::try_from(samples.len().max(1)).unwrap_or(1)
}

/// A minimal JSON-RPC client over a child's pipes: serde_json in, serde_json out, no MCP
/// machinery.
struct RawPipe {
    _child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    next_id: u64,
}

impl RawPipe {
    async fn start(server: &Server) -> Result<Self, Box<dyn std::error::Error>> {
        let mut child = Command::new(&server.program)
            .args(&server.args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
        let mut pipe = Self {
            _child: child,
            stdin,
            lines,
            next_id: 0,
        };
        pipe.request(
            "initialize",
            serde_json::json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "raw", "version": "0"},
            }),
        )
        .await?;
        pipe.stdin
            .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
            .await?;
        Ok(pipe)
    }

    async fn request(
        &mut self,
        method: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
        self.next_id += 1;
        let id = self.next_id;
        let request =
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let mut line = serde_json::to_string(&request)?;
        line.push('\n');
        self.stdin.write_all(line.as_bytes()).await?;
        self.stdin.flush().await?;
        // Skip notifications until the answer with this id arrives.
        loop {
            let answer = self.lines.next_line().await?.ok_or("server closed")?;
            let answer: serde_json::Value = serde_json::from_str(&answer)?;
            if answer.get("id").and_then(serde_json::Value::as_u64) == Some(id) {
                return Ok(answer);
            }
        }
    }
}

/// One trial: a fresh server process for each side, 100 warm-up rounds, then `n` alternating
/// rounds. Returns (raw, client) samples.
async fn trial(
    server: &Server,
    n: usize,
    only: &str,
) -> Result<(Vec<Duration>, Vec<Duration>), Box<dyn std::error::Error>> {
    let mut raw_pipe = RawPipe::start(server).await?;
    let spec = StdioSpec {
        program: server.program.display().to_string(),
        args: server.args.clone(),
        ..StdioSpec::default()
    };
    let client = McpClient::connect_stdio("bench", spec, Duration::from_secs(10)).await?;
    let tool = server.tool.as_str();
    let arguments = || server.arguments.clone();
    let call_params = || serde_json::json!({"name": tool, "arguments": server.arguments});
    let mut raw = Vec::with_capacity(n);
    let mut through_client = Vec::with_capacity(n);
    for i in 0..(n + 100) {
        if only != "client" {
            let started = Instant::now();
            raw_pipe.request("tools/call", call_params()).await?;
            if i >= 100 {
                raw.push(started.elapsed());
            }
        }
        if only != "raw" {
            let started = Instant::now();
            client
                .call_tool(tool, arguments(), Duration::from_secs(10))
                .await?;
            if i >= 100 {
                through_client.push(started.elapsed());
            }
        }
    }
    client.shutdown().await;
    Ok((raw, through_client))
}

/// The server both sides talk to, and the call they make.
struct Server {
    program: PathBuf,
    args: Vec<String>,
    tool: String,
    arguments: serde_json::Value,
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let program = PathBuf::from(
        args.next()
            .ok_or("usage: call_overhead <server-program> [N] [TRIALS]")?,
    );
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(2000);
    let trials: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(9);
    let server = Server {
        program,
        args: std::env::var("CALL_OVERHEAD_SERVER_ARGS")
            .map(|a| a.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        tool: std::env::var("CALL_OVERHEAD_TOOL").unwrap_or_else(|_| "echo".to_owned()),
        arguments: match std::env::var("CALL_OVERHEAD_ARGUMENTS") {
            Ok(json) => serde_json::from_str(&json)?,
            Err(_) => serde_json::json!({"text": "hello"}),
        },
    };
    let only = std::env::var("CALL_OVERHEAD_ONLY").unwrap_or_default();
    println!(
        "tools/call round trip: {trials} trials x {n} calls per side, alternating call by call, \
         fresh server processes per trial"
    );
    println!(
        "server: {} {} / tool {} {}",
        server.program.display(),
        server.args.join(" "),
        server.tool,
        server.arguments
    );
    println!("trial   raw median   client median   ratio");
    let mut ratios = Vec::with_capacity(trials);
    let (mut all_raw, mut all_client) = (Vec::new(), Vec::new());
    for t in 1..=trials {
        let (mut raw, mut client) = trial(&server, n, &only).await?;
        let (raw_median, client_median) = (median(&mut raw), median(&mut client));
        let ratio = client_median.as_secs_f64() / raw_median.as_secs_f64();
        println!(
            "{t:>5}   {:>7.1} µs   {:>10.1} µs   {ratio:.3}",
            micros(raw_median),
            micros(client_median)
        );
        ratios.push(ratio);
        all_raw.extend(raw);
        all_client.extend(client);
    }
    ratios.sort_by(f64::total_cmp);
    let (raw_median, client_median) = (median(&mut all_raw), median(&mut all_client));
    println!(
        "raw JSON-RPC pipe : median {:>8.1} µs   mean {:>8.1} µs",
        micros(raw_median),
        micros(mean(&all_raw))
    );
    println!(
        "McpClient         : median {:>8.1} µs   mean {:>8.1} µs",
        micros(client_median),
        micros(mean(&all_client))
    );
    println!(
        "ratio client/raw  : {:.3} (median of the {trials} trial ratios; pooled medians {:.3})",
        ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN),
        client_median.as_secs_f64() / raw_median.as_secs_f64()
    );
    Ok(())
}
