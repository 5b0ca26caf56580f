//! Files that steer mcpctl must be the user's own (issue 13): a config, managed config or
//! requirements file, or the folder holding one, that another user can write is refused with
//! the file, its mode and the fix, and nothing it names runs.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use mcpctl_test_support::OtherUser;

use crate::support::TestHome;

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_file_or_folder_others_can_write_is_refused_and_nothing_runs() {
    let t = TestHome::new();
    let marker = t.marker("docs");
    let script = marker.write_script(t.path(), "docs-mcp", 1);
    let server = format!(
        "[mcp_servers.docs]\ncommand = {:?}\n",
        script.display().to_string()
    );
    // Control: with private files the server starts.
    t.write_config(&server);
    t.run(&["tools", "docs"]);
    assert!(marker.ran(), "control did not start the server");
    fs::remove_file(marker.path()).unwrap();

    let managed = t.home().join("managed_config.toml");
    fs::write(&managed, "").unwrap();
    let requirements = t.sys().join("requirements.toml");
    fs::write(&requirements, "").unwrap();
    let cases: [(&Path, u32, &str); 5] = [
        (
            &t.config_path(),
            0o666,
            "[TMP]/home/config.toml is writable by other users (mode 0666)",
        ),
        (
            &managed,
            0o646,
            "[TMP]/home/managed_config.toml is writable by other users (mode 0646)",
        ),
        (
            &requirements,
            0o666,
            "[TMP]/sys/requirements.toml is writable by other users (mode 0666)",
        ),
        (
            &t.home(),
            0o777,
            "[TMP]/home is writable by other users (mode 0777)",
        ),
        (
            &t.sys(),
            0o757,
            "[TMP]/sys is writable by other users (mode 0757)",
        ),
    ];
    for (path, mode, expected) in cases {
        let before = fs::metadata(path).unwrap().permissions().mode() & 0o7777;
        chmod(path, mode);
        let run = t.run(&["tools", "docs"]).fails(1);
        assert!(run.stderr.contains(expected), "{expected}\n{}", run.stderr);
        assert!(run.stderr.contains("chmod go-w"), "{}", run.stderr);
        assert!(!marker.ran(), "{expected}: the server ran");
        chmod(path, before);
    }
    // Sticky folders (such as /tmp) may be world-writable.
    chmod(&t.sys(), 0o1777);
    t.run(&["get", "docs"]).ok();
}

/// The attack of issue 13 under umask 000: a second user plants `managed_config.toml` in the
/// victim's home to run a program as the victim.
#[test]
fn a_managed_config_planted_by_another_user_is_refused() {
    let Some(other) = OtherUser::get() else {
        return;
    };
    let t = TestHome::new();
    t.share_with_other_users();
    let marker = t.marker("planted");
    let script = marker.write_script(t.path(), "planted-mcp", 1);
    t.write_config("[mcp_servers.docs]\ncommand = \"docs-mcp\"\n");
    chmod(&t.home(), 0o777);
    let planted = t.home().join("managed_config.toml");
    let text = format!(
        "[mcp_servers.docs]\ncommand = {:?}\n",
        script.display().to_string()
    );
    let status = other
        .command("sh")
        .arg("-c")
        .arg("cat > \"$1\"")
        .arg("sh")
        .arg(&planted)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(text.as_bytes())?;
            child.wait()
        })
        .unwrap();
    assert!(status.success(), "the second user could not plant the file");
    // Even with the home folder made private again, the planted file is not the user's.
    chmod(&t.home(), 0o755);
    let run = t.run(&["tools", "docs"]).fails(1);
    assert!(
        run.stderr
            .contains("[TMP]/home/managed_config.toml belongs to another user"),
        "{}",
        run.stderr
    );
    assert!(!marker.ran(), "the planted server ran");
}

/// What mcpctl creates is private, checked as a second user (issue 13): a live command run
/// before any write creates the home 0700, `log/` 0700 and the server's log 0600, and the
/// second user cannot read a token the server printed to its stderr.
#[test]
fn what_mcpctl_creates_is_private_to_the_user() {
    use std::os::unix::fs::MetadataExt as _;
    let t = TestHome::new();
    t.share_with_other_users();
    let home = t.path().join("fresh-home");
    let server = mcpctl_test_support::test_server_bin();
    // The config comes from -c alone, so nothing was written before the live command.
    let output = t
        .mcpctl()
        .env("MCPCTL_HOME", &home)
        .args([
            "-c",
            "mcp_servers.docs.command=\"sh\"",
            "-c",
            &format!(
                "mcp_servers.docs.args=[\"-c\", \"echo token-s3cret-77 >&2; exec {}\"]",
                server.display()
            ),
            "tools",
            "docs",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mode = |p: &Path| fs::metadata(p).unwrap().mode() & 0o777;
    let log_dir = home.join("log");
    let log = fs::read_dir(&log_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".log"))
        .expect("a server log");
    assert!(
        fs::read_to_string(&log)
            .unwrap()
            .contains("token-s3cret-77")
    );
    assert_eq!(mode(&home), 0o700, "home");
    assert_eq!(mode(&log_dir), 0o700, "log/");
    assert_eq!(mode(&log), 0o600, "{}", log.display());
    for entry in walk(&home) {
        let m = mode(&entry);
        assert_eq!(m & 0o077, 0, "{} is {m:o}", entry.display());
    }
    let Some(other) = OtherUser::get() else {
        return;
    };
    assert!(
        !other.can_read(&log),
        "the second user can read the server log"
    );
    assert_eq!(other.read(&log), None);
    assert!(!other.can_write(&home));
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}
