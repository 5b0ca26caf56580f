//! Startup progress of live commands, on stderr.
//!
//! On a terminal (and not `TERM=dumb`): one line per server, redrawn with a ticking elapsed
//! time, and erased once every server has settled so the result replaces it. Otherwise, only
//! when asked (`list --check` without `--json`): one line per server as it settles.

use std::io::{IsTerminal as _, Write as _};
use std::time::{Duration, Instant};

use mcpctl_core::{ServerState, StartupUpdate};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::output::errln;
use crate::render::one_line;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Nothing at all.
    Quiet,
    /// A live block on a terminal; nothing otherwise.
    TerminalOnly,
    /// A live block on a terminal; otherwise a line per settled server.
    Lines,
}

/// True when stderr can take cursor movements.
pub fn live_terminal() -> bool {
    std::io::stderr().is_terminal() && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Starts drawing progress; await the handle before printing the result.
pub fn spawn(
    updates: mpsc::UnboundedReceiver<StartupUpdate>,
    names: Vec<String>,
    mode: Mode,
) -> JoinHandle<()> {
    tokio::spawn(show(updates, names, mode))
}

async fn show(mut updates: mpsc::UnboundedReceiver<StartupUpdate>, names: Vec<String>, mode: Mode) {
    let live = mode != Mode::Quiet && live_terminal();
    let lines = mode == Mode::Lines && !live;
    if !live && !lines {
        // Drain so that the sender never notices; nothing is shown.
        while updates.recv().await.is_some() {}
        return;
    }
    let started = Instant::now();
    let mut states: Vec<(String, ServerState, Duration)> = names
        .into_iter()
        .map(|n| {
            (
                one_line(&n).into_owned(),
                ServerState::Starting,
                Duration::ZERO,
            )
        })
        .collect();
    let width = states
        .iter()
        .map(|(n, _, _)| n.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    let mut drawn = 0usize;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            update = updates.recv() => {
                let Some(update) = update else { break };
                let shown = one_line(&update.server).into_owned();
                if let Some(entry) = states.iter_mut().find(|(n, _, _)| *n == shown) {
                    entry.1 = update.state.clone();
                    entry.2 = update.elapsed;
                }
                if lines && update.state.is_settled() {
                    errln(&line(&shown, &update.state, update.elapsed, width));
                }
            }
            _ = tick.tick() => {}
        }
        if live {
            let mut err = std::io::stderr().lock();
            if drawn > 0 {
                let _ = write!(err, "\x1b[{drawn}A");
            }
            for (name, state, elapsed) in &states {
                let shown = if state.is_settled() {
                    *elapsed
                } else {
                    started.elapsed()
                };
                let _ = writeln!(err, "\x1b[2K{}", line(name, state, shown, width));
            }
            drawn = states.len();
        }
        if states.iter().all(|(_, s, _)| s.is_settled()) {
            break;
        }
    }
    if live && drawn > 0 {
        // Erase the block: the command's result takes its place.
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\x1b[{drawn}A\x1b[J");
        let _ = err.flush();
    }
}

fn line(name: &str, state: &ServerState, elapsed: Duration, width: usize) -> String {
    let mark = match state {
        ServerState::Starting => "…",
        ServerState::Ready => "✓",
        ServerState::Failed(_) => "✗",
        ServerState::Cancelled => "-",
    };
    let name = crate::render::cut(name, width);
    let pad = width.saturating_sub(name.chars().count());
    format!(
        "  {mark} {name}{}  {:<9}  {:>6.2}s",
        " ".repeat(pad),
        state.label(),
        elapsed.as_secs_f64()
    )
}
