//! Discovery of the authorization server, in the order of the MCP authorization spec
//! (2025-11-25) with its 2025-03-26 fallback:
//!
//! 1. protected-resource metadata (RFC 9728): the challenge's `resource_metadata` URL, then the
//!    well-known URL with the server's path inserted, then the root one;
//! 2. its authorization server's metadata: RFC 8414 with path insertion, then OpenID discovery
//!    (path insertion, then path appending), then the root document;
//! 3. without protected-resource metadata (a 2025-03-26 server): metadata at the server's
//!    origin, else the default `/authorize`, `/token` and `/register` endpoints there.
//!
//! A protected-resource metadata document whose `resource` is not this server is refused here,
//! before any authorization request can be made.

use mcpctl_oauth_discovery::{
    BearerChallenge, ProtectedResourceMetadata, authorization_server_metadata_urls,
    protected_resource_metadata_urls,
};
use reqwest::header::ACCEPT;
use serde::de::DeserializeOwned;
use url::Url;

use crate::oauth::error::{OAuthError, request_failed};
use crate::oauth::http::{OAuthHttp, content_type, read_body};
use crate::oauth::metadata::AuthServerMetadata;

/// Sent with metadata requests, as the MCP spec asks.
const PROTOCOL_VERSION: &str = "2025-11-25";

/// Protected-resource metadata and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceMetadata {
    /// The document's URL.
    pub url: String,
    /// The document.
    pub document: ProtectedResourceMetadata,
}

/// How the authorization server was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataSource {
    /// Through protected-resource metadata (the current MCP spec).
    ProtectedResource,
    /// 2025-03-26: authorization server metadata at the MCP server's origin.
    ServerOrigin,
    /// 2025-03-26: no metadata at all; `/authorize`, `/token`, `/register` at the origin.
    DefaultEndpoints,
}

/// Everything discovery found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// The protected-resource metadata, when the server publishes it.
    pub resource_metadata: Option<ResourceMetadata>,
    /// The authorization server's metadata.
    pub metadata: AuthServerMetadata,
    /// Where it was read (`None` for default endpoints).
    pub metadata_url: Option<String>,
    /// How it was found.
    pub source: MetadataSource,
}

impl Discovery {
    /// The `scopes_supported` of the protected-resource metadata.
    pub fn resource_scopes(&self) -> Option<&[String]> {
        self.resource_metadata
            .as_ref()
            .and_then(|m| m.document.scopes_supported.as_deref())
    }

    /// The resource the protected-resource metadata names, if any.
    pub fn resource(&self) -> Option<&str> {
        self.resource_metadata
            .as_ref()
            .map(|m| m.document.resource.as_str())
    }
}

/// Finds the authorization server of the MCP server at `server_url`, starting from the Bearer
/// `challenge` of its `401` when there is one. `default_endpoints` allows the last resort of
/// the 2025-03-26 spec (made-up endpoints at the origin); pass it only when the server did ask
/// for Bearer credentials.
pub async fn discover(
    http: &OAuthHttp,
    server_url: &Url,
    challenge: Option<&BearerChallenge>,
    default_endpoints: bool,
) -> Result<Discovery, OAuthError> {
    if let Some(resource_metadata) = find_resource_metadata(http, server_url, challenge).await? {
        let (metadata, metadata_url) = authorization_server_of(http, &resource_metadata).await?;
        return Ok(Discovery {
            resource_metadata: Some(resource_metadata),
            metadata,
            metadata_url: Some(metadata_url),
            source: MetadataSource::ProtectedResource,
        });
    }
    let origin = at_origin(server_url, "/");
    for url in authorization_server_metadata_urls(&origin) {
        // A 2025-03-26 server is its own authorization server; its metadata's issuer is not
        // held to the origin (servers of that era often put a path in it).
        if let Some(metadata) = fetch_document::<AuthServerMetadata>(http, &url, false).await? {
            return Ok(Discovery {
                resource_metadata: None,
                metadata,
                metadata_url: Some(url.to_string()),
                source: MetadataSource::ServerOrigin,
            });
        }
    }
    if !default_endpoints {
        return Err(OAuthError::NoOAuth {
            url: server_url.to_string(),
            reason: "it publishes neither protected-resource nor authorization server metadata"
                .to_owned(),
        });
    }
    let endpoint = |path: &str| at_origin(server_url, path).to_string();
    Ok(Discovery {
        resource_metadata: None,
        metadata: AuthServerMetadata {
            authorization_endpoint: Some(endpoint("/authorize")),
            token_endpoint: Some(endpoint("/token")),
            registration_endpoint: Some(endpoint("/register")),
            ..AuthServerMetadata::default()
        },
        metadata_url: None,
        source: MetadataSource::DefaultEndpoints,
    })
}

