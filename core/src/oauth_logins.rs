//! What `list` knows about stored OAuth logins without reading the keyring.
//!
//! Reading a keyring item costs milliseconds (a D-Bus round trip each), so `list` would slow
//! with every login. mcpctl instead remembers the non-secret facts of each login it makes,
//! refreshes or checks (`auth status`) in `$MCPCTL_HOME/cache/oauth_logins.json`, keyed like the
//! credentials. The credentials file, when it exists, is read too: it is one small file, and it
//! is where Codex keeps logins when it has no keyring. A login Codex stored in the keyring shows
//! up after the next `mcpctl auth status`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mcpctl_credentials_store::{
    CREDENTIALS_FILE, CredentialStore, Location, StoreKey, StoreMode, StoredCredentials,
};
use serde::{Deserialize, Serialize};

use mcpctl_config::Transport;

use crate::auth_status::{AuthStatusStore, RememberedAuthStatuses};
use crate::oauth_settings::store_mode;
use crate::tools_cache::write_private_file;
use crate::workspace::Workspace;

/// The non-secret facts of one stored login: where it lives, who it is for, until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginSummary {
    /// `keyring` or `file`.
    pub location: String,
    /// The OAuth client the tokens belong to.
    pub client_id: String,
    /// The granted scopes.
    pub scopes: Vec<String>,
    /// When the access token expires, in milliseconds since the Unix epoch.
    pub expires_at: Option<u64>,
    /// Whether a refresh token is stored.
    pub refresh_token: bool,
    /// The authorization server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// How the client was obtained: `dcr`, `cimd`, `preregistered`, `client_credentials`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<String>,
}

impl LoginSummary {
    /// The summary of `credentials` stored at `location`.
    pub fn of(credentials: &StoredCredentials, location: Location) -> Self {
        Self {
            location: location.as_str().to_owned(),
            client_id: credentials.client_id.clone(),
            scopes: credentials.scopes.clone(),
            expires_at: credentials.expires_at,
            refresh_token: credentials.refresh_token.is_some(),
            issuer: credentials.issuer.clone(),
            registration: credentials
                .client
                .as_ref()
                .and_then(|c| c.registration.clone()),
        }
    }

    /// Time left before the access token expires; `Some(ZERO)` once it has; `None` if unknown.
    pub fn expires_in(&self, now: SystemTime) -> Option<Duration> {
        let at = self.expires_at?;
        let now = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        Some(Duration::from_millis(at.saturating_sub(now)))
    }

    /// Whether the login can still be used: a valid access token, or a refresh token (or a
    /// client credentials grant, which fetches a new token by itself).
    pub fn is_usable(&self, now: SystemTime) -> bool {
        self.refresh_token
            || self.registration.as_deref() == Some("client_credentials")
            || self.expires_in(now).is_none_or(|left| !left.is_zero())
    }
}

/// The cache file `$MCPCTL_HOME/cache/oauth_logins.json`: store key → [`LoginSummary`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginCache {
    path: PathBuf,
}

