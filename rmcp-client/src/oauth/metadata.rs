//! RFC 8414 authorization server metadata, with every member a login reads.

use std::collections::HashMap;

use rmcp::transport::auth::AuthorizationMetadata;
use serde::{Deserialize, Serialize};

use crate::oauth::registration::TokenAuthMethod;

/// Authorization server metadata (RFC 8414, or OpenID discovery), or the defaults a
/// 2025-03-26 server implies. Unknown members are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthServerMetadata {
    /// `issuer`.
    #[serde(default)]
    pub issuer: Option<String>,
    /// `authorization_endpoint`.
    #[serde(default)]
    pub authorization_endpoint: Option<String>,
    /// `token_endpoint`.
    #[serde(default)]
    pub token_endpoint: Option<String>,
    /// `registration_endpoint` (RFC 7591).
    #[serde(default)]
    pub registration_endpoint: Option<String>,
    /// `revocation_endpoint` (RFC 7009).
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// `scopes_supported`.
    #[serde(default)]
    pub scopes_supported: Option<Vec<String>>,
    /// `response_types_supported`.
    #[serde(default)]
    pub response_types_supported: Option<Vec<String>>,
    /// `grant_types_supported`.
    #[serde(default)]
    pub grant_types_supported: Option<Vec<String>>,
    /// `token_endpoint_auth_methods_supported`.
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `token_endpoint_auth_signing_alg_values_supported`.
    #[serde(default)]
    pub token_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
    /// `code_challenge_methods_supported`.
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// `client_id_metadata_document_supported` (CIMD).
    #[serde(default)]
    pub client_id_metadata_document_supported: Option<bool>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207).
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: Option<bool>,
}

impl AuthServerMetadata {
    /// Whether `scopes_supported` lists `scope`.
    pub fn lists_scope(&self, scope: &str) -> bool {
        self.scopes_supported
            .as_deref()
            .is_some_and(|s| s.iter().any(|x| x == scope))
    }

    /// Whether the server accepts `method` at its token endpoint. RFC 8414: an absent list
    /// means `client_secret_basic` only; MCP servers that omit it usually take public clients
    /// too, so `none` is assumed as well.
    pub fn accepts_auth_method(&self, method: TokenAuthMethod) -> bool {
        match &self.token_endpoint_auth_methods_supported {
            Some(list) => list.iter().any(|m| m == method.as_str()),
            None => matches!(
                method,
                TokenAuthMethod::None | TokenAuthMethod::ClientSecretBasic
            ),
        }
    }

    /// The identifier to show for this server: its issuer, else its token endpoint.
    pub fn name(&self) -> String {
        self.issuer
            .clone()
            .or_else(|| self.token_endpoint.clone())
            .unwrap_or_else(|| "(unknown authorization server)".to_owned())
    }

    /// rmcp's form, with `method` as the only token endpoint auth method so that rmcp's
    /// client authenticates the way the registration (or the config) says.
    pub(crate) fn for_rmcp(&self, method: TokenAuthMethod) -> AuthorizationMetadata {
        let mut out = AuthorizationMetadata::default();
        out.token_endpoint = self.token_endpoint.clone().unwrap_or_default();
        // rmcp needs a URL here even for grants without a browser step.
        out.authorization_endpoint = self
            .authorization_endpoint
            .clone()
            .unwrap_or_else(|| out.token_endpoint.clone());
        out.registration_endpoint = self.registration_endpoint.clone();
        out.issuer = self.issuer.clone();
        out.scopes_supported = self.scopes_supported.clone();
        out.response_types_supported = self.response_types_supported.clone();
        out.code_challenge_methods_supported = self.code_challenge_methods_supported.clone();
        let mut extra = HashMap::new();
        extra.insert(
            "token_endpoint_auth_methods_supported".to_owned(),
            serde_json::json!([method.as_str()]),
        );
        if let Some(algs) = &self.token_endpoint_auth_signing_alg_values_supported {
            extra.insert(
                "token_endpoint_auth_signing_alg_values_supported".to_owned(),
                serde_json::json!(algs),
            );
        }
        if let Some(iss) = self.authorization_response_iss_parameter_supported {
            extra.insert(
                "authorization_response_iss_parameter_supported".to_owned(),
                serde_json::json!(iss),
            );
        }
        out.additional_fields = extra;
        out
    }
}