/// The server's protected-resource metadata: at the challenge's URL, else the well-known ones.
async fn find_resource_metadata(
    http: &OAuthHttp,
    server_url: &Url,
    challenge: Option<&BearerChallenge>,
) -> Result<Option<ResourceMetadata>, OAuthError> {
    let advertised = challenge
        .and_then(|c| c.resource_metadata.as_deref())
        .and_then(|link| server_url.join(link).ok());
    let mut candidates: Vec<(Url, bool)> = advertised.into_iter().map(|u| (u, true)).collect();
    for url in protected_resource_metadata_urls(server_url) {
        if !candidates.iter().any(|(c, _)| *c == url) {
            candidates.push((url, false));
        }
    }
    // A URL the server did not name is only a guess: a failure there just moves on, unless
    // nothing else is found.
    let mut guess_failure = None;
    for (url, named) in candidates {
        let found = match fetch_document::<ProtectedResourceMetadata>(http, &url, named).await {
            Ok(found) => found,
            Err(error) if named => return Err(error),
            Err(error) => {
                guess_failure = Some(error);
                continue;
            }
        };
        let Some(document) = found else { continue };
        check_resource(server_url, &url, &document.resource)?;
        return Ok(Some(ResourceMetadata {
            url: url.to_string(),
            document,
        }));
    }
    match guess_failure {
        Some(error @ (OAuthError::Unreachable { .. } | OAuthError::ServerError { .. })) => {
            Err(error)
        }
        _ => Ok(None),
    }
}

/// The metadata of the first authorization server the resource names that publishes some.
async fn authorization_server_of(
    http: &OAuthHttp,
    resource: &ResourceMetadata,
) -> Result<(AuthServerMetadata, String), OAuthError> {
    let servers = &resource.document.authorization_servers;
    if servers.is_empty() {
        return Err(OAuthError::NoAuthorizationServer {
            metadata_url: resource.url.clone(),
        });
    }
    let base = Url::parse(&resource.url).ok();
    let mut tried = Vec::new();
    for issuer in servers {
        let issuer_url = match Url::parse(issuer)
            .ok()
            .or_else(|| base.as_ref().and_then(|b| b.join(issuer).ok()))
        {
            Some(url) if matches!(url.scheme(), "http" | "https") => url,
            _ => {
                return Err(OAuthError::InvalidUrl {
                    what: "the authorization server",
                    url: issuer.clone(),
                });
            }
        };
        for url in authorization_server_metadata_urls(&issuer_url) {
            tried.push(url.to_string());
            let Some(mut metadata) =
                fetch_document::<AuthServerMetadata>(http, &url, false).await?
            else {
                continue;
            };
            match metadata.issuer.as_deref() {
                Some(found) if !same_issuer(found, issuer) => {
                    return Err(OAuthError::IssuerMismatch {
                        url: url.to_string(),
                        expected: issuer.clone(),
                        found: found.to_owned(),
                    });
                }
                Some(_) => {}
                None => metadata.issuer = Some(issuer.clone()),
            }
            return Ok((metadata, url.to_string()));
        }
    }
    Err(OAuthError::AuthorizationServerMetadataMissing {
        issuer: servers.join(", "),
        tried: tried.join(", "),
    })
}

