//! Measures `CredentialStore::load_all` over 100 stored logins (what `list` reads), per store:
//!
//! ```sh
//! cargo run --release --example load_all -p mcpctl-credentials-store -- file
//! # the keyring in a throwaway gnome-keyring session:
//! K=$(mktemp -d -p /var/tmp) && mkdir -p $K/d $K/r && chmod 700 $K/r && \
//!   XDG_DATA_HOME=$K/d XDG_RUNTIME_DIR=$K/r HOME=$K dbus-run-session -- sh -c \
//!   'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; \
//!    target/release/examples/load_all keyring'
//! ```
//!
//! Prints the median of 7 runs, each with a fresh store (a new keyring connection).
#![allow(clippy::print_stdout, clippy::print_stderr)]
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use mcpctl_credentials_store::{CredentialStore, Secret, StoreMode, StoredCredentials};

fn main() {
    let mode: StoreMode = std::env::args()
        .nth(1)
        .unwrap_or("file".into())
        .parse()
        .unwrap();
    let home = tempfile::tempdir_in(std::env::temp_dir()).unwrap();
    let store = CredentialStore::new(home.path(), mode);
    let keys: Vec<_> = (0..100)
        .map(|i| {
            let c = StoredCredentials {
                server_name: format!("server{i}"),
                server_url: format!("http://127.0.0.1:9/{i}"),
                issuer: None,
                client_id: "client".into(),
                access_token: Secret::new("access"),
                expires_at: Some(4_102_444_800_000),
                refresh_token: Some(Secret::new("refresh")),
                scopes: vec!["mcp:read".into()],
                client: None,
            };
            store.save(&c).unwrap();
            c.key()
        })
        .collect();
    let mut times: Vec<Duration> = (0..7)
        .map(|_| {
            let fresh = CredentialStore::new(home.path(), mode);
            let start = Instant::now();
            let all = fresh.load_all(&keys).unwrap();
            let took = start.elapsed();
            assert!(all.iter().all(Option::is_some));
            took
        })
        .collect();
    times.sort();
    println!(
        "{mode}: load_all of 100 logins: median {:?} (min {:?}, max {:?})",
        times[3], times[0], times[6]
    );
    for key in &keys {
        store.delete(key).unwrap();
    }
}
