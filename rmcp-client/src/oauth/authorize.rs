//! The authorization code grant with PKCE, through rmcp's [`AuthorizationManager`]: the
//! authorization URL (S256 challenge, random `state`, `resource`, `scope`), then the code
//! exchange (the verifier, the same `resource`, the RFC 9207 `iss` check).

use std::sync::Arc;

use rmcp::transport::auth::{AuthError, AuthorizationManager, OAuthClientConfig};
use url::Url;

use crate::oauth::error::OAuthError;
use crate::oauth::http::OAuthHttp;
use crate::oauth::metadata::AuthServerMetadata;
use crate::oauth::registration::{
    ClientIdentity, TokenAuthMethod, describe_status, oauth_error_text,
};
use crate::oauth::tokens::TokenSet;

/// What an authorization request is made of.
#[derive(Debug, Clone, Copy)]
pub struct AuthorizationParams<'a> {
    /// The authorization server.
    pub metadata: &'a AuthServerMetadata,
    /// The client acting.
    pub identity: &'a ClientIdentity,
    /// The exact redirect URI (the callback listener's).
    pub redirect_uri: &'a str,
    /// The scopes to ask for; empty leaves the parameter out.
    pub scopes: &'a [String],
    /// The RFC 8707 resource, sent identically on every request of this login.
    pub resource: &'a str,
}

/// An authorization request waiting for its callback.
pub struct PendingAuthorization {
    manager: AuthorizationManager,
    url: String,
    state: String,
    token_endpoint: String,
    http: OAuthHttp,
}

impl std::fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("token_endpoint", &self.token_endpoint)
            .finish_non_exhaustive()
    }
}

/// An rmcp manager for `resource` (rmcp sends its base URL as the `resource` parameter) with
/// `metadata` set and the client configured.
pub(crate) async fn manager(
    http: &OAuthHttp,
    metadata: &AuthServerMetadata,
    identity: &ClientIdentity,
    redirect_uri: &str,
    resource: &str,
) -> Result<AuthorizationManager, OAuthError> {
    let resource_url = Url::parse(resource).map_err(|_| OAuthError::InvalidUrl {
        what: "the OAuth resource",
        url: resource.to_owned(),
    })?;
    let mut manager =
        AuthorizationManager::new_with_oauth_http_client(resource_url, Arc::new(http.clone()))
            .await
            .map_err(|e| OAuthError::Other(e.to_string()))?;
    manager.set_metadata(metadata.for_rmcp(identity.auth_method));
    let mut config = OAuthClientConfig::new(identity.client_id.clone(), redirect_uri);
    if identity.auth_method != TokenAuthMethod::None
        && let Some(secret) = &identity.client_secret
    {
        config = config.with_client_secret(secret.expose());
    }
    manager
        .configure_client(config)
        .map_err(|e| OAuthError::Other(e.to_string()))?;
    Ok(manager)
}

/// Builds the authorization URL. Nothing is sent yet: the caller opens the URL in a browser
/// and waits for the callback with [`PendingAuthorization::state`].
pub async fn start_authorization(
    http: &OAuthHttp,
    params: AuthorizationParams<'_>,
) -> Result<PendingAuthorization, OAuthError> {
    let issuer = params.metadata.name();
    if params.metadata.authorization_endpoint.is_none() {
        return Err(OAuthError::NoAuthorizationEndpoint { issuer });
    }
    let Some(token_endpoint) = params.metadata.token_endpoint.clone() else {
        return Err(OAuthError::NoTokenEndpoint { issuer });
    };
    if let Some(methods) = &params.metadata.code_challenge_methods_supported
        && !methods.iter().any(|m| m == "S256")
    {
        return Err(OAuthError::PkceUnsupported { issuer });
    }
    let manager = manager(
        http,
        params.metadata,
        params.identity,
        params.redirect_uri,
        params.resource,
    )
    .await?;
    let scopes: Vec<&str> = params.scopes.iter().map(String::as_str).collect();
    let url = manager
        .get_authorization_url(&scopes)
        .await
        .map_err(|e| match e {
            AuthError::PkceUnsupported => OAuthError::PkceUnsupported {
                issuer: issuer.clone(),
            },
            other => OAuthError::Other(other.to_string()),
        })?;
    let state = Url::parse(&url)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "state")
                .map(|(_, v)| v.into_owned())
        })
        .ok_or_else(|| OAuthError::Other("the authorization URL has no state".to_owned()))?;
    Ok(PendingAuthorization {
        manager,
        url,
        state,
        token_endpoint,
        http: http.clone(),
    })
}

impl PendingAuthorization {
    /// The URL to open in the browser.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The `state` the callback must carry.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// Exchanges the callback's `code` for tokens, after checking its `iss` against the
    /// authorization server's issuer (required when the server announces `iss` support).
    pub async fn finish(self, code: &str, iss: Option<&str>) -> Result<TokenSet, OAuthError> {
        let response = self
            .manager
            .exchange_code_for_token_with_issuer(code, &self.state, iss)
            .await
            .map_err(|e| token_error(&self.http, &self.token_endpoint, "code exchange", e))?;
        TokenSet::from_rmcp(&response)
    }
}

/// The clearest [`OAuthError`] for a failed token request, using what the endpoint answered.
pub(crate) fn token_error(
    http: &OAuthHttp,
    endpoint: &str,
    grant: &'static str,
    error: AuthError,
) -> OAuthError {
    let text = match error {
        AuthError::AuthorizationServerMismatch {
            expected_issuer,
            received_issuer,
        } => {
            return OAuthError::CallbackIssuerMismatch {
                expected: expected_issuer,
                received: received_issuer,
            };
        }
        AuthError::AuthorizationServerMissingIssuer { expected_issuer } => {
            return OAuthError::CallbackIssuerMissing {
                expected: expected_issuer,
            };
        }
        AuthError::TokenRefreshRejected(text) => {
            return OAuthError::RefreshRejected {
                detail: strip_prefixes(&text),
            };
        }
        AuthError::AuthorizationRequired => return OAuthError::NoRefreshToken,
        AuthError::JwtSigningError(text) => {
            return OAuthError::PrivateKey(format!(
                "cannot sign the client assertion: {text}; check oauth.private_key_file and \
                 oauth.signing_alg"
            ));
        }
        AuthError::TokenExchangeFailed(text)
        | AuthError::TokenRefreshFailed(text)
        | AuthError::ClientCredentialsError(text) => text,
        other => other.to_string(),
    };
    let answer = http.last_answer(endpoint);
    let garbled = answer
        .as_ref()
        .is_none_or(|a| a.status >= 500 || a.content_type.as_deref() != Some("application/json"));
    match answer {
        Some(answer) if garbled => OAuthError::TokenGarbage {
            endpoint: endpoint.to_owned(),
            grant,
            detail: describe_status(answer.status, answer.content_type.as_deref()),
        },
        Some(_) => OAuthError::TokenRefused {
            endpoint: endpoint.to_owned(),
            grant,
            detail: oauth_error_text(&strip_prefixes(&text), None),
        },
        None => OAuthError::TokenGarbage {
            endpoint: endpoint.to_owned(),
            grant,
            detail: strip_prefixes(&text),
        },
    }
}

/// The OAuth error out of the wrappers rmcp and oauth2 put around it.
fn strip_prefixes(text: &str) -> String {
    let mut text = text.trim();
    for prefix in [
        "Token exchange failed: ",
        "Server returned error response: ",
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            text = rest.trim();
        }
    }
    text.to_owned()
}
