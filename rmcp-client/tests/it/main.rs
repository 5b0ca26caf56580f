//! Integration tests of `mcpctl-rmcp-client` against the workspace's test server (helpers outside
//! `#[test]` functions unwrap too, hence the crate-level allow).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod hooks;
mod http;
mod orphans;
mod resources;
mod stdio;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use mcpctl_rmcp_client::StdioSpec;

/// A startup timeout generous enough for a loaded CI machine.
pub const STARTUP: Duration = Duration::from_secs(10);

/// The test server binary: `$MCPCTL_TEST_SERVER_BIN` (set by Bazel), else the one cargo builds
/// into this test executable's target folder.
///
/// `cargo test`/`nextest --workspace` build only the test harness of another package's binary,
/// not the binary itself, so it is built here when missing (cargo's lock serialises the tests
/// that race to do it).
pub fn server_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("MCPCTL_TEST_SERVER_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("current_exe");
    // target/debug/deps/it-<hash> → target/debug/mcpctl-test-server
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir.join("mcpctl-test-server");
    if !bin.is_file() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "mcpctl-test-server",
                "--bin",
                "mcpctl-test-server",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo build");
        assert!(
            status.success(),
            "building the test server failed: run `cargo build -p mcpctl-test-server`"
        );
    }
    assert!(
        bin.is_file(),
        "{} is missing: run `cargo build -p mcpctl-test-server`",
        bin.display()
    );
    bin
}

/// A spec that starts the test server with `args`.
pub fn server_spec(args: &[&str]) -> StdioSpec {
    StdioSpec {
        program: server_bin().display().to_string(),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        ..StdioSpec::default()
    }
}

/// Polls `check` every 20 ms until it is true or `limit` passes.
pub async fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    check()
}

/// True while the process exists and is not a zombie.
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}
