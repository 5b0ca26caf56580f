//! Integration tests of `mcpctl-rmcp-client` against the workspace's test server (helpers outside
//! `#[test]` functions unwrap too, hence the crate-level allow).
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod hooks;
mod hostile;
mod http;
mod mrtr;
mod orphans;
mod resources;
mod sse;
mod stdio;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use mcpctl_rmcp_client::StdioSpec;

/// A startup timeout generous enough for a loaded CI machine.
pub const STARTUP: Duration = Duration::from_secs(10);

/// The test server binary (shared with the other suites through `mcpctl-test-support`).
pub fn server_bin() -> PathBuf {
    mcpctl_test_support::test_server_bin()
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
