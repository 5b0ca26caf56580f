//! Starting a stdio server: PATH lookup, a small environment, its own process group, stderr capture.

use std::collections::{BTreeMap, VecDeque};
use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};
use tokio::task::JoinHandle;

use crate::error::{ClientError, StderrTail, TAIL_LINE_CHARS, TAIL_LINES, cut, escape_line};
use crate::{escapees, groups};

/// Variables a stdio server inherits from mcpctl without being named in `env_vars`
/// (plus every `LC_*` variable). Anything else must be passed explicitly.
pub const DEFAULT_ENV_VARS: &[&str] = &[
    "HOME", "LOGNAME", "PATH", "SHELL", "USER", "USERNAME", "LANG", "LANGUAGE", "TERM", "TMPDIR",
    "TZ",
];

/// How to start a stdio server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StdioSpec {
    /// The program: a path, or a name looked up on PATH.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Variables set for the child, with their values (they win over everything else).
    pub env: BTreeMap<String, String>,
    /// Names of variables passed through from mcpctl's environment, when set there.
    pub env_vars: Vec<String>,
    /// The child's working directory (mcpctl's when unset).
    pub cwd: Option<PathBuf>,
    /// A file the child's stderr is appended to (created with its folder when missing).
    pub stderr_log: Option<PathBuf>,
}

impl StdioSpec {
    /// The complete environment of the child: the defaults, the named variables, then `env`.
    pub fn child_env(&self) -> BTreeMap<String, String> {
        let mut vars: BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| {
                DEFAULT_ENV_VARS.contains(&k.as_str())
                    || k.starts_with("LC_")
                    || self.env_vars.contains(k)
            })
            .collect();
        vars.extend(self.env.iter().map(|(k, v)| (k.clone(), v.clone())));
        vars
    }
}

