//! Drives the real `mcpctl app-server` over pipes.
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr
)]

mod client;
mod compat;
mod config;
mod interop;
mod mcp;
mod transport;
mod typescript;
