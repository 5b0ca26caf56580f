//! [`OAuthError`]: what went wrong talking OAuth to a server or its authorization server.

use thiserror::Error;

/// A failed OAuth step. Each message is one sentence that names the cause, the URL involved and
/// what to do; none contains a token, an authorization code, a PKCE verifier or a client secret.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// A URL (configured or published by a server) is not an absolute http(s) URL.
    #[error("{what} {url:?} is not a valid http(s) URL")]
    InvalidUrl {
        /// What the URL is, e.g. "the token endpoint".
        what: &'static str,
        /// The URL as given.
        url: String,
    },
    /// An HTTP request failed below HTTP (DNS, refused connection, TLS, timeout).
    #[error("cannot reach {url}: {cause}")]
    Unreachable {
        /// The URL requested.
        url: String,
        /// The innermost cause ("Connection refused", "timed out", ...).
        cause: String,
    },
    /// A server answered 5xx (or 408/429) while mcpctl read its OAuth metadata.
    #[error("{url} answered HTTP {status}; the server is having trouble, try again later")]
    ServerError {
        /// The URL requested.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// A document the server pointed at is not the metadata it should be.
    #[error(
        "{url} does not serve valid OAuth metadata ({reason}); the server's OAuth setup is broken: \
         tell its operator, or use a bearer token (--bearer-token-env-var)"
    )]
    InvalidMetadata {
        /// The document's URL.
        url: String,
        /// What is wrong (a parser position or a missing field, never the body).
        reason: String,
    },
    /// The server does not ask for OAuth and publishes no OAuth metadata.
    #[error(
        "{url} does not offer an OAuth login: {reason}; if it needs a token, use \
         --bearer-token-env-var"
    )]
    NoOAuth {
        /// The MCP server URL.
        url: String,
        /// What the server did ("it answered HTTP 200 without credentials", ...).
        reason: String,
    },
    /// RFC 9728: the protected-resource metadata describes another resource.
    #[error(
        "the protected-resource metadata at {metadata_url} is for {resource}, not for {server_url}; \
         mcpctl refuses to log in, because the tokens would be for another server"
    )]
    ResourceMismatch {
        /// Where the metadata was read.
        metadata_url: String,
        /// The `resource` it names.
        resource: String,
        /// The configured server URL.
        server_url: String,
    },
    /// The protected-resource metadata names no authorization server.
    #[error(
        "the protected-resource metadata at {metadata_url} names no authorization server, so there \
         is nowhere to log in"
    )]
    NoAuthorizationServer {
        /// Where the metadata was read.
        metadata_url: String,
    },
    /// None of the authorization server's well-known metadata URLs answered with metadata.
    #[error(
        "the authorization server {issuer} publishes no OAuth metadata (tried {tried}); check the \
         server's OAuth setup"
    )]
    AuthorizationServerMetadataMissing {
        /// The authorization server.
        issuer: String,
        /// The URLs tried, comma-separated.
        tried: String,
    },
    /// RFC 8414 §3.3: the metadata names another issuer than the one it was fetched for.
    #[error(
        "the authorization server metadata at {url} says its issuer is {found}, not {expected}; \
         mcpctl refuses it (RFC 8414 §3.3)"
    )]
    IssuerMismatch {
        /// Where the metadata was read.
        url: String,
        /// The issuer asked for.
        expected: String,
        /// The issuer in the document.
        found: String,
    },
    /// The authorization server does not do PKCE with S256, which OAuth 2.1 and MCP require.
    #[error(
        "the authorization server {issuer} does not support PKCE with S256, which MCP requires; \
         mcpctl cannot log in there safely"
    )]
    PkceUnsupported {
        /// The authorization server.
        issuer: String,
    },
    /// The authorization server has no authorization endpoint (a browser login is impossible).
    #[error("the authorization server {issuer} has no authorization endpoint for a browser login")]
    NoAuthorizationEndpoint {
        /// The authorization server.
        issuer: String,
    },
    /// The authorization server has no token endpoint.
    #[error("the authorization server {issuer} has no token endpoint")]
    NoTokenEndpoint {
        /// The authorization server.
        issuer: String,
    },
    /// No way to get a client id: no pre-registered client, no CIMD, no dynamic registration.
    #[error(
        "the authorization server {issuer} offers no dynamic client registration{cimd}; register a \
         client with the provider and set it with `--oauth-client-id` (and \
         `oauth.client_secret_env_var` for its secret)"
    )]
    RegistrationUnsupported {
        /// The authorization server.
        issuer: String,
        /// " and mcpctl has no client ID metadata document URL for it" or empty.
        cimd: &'static str,
    },
    /// Client ID metadata documents were asked for and cannot be used.
    #[error("{0}")]
    CimdUnavailable(String),
    /// The registration endpoint refused or garbled the registration.
    #[error("dynamic client registration at {endpoint} failed: {detail}")]
    Registration {
        /// The registration endpoint.
        endpoint: String,
        /// The OAuth error or what was wrong with the answer.
        detail: String,
    },
    /// The callback's `iss` (RFC 9207) is not the authorization server's issuer.
    #[error(
        "the login answer came from {received}, not from the authorization server {expected}; \
         mcpctl stopped the login (RFC 9207 mix-up protection)"
    )]
    CallbackIssuerMismatch {
        /// The discovered issuer.
        expected: String,
        /// The `iss` the callback carried.
        received: String,
    },
    /// The authorization server announced `iss` in callbacks, and the callback had none.
    #[error(
        "the login answer carries no `iss` although the authorization server {expected} promises \
         one; mcpctl stopped the login (RFC 9207)"
    )]
    CallbackIssuerMissing {
        /// The discovered issuer.
        expected: String,
    },
    /// The token endpoint answered with an OAuth error.
    #[error("the token endpoint {endpoint} refused the {grant}: {detail}")]
    TokenRefused {
        /// The token endpoint.
        endpoint: String,
        /// "code exchange", "refresh", "client credentials request".
        grant: &'static str,
        /// The OAuth error code and description.
        detail: String,
    },
    /// The token endpoint answered with something that is not a token response.
    #[error(
        "the token endpoint {endpoint} did not answer the {grant} with an OAuth token response \
         ({detail}); the provider may be down or misconfigured, try again later"
    )]
    TokenGarbage {
        /// The token endpoint.
        endpoint: String,
        /// "code exchange", "refresh", ...
        grant: &'static str,
        /// HTTP status and content type, or the parser's complaint.
        detail: String,
    },
    /// The refresh token was rejected (expired, revoked or already used): log in again.
    #[error(
        "the authorization server no longer accepts this login's refresh token ({detail}); log in \
         again"
    )]
    RefreshRejected {
        /// The OAuth error.
        detail: String,
    },
    /// There is nothing to refresh with.
    #[error("this login has no refresh token and its access token has expired; log in again")]
    NoRefreshToken,
    /// The revocation endpoint refused the request.
    #[error("the revocation endpoint {endpoint} refused to revoke the token: {detail}")]
    Revocation {
        /// The revocation endpoint.
        endpoint: String,
        /// What it said.
        detail: String,
    },
    /// The private key for `private_key_jwt` cannot be used.
    #[error("{0}")]
    PrivateKey(String),
    /// Anything else the OAuth library reported.
    #[error("OAuth failed: {0}")]
    Other(String),
}

/// The innermost message of an error chain: the real cause ("Connection refused").
pub(crate) fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// An [`OAuthError::Unreachable`] or [`OAuthError::ServerError`] from a failed reqwest call.
pub(crate) fn request_failed(url: &str, error: &reqwest::Error) -> OAuthError {
    let cause = if error.is_timeout() {
        "timed out".to_owned()
    } else {
        innermost(error)
    };
    OAuthError::Unreachable {
        url: url.to_owned(),
        cause,
    }
}
