//! Private, size-capped log files (a server's stderr).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::dirs::create_private_dir;
use crate::names::safe_file_name;

/// The size at which a log is rotated: 1 MiB.
pub const DEFAULT_LOG_CAP: u64 = 1024 * 1024;

/// An append-only log file in a private folder, one per server.
#[derive(Debug)]
pub struct LogFile {
    path: PathBuf,
    file: File,
}

impl LogFile {
    /// Opens `<dir>/<safe name>.log` for appending (folder 0700, file 0600). A log larger than
    /// `cap` is first moved to `<name>.log.1` (replacing an older one), so a chatty server
    /// never fills the disk. A header line with the time and `run` starts this run's part.
    pub fn open(dir: &Path, name: &str, cap: u64, run: &str) -> io::Result<Self> {
        create_private_dir(dir)?;
        let path = dir.join(format!("{}.log", safe_file_name(name)));
        if fs::metadata(&path).is_ok_and(|m| m.len() > cap) {
            let mut old = path.clone().into_os_string();
            old.push(".1");
            fs::rename(&path, PathBuf::from(old))?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&path)?;
        writeln!(file, "--- {} {run}", utc_now())?;
        Ok(Self { path, file })
    }

    /// The log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open file, for handing to a child process as its stderr.
    pub fn into_file(self) -> File {
        self.file
    }
}

/// Opens `<dir>/<safe name>.jsonl` for appending records (folder 0700, file 0600), such as the
/// gateway's audit log. Each `write` of a whole line is one append.
pub fn open_jsonl(dir: &Path, name: &str) -> io::Result<File> {
    create_private_dir(dir)?;
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(dir.join(format!("{}.jsonl", safe_file_name(name))))
}

/// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn logs_are_private_headed_and_rotated() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("log");
        let log = LogFile::open(&dir, "a/b", 100, "pid 1").unwrap();
        let path = log.path().to_path_buf();
        assert_ne!(path, dir.join("a_b.log"));
        let mut file = log.into_file();
        file.write_all(&[b'x'; 200]).unwrap();
        drop(file);
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("--- 20"), "{text}");
        assert!(text.lines().next().unwrap().ends_with("Z pid 1"));
        LogFile::open(&dir, "a/b", 100, "pid 2").unwrap();
        let rotated = fs::read_to_string(format!("{}.1", path.display())).unwrap();
        assert!(rotated.contains("pid 1"));
        let fresh = fs::read_to_string(&path).unwrap();
        assert!(fresh.contains("pid 2") && !fresh.contains("pid 1"));
    }

    #[test]
    fn dates_are_civil() {
        let now = utc_now();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.starts_with("20"));
    }
}
