//! Token revocation (RFC 7009), which rmcp does not offer: logout tells the provider to forget
//! the tokens before mcpctl forgets them.

use mcpctl_credentials_store::Secret;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::Deserialize;

use crate::oauth::error::{OAuthError, request_failed};
use crate::oauth::http::{OAuthHttp, content_type, read_body};
use crate::oauth::registration::{
    ClientIdentity, TokenAuthMethod, describe_status, oauth_error_text,
};

/// Which token is revoked (`token_type_hint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A refresh token: revoking it also ends the access tokens of its grant at most providers.
    Refresh,
    /// An access token.
    Access,
}

impl TokenKind {
    fn hint(self) -> &'static str {
        match self {
            Self::Refresh => "refresh_token",
            Self::Access => "access_token",
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Revokes `token` at `endpoint`, authenticating as `identity` does at the token endpoint.
/// RFC 7009 §2.2: a `200` means done, even for a token the server did not know.
pub async fn revoke_token(
    http: &OAuthHttp,
    endpoint: &str,
    identity: &ClientIdentity,
    token: &Secret,
    kind: TokenKind,
) -> Result<(), OAuthError> {
    let mut form: Vec<(&str, &str)> =
        vec![("token", token.expose()), ("token_type_hint", kind.hint())];
    let mut request = http
        .client()
        .post(endpoint)
        .header(ACCEPT, "application/json");
    let secret = identity.client_secret.as_ref().map(Secret::expose);
    match (identity.auth_method, secret) {
        (TokenAuthMethod::ClientSecretBasic, Some(secret)) => {
            // RFC 6749 §2.3.1: both parts form-encoded before Basic encoding.
            request = request.basic_auth(encode(&identity.client_id), Some(encode(secret)));
        }
        (TokenAuthMethod::ClientSecretPost, Some(secret)) => {
            form.push(("client_id", &identity.client_id));
            form.push(("client_secret", secret));
        }
        _ => form.push(("client_id", &identity.client_id)),
    }
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let response = request
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| request_failed(endpoint, &e))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let kind = content_type(response.headers());
    let body = read_body(response).await.ok().flatten().unwrap_or_default();
    let detail = match serde_json::from_slice::<ErrorBody>(&body) {
        Ok(e) => oauth_error_text(&e.error, e.error_description.as_deref()),
        Err(_) => describe_status(status.as_u16(), kind.as_deref()),
    };
    Err(OAuthError::Revocation {
        endpoint: endpoint.to_owned(),
        detail,
    })
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
