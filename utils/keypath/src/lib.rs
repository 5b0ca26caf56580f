//! Dotted TOML key paths (`mcp_servers."a.b".enabled`): [`parse_key_path`] reads one as typed
//! on a command line, [`key_path_to_string`] writes one so that both TOML and the parser read
//! it back unchanged. Every crate that names a key in a message uses this one formatter.

mod key_path;

pub use key_path::{KeyPathError, key_path_to_string, parse_key_path};
