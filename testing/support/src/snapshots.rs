//! insta settings that make output stable across runs: durations, process ids and loopback
//! ports vary, temporary paths are per test.

/// What a test's temporary root becomes in redacted output and snapshots.
pub const TMP: &str = "[TMP]";

/// The regex filters [`insta_settings`] applies, as `(pattern, replacement)`.
pub const FILTERS: &[(&str, &str)] = &[
    // `12ms`, `1.5 s`, `250µs`: timings printed by progress lines and errors.
    (r"\b\d+(\.\d+)?\s?(ns|µs|us|ms|s)\b", "[DURATION]"),
    // `pid 4242`, `pid=4242`, `pid: 4242`.
    (r"\bpid(\s*[=:]\s*|\s+)\d+", "pid [PID]"),
    // A loopback server's port (mock HTTP servers and `--http 0` test servers).
    (r"\b(127\.0\.0\.1|localhost):\d+", "$1:[PORT]"),
    // Temporary folders made by `tempfile` outside a `TestHome`.
    (r"/tmp/\.tmp[A-Za-z0-9]+", "[TMP]"),
];

/// The current insta settings plus [`FILTERS`]. Bind them around snapshot assertions:
/// `insta_settings().bind(|| insta::assert_snapshot!(text))`; `TestHome::insta_settings` adds
/// the home's root.
pub fn insta_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for (pattern, replacement) in FILTERS {
        settings.add_filter(pattern, *replacement);
    }
    settings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pids_and_ports_are_replaced() {
        let text = "s1 failed after 1.5s (pid 4242); s2 ready in 12ms at http://127.0.0.1:40123/mcp, pid=7";
        insta_settings().bind(|| {
            insta::assert_snapshot!(text, @"s1 failed after [DURATION] (pid [PID]); s2 ready in [DURATION] at http://127.0.0.1:[PORT]/mcp, pid [PID]");
        });
    }

    #[test]
    fn words_that_end_in_s_are_kept() {
        let text = "3 servers, 10 tools";
        insta_settings().bind(|| insta::assert_snapshot!(text, @"3 servers, 10 tools"));
    }
}
