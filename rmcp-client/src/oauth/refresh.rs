//! The refresh grant, through rmcp's [`AuthorizationManager::refresh_token`] (which sends the
//! same `resource` as the login and keeps the old refresh token when the answer has none).
//!
//! What rmcp lacks is handled here: the client secret is given back to rmcp on every refresh
//! (rmcp forgets it after loading stored credentials, rust-sdk#784), and the registered token
//! endpoint auth method is honoured. Coordination between processes (the refresh lock, re-reading
//! the store under it) is the caller's: this only talks to the token endpoint.

use rmcp::transport::auth::{CredentialStore as _, InMemoryCredentialStore, StoredCredentials};

use crate::oauth::authorize::{manager, token_error};
use crate::oauth::error::OAuthError;
use crate::oauth::http::OAuthHttp;
use crate::oauth::metadata::AuthServerMetadata;
use crate::oauth::registration::ClientIdentity;
use crate::oauth::tokens::TokenSet;
use mcpctl_credentials_store::Secret;

/// What a refresh needs.
#[derive(Debug, Clone)]
pub struct RefreshParams<'a> {
    /// The token endpoint.
    pub token_endpoint: &'a str,
    /// The client the tokens were issued to (with its secret, for confidential clients).
    pub identity: &'a ClientIdentity,
    /// The RFC 8707 resource of the login.
    pub resource: &'a str,
    /// The refresh token.
    pub refresh_token: &'a Secret,
    /// The scopes granted so far (kept when the answer names none).
    pub granted_scopes: &'a [String],
}

/// Redeems the refresh token. A rotated refresh token is in the result (`refresh_token`); when
/// the server sent none, the old one is kept there. A rejected refresh token is
/// [`OAuthError::RefreshRejected`].
pub async fn refresh_tokens(
    http: &OAuthHttp,
    params: RefreshParams<'_>,
) -> Result<TokenSet, OAuthError> {
    let metadata = AuthServerMetadata {
        token_endpoint: Some(params.token_endpoint.to_owned()),
        ..AuthServerMetadata::default()
    };
    // rmcp wants a redirect URI for its client; a refresh never uses it.
    let mut manager = manager(
        http,
        &metadata,
        params.identity,
        "http://127.0.0.1/callback",
        params.resource,
    )
    .await?;
    let current = TokenSet {
        access_token: Secret::new(""),
        refresh_token: Some(params.refresh_token.clone()),
        expires_in: None,
        scopes: Some(params.granted_scopes.to_vec()),
    };
    let store = InMemoryCredentialStore::new();
    store
        .save(StoredCredentials::new(
            params.identity.client_id.clone(),
            Some(current.to_rmcp()?),
            params.granted_scopes.to_vec(),
            None,
        ))
        .await
        .map_err(|e| OAuthError::Other(e.to_string()))?;
    manager.set_credential_store(store);
    let response = manager
        .refresh_token()
        .await
        .map_err(|e| token_error(http, params.token_endpoint, "refresh", e))?;
    let mut tokens = TokenSet::from_rmcp(&response)?;
    if tokens.scopes.is_none() && !params.granted_scopes.is_empty() {
        tokens.scopes = Some(params.granted_scopes.to_vec());
    }
    Ok(tokens)
}
