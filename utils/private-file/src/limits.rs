//! Process settings that keep a write from killing mcpctl silently.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Stops `SIGXFSZ` (a write past `ulimit -f`) from killing the process without a word: the
/// write then fails with `EFBIG`, which is reported like any other write error and leaves the
/// file intact. Call once at startup; returns false when the handler could not be installed.
pub fn ignore_file_size_signal() -> bool {
    signal_hook::flag::register(
        signal_hook::consts::SIGXFSZ,
        Arc::new(AtomicBool::new(false)),
    )
    .is_ok()
}

/// Raises the soft limit on open files to the hard limit, so hundreds of servers (each a few
/// pipes and a log file) fit under the common soft limit of 1024. Returns the new soft limit.
pub fn raise_open_file_limit() -> Option<u64> {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).ok()?;
    if soft < hard {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard).ok()?;
        return Some(hard);
    }
    Some(soft)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_file_limit_goes_up_to_the_hard_limit() {
        let raised = raise_open_file_limit().unwrap();
        let (soft, hard) =
            nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE).unwrap();
        assert_eq!(soft, hard);
        assert_eq!(raised, soft);
        assert!(ignore_file_size_signal());
    }
}
