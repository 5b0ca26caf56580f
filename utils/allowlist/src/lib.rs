//! Parsing and matching of admin requirements (`requirements.toml` MCP server allowlists).
//!
//! Load a file with [`Requirements::load`], then ask [`Requirements::check`] for every
//! configured server. A stdio server is checked on its whole launch ([`StdioLaunch`]: command,
//! args, env, env_vars, cwd), an HTTP server on its parsed URL. Any malformed file is an
//! [`AllowlistError`]; callers must refuse to run rather than ignore it (fail closed).

mod decision;
mod error;
mod identity;
mod launch;
mod parse;
#[cfg(test)]
mod properties;
mod requirements;
mod risky_env;
mod url_rule;

pub use decision::{Decision, DenyReason};
pub use error::{AllowlistError, SourceLocation};
pub use identity::{IdentityMatcher, ServerIdentity};
pub use launch::{
    ArgsRule, CommandRule, EnvSource, RefusedEnv, StdioLaunch, is_relative_path_command,
};
pub use requirements::{AllowlistEntry, AllowlistSection, Requirements};
pub use risky_env::{RISKY_ENV, RiskyEnv, risky_env};
pub use url_rule::{UrlMatchKind, UrlMatcher, UrlRuleError};
