//! The OAuth client identity of a login, and dynamic client registration (RFC 7591).
//!
//! mcpctl registers itself: rmcp's registration always asks for a public client and drops the
//! `token_endpoint_auth_method` of the answer, so a provider that insists on a confidential
//! client would see the wrong authentication at its token endpoint.

use std::fmt;
use std::str::FromStr;

use mcpctl_credentials_store::Secret;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::{Deserialize, Serialize};

use crate::oauth::error::{OAuthError, request_failed};
use crate::oauth::http::{OAuthHttp, content_type, read_body};
use crate::oauth::metadata::AuthServerMetadata;

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenAuthMethod {
    /// A public client: `client_id` in the body, no secret.
    None,
    /// HTTP Basic with the client id and secret.
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the body.
    ClientSecretPost,
    /// A JWT signed with the client's private key (RFC 7523).
    PrivateKeyJwt,
}

impl TokenAuthMethod {
    /// The RFC 7591 name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::PrivateKeyJwt => "private_key_jwt",
        }
    }

    /// The method a client with (or without) a secret uses at this server: `none` without a
    /// secret; with one, `client_secret_basic` unless the server accepts only
    /// `client_secret_post`.
    pub fn for_server(metadata: &AuthServerMetadata, has_secret: bool) -> Self {
        if !has_secret {
            return Self::None;
        }
        if !metadata.accepts_auth_method(Self::ClientSecretBasic)
            && metadata.accepts_auth_method(Self::ClientSecretPost)
        {
            return Self::ClientSecretPost;
        }
        Self::ClientSecretBasic
    }
}

impl fmt::Display for TokenAuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TokenAuthMethod {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(Self::None),
            "client_secret_basic" => Ok(Self::ClientSecretBasic),
            "client_secret_post" => Ok(Self::ClientSecretPost),
            "private_key_jwt" => Ok(Self::PrivateKeyJwt),
            other => Err(format!("unsupported token endpoint auth method {other:?}")),
        }
    }
}

/// The client a login acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    /// The client id (a CIMD URL for a client ID metadata document).
    pub client_id: String,
    /// The client secret of a confidential client.
    pub client_secret: Option<Secret>,
    /// How it authenticates at the token endpoint.
    pub auth_method: TokenAuthMethod,
}

/// What mcpctl asks a registration endpoint for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRequest {
    /// `client_name`.
    pub client_name: String,
    /// The one redirect URI this login uses.
    pub redirect_uri: String,
    /// The scopes the login will ask for (`scope`, left out when empty).
    pub scopes: Vec<String>,
    /// `application_type` (OpenID DCR): `native` for a loopback redirect, `web` otherwise.
    pub application_type: &'static str,
}

