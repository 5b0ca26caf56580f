//! The `mcpctl-test-server` binary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The test server binary: `$MCPCTL_TEST_SERVER_BIN` (set by Bazel), else the one cargo builds
/// into the calling test executable's target folder.
///
/// `nextest --workspace` builds only test targets, not another package's binary, so it is
/// built here when missing (cargo's lock serialises tests that race to do it).
///
/// # Panics
/// When the binary can't be found or built: a test can't run without it.
pub fn test_server_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("MCPCTL_TEST_SERVER_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    // target/debug/deps/<test>-<hash> → target/debug/mcpctl-test-server
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let bin = dir.join("mcpctl-test-server");
    if !bin.is_file() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let built = Command::new(cargo)
            .args(["build", "--quiet", "-p", "mcpctl-test-server"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            built,
            "building the test server failed: run `cargo build -p mcpctl-test-server`"
        );
    }
    assert!(
        bin.is_file(),
        "{} is missing: run `cargo build -p mcpctl-test-server`",
        bin.display()
    );
    bin
}
