//! Codex's two serialisations of a credential: the `.credentials.json` entry and the JSON held
//! in a keyring item. Field names and order follow what Codex 0.171 writes.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::credentials::{ClientDetails, StoredCredentials};
use crate::secret::Secret;

/// One entry of `.credentials.json`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct FileEntry {
    pub server_name: String,
    pub server_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    pub client_id: String,
    pub access_token: Secret,
    #[serde(default)]
    pub expires_at: Option<u64>,
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Fields a newer Codex may add: kept when mcpctl rewrites the entry.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl FileEntry {
    pub fn from_credentials(c: &StoredCredentials, other: Map<String, Value>) -> Self {
        Self {
            server_name: c.server_name.clone(),
            server_url: c.server_url.clone(),
            issuer: c.issuer.clone(),
            client_id: c.client_id.clone(),
            access_token: c.access_token.clone(),
            expires_at: c.expires_at,
            refresh_token: c.refresh_token.clone(),
            scopes: c.scopes.clone(),
            other,
        }
    }

    pub fn into_credentials(self, client: Option<ClientDetails>) -> StoredCredentials {
        StoredCredentials {
            server_name: self.server_name,
            server_url: self.server_url,
            issuer: self.issuer,
            client_id: self.client_id,
            access_token: self.access_token,
            expires_at: self.expires_at,
            refresh_token: self.refresh_token,
            scopes: self.scopes,
            client,
        }
    }
}

/// The JSON in a keyring item: Codex's `StoredOAuthTokens` with rmcp's token response inside.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct KeyringEntry {
    pub server_name: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    pub client_id: String,
    pub token_response: TokenResponse,
    #[serde(default)]
    pub expires_at: Option<u64>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An OAuth token response as the `oauth2` crate serialises it (`scope` space-separated).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: Secret,
    pub token_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl KeyringEntry {
    pub fn from_credentials(c: &StoredCredentials, now: SystemTime) -> Self {
        let expires_in = c.expires_in(now).map(|d: Duration| d.as_secs());
        Self {
            server_name: c.server_name.clone(),
            url: c.server_url.clone(),
            issuer: c.issuer.clone(),
            client_id: c.client_id.clone(),
            token_response: TokenResponse {
                access_token: c.access_token.clone(),
                // What oauth2's BasicTokenType::Bearer serialises to; Codex requires the field.
                token_type: "bearer".to_owned(),
                expires_in,
                refresh_token: c.refresh_token.clone(),
                scope: (!c.scopes.is_empty()).then(|| c.scopes.join(" ")),
                other: Map::new(),
            },
            expires_at: c.expires_at,
            other: Map::new(),
        }
    }

    pub fn into_credentials(self, client: Option<ClientDetails>) -> StoredCredentials {
        let scopes = self
            .token_response
            .scope
            .as_deref()
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        StoredCredentials {
            server_name: self.server_name,
            server_url: self.url,
            issuer: self.issuer,
            client_id: self.client_id,
            access_token: self.token_response.access_token,
            expires_at: self.expires_at,
            refresh_token: self.token_response.refresh_token,
            scopes,
            client,
        }
    }
}

/// mcpctl's own entry beside Codex's: the client details, bound to the client they describe.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SideEntry {
    pub client_id: String,
    #[serde(flatten)]
    pub details: ClientDetails,
}

impl SideEntry {
    /// The details, when they belong to the client of `credentials_client_id`.
    pub fn for_client(self, credentials_client_id: &str) -> Option<ClientDetails> {
        (self.client_id == credentials_client_id).then_some(self.details)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn sample() -> StoredCredentials {
        StoredCredentials {
            server_name: "probe".into(),
            server_url: "http://127.0.0.1:40031/mcp".into(),
            issuer: Some("http://127.0.0.1:42575".into()),
            client_id: "cid".into(),
            access_token: Secret::new("AT"),
            expires_at: Some(1_000_000 + 3_600_000),
            refresh_token: Some(Secret::new("RT")),
            scopes: vec!["mcp:read".into(), "mcp:write".into()],
            client: None,
        }
    }

    #[test]
    fn file_entry_is_byte_identical_to_codex() {
        // The shape `codex mcp login` (0.171) wrote, tokens replaced.
        let codex = r#"{"server_name":"probe","server_url":"http://127.0.0.1:40031/mcp","issuer":"http://127.0.0.1:42575","client_id":"cid","access_token":"AT","expires_at":4600000,"refresh_token":"RT","scopes":["mcp:read","mcp:write"]}"#;
        let ours =
            serde_json::to_string(&FileEntry::from_credentials(&sample(), Map::new())).unwrap();
        assert_eq!(ours, codex);
        let back: FileEntry = serde_json::from_str(codex).unwrap();
        assert_eq!(back.into_credentials(None), sample());
    }

    #[test]
    fn file_entry_without_optional_fields() {
        let codex = r#"{"server_name":"other","server_url":"http://127.0.0.1:1/mcp","client_id":"c","access_token":"X","expires_at":null,"refresh_token":null,"scopes":[]}"#;
        let entry: FileEntry = serde_json::from_str(codex).unwrap();
        assert_eq!(serde_json::to_string(&entry).unwrap(), codex);
    }

    #[test]
    fn keyring_entry_matches_codex() {
        let now = UNIX_EPOCH + std::time::Duration::from_millis(1_000_000);
        let json = serde_json::to_string(&KeyringEntry::from_credentials(&sample(), now)).unwrap();
        // The shape Codex 0.171 stored in the Secret Service, tokens replaced.
        assert_eq!(
            json,
            r#"{"server_name":"probe","url":"http://127.0.0.1:40031/mcp","issuer":"http://127.0.0.1:42575","client_id":"cid","token_response":{"access_token":"AT","token_type":"bearer","expires_in":3600,"refresh_token":"RT","scope":"mcp:read mcp:write"},"expires_at":4600000}"#
        );
        let back: KeyringEntry = serde_json::from_str(&json).unwrap();
        assert_eq!(back.into_credentials(None), sample());
    }

    #[test]
    fn side_entry_binds_to_its_client() {
        let side = SideEntry {
            client_id: "old".into(),
            details: ClientDetails {
                client_secret: Some(Secret::new("s")),
                ..ClientDetails::default()
            },
        };
        assert_eq!(side.for_client("new"), None);
    }
}
