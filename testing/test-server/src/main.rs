//! `mcpctl-test-server`: an MCP server for mcpctl's tests, built on rmcp's server side.
//!
//! Every switch is described in `args.rs` (`--help` prints them). The server writes a
//! line to stderr at start so tests can check where a server's stderr goes.
// A binary: printing is its job (the workspace denies it in library crates).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod handler;
mod hostile;
mod http;
mod sse;

use clap::Parser;
use rmcp::ServiceExt;

use crate::args::Args;
use crate::handler::TestServer;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    eprintln!("mcpctl-test-server: starting (pid {})", std::process::id());
    args.event(&format!("start {}", std::process::id()));
    if args.crash_on_start {
        eprintln!("mcpctl-test-server: crashing on start as asked (--crash-on-start)");
        std::process::exit(3);
    }
    if let Some(mode) = args.hostile {
        return hostile::run(mode, args.count);
    }
    if args.exit_before_init {
        let mut request = String::new();
        let _ = std::io::stdin().read_line(&mut request);
        eprintln!(
            "mcpctl-test-server: exiting before answering initialize as asked (--exit-before-init)"
        );
        std::process::exit(5);
    }
    if args.print_garbage {
        // A control character too, to check that clients escape what they show.
        println!("Hello from a server that logs to stdout \u{1b}[0m");
    }
    let server = TestServer::new(args.clone());
    if let Some(port) = args.sse {
        let options = sse::Options {
            endpoint: args.sse_endpoint.clone(),
            huge_event: args.sse_huge_event,
            bearer_token: args.bearer_token.clone(),
        };
        return sse::serve(server, port, options).await;
    }
    match args.http {
        Some(port) => http::serve(server, port, args.bearer_token.clone()).await,
        None => {
            let running = server.serve(rmcp::transport::stdio()).await?;
            running.waiting().await?;
            eprintln!("mcpctl-test-server: stdin closed, exiting");
            Ok(())
        }
    }
}
