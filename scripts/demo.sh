#!/usr/bin/env bash
# The main job end to end, in a throwaway home (target/demo-home), with nothing else installed:
# build mcpctl and the workspace's demo MCP server, add the server, connect to it
# (`list --check`), list its tools, call one, then show the config file. If `just peers` has
# installed the Codex CLI, Codex reads the same file too. No network is touched.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"

cargo build -q -p mcpctl-cli -p mcpctl-test-server
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
mcpctl="$target_dir/debug/mcpctl"
demo_server="$target_dir/debug/mcpctl-test-server"

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
fi
