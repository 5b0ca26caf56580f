//! No orphans when the process holding the clients dies by SIGKILL (no destructor runs).
//!
//! The test re-runs this test binary as the holder: `holder_of_servers` starts servers that
//! each leave a grandchild, prints every pid, and sleeps until it is killed.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use mcpctl_rmcp_client::{McpClient, StdioSpec};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::{STARTUP, alive, eventually, server_bin};

const HOLDER_ENV: &str = "MCPCTL_TEST_ORPHANS_HOLDER";

/// The holder process of `sigkilled_holder_leaves_no_survivors`, which runs it; not a test.
#[tokio::test]
#[ignore = "helper: run in a child process by sigkilled_holder_leaves_no_survivors"]
async fn holder_of_servers() {
    if std::env::var_os(HOLDER_ENV).is_none() {
        return;
    }
    let mut clients = Vec::new();
    for i in 0..3 {
        let spec = StdioSpec {
            program: "sh".to_owned(),
            args: vec![
                "-c".to_owned(),
                format!(
                    "sleep 30 & echo grandchild=$! >&2; exec '{}'",
                    server_bin().display()
                ),
            ],
            ..StdioSpec::default()
        };
        let client = McpClient::connect_stdio(&format!("s{i}"), spec, STARTUP)
            .await
            .unwrap();
        let mut grandchild = None;
        eventually(Duration::from_secs(2), || {
            grandchild = client
                .stderr_tail()
                .0
                .iter()
                .find_map(|l| l.strip_prefix("grandchild=").map(str::to_owned));
            grandchild.is_some()
        })
        .await;
        println!("pid {}", client.pid().unwrap());
        println!("pid {}", grandchild.unwrap());
        clients.push(client);
    }
    println!("ready");
    tokio::time::sleep(Duration::from_secs(30)).await;
}

#[tokio::test]
async fn sigkilled_holder_leaves_no_survivors() {
    let mut holder = Command::new(std::env::current_exe().unwrap())
        .args([
            "orphans::holder_of_servers",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(HOLDER_ENV, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut pids = Vec::new();
    for line in BufReader::new(holder.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if line == "ready" {
            break;
        }
        if let Some(pid) = line.strip_prefix("pid ") {
            pids.push(pid.parse::<u32>().unwrap());
        }
    }
    assert_eq!(pids.len(), 6, "{pids:?}");
    assert!(pids.iter().all(|&p| alive(p)));

    kill(
        Pid::from_raw(holder.id().try_into().unwrap()),
        Signal::SIGKILL,
    )
    .unwrap();
    holder.wait().unwrap();
    let gone = eventually(Duration::from_secs(2), || pids.iter().all(|&p| !alive(p))).await;
    let survivors: Vec<u32> = pids.iter().copied().filter(|&p| alive(p)).collect();
    assert!(gone, "survivors after SIGKILL: {survivors:?}");
}
