//! Integration tests of mcpctl-credentials-store: real files, real processes, a real Secret
//! Service (gnome-keyring under dbus-run-session) and the real Codex CLI.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod codex_interop;
mod concurrency;
mod file_store;
mod keyring;
mod support;
