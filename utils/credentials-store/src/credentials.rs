//! What is stored for one server, and the store modes.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::key::StoreKey;
use crate::secret::Secret;

/// One server's OAuth login, as both mcpctl and Codex store it, plus mcpctl's additions.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCredentials {
    /// The server's name in the config (`[mcp_servers.<name>]`).
    pub server_name: String,
    /// The server's URL exactly as configured (it is part of the [`StoreKey`]).
    pub server_url: String,
    /// The authorization server's issuer, when known.
    pub issuer: Option<String>,
    /// The OAuth client the tokens were issued to.
    pub client_id: String,
    /// The access token.
    pub access_token: Secret,
    /// When the access token expires, in milliseconds since the Unix epoch; `None` = unknown.
    pub expires_at: Option<u64>,
    /// The refresh token, when the provider issued one.
    pub refresh_token: Option<Secret>,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// What mcpctl also needs to refresh and revoke, which Codex's entry has no room for. Kept
    /// in a separate entry of mcpctl's own; see [`ClientDetails`].
    pub client: Option<ClientDetails>,
}

impl StoredCredentials {
    /// The key these credentials are stored under.
    pub fn key(&self) -> StoreKey {
        StoreKey::new(&self.server_name, &self.server_url)
    }

    /// Time left before the access token expires, `Some(ZERO)` once it has, `None` when the
    /// expiry is unknown.
    pub fn expires_in(&self, now: SystemTime) -> Option<Duration> {
        let expires_at = self.expires_at?;
        let now_ms = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        Some(Duration::from_millis(expires_at.saturating_sub(now_ms)))
    }

    /// Whether the access token expires within `window` of `now` (refresh before connecting).
    /// An unknown expiry is never "expiring".
    pub fn expires_within(&self, window: Duration, now: SystemTime) -> bool {
        self.expires_in(now).is_some_and(|left| left <= window)
    }

    /// `expires_at` for a token response's `expires_in` (seconds) received at `now`.
    pub fn expires_at_from(expires_in: Duration, now: SystemTime) -> u64 {
        now.checked_add(expires_in)
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(u64::MAX, |d| {
                u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
            })
    }
}

/// What mcpctl keeps about the OAuth client beyond Codex's entry.
///
/// Codex's entry has no field for these and Codex drops fields it does not know when it
/// rewrites an entry (checked with 0.171), so they live in an entry of mcpctl's own under the
/// same key: `$MCPCTL_HOME/.mcpctl-credentials.json` beside the file store, or the keyring
/// service [`MCPCTL_KEYRING_SERVICE`](crate::MCPCTL_KEYRING_SERVICE). They are bound to
/// `client_id`: when Codex logs in again with another client, the stale details are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientDetails {
    /// The client secret of a confidential client (rmcp forgets it after loading, rust-sdk#784).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// The registered `token_endpoint_auth_method` (`none`, `client_secret_basic`,
    /// `client_secret_post`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<String>,
    /// The token endpoint the tokens came from (refresh goes there without rediscovery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// The revocation endpoint (RFC 7009), for logout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    /// The RFC 8707 `resource` sent with every authorization, token and refresh request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The redirect URI the client was registered with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// How the client identity was obtained: `dcr`, `cimd` or `preregistered`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<String>,
    /// Fields written by a newer mcpctl, kept as they are.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

/// Where a credential lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    /// The OS keyring (Secret Service).
    Keyring,
    /// The private file `$MCPCTL_HOME/.credentials.json`.
    File,
}

impl Location {
    /// `"keyring"` or `"file"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keyring => "keyring",
            Self::File => "file",
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Credentials read from a store, and where they were found.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The credentials.
    pub credentials: StoredCredentials,
    /// Where they were found.
    pub location: Location,
}

/// What [`CredentialStore::delete`](crate::CredentialStore::delete) removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deleted {
    /// An entry was removed from the keyring.
    pub keyring: bool,
    /// An entry was removed from the file.
    pub file: bool,
}

impl Deleted {
    /// Whether anything was removed.
    pub fn any(self) -> bool {
        self.keyring || self.file
    }
}

/// `mcp_oauth_credentials_store`: where credentials are kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum StoreMode {
    /// The keyring when one answers, else the file; logout deletes from both.
    #[default]
    Auto,
    /// Only `$MCPCTL_HOME/.credentials.json`.
    File,
    /// Only the keyring; an error when there is none.
    Keyring,
}

impl StoreMode {
    /// The config value: `"auto"`, `"file"` or `"keyring"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::File => "file",
            Self::Keyring => "keyring",
        }
    }
}

impl fmt::Display for StoreMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value of `mcp_oauth_credentials_store` that is none of the three.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mcp_oauth_credentials_store: {0:?} is not a store; use \"auto\", \"file\" or \"keyring\"")]
pub struct UnknownStoreMode(pub String);

impl FromStr for StoreMode {
    type Err = UnknownStoreMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Self::Auto),
            "file" => Ok(Self::File),
            "keyring" => Ok(Self::Keyring),
            other => Err(UnknownStoreMode(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(expires_at: Option<u64>) -> StoredCredentials {
        StoredCredentials {
            server_name: "s".into(),
            server_url: "http://127.0.0.1:1/mcp".into(),
            issuer: None,
            client_id: "c".into(),
            access_token: Secret::new("a"),
            expires_at,
            refresh_token: None,
            scopes: vec![],
            client: None,
        }
    }

    #[test]
    fn expiry_window() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        let soon = creds(Some(1_030_000));
        assert_eq!(soon.expires_in(now), Some(Duration::from_secs(30)));
        assert!(soon.expires_within(Duration::from_secs(60), now));
        assert!(!soon.expires_within(Duration::from_secs(10), now));
        assert_eq!(creds(Some(5)).expires_in(now), Some(Duration::ZERO));
        assert!(!creds(None).expires_within(Duration::from_secs(60), now));
        assert_eq!(
            StoredCredentials::expires_at_from(Duration::from_secs(30), now),
            1_030_000
        );
    }

    #[test]
    fn modes_parse() {
        assert_eq!("keyring".parse::<StoreMode>(), Ok(StoreMode::Keyring));
        let err = "vault".parse::<StoreMode>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "mcp_oauth_credentials_store: \"vault\" is not a store; use \"auto\", \"file\" or \"keyring\""
        );
    }
}
