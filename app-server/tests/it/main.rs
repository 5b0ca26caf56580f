//! Drives the real `mcpctl app-server` over pipes.

mod client;
mod compat;
mod config;
mod mcp;
mod transport;
