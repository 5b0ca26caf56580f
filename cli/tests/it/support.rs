//! The shared test context (`mcpctl-test-support`) with this crate's `mcpctl` binary.

use std::ops::Deref;

pub use mcpctl_test_support::{Run, read};

/// A throwaway home, system folder and working folder for one test; see
/// [`mcpctl_test_support::TestHome`] for what it offers.
pub struct TestHome(mcpctl_test_support::TestHome);

impl TestHome {
    pub fn new() -> Self {
        Self(mcpctl_test_support::TestHome::new().with_mcpctl(env!("CARGO_BIN_EXE_mcpctl")))
    }

    /// `mcpctl` with this home, no inherited backtraces, run in the work folder.
    pub fn cmd(&self) -> std::process::Command {
        self.0.mcpctl()
    }
}

impl Deref for TestHome {
    type Target = mcpctl_test_support::TestHome;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}
