//! Test support shared by mcpctl's test suites: where the test MCP server binary and the
//! pinned npm peers live. Only dev-dependencies use this crate.

mod peers;
mod test_server;

pub use peers::{node22, peer_package, peers_dir};
pub use test_server::test_server_bin;