/// RFC 8414 §3.3 compares issuers exactly; a trailing slash on a path-less issuer is forgiven,
/// since URL libraries add it.
fn same_issuer(a: &str, b: &str) -> bool {
    a == b || a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// Refuses protected-resource metadata that is not about `server_url`: the same origin, and a
/// `resource` path equal to the server's or a parent of it (a root document may describe
/// every path of its origin).
fn check_resource(server_url: &Url, metadata_url: &Url, resource: &str) -> Result<(), OAuthError> {
    if resource_covers(resource, server_url) {
        return Ok(());
    }
    Err(OAuthError::ResourceMismatch {
        metadata_url: metadata_url.to_string(),
        resource: resource.to_owned(),
        server_url: server_url.to_string(),
    })
}

/// Whether the resource identifier `resource` covers `server_url`.
pub(crate) fn resource_covers(resource: &str, server_url: &Url) -> bool {
    let Ok(resource) = Url::parse(resource) else {
        return false;
    };
    if resource.fragment().is_some()
        || resource.scheme() != server_url.scheme()
        || resource.host_str().map(str::to_ascii_lowercase)
            != server_url.host_str().map(str::to_ascii_lowercase)
        || resource.port_or_known_default() != server_url.port_or_known_default()
    {
        return false;
    }
    let parent = resource.path().trim_end_matches('/');
    let path = server_url.path().trim_end_matches('/');
    path == parent || path.starts_with(&format!("{parent}/"))
}

/// Fetches `url` as a JSON document of type `T`.
///
/// `Ok(None)` when the URL does not serve one (404, another status, or — unless `required` —
/// a body that is not a `T`). A body that is not a `T` at a URL the server named itself
/// (`required`) is [`OAuthError::InvalidMetadata`]; 5xx answers and transport failures are
/// errors.
async fn fetch_document<T: DeserializeOwned>(
    http: &OAuthHttp,
    url: &Url,
    required: bool,
) -> Result<Option<T>, OAuthError> {
    let response = http
        .client()
        .get(url.clone())
        .header(ACCEPT, "application/json")
        .header("MCP-Protocol-Version", PROTOCOL_VERSION)
        .send()
        .await
        .map_err(|e| request_failed(url.as_str(), &e))?;
    let status = response.status();
    http.remember(
        url.as_str(),
        status.as_u16(),
        content_type(response.headers()),
    );
    if status.is_server_error() || matches!(status.as_u16(), 408 | 429) {
        return Err(OAuthError::ServerError {
            url: url.to_string(),
            status: status.as_u16(),
        });
    }
    if !status.is_success() {
        if required {
            return Err(OAuthError::InvalidMetadata {
                url: url.to_string(),
                reason: format!("HTTP {status}"),
            });
        }
        return Ok(None);
    }
    let kind = content_type(response.headers());
    let body = read_body(response)
        .await
        .map_err(|e| request_failed(url.as_str(), &e))?;
    let parsed = match body {
        Some(body) => serde_json::from_slice::<T>(&body).map_err(|e| e.to_string()),
        None => Err("larger than 1 MiB".to_owned()),
    };
    match parsed {
        Ok(document) => Ok(Some(document)),
        Err(reason) if required => Err(OAuthError::InvalidMetadata {
            url: url.to_string(),
            reason: match kind {
                Some(kind) if kind != "application/json" => format!("{kind}: {reason}"),
                _ => reason,
            },
        }),
        Err(_) => Ok(None),
    }
}

/// `url`'s scheme, host and port with `path`.
pub(crate) fn at_origin(url: &Url, path: &str) -> Url {
    let mut out = url.clone();
    let _ = out.set_username("");
    let _ = out.set_password(None);
    out.set_query(None);
    out.set_fragment(None);
    out.set_path(path);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_cover_their_paths() {
        let server = Url::parse("https://mcp.example.com/team/mcp").unwrap();
        for ok in [
            "https://mcp.example.com/team/mcp",
            "https://mcp.example.com/team/mcp/",
            "https://MCP.example.com:443/team",
            "https://mcp.example.com",
        ] {
            assert!(resource_covers(ok, &server), "{ok}");
        }
        for bad in [
            "https://evil.example.com/team/mcp",
            "http://mcp.example.com/team/mcp",
            "https://mcp.example.com:8443/team/mcp",
            "https://mcp.example.com/te",
            "https://mcp.example.com/team/mcp/other",
            "https://mcp.example.com/team/mcp#frag",
            "not a url",
        ] {
            assert!(!resource_covers(bad, &server), "{bad}");
        }
    }

    #[test]
    fn issuers_compare_exactly_but_for_a_trailing_slash() {
        assert!(same_issuer("https://a.example", "https://a.example/"));
        assert!(!same_issuer("https://a.example/x", "https://a.example"));
    }
}
