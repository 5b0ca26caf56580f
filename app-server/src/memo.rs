//! Answers kept as serialised JSON while what they were built from is unchanged, so that a
//! client polling `config/read` or `mcpServerStatus/list` costs a lookup, not a rebuild.
//!
//! An entry is current while the server holds the same loaded workspace (a write or reload
//! replaces it) and every file the answer was read from has the same metadata (inode, size,
//! modification time: the caches are replaced by rename, so a new file is a new inode), and
//! for at most [`MAX_AGE`]: an auth status also depends on the clock (a token that expired).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use mcpctl_core::Workspace;
use serde_json::value::RawValue;

/// What a file looked like when an answer was built from it (`None`: it did not exist).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp(Option<(u64, u64, SystemTime)>);

impl Stamp {
    fn of(path: &PathBuf) -> Self {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Self(std::fs::metadata(path).ok().map(|m| {
            #[cfg(unix)]
            let inode = m.ino();
            #[cfg(not(unix))]
            let inode = 0;
            (
                inode,
                m.len(),
                m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            )
        }))
    }
}

/// How long an answer is kept even when nothing it was read from changed.
pub(crate) const MAX_AGE: Duration = Duration::from_secs(1);

struct Entry<W> {
    built: Instant,
    /// Held, not only compared: an address can't be reused while the entry keeps it alive.
    workspace: Arc<W>,
    files: Vec<(PathBuf, Stamp)>,
    answer: Arc<RawValue>,
}

/// Memoised answers, keyed by method and parameters.
pub(crate) struct Memo<W = Workspace> {
    entries: Mutex<HashMap<String, Entry<W>>>,
}

impl<W> Default for Memo<W> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

/// The files an answer depends on, stamped before it is built (a change while it is being
/// built then shows as a difference on the next lookup, never as a stale hit).
pub(crate) struct Inputs(Vec<(PathBuf, Stamp)>);

impl Inputs {
    pub(crate) fn stamp(files: Vec<PathBuf>) -> Self {
        Self(
            files
                .into_iter()
                .map(|path| {
                    let stamp = Stamp::of(&path);
                    (path, stamp)
                })
                .collect(),
        )
    }
}

impl<W> Memo<W> {
    /// The kept answer for `key`, if it was built from `workspace` and files that are unchanged.
    pub(crate) fn get(&self, key: &str, workspace: &Arc<W>) -> Option<Arc<RawValue>> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        let current = entry.built.elapsed() < MAX_AGE
            && Arc::ptr_eq(&entry.workspace, workspace)
            && entry
                .files
                .iter()
                .all(|(path, stamp)| Stamp::of(path) == *stamp);
        current.then(|| Arc::clone(&entry.answer))
    }

    /// Keeps `answer` for `key`; entries of an older workspace are dropped.
    pub(crate) fn put(
        &self,
        key: String,
        workspace: &Arc<W>,
        inputs: Inputs,
        answer: Arc<RawValue>,
    ) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, e| Arc::ptr_eq(&e.workspace, workspace));
            entries.insert(
                key,
                Entry {
                    built: Instant::now(),
                    workspace: Arc::clone(workspace),
                    files: inputs.0,
                    answer,
                },
            );
        }
    }
}

#[cfg(test)]
// Test fixtures: plain files in a temporary folder.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    fn answer(text: &str) -> Arc<RawValue> {
        Arc::from(RawValue::from_string(text.to_string()).unwrap())
    }

    #[test]
    fn an_answer_is_kept_until_its_workspace_or_a_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cache.json");
        std::fs::write(&file, "1").unwrap();
        let memo: Memo<u32> = Memo::default();
        let first = Arc::new(1);
        memo.put(
            "k".into(),
            &first,
            Inputs::stamp(vec![file.clone()]),
            answer("[1]"),
        );
        assert_eq!(memo.get("k", &first).unwrap().get(), "[1]");
        assert!(memo.get("other", &first).is_none());

        // Another workspace (a reload) misses, even with equal contents.
        assert!(memo.get("k", &Arc::new(1)).is_none());

        // The file replaced by rename (as the caches are written) misses.
        let next = dir.path().join("next.json");
        std::fs::write(&next, "1").unwrap();
        std::fs::rename(&next, &file).unwrap();
        assert!(memo.get("k", &first).is_none());

        // A file that appears misses too.
        let absent = dir.path().join("absent.json");
        memo.put(
            "k".into(),
            &first,
            Inputs::stamp(vec![absent.clone()]),
            answer("[2]"),
        );
        assert_eq!(memo.get("k", &first).unwrap().get(), "[2]");
        std::fs::write(&absent, "x").unwrap();
        assert!(memo.get("k", &first).is_none());
    }

    #[test]
    fn entries_of_an_older_workspace_are_dropped() {
        let memo: Memo<u32> = Memo::default();
        let old = Arc::new(1);
        memo.put("a".into(), &old, Inputs::stamp(Vec::new()), answer("1"));
        let new = Arc::new(2);
        memo.put("b".into(), &new, Inputs::stamp(Vec::new()), answer("2"));
        assert_eq!(memo.entries.lock().unwrap().len(), 1);
        assert_eq!(Arc::strong_count(&old), 1, "the old workspace is released");
    }
}
