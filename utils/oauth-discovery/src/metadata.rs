//! The two metadata documents of MCP authorization and where to look for them.

use serde::{Deserialize, Serialize};
use url::Url;

/// RFC 9728 OAuth protected resource metadata, as served by an MCP server.
///
/// Only the fields a login needs are kept; other members of the document are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectedResourceMetadata {
    /// `resource`: the resource identifier (the MCP server URL) tokens are issued for.
    pub resource: String,
    /// `authorization_servers`: issuer URLs of the authorization servers to log in with; the
    /// first is used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorization_servers: Vec<String>,
    /// `scopes_supported`: scopes the resource understands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// `bearer_methods_supported`: how a token may be presented (`header`, `body`, `query`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_methods_supported: Option<Vec<String>>,
    /// `resource_name`: a human-readable name of the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    /// `resource_documentation`: a page about the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_documentation: Option<String>,
}

/// RFC 8414 authorization server metadata (also the shape of OpenID Connect discovery).
///
/// Only the fields a login needs are kept; other members of the document are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationServerMetadata {
    /// `issuer`: the authorization server's identifier.
    pub issuer: String,
    /// `authorization_endpoint`: where the browser is sent to log in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// `token_endpoint`: where codes and refresh tokens are exchanged for access tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// `registration_endpoint`: RFC 7591 dynamic client registration, when offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// `revocation_endpoint`: RFC 7009 token revocation, used at logout when offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    /// `scopes_supported`: scopes the server can grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// `response_types_supported`: `code` for the authorization code flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_types_supported: Option<Vec<String>>,
    /// `grant_types_supported`: `authorization_code`, `refresh_token`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types_supported: Option<Vec<String>>,
    /// `token_endpoint_auth_methods_supported`: `none` for public clients, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `code_challenge_methods_supported`: PKCE methods; MCP requires `S256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// `client_id_metadata_document_supported`: client ID metadata documents are accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id_metadata_document_supported: Option<bool>,
}

const PROTECTED_RESOURCE_SUFFIX: &str = "/.well-known/oauth-protected-resource";
const AUTHORIZATION_SERVER_SUFFIX: &str = "/.well-known/oauth-authorization-server";
const OPENID_SUFFIX: &str = "/.well-known/openid-configuration";

/// The well-known URLs of a server's protected resource metadata, most specific first.
///
/// RFC 9728 §3.1 inserts the well-known segment between the host and the path
/// (`https://h/.well-known/oauth-protected-resource/mcp`); the MCP spec then falls back to the
/// root (`https://h/.well-known/oauth-protected-resource`).
pub fn protected_resource_metadata_urls(server_url: &Url) -> Vec<Url> {
    let path = trimmed_path(server_url);
    let mut urls = Vec::new();
    if !path.is_empty() {
        let mut url = at_origin(server_url, &format!("{PROTECTED_RESOURCE_SUFFIX}{path}"));
        // RFC 9728 keeps the resource's query component in the well-known URL.
        url.set_query(server_url.query());
        urls.push(url);
    }
    urls.push(at_origin(server_url, PROTECTED_RESOURCE_SUFFIX));
    urls
}

/// The URLs where an authorization server's metadata may be published, in the order to try.
///
/// For an issuer with a path (`https://auth/tenant`) the MCP spec's order: RFC 8414 path
/// insertion (`/.well-known/oauth-authorization-server/tenant`), OpenID path insertion
/// (`/.well-known/openid-configuration/tenant`), OpenID path appending
/// (`/tenant/.well-known/openid-configuration`); then the root RFC 8414 document, which
/// servers written for older drafts publish. Without a path: the RFC 8414 and the OpenID root
/// documents.
pub fn authorization_server_metadata_urls(issuer: &Url) -> Vec<Url> {
    let path = trimmed_path(issuer);
    if path.is_empty() {
        return vec![
            at_origin(issuer, AUTHORIZATION_SERVER_SUFFIX),
            at_origin(issuer, OPENID_SUFFIX),
        ];
    }
    vec![
        at_origin(issuer, &format!("{AUTHORIZATION_SERVER_SUFFIX}{path}")),
        at_origin(issuer, &format!("{OPENID_SUFFIX}{path}")),
        at_origin(issuer, &format!("{path}{OPENID_SUFFIX}")),
        at_origin(issuer, AUTHORIZATION_SERVER_SUFFIX),
    ]
}

