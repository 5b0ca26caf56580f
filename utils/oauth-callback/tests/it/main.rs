//! Integration tests of mcpctl-oauth-callback with real HTTP requests, and a whole
//! authorization round trip through the OAuth test provider and the `$BROWSER` script.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod listener;
mod namespace;
mod provider;
