//! The process groups of every live stdio server in this process.
//!
//! Two backstops behind the main path (each [`crate::McpClient`] kills its group when dropped):
//! [`kill_all_process_groups`] for a front end's Ctrl-C or SIGTERM handler, and a watchdog
//! process that kills every registered group when mcpctl dies in a way no handler sees
//! (SIGKILL, a panic with `abort`). The watchdog is a small `/bin/sh` loop in its own process
//! group, reading `add`/`del` lines on a pipe; mcpctl's death closes the pipe, and on end of
//! input it kills what is still registered. Unlike `PR_SET_PDEATHSIG` this also reaches the
//! servers' own children, and it needs no `unsafe`.

use std::collections::BTreeSet;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Mutex, PoisonError};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// Kills the groups still listed when its input ends. Only shell builtins, so it runs with an
/// empty environment; `kill -9 -N` is the form every POSIX shell's builtin accepts.
const WATCHDOG_SCRIPT: &str = r#"groups=' '
while read -r op pgid; do
  case "$op" in
    add) groups="$groups$pgid " ;;
    del) kept=' '; for g in $groups; do [ "$g" = "$pgid" ] || kept="$kept$g "; done; groups=$kept ;;
  esac
done
for g in $groups; do kill -9 "-$g" 2>/dev/null; done
"#;

struct Registry {
    live: BTreeSet<i32>,
    watchdog: Option<ChildStdin>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    live: BTreeSet::new(),
    watchdog: None,
});

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Registry {
    /// Tells the watchdog `line`, starting (or restarting) it first when needed.
    fn tell(&mut self, line: &str) {
        if let Some(stdin) = self.watchdog.as_mut()
            && stdin.write_all(line.as_bytes()).is_ok()
        {
            return;
        }
        // No watchdog yet, or it died: start one and give it the whole list.
        self.watchdog = start_watchdog();
        let adds: String = self.live.iter().map(|g| format!("add {g}\n")).collect();
        if let Some(stdin) = self.watchdog.as_mut()
            && stdin.write_all(adds.as_bytes()).is_err()
        {
            self.watchdog = None;
        }
    }
}

fn start_watchdog() -> Option<ChildStdin> {
    Command::new("/bin/sh")
        .args(["-c", WATCHDOG_SCRIPT])
        .env_clear()
        .current_dir("/")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own group, so the terminal's Ctrl-C (sent to mcpctl's group) does not stop it.
        .process_group(0)
        .spawn()
        .ok()
        .and_then(|mut child| child.stdin.take())
}

/// Records a new server's process group (also with the watchdog).
pub(crate) fn register(pgid: Pid) {
    let mut registry = registry();
    if registry.live.insert(pgid.as_raw()) {
        let line = format!("add {}\n", pgid.as_raw());
        registry.tell(&line);
    }
}

/// Forgets a process group that has been killed.
pub(crate) fn unregister(pgid: Pid) {
    let mut registry = registry();
    if registry.live.remove(&pgid.as_raw()) {
        let line = format!("del {}\n", pgid.as_raw());
        registry.tell(&line);
    }
}

/// Kills (SIGKILL) the process group of every stdio server this process started and has not
/// yet shut down, and returns how many there were.
///
/// For a front end's Ctrl-C or SIGTERM handler, right before it exits: dropping each client is
/// the normal path, but an exiting process may not get to run those destructors. The clients
/// stay usable as values; their servers are gone, so requests fail.
pub fn kill_all_process_groups() -> usize {
    let mut registry = registry();
    let groups = std::mem::take(&mut registry.live);
    for &pgid in &groups {
        // ESRCH (already gone) is fine: the point is that nothing survives.
        let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
    }
    let dels: String = groups.iter().map(|g| format!("del {g}\n")).collect();
    if !dels.is_empty() {
        registry.tell(&dels);
        drop(registry);
        // Descendants that left their group become ours once their parents are gone.
        std::thread::sleep(std::time::Duration::from_millis(20));
        let leaders: Vec<i32> = groups.iter().copied().collect();
        crate::escapees::kill_adopted(&crate::escapees::own_prefix(), &leaders);
    }
    groups.len()
}

/// The registered groups (for tests).
#[cfg(test)]
pub(crate) fn live() -> Vec<i32> {
    registry().live.iter().copied().collect()
}
