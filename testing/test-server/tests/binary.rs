//! The test server as a program. Having an integration test here also makes
//! `cargo nextest run --workspace` build the binary in the same build as every other test, so
//! the suites that spawn it never need a second cargo build.
#![allow(clippy::disallowed_methods)]

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_mcpctl-test-server");

#[test]
fn help_lists_every_switch() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for switch in [
        "--http",
        "--init-delay-ms",
        "--crash-on-start",
        "--crash-mid-call",
        "--slow-ms",
        "--tools",
        "--bearer-token",
        "--list-changed",
        "--mrtr",
        "--exit-before-init",
        "--print-garbage",
        "--elicitation-tool",
        "--hostile",
        "--count",
    ] {
        assert!(help.contains(switch), "{switch} missing from:\n{help}");
    }
}

#[test]
fn crash_on_start_exits_3_and_says_so() {
    let out = Command::new(BIN).arg("--crash-on-start").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("mcpctl-test-server: starting"), "{stderr}");
}
