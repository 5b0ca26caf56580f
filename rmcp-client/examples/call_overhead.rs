//! Benchmark: the tools/call round trip through [`McpClient`] against a raw JSON-RPC pipe to the
//! same server program, in one process.
//!
//! `CALL_OVERHEAD_ONLY=client` (or `raw`) runs one side only, for profiling it alone.
//!
//! The raw side is a minimal JSON-RPC client: it serialises each request with serde_json,
//! writes it as one line, and parses answer lines until the one with its id. Both sides run on
//! a current-thread runtime, like the `mcpctl` binary.
//!
//! `cargo run --release -p mcpctl-rmcp-client --example call_overhead -- <test-server-bin> [N]`
//! (`just bench` runs it). Each side starts its own test-server process, warms up, then times
//! N sequential `echo` calls one by one; it prints the median and mean per call and the ratio
//! client/raw.

use std::path::{Path, PathBuf};
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

async fn raw_pipe(bin: &Path, n: usize) -> Result<Vec<Duration>, Box<dyn std::error::Error>> {
    let mut child = Command::new(bin)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
    let init = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#;
    stdin.write_all(format!("{init}\n").as_bytes()).await?;
    lines.next_line().await?;
    stdin
        .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
        .await?;
    let mut samples = Vec::with_capacity(n);
    for id in 1..=(n + 50) {
        let started = Instant::now();
        // A minimal JSON-RPC client: build the request as JSON, parse every answer line as
        // JSON and match it by id. No MCP machinery.
        let request = serde_json::json!({
            "jsonrpc": "2.0",
            "id": id,
            "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": "hello"}},
        });
        let mut line = serde_json::to_string(&request)?;
        line.push('\n');
        stdin.write_all(line.as_bytes()).await?;
        stdin.flush().await?;
        loop {
            let answer = lines.next_line().await?.ok_or("server closed")?;
            let answer: serde_json::Value = serde_json::from_str(&answer)?;
            if answer.get("id").and_then(serde_json::Value::as_u64) == Some(id as u64) {
                break;
            }
        }
        if id > 50 {
            samples.push(started.elapsed());
        }
    }
    Ok(samples)
}

async fn through_client(bin: &Path, n: usize) -> Result<Vec<Duration>, Box<dyn std::error::Error>> {
    let spec = StdioSpec {
        program: bin.display().to_string(),
        ..StdioSpec::default()
    };
    let client = McpClient::connect_stdio("bench", spec, Duration::from_secs(10)).await?;
    let mut samples = Vec::with_capacity(n);
    for i in 0..(n + 50) {
        let started = Instant::now();
        client
            .call_tool(
                "echo",
                serde_json::json!({"text": "hello"}),
                Duration::from_secs(10),
            )
            .await?;
        if i >= 50 {
            samples.push(started.elapsed());
        }
    }
    client.shutdown().await;
    Ok(samples)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let bin = PathBuf::from(
        args.next()
            .ok_or("usage: call_overhead <test-server-bin> [N]")?,
    );
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(2000);
    // Alternate the two sides so machine noise hits both alike.
    let mut raw = Vec::new();
    let mut client = Vec::new();
    let only = std::env::var("CALL_OVERHEAD_ONLY").unwrap_or_default();
    for _ in 0..3 {
        if only != "client" {
            raw.extend(raw_pipe(&bin, n / 3).await?);
        }
        if only != "raw" {
            client.extend(through_client(&bin, n / 3).await?);
        }
    }
    let (raw_median, client_median) = (median(&mut raw), median(&mut client));
    println!(
        "tools/call round trip, {} calls each (after 50 warm-up calls per run)",
        raw.len()
    );
    println!(
        "raw JSON-RPC pipe : median {:>8.1} µs   mean {:>8.1} µs",
        raw_median.as_secs_f64() * 1e6,
        mean(&raw).as_secs_f64() * 1e6
    );
    println!(
        "McpClient         : median {:>8.1} µs   mean {:>8.1} µs",
        client_median.as_secs_f64() * 1e6,
        mean(&client).as_secs_f64() * 1e6
    );
    println!(
        "ratio client/raw  : {:.3} (median)",
        client_median.as_secs_f64() / raw_median.as_secs_f64()
    );
    Ok(())
}
