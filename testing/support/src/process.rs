//! Which processes are alive, read from `/proc` (Linux): for tests that prove mcpctl leaves no
//! server behind, or that a server it should have refused never started.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

/// True while process `pid` exists and is not a zombie.
pub fn pid_alive(pid: u32) -> bool {
    stat_fields(pid).is_some_and(|fields| fields.first().is_some_and(|state| *state != "Z"))
}

/// The process group of `pid`, or `None` when it is gone.
pub fn process_group(pid: u32) -> Option<u32> {
    // After the state come ppid, then pgrp.
    stat_fields(pid)?.get(2)?.parse().ok()
}

/// Every live (non-zombie) process in process group `pgid`.
pub fn group_members(pgid: u32) -> Vec<u32> {
    live_pids()
        .into_iter()
        .filter(|&pid| process_group(pid) == Some(pgid) && pid_alive(pid))
        .collect()
}

/// Polls `check` every 20 ms until it holds or `limit` passes; returns its last answer.
pub fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    check()
}

/// Waits up to `limit` for every process of `pids` to end; returns those still alive.
pub fn wait_for_exit(pids: &[u32], limit: Duration) -> Vec<u32> {
    wait_until(limit, || pids.iter().all(|&p| !pid_alive(p)));
    pids.iter().copied().filter(|&p| pid_alive(p)).collect()
}

/// Waits up to `limit` for process group `pgid` to have no live member; returns the survivors.
pub fn wait_for_group_exit(pgid: u32, limit: Duration) -> Vec<u32> {
    wait_until(limit, || group_members(pgid).is_empty());
    group_members(pgid)
}

/// Live processes (other than this one) whose command line or environment contains `marker`:
/// give a spawned tree a unique variable or argument, then find every member it left.
/// Another user's environment is readable only as root.
pub fn processes_with_marker(marker: &str) -> Vec<u32> {
    let needle = marker.as_bytes();
    processes_where(|pid| {
        ["cmdline", "environ"].iter().any(|file| {
            fs::read(format!("/proc/{pid}/{file}"))
                .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
        })
    })
}

/// Live processes (other than this one) whose current folder is `dir` or below it.
pub fn processes_in(dir: &Path) -> Vec<u32> {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    processes_where(|pid| {
        fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd.starts_with(&dir))
    })
}

/// Sends SIGKILL to every member of process group `pgid` (cleanup after a failed test).
pub fn kill_group(pgid: u32) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    if let Ok(pgid) = i32::try_from(pgid) {
        let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
    }
}

fn processes_where(mut matches: impl FnMut(u32) -> bool) -> Vec<u32> {
    let own = std::process::id();
    live_pids()
        .into_iter()
        .filter(|&pid| pid != own && pid_alive(pid) && matches(pid))
        .collect()
}

fn live_pids() -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect()
}

/// The fields of `/proc/<pid>/stat` after the command name (state, ppid, pgrp, …).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may itself hold spaces and parentheses.
    let (_, rest) = stat.rsplit_once(") ")?;
    Some(rest.split_whitespace().map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::CommandExt as _;
    use std::process::Command;

    use super::*;

    #[test]
    fn own_process_is_alive_and_a_reaped_one_is_not() {
        assert!(pid_alive(std::process::id()));
        let mut child = Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!pid_alive(pid));
    }

    #[test]
    fn a_zombie_is_not_alive() {
        let child = Command::new("true").spawn().unwrap();
        let pid = child.id();
        // Not yet reaped: a zombie once it exits.
        assert!(wait_until(Duration::from_secs(5), || !pid_alive(pid)));
        assert!(fs::metadata(format!("/proc/{pid}")).is_ok());
        drop(child);
    }

    #[test]
    fn a_marked_group_is_found_then_killed() {
        let marker = format!("MCPCTL_TEST_MARK_{}", std::process::id());
        let mut child = Command::new("sh")
            .args(["-c", "sleep 30 & sleep 30; wait"])
            .env(&marker, "1")
            .process_group(0)
            .spawn()
            .unwrap();
        let pgid = child.id();
        assert!(wait_until(Duration::from_secs(5), || {
            processes_with_marker(&marker).len() == 3
        }));
        assert_eq!(process_group(pgid), Some(pgid));
        assert_eq!(group_members(pgid).len(), 3);
        kill_group(pgid);
        child.wait().unwrap();
        assert_eq!(
            wait_for_group_exit(pgid, Duration::from_secs(5)),
            Vec::<u32>::new()
        );
        assert_eq!(processes_with_marker(&marker), Vec::<u32>::new());
    }

    #[test]
    fn processes_are_found_by_folder_and_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("sleep")
            .arg("30")
            .current_dir(dir.path())
            .spawn()
            .unwrap();
        assert_eq!(processes_in(dir.path()), vec![child.id()]);
        let pid = child.id();
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(
            wait_for_exit(&[pid], Duration::from_secs(5)),
            Vec::<u32>::new()
        );
    }
}
