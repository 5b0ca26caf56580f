//! Project trust bound to what was trusted.
//!
//! `mcpctl trust` records, for the exact project root, a fingerprint of the project's config:
//! for every leaf key, a SHA-256 of its value. A project whose config no longer matches is not
//! read until it is trusted again, and the difference can be shown key by key without storing
//! or printing any value (the values may be secrets). The records live in
//! `$MCPCTL_HOME/trusted_projects.json` (mode 0600), beside Codex's
//! `[projects."<dir>"] trust_level`, which mcpctl still writes and reads.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::display_key_path;

/// The file holding the trust records, in `$MCPCTL_HOME`.
pub const TRUST_FILE: &str = "trusted_projects.json";

/// Each leaf key of a project config (dotted) and a digest of its value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint(BTreeMap<String, String>);

impl Fingerprint {
    /// The fingerprint of a project config's table.
    pub fn of(table: &toml::Table) -> Self {
        let mut leaves = BTreeMap::new();
        collect(&mut Vec::new(), table, &mut leaves);
        Self(leaves)
    }

    /// The differences from `trusted` (the fingerprint at trust time) to `self`, one line per
    /// key: `added`, `removed` or `changed`, with no values.
    pub fn changes_since(&self, trusted: &Fingerprint) -> Vec<String> {
        let mut changes = Vec::new();
        for (key, digest) in &self.0 {
            match trusted.0.get(key) {
                None => changes.push(format!("{key}: added")),
                Some(old) if old != digest => changes.push(format!("{key}: changed")),
                Some(_) => {}
            }
        }
        for key in trusted.0.keys() {
            if !self.0.contains_key(key) {
                changes.push(format!("{key}: removed"));
            }
        }
        changes.sort();
        changes
    }
}

fn collect(prefix: &mut Vec<String>, table: &toml::Table, out: &mut BTreeMap<String, String>) {
    for (key, value) in table {
        prefix.push(key.clone());
        match value {
            toml::Value::Table(sub) if !sub.is_empty() => collect(prefix, sub, out),
            other => {
                let digest = Sha256::digest(canonical(other).as_bytes());
                out.insert(display_key_path(prefix), hex(&digest));
            }
        }
        prefix.pop();
    }
}

/// A text of `value` that does not depend on key order or formatting.
fn canonical(value: &toml::Value) -> String {
    match value {
        toml::Value::Table(table) => {
            let mut entries: Vec<(&String, &toml::Value)> = table.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{k:?}={}", canonical(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        toml::Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", inner.join(","))
        }
        toml::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What was trusted for one project root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustRecord {
    /// The fingerprint of the project's config when it was trusted.
    pub fingerprint: Fingerprint,
}

/// The trust records of every project, keyed by the exact project root.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustRecords {
    #[serde(default)]
    projects: BTreeMap<PathBuf, TrustRecord>,
}

/// Reading or writing the trust records failed.
#[derive(Debug, thiserror::Error)]
pub enum TrustStoreError {
    /// The file could not be read or written.
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// `read` or `write`.
        action: &'static str,
        /// The OS error.
        source: io::Error,
    },
    /// The file is not what mcpctl writes.
    #[error("{}: not a trust record file ({source}); delete it and run `mcpctl trust` again in each project you trust", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        source: serde_json::Error,
    },
}

impl TrustRecords {
    /// Reads the records in `home`; a missing file holds none.
    pub fn load(home: &Path) -> Result<Self, TrustStoreError> {
        let path = home.join(TRUST_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|source| TrustStoreError::Corrupt { path, source }),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(TrustStoreError::Io {
                path,
                action: "read",
                source,
            }),
        }
    }

    /// The record of the exact project `root`.
    pub fn get(&self, root: &Path) -> Option<&TrustRecord> {
        self.projects.get(root)
    }

    /// Records (or replaces) what was trusted for `root`.
    pub fn insert(&mut self, root: PathBuf, record: TrustRecord) {
        self.projects.insert(root, record);
    }

    /// Forgets `root`; true when it had a record.
    pub fn remove(&mut self, root: &Path) -> bool {
        self.projects.remove(root).is_some()
    }

    /// Writes the records to `home` atomically, mode 0600.
    pub fn save(&self, home: &Path) -> Result<(), TrustStoreError> {
        let path = home.join(TRUST_FILE);
        let io_error = |source| TrustStoreError::Io {
            path: path.clone(),
            action: "write",
            source,
        };
        mcpctl_private_file::create_private_dir(home).map_err(io_error)?;
        let text = serde_json::to_vec_pretty(self).map_err(|source| TrustStoreError::Corrupt {
            path: path.clone(),
            source,
        })?;
        mcpctl_private_file::write_atomic(&path, &text).map_err(io_error)
    }
}

#[allow(clippy::disallowed_methods)]
#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn order_and_formatting_do_not_matter_values_do() {
        let a = Fingerprint::of(&table(
            "[mcp_servers.x]\ncommand = \"a\"\nenv = { K = \"1\", L = \"2\" }\n",
        ));
        let b = Fingerprint::of(&table(
            "[mcp_servers.x.env]\nL = \"2\"\nK = \"1\"\n[mcp_servers.x]\ncommand   =   \"a\"\n",
        ));
        assert_eq!(a, b);
        let c = Fingerprint::of(&table(
            "[mcp_servers.x]\ncommand = \"a\"\nenv = { K = \"1\", L = \"3\" }\nargs = [\"-e\"]\n[mcp_servers.y]\nurl = \"https://e\"\n",
        ));
        assert_eq!(
            c.changes_since(&a),
            vec![
                "mcp_servers.x.args: added",
                "mcp_servers.x.env.L: changed",
                "mcp_servers.y.url: added"
            ]
        );
        assert_eq!(
            a.changes_since(&c),
            vec![
                "mcp_servers.x.args: removed",
                "mcp_servers.x.env.L: changed",
                "mcp_servers.y.url: removed"
            ]
        );
    }

    #[test]
    fn no_value_is_stored_or_shown() {
        let fp = Fingerprint::of(&table("[mcp_servers.x.env]\nTOKEN = \"s3cret-value\"\n"));
        let json = serde_json::to_string(&fp).unwrap();
        assert!(!json.contains("s3cret"), "{json}");
        let other = Fingerprint::of(&table("[mcp_servers.x.env]\nTOKEN = \"other\"\n"));
        assert_eq!(
            other.changes_since(&fp),
            vec!["mcp_servers.x.env.TOKEN: changed"]
        );
    }

    #[test]
    fn records_round_trip_privately() {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let mut records = TrustRecords::load(&home).unwrap();
        assert_eq!(records, TrustRecords::default());
        let fingerprint = Fingerprint::of(&table("a = 1\n"));
        records.insert(
            PathBuf::from("/p"),
            TrustRecord {
                fingerprint: fingerprint.clone(),
            },
        );
        records.save(&home).unwrap();
        let mode = std::fs::metadata(home.join(TRUST_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let back = TrustRecords::load(&home).unwrap();
        assert_eq!(back.get(Path::new("/p")).unwrap().fingerprint, fingerprint);
        std::fs::write(home.join(TRUST_FILE), "{oops").unwrap();
        let err = TrustRecords::load(&home).unwrap_err().to_string();
        assert!(
            err.contains("delete it and run `mcpctl trust` again"),
            "{err}"
        );
    }
}
