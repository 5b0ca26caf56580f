//! The audit log: one JSON line per approval decision in `$MCPCTL_HOME/log/gateway.jsonl`
//! (0600). It records who asked for what and what was decided, never argument values or
//! tokens: the arguments appear only as a digest.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

use crate::GatewayError;

/// One decision.
#[derive(Debug, Serialize)]
pub(crate) struct Record<'a> {
    pub(crate) time: String,
    /// The client's `clientInfo` name and version.
    pub(crate) client: &'a str,
    pub(crate) server: &'a str,
    pub(crate) tool: &'a str,
    /// `run`, `ask` or `deny` as the settings said.
    pub(crate) decision: &'a str,
    /// What happened: `ran`, `approved`, `declined`, `refused`, `failed`.
    pub(crate) result: &'a str,
    /// The setting that decided (`tool_mode`, `server_mode`, `preset`, `default`,
    /// `admin_cap`), or `user` / `remembered` when the user answered.
    pub(crate) decided_by: &'a str,
    pub(crate) mode: &'a str,
    pub(crate) duration_ms: u128,
    pub(crate) is_error: bool,
    pub(crate) arguments_digest: &'a str,
}

/// The open log; writes are serialised so lines never interleave.
#[derive(Debug)]
pub(crate) struct AuditLog {
    path: PathBuf,
    file: Mutex<File>,
}

impl AuditLog {
    pub(crate) fn open(dir: &Path) -> Result<Self, GatewayError> {
        let path = dir.join("gateway.jsonl");
        let file = mcpctl_private_file::open_jsonl(dir, "gateway").map_err(|source| {
            GatewayError::Audit {
                path: path.clone(),
                source,
            }
        })?;
        Ok(Self {
            path,
            file: Mutex::new(file),
        })
    }

    /// Appends one record. A log that cannot be written is reported on stderr once per
    /// failure and never stops the call it records.
    pub(crate) fn append(&self, record: &Record<'_>) {
        let Ok(mut line) = serde_json::to_string(record) else {
            return;
        };
        line.push('\n');
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Err(error) = file.write_all(line.as_bytes()) {
            crate::handler::log(&format!(
                "cannot write the audit log {}: {error}",
                self.path.display()
            ));
        }
    }
}
