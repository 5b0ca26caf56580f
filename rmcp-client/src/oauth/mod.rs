//! OAuth 2.1 for MCP servers over HTTP, on rmcp's `auth` module: discovery from the server's
//! own `401`, dynamic registration, the authorization code grant with PKCE, refresh, client
//! credentials, revocation. Each step is one function; the login flow that strings them
//! together (callback listener, browser, storage) lives in `mcpctl-core`.
//!
//! Where rmcp's behaviour is not what MCP clients need, this module does the step itself or
//! steers rmcp: discovery starts from the `WWW-Authenticate` of an `initialize` POST (rmcp
//! probes with a GET) and falls back to the 2025-03-26 rules; registration honours the
//! `token_endpoint_auth_method` the server assigns; the client secret is handed back to rmcp
//! for every refresh (rust-sdk#784); revocation (RFC 7009) is mcpctl's own.
//!
//! Nothing here prints or logs, and no error message carries a token, code, verifier or secret.

mod authorize;
mod client_credentials;
mod contact;
mod discovery;
mod error;
mod http;
mod metadata;
mod refresh;
mod registration;
mod revoke;
mod scopes;
mod tokens;
mod transport;

pub use authorize::{AuthorizationParams, PendingAuthorization, start_authorization};
pub use client_credentials::{ClientCredential, ClientCredentialsParams, client_credentials};
pub use contact::{FirstContact, first_contact};
pub use discovery::{Discovery, MetadataSource, ResourceMetadata, discover};
pub use error::OAuthError;
pub use http::OAuthHttp;
pub use metadata::AuthServerMetadata;
pub use refresh::{RefreshParams, refresh_tokens};
pub use registration::{ClientIdentity, RegistrationRequest, TokenAuthMethod, register};
pub use revoke::{TokenKind, revoke_token};
pub use scopes::{ScopeSource, select_scopes, union_scopes};
pub use tokens::TokenSet;
pub use transport::{AuthorizedClient, OAuthSource, TokenSource};

/// The Bearer challenge of a `WWW-Authenticate` header.
pub use mcpctl_oauth_discovery::BearerChallenge;

/// The reqwest client of an OAuth-protected MCP connection.
pub(crate) use transport::http_client as transport_http_client;
