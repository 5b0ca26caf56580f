//! The async runtime of live commands, with Ctrl-C and SIGTERM stopping every server.

use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use mcpctl_core::client::kill_all_process_groups;

use crate::output::errln;

/// Runs `job` on a fresh runtime; Ctrl-C or SIGTERM stops every server and exits 130/143.
pub fn block_on<F>(job: F) -> Result<ExitCode>
where
    F: Future<Output = Result<ExitCode>>,
{
    // One thread: the work is waiting on pipes and sockets, and a single-threaded scheduler
    // hands a reply to its caller without waking another thread (see bench/live.sh).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let outcome = runtime.block_on(async {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .context("cannot install the SIGTERM handler")?;
        tokio::select! {
            result = job => result,
            _ = tokio::signal::ctrl_c() => {
                kill_all_process_groups();
                errln("\ninterrupted: stopped every server");
                Ok(ExitCode::from(130))
            }
            _ = terminate.recv() => {
                kill_all_process_groups();
                Ok(ExitCode::from(143))
            }
        }
    });
    // Dropping the runtime drops every connection, which kills stdio servers' process groups.
    runtime.shutdown_timeout(Duration::from_secs(2));
    kill_all_process_groups();
    outcome
}
