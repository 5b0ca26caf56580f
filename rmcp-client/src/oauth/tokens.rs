//! [`TokenSet`]: what a token endpoint granted, in mcpctl's terms.

use std::time::Duration;

use mcpctl_credentials_store::Secret;
use rmcp::transport::auth::OAuthTokenResponse;
use serde::Deserialize;

use crate::oauth::error::OAuthError;

/// The tokens of one successful token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSet {
    /// The access token.
    pub access_token: Secret,
    /// The refresh token, when one was issued.
    pub refresh_token: Option<Secret>,
    /// The access token's lifetime (`expires_in`), when given.
    pub expires_in: Option<Duration>,
    /// The granted scopes (`scope`), when the answer lists them; `None` means "as requested"
    /// (RFC 6749 §5.1).
    pub scopes: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Fields {
    access_token: String,
    token_type: String,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

impl TokenSet {
    /// Reads rmcp's token response (through its JSON form, which is the standard one).
    pub(crate) fn from_rmcp(response: &OAuthTokenResponse) -> Result<Self, OAuthError> {
        let value = serde_json::to_value(response)
            .map_err(|e| OAuthError::Other(format!("unreadable token response: {e}")))?;
        let fields: Fields = serde_json::from_value(value)
            .map_err(|e| OAuthError::Other(format!("unreadable token response: {e}")))?;
        if !fields.token_type.eq_ignore_ascii_case("bearer") {
            return Err(OAuthError::Other(format!(
                "the token endpoint issued a {:?} token; mcpctl only sends Bearer tokens",
                fields.token_type
            )));
        }
        Ok(Self {
            access_token: Secret::new(fields.access_token),
            refresh_token: fields
                .refresh_token
                .filter(|t| !t.is_empty())
                .map(Secret::new),
            expires_in: fields.expires_in.map(Duration::from_secs),
            scopes: fields
                .scope
                .map(|s| s.split_whitespace().map(str::to_owned).collect()),
        })
    }

    /// rmcp's form, for a refresh through rmcp.
    pub(crate) fn to_rmcp(&self) -> Result<OAuthTokenResponse, OAuthError> {
        let mut value = serde_json::json!({
            "access_token": self.access_token.expose(),
            "token_type": "bearer",
        });
        if let Some(expires) = self.expires_in {
            value["expires_in"] = expires.as_secs().into();
        }
        if let Some(refresh) = &self.refresh_token {
            value["refresh_token"] = refresh.expose().into();
        }
        if let Some(scopes) = self.scopes.as_ref().filter(|s| !s.is_empty()) {
            value["scope"] = scopes.join(" ").into();
        }
        serde_json::from_value(value)
            .map_err(|e| OAuthError::Other(format!("cannot build a token response: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_rmcps_form() {
        let tokens = TokenSet {
            access_token: Secret::new("at"),
            refresh_token: Some(Secret::new("rt")),
            expires_in: Some(Duration::from_secs(60)),
            scopes: Some(vec!["a".into(), "b".into()]),
        };
        let back = TokenSet::from_rmcp(&tokens.to_rmcp().unwrap()).unwrap();
        assert_eq!(back, tokens);
        let bare = TokenSet {
            refresh_token: None,
            expires_in: None,
            scopes: None,
            ..tokens
        };
        assert_eq!(TokenSet::from_rmcp(&bare.to_rmcp().unwrap()).unwrap(), bare);
    }
}
