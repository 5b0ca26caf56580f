//! Local faults (issue 14 §3): a clear message, nothing lost.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::TestHome;

fn big_config(t: &TestHome) -> String {
    let text: String = (0..40)
        .map(|i| {
            format!(
                "[mcp_servers.s{i}]\ncommand = \"echo\"\nargs = [\"{}\"]\n\n",
                "x".repeat(40)
            )
        })
        .collect();
    t.write_config(&text);
    text
}

/// With `ulimit -f`, a write fails with EFBIG and the usual error instead of SIGXFSZ killing
/// mcpctl without a word; the file is intact and no temporary file is left.
#[test]
fn a_file_size_limit_is_an_error_and_the_file_is_intact() {
    let t = TestHome::new();
    let before = big_config(&t);
    let mcpctl = env!("CARGO_BIN_EXE_mcpctl");
    let output = t
        .command("bash")
        .args([
            "-c",
            &format!("ulimit -f 2; exec {mcpctl:?} add zz -- echo hi"),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(!stderr.contains("mcpctl-tmp"), "{stderr}");
    assert_eq!(t.config(), before);
    let leftovers: Vec<String> = std::fs::read_dir(t.home())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A writer stopped while holding the lock (Ctrl-Z): the next one says who holds it after a
/// second, and gives up after MCPCTL_LOCK_TIMEOUT with an error naming the lock file.
#[test]
fn a_stuck_lock_holder_is_named_and_the_wait_ends() {
    let t = TestHome::new();
    big_config(&t);
    // A process that takes the lock the way mcpctl does (flock) and writes its pid, then sleeps.
    let lock = t.home().join("config.toml.lock");
    let mut holder = Command::new("python3")
        .args([
            "-c",
            "import fcntl,os,sys,time\nf=open(sys.argv[1],'a+')\nfcntl.flock(f,fcntl.LOCK_EX)\nf.truncate(0);f.write('mcpctl %d\\n'%os.getpid());f.flush()\nprint('locked',flush=True)\ntime.sleep(60)",
            lock.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), "locked");
    let started = Instant::now();
    let output = t
        .cmd()
        .env("MCPCTL_LOCK_TIMEOUT", "2")
        .args(["add", "late", "--", "echo"])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let _ = holder.kill();
    let _ = holder.wait();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let pid = holder.id();
    assert!(
        stderr.contains(&format!("note: waiting for mcpctl (pid {pid}) to release")),
        "{stderr}"
    );
    assert!(
        stderr.contains("config.toml.lock: gave up after 2 s"),
        "{stderr}"
    );
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert!(!t.config().contains("late"));
    // Once the holder is gone, the add goes through.
    t.run(&["add", "late", "--", "echo"]).ok();
}

/// Tool names longer than MCP's 128 characters are left out with a warning naming the server;
/// a 128-character name is kept whole in `--json` and cut only in the table.
#[test]
fn over_long_tool_names_are_refused_with_a_warning() {
    let t = TestHome::new();
    t.write_config(&format!(
        "[mcp_servers.h]\ncommand = {:?}\nargs = [\"--hostile\", \"long-tool-names\"]\n",
        mcpctl_test_support::test_server_bin().display().to_string()
    ));
    let run = t.run(&["tools", "h", "--json"]).ok();
    let names: Vec<String> = run.json()["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| tool["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["echo".to_string(), "m".repeat(128)]);
    assert!(
        run.stderr
            .contains("server 'h' offered a tool whose name is 70000 characters long")
            && run
                .stderr
                .contains("server 'h' offered a tool whose name is 129 characters long")
            && run.stderr.contains("MCP allows at most 128"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.len() < 1_000,
        "the warning must not print the whole name"
    );
    let table = t.run(&["tools", "h"]).ok();
    assert!(table.stdout.contains("echo"), "{}", table.stdout);
    assert!(!table.stdout.contains(&"x".repeat(200)), "{}", table.stdout);
}
