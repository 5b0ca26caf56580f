#!/usr/bin/env bash
# The main job end to end, in a throwaway home (target/demo-home), with nothing else installed:
# build mcpctl and the workspace's demo MCP server, add the server, connect to it
# (`list --check`), list its tools, call one, then show the config file. If `just peers` has
# installed the Codex CLI, Codex reads the same file too. No network is touched.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"

target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
# Reuse a release build when one is at least as new as the sources (`just install` or
# `cargo build --release` made it); otherwise build debug, showing cargo's progress.
profile=debug
if [ -x "$target_dir/release/mcpctl" ] && [ -x "$target_dir/release/mcpctl-test-server" ] \
    && [ -z "$(find cli core rmcp-client utils testing/test-server -name '*.rs' -newer "$target_dir/release/mcpctl" -print -quit)" ]; then
    profile=release
    echo "Using the release build in $target_dir/release."
else
    echo "Building mcpctl and the demo server (debug; the first build takes a few minutes)..."
    cargo build -p mcpctl-cli -p mcpctl-test-server
fi
mcpctl="$target_dir/$profile/mcpctl"
demo_server="$target_dir/$profile/mcpctl-test-server"

home="$root/target/demo-home"
rm -rf "$home"
mkdir -p "$home/system"
export MCPCTL_HOME="$home" MCPCTL_SYSTEM_DIR="$home/system"

# Bold command lines only on a terminal, and never with NO_COLOR.
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
run() {
    printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"
    "$@"
}

run "$mcpctl" add demo --env DEMO_MODE=tour -- "$demo_server"
run "$mcpctl" add web --url http://127.0.0.1:9/mcp --bearer-token-env-var WEB_TOKEN --disabled
run "$mcpctl" list
run "$mcpctl" list --check
run "$mcpctl" tools demo
run "$mcpctl" call demo add a=2 b=40
run "$mcpctl" call demo echo "text=hello from mcpctl"
run cat "$home/config.toml"

codex=""
for candidate in "$root"/testing/peers/node_modules/@openai/codex-linux-*/vendor/*/bin/codex; do
    if [ -x "$candidate" ]; then codex="$candidate"; break; fi
done
if [ -n "$codex" ]; then
    printf '\nThe Codex CLI reads the same file:\n'
    run env CODEX_HOME="$home" "$codex" mcp list
else
    printf '\nSkipped the Codex step: the Codex CLI is not installed (run `just peers` to install the pinned one).\n'
fi
