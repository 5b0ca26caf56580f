//! Many writers at once: nothing is lost, the file always parses.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::TestHome;

fn spawn(t: &TestHome, args: &[&str]) -> Child {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("mcpctl"));
    cmd.current_dir(t.work())
        .env("MCPCTL_HOME", t.home())
        .env("MCPCTL_SYSTEM_DIR", t.sys())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd.spawn().unwrap()
}

#[test]
fn hundred_concurrent_adds_leave_hundred_servers() {
    let t = TestHome::new();
    t.write_config("# shared file\n[mcp_servers.first]\ncommand = \"first\"\n");
    let children: Vec<Child> = (0..100)
        .map(|i| {
            spawn(
                &t,
                &["add", &format!("s{i:03}"), "--", "srv", &i.to_string()],
            )
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let parsed: toml::Table = toml::from_str(&t.config()).unwrap();
    let servers = parsed["mcp_servers"].as_table().unwrap();
    assert_eq!(servers.len(), 101);
    assert_eq!(servers["s042"]["args"][0].as_str(), Some("42"));
    assert!(t.config().starts_with("# shared file\n"));
}

#[test]
fn killed_writers_never_leave_a_broken_file() {
    let t = TestHome::new();
    t.write_config("[mcp_servers.base]\ncommand = \"base\"\n");
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut round = 0u32;
    while Instant::now() < deadline {
        let mut children: Vec<Child> = (0..4)
            .map(|i| {
                let name = format!("k{round}-{i}");
                if i % 2 == 0 {
                    spawn(&t, &["add", &name, "--", "x", "--flag"])
                } else {
                    spawn(&t, &["add", &name, "--url", "http://127.0.0.1:9/mcp"])
                }
            })
            .collect();
        std::thread::sleep(Duration::from_millis(u64::from(round % 7)));
        for child in &mut children {
            let _ = child.kill();
        }
        for mut child in children {
            let _ = child.wait();
        }
        let text = t.config();
        let parsed: Result<toml::Table, _> = toml::from_str(&text);
        assert!(parsed.is_ok(), "round {round}: broken file:\n{text}");
        assert!(text.contains("[mcp_servers.base]"));
        round += 1;
    }
    // The next write sweeps temporary files of killed writers away.
    t.run(&["add", "final", "--", "x"]).ok();
    let leftovers: Vec<String> = std::fs::read_dir(t.home())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n != "config.toml" && n != "config.toml.lock")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
