//! The key of one server's credentials, computed exactly as Codex computes it.

use std::fmt;

use sha2::{Digest, Sha256};

/// Identifies one server's credentials: `<server name>|<first 16 hex digits of sha256(payload)>`
/// where the payload is the compact JSON `{"type":"http","url":"<url>","headers":{}}`.
///
/// Codex (0.171) and Claude Code use the same key, for file entries and as the keyring account,
/// so a login stored by one program is found by the other. The URL is hashed exactly as
/// configured: `http://x/mcp` and `http://x/mcp/` are different keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StoreKey(String);

impl StoreKey {
    /// The key of the server `server_name` reached at `server_url`.
    pub fn new(server_name: &str, server_url: &str) -> Self {
        // serde_json escapes the URL as Codex's serializer does (quotes, backslashes, controls).
        let url = serde_json::Value::String(server_url.to_owned()).to_string();
        let payload = format!(r#"{{"type":"http","url":{url},"headers":{{}}}}"#);
        let digest = hex(&Sha256::digest(payload.as_bytes()));
        Self(format!("{server_name}|{}", &digest[..16]))
    }

    /// The key as stored: `<name>|<16 hex digits>`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name of this credential's refresh lock file in `mcp-oauth-locks/`: the full sha256 of
    /// the key in hex, then `.lock` (Codex's naming).
    pub fn refresh_lock_file_name(&self) -> String {
        format!("{}.lock", hex(&Sha256::digest(self.0.as_bytes())))
    }
}

impl fmt::Display for StoreKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_key_codex_wrote() {
        // Observed in a .credentials.json written by `codex mcp login` (0.171.0).
        let key = StoreKey::new("probe", "http://127.0.0.1:40031/mcp");
        assert_eq!(key.as_str(), "probe|8963227ebc72a032");
        // And the refresh lock file Codex created beside it in mcp-oauth-locks/.
        assert_eq!(
            key.refresh_lock_file_name(),
            "46e61dde5a28cd9d58bb7be2effb838ad8df0c4195451a7ce641359edaaa9bf5.lock"
        );
    }

    #[test]
    fn url_is_hashed_as_written() {
        let a = StoreKey::new("s", "https://example.com/mcp");
        let b = StoreKey::new("s", "https://example.com/mcp/");
        assert_ne!(a, b);
        assert!(a.as_str().starts_with("s|"));
        assert_eq!(a.as_str().len(), "s|".len() + 16);
    }
}
