//! The client credentials grant (SEP-1046), for headless clients: through rmcp, with
//! `client_secret_basic`/`client_secret_post` or `private_key_jwt` (RFC 7523).

use rmcp::transport::auth::{ClientCredentialsConfig, JwtSigningAlgorithm};
use url::Url;

use crate::oauth::authorize::token_error;
use crate::oauth::error::OAuthError;
use crate::oauth::http::OAuthHttp;
use crate::oauth::metadata::AuthServerMetadata;
use crate::oauth::registration::TokenAuthMethod;
use crate::oauth::tokens::TokenSet;
use mcpctl_credentials_store::Secret;

/// How the client proves who it is.
#[derive(Debug, Clone)]
pub enum ClientCredential {
    /// A client secret (`client_secret_basic` or `_post`, as the server accepts).
    Secret(Secret),
    /// A private key in PEM (PKCS#8, or SEC1/PKCS#1) signing a JWT assertion.
    PrivateKey {
        /// The PEM text.
        pem: Secret,
        /// The JWS algorithm: `ES256`, `ES384`, `RS256`, `RS384` or `RS512`.
        algorithm: String,
    },
}

impl ClientCredential {
    /// The token endpoint auth method this credential uses at `metadata`'s server.
    pub fn auth_method(&self, metadata: &AuthServerMetadata) -> TokenAuthMethod {
        match self {
            Self::Secret(_) => TokenAuthMethod::for_server(metadata, true),
            Self::PrivateKey { .. } => TokenAuthMethod::PrivateKeyJwt,
        }
    }
}

/// What a client credentials request needs.
#[derive(Debug, Clone)]
pub struct ClientCredentialsParams<'a> {
    /// The authorization server.
    pub metadata: &'a AuthServerMetadata,
    /// The client id.
    pub client_id: &'a str,
    /// Its credential.
    pub credential: &'a ClientCredential,
    /// The RFC 8707 resource.
    pub resource: &'a str,
    /// The scopes to ask for (may be empty).
    pub scopes: &'a [String],
}

fn algorithm(name: &str) -> Result<JwtSigningAlgorithm, OAuthError> {
    Ok(match name {
        "ES256" => JwtSigningAlgorithm::ES256,
        "ES384" => JwtSigningAlgorithm::ES384,
        "RS256" => JwtSigningAlgorithm::RS256,
        "RS384" => JwtSigningAlgorithm::RS384,
        "RS512" => JwtSigningAlgorithm::RS512,
        other => {
            return Err(OAuthError::PrivateKey(format!(
                "oauth.signing_alg {other:?} is not supported; use ES256, ES384, RS256, RS384 or \
                 RS512"
            )));
        }
    })
}

/// Asks the token endpoint for an access token with the client's own credentials.
pub async fn client_credentials(
    http: &OAuthHttp,
    params: ClientCredentialsParams<'_>,
) -> Result<TokenSet, OAuthError> {
    let issuer = params.metadata.name();
    let Some(endpoint) = params.metadata.token_endpoint.clone() else {
        return Err(OAuthError::NoTokenEndpoint { issuer });
    };
    if let Some(grants) = &params.metadata.grant_types_supported
        && !grants.iter().any(|g| g == "client_credentials")
    {
        return Err(OAuthError::Other(format!(
            "the authorization server {issuer} does not offer the client_credentials grant \
             (it lists {}); remove oauth.grant to log in with a browser",
            grants.join(", ")
        )));
    }
    let method = params.credential.auth_method(params.metadata);
    if params
        .metadata
        .token_endpoint_auth_methods_supported
        .is_some()
        && !params.metadata.accepts_auth_method(method)
    {
        return Err(OAuthError::Other(format!(
            "the authorization server {issuer} does not accept {method} client authentication"
        )));
    }
    let resource_url = Url::parse(params.resource).map_err(|_| OAuthError::InvalidUrl {
        what: "the OAuth resource",
        url: params.resource.to_owned(),
    })?;
    let config = match params.credential {
        ClientCredential::Secret(secret) => ClientCredentialsConfig::ClientSecret {
            client_id: params.client_id.to_owned(),
            client_secret: secret.expose().to_owned(),
            scopes: params.scopes.to_vec(),
            resource: Some(resource_url.to_string()),
        },
        ClientCredential::PrivateKey {
            pem,
            algorithm: alg,
        } => ClientCredentialsConfig::PrivateKeyJwt {
            client_id: params.client_id.to_owned(),
            signing_key: pem.expose().as_bytes().to_vec(),
            signing_algorithm: algorithm(alg)?,
            token_endpoint_audience: None,
            scopes: params.scopes.to_vec(),
            resource: Some(resource_url.to_string()),
        },
    };
    let metadata = params.metadata.for_rmcp(method);
    let client = http.clone();
    // rmcp's client credentials future is not `Send` (a form serializer lives across an await
    // in its private_key_jwt path), so it runs on a blocking thread that drives it alone.
    let runtime = tokio::runtime::Handle::current();
    let exchanged = tokio::task::spawn_blocking(move || {
        runtime.block_on(async move {
            let mut manager =
                rmcp::transport::auth::AuthorizationManager::new_with_oauth_http_client(
                    resource_url,
                    std::sync::Arc::new(client),
                )
                .await?;
            manager.set_metadata(metadata);
            manager.validate_client_credentials_metadata(&config)?;
            manager.configure_client_credentials(&config)?;
            manager.exchange_client_credentials(&config).await
        })
    })
    .await
    .map_err(|e| OAuthError::Other(format!("the client credentials task failed: {e}")))?;
    let response =
        exchanged.map_err(|e| token_error(http, &endpoint, "client credentials request", e))?;
    TokenSet::from_rmcp(&response)
}
