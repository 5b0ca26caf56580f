//! Parsing and matching of admin requirements (`requirements.toml` MCP server allowlists).
//!
//! Load a file with [`Requirements::load`], then ask [`Requirements::check`] for every
//! configured server. Any malformed file is an [`AllowlistError`]; callers must refuse to run
//! rather than ignore it (fail closed).

mod decision;
mod error;
mod identity;
mod parse;
mod requirements;

pub use decision::{Decision, DenyReason};
pub use error::{AllowlistError, SourceLocation};
pub use identity::{IdentityMatcher, ServerIdentity, UrlMatcher};
pub use requirements::{AllowlistEntry, AllowlistSection, Requirements};
