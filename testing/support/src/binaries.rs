//! Where the workspace binaries the tests run (`mcpctl`, `mcpctl-test-server`) are.
//!
//! Nothing here builds anything: a test that ran `cargo build` would race the build that started
//! it and could pick up a binary built with other features. The binaries come from the build that
//! produced the test, found in this order:
//!
//! 1. `CARGO_BIN_EXE_<name>` in the environment (Bazel sets it in the test's `env`);
//! 2. `NEXTEST_BIN_EXE_<name>` (nextest sets it for the integration tests of the binary's own
//!    package);
//! 3. a variable of our own (`MCPCTL_TEST_SERVER`, `MCPCTL_BIN`), set by the nextest setup script
//!    (`testing/support/nextest-setup.sh`) or by `just test`;
//! 4. the target folder the running test executable lives in (`target/debug/deps/<test>` →
//!    `target/debug/<name>`), where `cargo test` and `cargo nextest run --workspace` put them.

use std::path::{Path, PathBuf};

/// The variable naming the test server binary, set by the nextest setup script and `just test`.
pub const TEST_SERVER_ENV: &str = "MCPCTL_TEST_SERVER";
/// The variable naming the `mcpctl` binary, for suites outside `mcpctl-cli`.
pub const MCPCTL_ENV: &str = "MCPCTL_BIN";

/// The `mcpctl-test-server` binary.
///
/// # Panics
/// When no built binary is found: the message says how to build it.
pub fn test_server_bin() -> PathBuf {
    find_bin("mcpctl-test-server", TEST_SERVER_ENV).unwrap_or_else(|tried| {
        panic!(
            "mcpctl-test-server is not built (looked at: {tried}): run the tests with `just test` \
             or `cargo nextest run` (its setup script builds it), or `cargo build -p \
             mcpctl-test-server` first, or set {TEST_SERVER_ENV}"
        )
    })
}

/// The `mcpctl` binary.
///
/// # Panics
/// When no built binary is found: the message says how to build it.
pub fn mcpctl_bin() -> PathBuf {
    find_bin("mcpctl", MCPCTL_ENV).unwrap_or_else(|tried| {
        panic!(
            "mcpctl is not built (looked at: {tried}): run `cargo build -p mcpctl-cli` or set \
             {MCPCTL_ENV}"
        )
    })
}

/// The binary `name` from the environment or the running test's target folder; on failure, the
/// places that were tried.
fn find_bin(name: &str, own_var: &str) -> Result<PathBuf, String> {
    let mut tried = Vec::new();
    for var in [
        format!("CARGO_BIN_EXE_{name}"),
        format!("NEXTEST_BIN_EXE_{name}"),
        own_var.to_owned(),
    ] {
        if let Some(value) = std::env::var_os(&var).filter(|v| !v.is_empty()) {
            let path = absolute(Path::new(&value));
            if path.is_file() {
                return Ok(path);
            }
            tried.push(format!("${var}={}", path.display()));
        }
    }
    match target_profile_dir() {
        Some(dir) => {
            let path = dir.join(name);
            if path.is_file() {
                return Ok(path);
            }
            tried.push(path.display().to_string());
        }
        None => tried.push("the running test's target folder (unknown)".to_owned()),
    }
    Err(tried.join(", "))
}

/// `target/<profile>` of the running test: its executable is in `deps/` (tests) or `examples/`,
/// or directly in the profile folder (binaries).
fn target_profile_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    match dir.file_name().and_then(|n| n.to_str()) {
        Some("deps" | "examples") => dir.parent().map(Path::to_path_buf),
        _ => Some(dir.to_path_buf()),
    }
}

/// `path` made absolute against the current folder: a relative program path given to a
/// `Command` with another `current_dir` would be looked up from that folder (Bazel hands out
/// runfiles-relative paths).
pub(crate) fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_binary_lists_every_place_tried() {
        let tried = find_bin("surely-not-a-binary", "MCPCTL_TEST_SURELY_UNSET").unwrap_err();
        assert!(tried.contains("surely-not-a-binary"), "{tried}");
    }

    #[test]
    fn relative_paths_are_made_absolute() {
        let path = absolute(Path::new("x/y"));
        assert!(path.is_absolute());
        assert!(path.ends_with("x/y"));
    }
}
