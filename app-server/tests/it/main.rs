//! Drives the real `mcpctl app-server` over pipes.

mod client;
mod config;
mod mcp;
mod transport;