/// The URL's path without its trailing slashes (`""` for the root).
fn trimmed_path(url: &Url) -> &str {
    url.path().trim_end_matches('/')
}

/// `url`'s scheme, host and port with `path`; no credentials, query or fragment.
pub(crate) fn at_origin(url: &Url, path: &str) -> Url {
    let mut out = url.clone();
    // Both only fail for URLs without a host, which have no well-known documents anyway.
    let _ = out.set_username("");
    let _ = out.set_password(None);
    out.set_query(None);
    out.set_fragment(None);
    out.set_path(path);
    out
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn strings(urls: Vec<Url>) -> Vec<String> {
        urls.into_iter().map(String::from).collect()
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn protected_resource_urls_insert_the_path_then_fall_back_to_the_root() {
        assert_eq!(
            strings(protected_resource_metadata_urls(&url(
                "https://user:pw@mcp.example.com:8443/public/mcp/?x=1#frag"
            ))),
            [
                "https://mcp.example.com:8443/.well-known/oauth-protected-resource/public/mcp?x=1",
                "https://mcp.example.com:8443/.well-known/oauth-protected-resource",
            ]
        );
        assert_eq!(
            strings(protected_resource_metadata_urls(&url(
                "http://127.0.0.1:9/"
            ))),
            ["http://127.0.0.1:9/.well-known/oauth-protected-resource"]
        );
    }

    #[test]
    fn authorization_server_urls_follow_the_mcp_order() {
        assert_eq!(
            strings(authorization_server_metadata_urls(&url(
                "https://auth.example.com/tenant1/"
            ))),
            [
                "https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
                "https://auth.example.com/.well-known/openid-configuration/tenant1",
                "https://auth.example.com/tenant1/.well-known/openid-configuration",
                "https://auth.example.com/.well-known/oauth-authorization-server",
            ]
        );
        assert_eq!(
            strings(authorization_server_metadata_urls(&url(
                "https://auth.example.com"
            ))),
            [
                "https://auth.example.com/.well-known/oauth-authorization-server",
                "https://auth.example.com/.well-known/openid-configuration",
            ]
        );
    }

    #[test]
    fn documents_parse_and_ignore_unknown_fields() {
        let prm: ProtectedResourceMetadata = serde_json::from_str(
            r#"{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://auth.example.com"],
                "scopes_supported":["read"],"bearer_methods_supported":["header"],"jwks_uri":"x"}"#,
        )
        .unwrap();
        assert_eq!(prm.authorization_servers, ["https://auth.example.com"]);
        assert_eq!(
            prm.scopes_supported.as_deref(),
            Some(&["read".to_string()][..])
        );
        assert_eq!(prm.resource_name, None);

        let asm: AuthorizationServerMetadata = serde_json::from_str(
            r#"{"issuer":"https://auth.example.com","authorization_endpoint":"https://auth.example.com/authorize",
                "token_endpoint":"https://auth.example.com/token","registration_endpoint":"https://auth.example.com/register",
                "code_challenge_methods_supported":["S256"],"userinfo_endpoint":"ignored"}"#,
        )
        .unwrap();
        assert_eq!(
            asm.code_challenge_methods_supported.as_deref(),
            Some(&["S256".to_string()][..])
        );
        let round_trip = serde_json::to_value(&asm).unwrap();
        assert_eq!(round_trip.get("userinfo_endpoint"), None);
        assert_eq!(round_trip.get("scopes_supported"), None);
    }

    #[test]
    fn documents_without_their_required_member_are_refused() {
        assert!(serde_json::from_str::<ProtectedResourceMetadata>(r#"{"error":"nope"}"#).is_err());
        assert!(
            serde_json::from_str::<AuthorizationServerMetadata>(r#"{"token_endpoint":"x"}"#)
                .is_err()
        );
    }
}
