#!/usr/bin/env bash
# nextest setup script (see .config/nextest.toml): makes sure mcpctl-test-server is built and
# tells the tests where it is through $NEXTEST_ENV, so no test runs `cargo build` itself.
#
# `cargo nextest run --workspace` already builds the server (its package has integration tests);
# building it again here with `-p` would compile its dependencies a second time with other
# features, so the build only runs when the binary is missing or older than its sources.
# The binary is looked for under the dev profile (target/debug); set MCPCTL_TEST_SERVER to use
# another one.
set -euo pipefail

if [ -n "${MCPCTL_TEST_SERVER:-}" ]; then
    echo "MCPCTL_TEST_SERVER=$MCPCTL_TEST_SERVER (from the environment)"
    exit 0
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${CARGO_TARGET_DIR:-$root/target}/debug/mcpctl-test-server"
if [ ! -x "$bin" ] || [ -n "$(find "$root/testing/test-server" "$root/Cargo.lock" -newer "$bin" -print -quit)" ]; then
    cargo build --quiet -p mcpctl-test-server --manifest-path "$root/Cargo.toml"
fi
echo "MCPCTL_TEST_SERVER=$bin" >> "$NEXTEST_ENV"
echo "MCPCTL_TEST_SERVER=$bin"
