//! Checks of values typed on a command line, shared by every front end so that a flag and the
//! config key it sets accept the same values.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

pub use mcpctl_config::{MAX_TIMEOUT_SECS, MIN_TIMEOUT_SECS};

/// A timeout in seconds (`--startup-timeout`, `--tool-timeout`, `call --timeout`): a number
/// from 0.001 to 31536000 (one year). The error says the valid range.
pub fn parse_timeout_secs(value: &str) -> Result<Duration, String> {
    let range = || {
        format!(
            "expected a number of seconds from {MIN_TIMEOUT_SECS} to {MAX_TIMEOUT_SECS:.0} (one year), got '{value}'"
        )
    };
    let secs: f64 = value.trim().parse().map_err(|_| range())?;
    if !(MIN_TIMEOUT_SECS..=MAX_TIMEOUT_SECS).contains(&secs) {
        return Err(range());
    }
    Duration::try_from_secs_f64(secs).map_err(|_| range())
}

/// Accepts an `http://` or `https://` URL with a host.
pub fn check_http_url(value: &str) -> Result<(), String> {
    let bad = |why: &str| format!("'{value}' is not a usable server URL: {why}");
    let url = url::Url::parse(value).map_err(|err| bad(&err.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("expected an http:// or https:// URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    Ok(())
}

/// `dir` made absolute against `cwd`, with `.` and `..` folded away (`--cwd .` is stored as
/// the folder itself, not `/x/.`). Symlinks are kept as written.
pub fn absolute_dir(cwd: &Path, dir: &Path) -> PathBuf {
    let joined = cwd.join(dir);
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_out_of_range_are_refused_with_the_range() {
        assert_eq!(parse_timeout_secs("2.5"), Ok(Duration::from_millis(2500)));
        for bad in [
            "0",
            "-1",
            "1e20",
            "1e300",
            "18446744073709551616",
            "1e-300",
            "NaN",
            "inf",
            "x",
        ] {
            let err = parse_timeout_secs(bad).unwrap_err();
            assert!(err.contains("from 0.001 to 31536000"), "{bad}: {err}");
        }
    }

    #[test]
    fn urls_need_http_and_a_host() {
        assert!(check_http_url("https://example.com/mcp").is_ok());
        assert!(check_http_url("http://127.0.0.1:8080").is_ok());
        assert!(check_http_url("notaurl").is_err());
        assert!(check_http_url("ftp://example.com").is_err());
    }

    #[test]
    fn dirs_are_normalised() {
        let cwd = Path::new("/work/x");
        assert_eq!(absolute_dir(cwd, Path::new(".")), PathBuf::from("/work/x"));
        assert_eq!(
            absolute_dir(cwd, Path::new("../y/./z")),
            PathBuf::from("/work/y/z")
        );
        assert_eq!(absolute_dir(cwd, Path::new("/abs")), PathBuf::from("/abs"));
    }
}