/// Finds `program` on the child's PATH; a program with a `/` is used as given.
pub(crate) fn resolve_program(
    server: &str,
    program: &str,
    path: Option<&str>,
) -> Result<PathBuf, ClientError> {
    let not_found = || ClientError::ProgramNotFound {
        server: server.to_owned(),
        program: program.to_owned(),
    };
    if program.contains('/') {
        return Ok(PathBuf::from(program));
    }
    let path = path.ok_or_else(not_found)?;
    std::env::split_paths(&OsString::from(path))
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
        .ok_or_else(not_found)
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A started child: its pipes, its process group and the stderr collector.
pub(crate) struct Spawned {
    pub stdin: ChildStdin,
    pub stdout: ChildStdout,
    pub group: ProcessGroup,
    pub stderr: StderrCollector,
}

/// Starts the child in its own process group with a cleared environment.
pub(crate) fn spawn(server: &str, spec: &StdioSpec) -> Result<Spawned, ClientError> {
    let env = spec.child_env();
    let program = resolve_program(server, &spec.program, env.get("PATH").map(String::as_str))?;
    let tag = escapees::new_tag();
    escapees::become_subreaper();
    let mut command = Command::new(&program);
    command
        .args(&spec.args)
        .env_clear()
        .envs(&env)
        .env(escapees::TAG_VAR, &tag)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    if let Some(cwd) = &spec.cwd {
        // Checked here: the OS reports a missing cwd as a missing program.
        if !cwd.exists() {
            return Err(ClientError::CwdNotFound {
                server: server.to_owned(),
                cwd: cwd.clone(),
            });
        }
        command.current_dir(cwd);
    }
    let spawn_error = |source| ClientError::Spawn {
        server: server.to_owned(),
        program: program.display().to_string(),
        source,
    };
    let mut child = command.spawn().map_err(spawn_error)?;
    let pid = child.id();
    let (Some(stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(spawn_error(std::io::Error::other(
            "the child's pipes were not set up",
        )));
    };
    let pgid = pid.and_then(|p| i32::try_from(p).ok()).map(Pid::from_raw);
    if let Some(pgid) = pgid {
        groups::register(pgid);
    }
    let group = ProcessGroup {
        pid,
        tag,
        pgid: std::sync::Mutex::new(pgid),
        child: tokio::sync::Mutex::new(Some(child)),
        status: std::sync::OnceLock::new(),
    };
    let stderr = StderrCollector::start(stderr, spec.stderr_log.clone());
    Ok(Spawned {
        stdin,
        stdout,
        group,
        stderr,
    })
}

/// The child's process group; dropping it kills the whole group (SIGKILL) so no
/// grandchild outlives the client.
pub(crate) struct ProcessGroup {
    pid: Option<u32>,
    /// The value of [`escapees::TAG_VAR`] its processes carry.
    tag: String,
    /// `None` once the group has been killed.
    pgid: std::sync::Mutex<Option<Pid>>,
    /// `None` once reaped.
    child: tokio::sync::Mutex<Option<Child>>,
    /// How the child ended, once known.
    status: std::sync::OnceLock<ExitStatus>,
}

impl ProcessGroup {
    /// The child's process id (also the group id).
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// How the child exited, waiting at most `grace` for it to exit.
    ///
    /// `None` while it still runs. Once it has exited (and so been reaped), its group is
    /// killed at once: a reaped leader's group id may be reused, so it must not be signalled
    /// later, and the connection is over anyway.
    pub async fn exit_status(&self, grace: Duration) -> Option<ExitStatus> {
        if let Some(status) = self.status.get() {
            return Some(*status);
        }
        let mut child = self.child.lock().await;
        let status = match child.as_mut() {
            Some(running) => match tokio::time::timeout(grace, running.wait()).await {
                Ok(Ok(status)) => status,
                _ => return None,
            },
            None => return self.status.get().copied(),
        };
        *child = None;
        self.kill();
        escapees::kill_adopted(&self.tag, &[]);
        Some(*self.status.get_or_init(|| status))
    }

    /// Kills the group and waits for the child to be reaped.
    pub async fn kill_and_wait(&self) {
        self.kill();
        let mut child = self.child.lock().await;
        if let Some(running) = child.as_mut()
            && let Ok(status) = running.wait().await
        {
            let _ = self.status.set(status);
        }
        *child = None;
        // The leader is gone, so whatever of its descendants left the group is ours now.
        escapees::kill_adopted(&self.tag, &[]);
    }

    fn kill(&self) {
        let pgid = self
            .pgid
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(pgid) = pgid {
            // ESRCH (already gone) is the expected outcome after a clean exit.
            let _ = killpg(pgid, Signal::SIGKILL);
            groups::unregister(pgid);
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
        // Reap the child so it does not linger as a zombie while mcpctl keeps running.
        if let (Some(mut child), Ok(runtime)) = (
            self.child.get_mut().take(),
            tokio::runtime::Handle::try_current(),
        ) {
            runtime.spawn(async move {
                let _ = child.wait().await;
            });
        }
    }
}

/// Reads the child's stderr: appends it to the log file and keeps the last lines.
pub(crate) struct StderrCollector {
    tail: Arc<Mutex<VecDeque<String>>>,
    /// Becomes `true` when the child has closed stderr.
    done: tokio::sync::watch::Receiver<bool>,
    task: JoinHandle<()>,
}

impl StderrCollector {
    fn start(stderr: ChildStderr, log: Option<PathBuf>) -> Self {
        let tail = Arc::new(Mutex::new(VecDeque::with_capacity(TAIL_LINES)));
        let (done_tx, done) = tokio::sync::watch::channel(false);
        let task = tokio::spawn({
            let tail = Arc::clone(&tail);
            async move {
                collect(stderr, log, tail).await;
                let _ = done_tx.send(true);
            }
        });
        Self { tail, done, task }
    }

    /// The last lines, once the child has closed stderr or `wait` has passed.
    pub async fn finish(&self, wait: Duration) -> StderrTail {
        let mut done = self.done.clone();
        let _ = tokio::time::timeout(wait, done.wait_for(|done| *done)).await;
        self.snapshot()
    }

    /// The last lines read so far.
    pub fn snapshot(&self) -> StderrTail {
        let tail = self
            .tail
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        StderrTail(tail.iter().cloned().collect())
    }
}

impl Drop for StderrCollector {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Copies the child's stderr to the log and keeps its last lines, each cut to
/// [`TAIL_LINE_CHARS`]: a server that writes a gigabyte without a newline costs no memory.
async fn collect(stderr: ChildStderr, log: Option<PathBuf>, tail: Arc<Mutex<VecDeque<String>>>) {
    let mut file = match log {
        Some(path) => open_log(&path).await,
        None => None,
    };
    let mut reader = BufReader::new(stderr);
    // The start of the current line; bytes past the room are dropped (but logged).
    let room = TAIL_LINE_CHARS * 4 + 1;
    let mut line = Vec::new();
    loop {
        let chunk = match reader.fill_buf().await {
            Ok(chunk) if !chunk.is_empty() => chunk,
            _ => break,
        };
        let newline = chunk.iter().position(|&b| b == b'\n');
        let take = newline.map_or(chunk.len(), |at| at + 1);
        if let Some(f) = file.as_mut()
            && f.write_all(&chunk[..take]).await.is_err()
        {
            file = None;
        }
        let keep = take.min(room.saturating_sub(line.len()));
        line.extend_from_slice(&chunk[..keep]);
        reader.consume(take);
        if newline.is_some() {
            push_tail(&tail, &line);
            line.clear();
        }
    }
    if !line.is_empty() {
        push_tail(&tail, &line);
    }
    if let Some(f) = file.as_mut() {
        let _ = f.flush().await;
    }
}

fn push_tail(tail: &Mutex<VecDeque<String>>, line: &[u8]) {
    let text = String::from_utf8_lossy(line);
    let text = escape_line(text.trim_end());
    let text = cut(&text, TAIL_LINE_CHARS);
    let mut tail = tail
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if tail.len() == TAIL_LINES {
        tail.pop_front();
    }
    tail.push_back(text);
}

/// Opens the log for appending (folder 0700, file 0600, rotated past 1 MiB, a header line per
/// run); a log that cannot be written is skipped, not fatal.
async fn open_log(path: &Path) -> Option<tokio::fs::File> {
    let dir = path.parent()?.to_path_buf();
    let name = path.file_stem()?.to_string_lossy().to_string();
    let run = format!(
        "mcpctl {} started (pid {})",
        env!("CARGO_PKG_VERSION"),
        std::process::id()
    );
    let opened = tokio::task::spawn_blocking(move || {
        mcpctl_private_file::LogFile::open(&dir, &name, mcpctl_private_file::DEFAULT_LOG_CAP, &run)
    })
    .await
    .ok()?
    .ok()?;
    Some(tokio::fs::File::from_std(opened.into_file()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_names_the_missing_program() {
        let err =
            resolve_program("demo", "no-such-program-xyz", Some("/usr/bin:/bin")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "server `demo`: program `no-such-program-xyz` not found on PATH; install it or set `command` to its full path"
        );
    }

    #[test]
    fn resolve_finds_programs_on_path() {
        let found = resolve_program("demo", "sh", Some("/nonexistent:/bin:/usr/bin")).unwrap();
        assert!(found.ends_with("sh"), "{found:?}");
    }

    fn alive(pid: i32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            stat.rsplit_once(") ")
                .is_some_and(|(_, r)| !r.starts_with('Z'))
        })
    }

    /// A shell (the group leader) with a background grandchild; returns both pids.
    async fn group_with_grandchild() -> (Spawned, i32, i32) {
        let spec = StdioSpec {
            program: "sh".to_owned(),
            args: vec!["-c".to_owned(), "sleep 30 & echo $!; wait".to_owned()],
            ..StdioSpec::default()
        };
        let mut spawned = spawn("demo", &spec).unwrap();
        let mut line = String::new();
        BufReader::new(&mut spawned.stdout)
            .read_line(&mut line)
            .await
            .unwrap();
        let leader = i32::try_from(spawned.group.pid().unwrap()).unwrap();
        (spawned, leader, line.trim().parse().unwrap())
    }

    // The only test in this binary that starts processes: it kills every registered group.
    #[tokio::test]
    async fn kill_all_process_groups_kills_every_group_and_its_children() {
        let (first, leader_a, child_a) = group_with_grandchild().await;
        let (second, leader_b, child_b) = group_with_grandchild().await;
        assert!(
            [leader_a, child_a, leader_b, child_b]
                .into_iter()
                .all(alive)
        );
        assert_eq!(
            groups::live(),
            vec![leader_a.min(leader_b), leader_a.max(leader_b)]
        );

        assert_eq!(groups::kill_all_process_groups(), 2);
        assert!(groups::live().is_empty());
        let all = [leader_a, child_a, leader_b, child_b];
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while all.into_iter().any(alive) && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // `alive` counts zombies as dead: the leaders wait for their reaping below.
        assert!(!all.into_iter().any(alive), "survivors among {all:?}");
        assert_eq!(groups::kill_all_process_groups(), 0);
        for spawned in [first, second] {
            spawned.group.kill_and_wait().await;
        }
    }

    #[test]
    fn child_env_is_small_and_explicit() {
        let spec = StdioSpec {
            env: BTreeMap::from([
                ("PATH".to_owned(), "/custom".to_owned()),
                ("X".to_owned(), "1".to_owned()),
            ]),
            ..StdioSpec::default()
        };
        let env = spec.child_env();
        assert_eq!(env.get("PATH").map(String::as_str), Some("/custom"));
        assert_eq!(env.get("X").map(String::as_str), Some("1"));
        assert!(
            env.keys().all(|k| DEFAULT_ENV_VARS.contains(&k.as_str())
                || k.starts_with("LC_")
                || k == "X"),
            "{env:?}"
        );
    }
}
