//! Integration tests of the `mcpctl` binary on temporary homes.
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr
)]

mod add;
mod approval;
mod attacks;
mod codex_interop;
mod concurrency;
mod errors;
mod faults;
mod file_modes;
mod gateway;
mod gateway_python;
mod interop;
mod layers;
mod list;
mod live;
mod migrate;
mod newcomer;
mod oauth;
mod policy;
mod snapshots_all;
mod sse;
mod support;
mod trust;
