//! Loopback ports.

use std::net::TcpListener;

/// A loopback port that was free a moment ago (the kernel picked it, then it was released).
/// Another process may take it before the test does; prefer binding port 0 where a program allows.
///
/// # Panics
/// When no loopback port can be bound.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind a loopback port")
}

/// A `http://127.0.0.1:<port>/mcp` URL where nothing listens: connections are refused.
pub fn closed_port_url() -> String {
    format!("http://127.0.0.1:{}/mcp", free_port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_port_can_be_bound_and_a_closed_one_refuses() {
        let port = free_port();
        assert_ne!(port, 0);
        drop(TcpListener::bind(("127.0.0.1", port)).unwrap());
        let url = closed_port_url();
        let addr = url.trim_start_matches("http://").trim_end_matches("/mcp");
        assert!(std::net::TcpStream::connect(addr).is_err());
    }
}
