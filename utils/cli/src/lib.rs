//! Shared clap pieces for mcpctl front ends: -c key=value overrides and --enable/--disable.
//!
//! Flatten [`ConfigOverrides`] into a command and call [`ConfigOverrides::parse`] to get the
//! [`Override`]s to lay over the loaded config; use [`parse_key_value`] as the value parser of
//! `--env KEY=VALUE`-style flags.

mod error;
mod key_value;
mod overrides;

pub use error::OverrideError;
pub use key_value::parse_key_value;
pub use mcpctl_keypath::{KeyPathError, key_path_to_string, parse_key_path};
pub use overrides::{ConfigOverrides, Override, parse_override};