impl LoginCache {
    /// The cache of mcpctl's home.
    pub fn in_home(home: &Path) -> Self {
        Self {
            path: home.join("cache").join("oauth_logins.json"),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every remembered summary; an unreadable file reads as empty.
    pub fn load(&self) -> BTreeMap<String, LoginSummary> {
        fs::read(&self.path)
            .ok()
            .and_then(|bytes| {
                serde_json::from_slice::<BTreeMap<String, serde_json::Value>>(&bytes).ok()
            })
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| Some((k, serde_json::from_value(v).ok()?)))
            .collect()
    }

    /// Sets (or, with `None`, forgets) the entries of `updates`, keeping the others. Best
    /// effort: the cache only speeds up `list`.
    pub fn update(&self, updates: &[(StoreKey, Option<LoginSummary>)]) {
        let mut entries: BTreeMap<String, serde_json::Value> = fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        for (key, summary) in updates {
            match summary.as_ref().and_then(|s| serde_json::to_value(s).ok()) {
                Some(value) => {
                    entries.insert(key.as_str().to_owned(), value);
                }
                None => {
                    entries.remove(key.as_str());
                }
            }
        }
        if let Ok(bytes) = serde_json::to_vec_pretty(&entries) {
            let _ = write_private_file(&self.path, &bytes);
        }
    }
}

/// What `list` shows about the logins of `keys`: the cache, overridden by the credentials
/// file when it exists and the mode reads it (`file`, `auto`). Never touches the keyring.
pub fn known_logins(
    home: &Path,
    mode: StoreMode,
    keys: &[StoreKey],
) -> BTreeMap<String, LoginSummary> {
    let mut out = LoginCache::in_home(home).load();
    if keys.is_empty() || mode == StoreMode::Keyring || !home.join(CREDENTIALS_FILE).is_file() {
        out.retain(|k, _| keys.iter().any(|key| key.as_str() == k));
        return out;
    }
    let file = CredentialStore::new(home, StoreMode::File);
    if let Ok(found) = file.load_all(keys) {
        for (key, found) in keys.iter().zip(found) {
            match found {
                Some(loaded) => {
                    let cached = out.get(key.as_str());
                    // An entry mcpctl knows lives in the keyring is not shadowed by a stale
                    // file entry of the same key.
                    if cached.is_none_or(|c| c.location != "keyring") {
                        out.insert(
                            key.as_str().to_owned(),
                            LoginSummary::of(&loaded.credentials, Location::File),
                        );
                    }
                }
                None => {
                    if out.get(key.as_str()).is_some_and(|c| c.location == "file") {
                        out.remove(key.as_str());
                    }
                }
            }
        }
    }
    out.retain(|k, _| keys.iter().any(|key| key.as_str() == k));
    out
}

/// The probe results of the last `list --check` with the logins [`known_logins`] finds for the
/// workspace's HTTP servers.
pub(crate) fn remembered_statuses(workspace: &Workspace) -> RememberedAuthStatuses {
    let home = workspace.paths().home();
    let keys: Vec<StoreKey> = workspace
        .servers()
        .iter()
        .filter_map(|s| match &s.config().transport {
            Transport::StreamableHttp(http) if http.bearer_token_env_var.is_none() => {
                Some(StoreKey::new(s.name().as_str(), &http.url))
            }
            _ => None,
        })
        .collect();
    let mode = store_mode(workspace.loaded().config.mcp_oauth_credentials_store);
    AuthStatusStore::in_home(home)
        .load()
        .with_logins(known_logins(home, mode, &keys))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcpctl_credentials_store::Secret;

    fn creds(name: &str, expires_at: Option<u64>, refresh: bool) -> StoredCredentials {
        StoredCredentials {
            server_name: name.into(),
            server_url: format!("http://127.0.0.1:1/{name}"),
            issuer: Some("http://127.0.0.1:2".into()),
            client_id: "cid".into(),
            access_token: Secret::new("at"),
            expires_at,
            refresh_token: refresh.then(|| Secret::new("rt")),
            scopes: vec!["s".into()],
            client: None,
        }
    }

    #[test]
    fn usable_while_the_token_lives_or_can_be_refreshed() {
        let now = UNIX_EPOCH + Duration::from_secs(100);
        let live = LoginSummary::of(&creds("a", Some(200_000), false), Location::File);
        assert!(live.is_usable(now));
        assert_eq!(live.expires_in(now), Some(Duration::from_secs(100)));
        let dead = LoginSummary::of(&creds("a", Some(1), false), Location::File);
        assert!(!dead.is_usable(now));
        let refreshable = LoginSummary::of(&creds("a", Some(1), true), Location::File);
        assert!(refreshable.is_usable(now));
    }

    #[test]
    fn cache_and_file_combine_without_the_keyring() {
        let home = tempfile::tempdir().unwrap();
        let a = creds("a", Some(5), true);
        let b = creds("b", None, false);
        let (ka, kb, kc) = (a.key(), b.key(), StoreKey::new("c", "http://x/c"));
        let cache = LoginCache::in_home(home.path());
        cache.update(&[
            (kb.clone(), Some(LoginSummary::of(&b, Location::Keyring))),
            (kc.clone(), Some(LoginSummary::of(&b, Location::File))),
        ]);
        CredentialStore::new(home.path(), StoreMode::File)
            .save(&a)
            .unwrap();
        let keys = [ka.clone(), kb.clone(), kc.clone()];
        let known = known_logins(home.path(), StoreMode::Auto, &keys);
        assert_eq!(known[ka.as_str()].location, "file");
        assert_eq!(known[ka.as_str()].expires_at, Some(5));
        assert_eq!(known[kb.as_str()].location, "keyring");
        // A file entry the file no longer has is gone.
        assert!(!known.contains_key(kc.as_str()));
        // Keyring mode reads only the cache.
        let keyring = known_logins(home.path(), StoreMode::Keyring, &keys);
        assert!(!keyring.contains_key(ka.as_str()));
        assert!(keyring.contains_key(kc.as_str()));
        cache.update(&[(kb.clone(), None)]);
        assert!(!cache.load().contains_key(kb.as_str()));
    }
}
