//! Descendants of a stdio server that left its process group (`setsid`, `setpgid`).
//!
//! Killing a server's process group misses them. On Linux mcpctl makes itself a child
//! subreaper, so once the process that started such a descendant is gone, the descendant
//! becomes mcpctl's child rather than init's. Every server is started with
//! [`TAG_VAR`] set to a value of its own, which its descendants inherit; killing a server kills
//! the adopted children that carry its tag, and reaps them. (A descendant that clears its
//! environment escapes this, and so does one whose parent outlives the server's group.)

use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// The environment variable that marks a server's descendants.
pub const TAG_VAR: &str = "MCPCTL_SERVER_TAG";

/// A tag for a new server: unique within this process and across processes.
pub(crate) fn new_tag() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Makes this process the subreaper of its descendants (Linux; elsewhere nothing happens).
pub(crate) fn become_subreaper() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(target_os = "linux")]
        {
            // Best effort: without it, escaped descendants go to init as before.
            let _ = nix::sys::prctl::set_child_subreaper(true);
        }
    });
}

/// Kills (SIGKILL) and reaps the adopted children of this process whose tag is `tag`, or
/// starts with it when it ends in `-` (every server of this process: `"<pid>-"`), except the
/// pids in `leaders` (servers themselves, which their own handles reap). Returns how many
/// there were.
pub(crate) fn kill_adopted(tag: &str, leaders: &[i32]) -> usize {
    let wanted = format!("{TAG_VAR}={tag}");
    let mut killed = Vec::new();
    for pid in children() {
        if leaders.contains(&pid) {
            continue;
        }
        if tagged(pid, &wanted) && kill(Pid::from_raw(pid), Signal::SIGKILL).is_ok() {
            killed.push(pid);
        }
    }
    for &pid in &killed {
        reap(pid);
    }
    killed.len()
}

/// This process's children, from `/proc/self/task/*/children` (Linux; empty elsewhere).
fn children() -> Vec<i32> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    let mut pids: Vec<i32> = tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<i32>>()
        })
        .collect();
    pids.sort_unstable();
    pids.dedup();
    pids
}

/// True when process `pid` has `wanted` (`NAME=value`, or `NAME=prefix-` for any value with
/// that prefix) in its environment.
fn tagged(pid: i32, wanted: &str) -> bool {
    let wanted = wanted.as_bytes();
    let prefix = wanted.ends_with(b"-");
    std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|env| {
        env.split(|&b| b == 0)
            .any(|var| var == wanted || (prefix && var.starts_with(wanted)))
    })
}

/// The tag prefix shared by every server of this process.
pub(crate) fn own_prefix() -> String {
    format!("{}-", std::process::id())
}

/// Waits for a killed child so it does not linger as a zombie. Only children this module
/// killed are waited for: the others belong to their `Child` handles.
fn reap(pid: i32) {
    use nix::sys::wait::{WaitPidFlag, waitpid};
    // SIGKILL takes effect at once unless the process is in an uninterruptible wait: try for a
    // moment, then leave it (a zombie costs a process-table entry, not a hang).
    for _ in 0..50 {
        match waitpid(Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG)) {
            Ok(nix::sys::wait::WaitStatus::StillAlive) => {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            _ => return,
        }
    }
}
