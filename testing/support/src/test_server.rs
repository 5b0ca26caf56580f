//! The workspace test server (`testing/test-server`) run over streamable HTTP.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use crate::binaries::test_server_bin;

/// `mcpctl-test-server --http 0 <switches>` on a free loopback port; killed when dropped.
pub struct HttpTestServer {
    child: Child,
    url: String,
}

impl HttpTestServer {
    /// Starts the server with extra `switches` (e.g. `["--bearer-token", "t"]`) and waits for
    /// the `listening on <url>` line.
    ///
    /// # Panics
    /// When the server can't start or doesn't say where it listens.
    pub fn start(switches: &[&str]) -> Self {
        let mut child = Command::new(test_server_bin())
            .args(["--http", "0"])
            .args(switches)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mcpctl-test-server --http 0");
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("mcpctl-test-server --http 0 printed {line:?} instead of `listening on <url>`");
        };
        let url = url.to_owned();
        Self { child, url }
    }

    /// `http://127.0.0.1:<port>/mcp`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for HttpTestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::process::{pid_alive, wait_until};

    #[test]
    fn the_http_server_listens_on_loopback_and_dies_with_its_handle() {
        let server = HttpTestServer::start(&[]);
        let url = server.url().to_owned();
        let addr = url
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix("/mcp"))
            .unwrap();
        assert!(addr.starts_with("127.0.0.1:"), "{url}");
        assert!(std::net::TcpStream::connect(addr).is_ok());
        let pid = server.pid();
        drop(server);
        assert!(wait_until(Duration::from_secs(5), || !pid_alive(pid)));
        assert!(std::net::TcpStream::connect(addr).is_err());
    }
}
