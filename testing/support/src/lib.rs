//! The test context shared by mcpctl's test suites (a dev-dependency only): a temporary home
//! ([`TestHome`]) that builds `mcpctl` commands, the workspace binaries found from the build
//! ([`test_server_bin`], [`mcpctl_bin`]), a scripted HTTP server that logs every request
//! ([`MockHttp`]), process liveness from `/proc`, marker files, insta filters, a second Unix
//! user ([`OtherUser`]) and the pinned npm peers.
// Test support: a context that can't be set up fails the test loudly, and a skipped test says
// why on stderr.
#![allow(clippy::expect_used, clippy::print_stderr)]

mod binaries;
mod home;
mod marker;
mod mock_http;
mod net;
mod other_user;
mod peers;
mod process;
mod snapshots;
mod test_server;

pub use binaries::{MCPCTL_ENV, TEST_SERVER_ENV, mcpctl_bin, test_server_bin};
pub use home::{Run, TestHome, read};
pub use marker::Marker;
pub use mock_http::{LoggedRequest, MockHttp, Reply};
pub use net::{closed_port_url, free_port};
pub use other_user::{OTHER_USER_ENV, OTHER_USER_NAME, OtherUser, REQUIRE_OTHER_USER_ENV};
pub use peers::{node22, peer_package, peers_dir};
pub use process::{
    group_members, kill_group, pid_alive, process_group, processes_in, processes_with_marker,
    wait_for_exit, wait_for_group_exit, wait_until,
};
pub use snapshots::{FILTERS, TMP, insta_settings};
pub use test_server::HttpTestServer;
