//! Finds out whether an MCP server reached over streamable HTTP wants an OAuth login.
//!
//! [`probe()`] sends one unauthenticated request and, when the server answers `401`, follows the
//! MCP authorization spec's discovery chain: the `WWW-Authenticate` challenge
//! ([`parse_www_authenticate`]), RFC 9728 protected resource metadata, then RFC 8414 / OpenID
//! authorization server metadata. The metadata types are the ones a later OAuth login uses.

mod challenge;
mod metadata;
mod probe;

pub use challenge::{BearerChallenge, Challenge, bearer_challenge, parse_www_authenticate};
pub use metadata::{
    AuthorizationServerMetadata, ProtectedResourceMetadata, authorization_server_metadata_urls,
    protected_resource_metadata_urls,
};
pub use probe::{AuthProbe, probe};