#[derive(Serialize)]
struct RegistrationBody<'a> {
    client_name: &'a str,
    redirect_uris: [&'a str; 1],
    grant_types: [&'static str; 2],
    response_types: [&'static str; 1],
    token_endpoint_auth_method: &'static str,
    application_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
}

#[derive(Deserialize)]
struct RegistrationAnswer {
    client_id: String,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    token_endpoint_auth_method: Option<String>,
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Registers mcpctl at `metadata`'s registration endpoint and returns the client to use.
///
/// mcpctl asks to be a public client (`none`) when the server accepts public clients, else
/// for the secret method the server prefers. The answer's `token_endpoint_auth_method` is
/// honoured; when it has none, a client that got a secret uses `client_secret_basic` (RFC 7591
/// §2) unless the server takes only `client_secret_post`.
pub async fn register(
    http: &OAuthHttp,
    metadata: &AuthServerMetadata,
    request: &RegistrationRequest,
) -> Result<ClientIdentity, OAuthError> {
    let Some(endpoint) = metadata.registration_endpoint.as_deref() else {
        return Err(OAuthError::RegistrationUnsupported {
            issuer: metadata.name(),
            cimd: "",
        });
    };
    let asked = if metadata.accepts_auth_method(TokenAuthMethod::None) {
        TokenAuthMethod::None
    } else {
        TokenAuthMethod::for_server(metadata, true)
    };
    let body = RegistrationBody {
        client_name: &request.client_name,
        redirect_uris: [&request.redirect_uri],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: asked.as_str(),
        application_type: request.application_type,
        scope: (!request.scopes.is_empty()).then(|| request.scopes.join(" ")),
    };
    let failed = |detail: String| OAuthError::Registration {
        endpoint: endpoint.to_owned(),
        detail,
    };
    let response = http
        .client()
        .post(endpoint)
        .header(ACCEPT, "application/json")
        .header(CONTENT_TYPE, "application/json")
        .json(&body)
        .send()
        .await
        .map_err(|e| request_failed(endpoint, &e))?;
    let status = response.status();
    let kind = content_type(response.headers());
    let bytes = read_body(response)
        .await
        .map_err(|e| request_failed(endpoint, &e))?
        .unwrap_or_default();
    if !status.is_success() {
        return Err(failed(
            match serde_json::from_slice::<OAuthErrorBody>(&bytes) {
                Ok(e) => oauth_error_text(&e.error, e.error_description.as_deref()),
                Err(_) => describe_status(status.as_u16(), kind.as_deref()),
            },
        ));
    }
    let answer: RegistrationAnswer = serde_json::from_slice(&bytes).map_err(|e| {
        failed(format!(
            "the answer ({}) is not a registration: {e}",
            describe_status(status.as_u16(), kind.as_deref())
        ))
    })?;
    let secret = answer
        .client_secret
        .filter(|s| !s.is_empty())
        .map(Secret::new);
    let auth_method = match answer.token_endpoint_auth_method.as_deref() {
        Some(method) => method.parse().map_err(failed)?,
        None if secret.is_some() => TokenAuthMethod::for_server(metadata, true),
        None => TokenAuthMethod::None,
    };
    if auth_method != TokenAuthMethod::None && secret.is_none() {
        return Err(failed(format!(
            "it assigned {auth_method} but no client secret"
        )));
    }
    Ok(ClientIdentity {
        client_id: answer.client_id,
        client_secret: secret,
        auth_method,
    })
}

/// "invalid_grant (the code was already used)".
pub(crate) fn oauth_error_text(error: &str, description: Option<&str>) -> String {
    match description {
        Some(d) if !d.is_empty() => format!("{error} ({d})"),
        _ => error.to_owned(),
    }
}

/// "HTTP 500, text/html".
pub(crate) fn describe_status(status: u16, content_type: Option<&str>) -> String {
    match content_type {
        Some(kind) => format!("HTTP {status}, {kind}"),
        None => format!("HTTP {status}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(methods: Option<&[&str]>) -> AuthServerMetadata {
        AuthServerMetadata {
            token_endpoint_auth_methods_supported: methods
                .map(|m| m.iter().map(|s| (*s).to_owned()).collect()),
            ..AuthServerMetadata::default()
        }
    }

    #[test]
    fn secret_clients_use_basic_unless_only_post_is_accepted() {
        assert_eq!(
            TokenAuthMethod::for_server(&md(None), true),
            TokenAuthMethod::ClientSecretBasic
        );
        assert_eq!(
            TokenAuthMethod::for_server(&md(Some(&["client_secret_post"])), true),
            TokenAuthMethod::ClientSecretPost
        );
        assert_eq!(
            TokenAuthMethod::for_server(
                &md(Some(&["client_secret_post", "client_secret_basic"])),
                true
            ),
            TokenAuthMethod::ClientSecretBasic
        );
        assert_eq!(
            TokenAuthMethod::for_server(&md(Some(&["client_secret_post"])), false),
            TokenAuthMethod::None
        );
    }

    #[test]
    fn method_names_round_trip() {
        for m in [
            TokenAuthMethod::None,
            TokenAuthMethod::ClientSecretBasic,
            TokenAuthMethod::ClientSecretPost,
            TokenAuthMethod::PrivateKeyJwt,
        ] {
            assert_eq!(m.as_str().parse::<TokenAuthMethod>(), Ok(m));
        }
        assert!("tls_client_auth".parse::<TokenAuthMethod>().is_err());
    }
}
