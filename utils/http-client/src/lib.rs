//! The one way mcpctl builds HTTP clients, so that every request it sends (the auth probe of
//! `list --check`, MCP connections, OAuth) follows the same rules:
//!
//! - Redirects are followed only within the origin (scheme, host, port) of the request that
//!   was redirected, at most [`MAX_REDIRECTS`] times. A redirect elsewhere is not followed: the
//!   caller sees the 3xx answer. reqwest would otherwise forward custom headers (an API key in
//!   `http_headers`) to whatever host a server names; it strips only `Authorization` and
//!   `Cookie`.
//! - No `Referer` header, which could carry a URL's query (`?api_key=…`) to another site.
//! - A `mcpctl/<version>` user agent.

mod policy;

pub use policy::{MAX_REDIRECTS, same_origin};

/// A client builder with mcpctl's defaults; add timeouts and the like, then `build()`.
pub fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(policy::same_origin_policy())
        .referer(false)
        .user_agent(concat!("mcpctl/", env!("CARGO_PKG_VERSION")))
}
