#!/usr/bin/env bash
# A short tour of mcpctl in a throwaway home (target/demo-home): add a stdio and an HTTP
# server, list them, disable one, show the file, and let the Codex CLI read the same file.
# Touches no real config and no network (the HTTP server URL is a closed loopback port).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"

cargo build -q -p mcpctl-cli
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
mcpctl="$target_dir/debug/mcpctl"

home="$root/target/demo-home"
rm -rf "$home"
mkdir -p "$home/system"
export MCPCTL_HOME="$home" MCPCTL_SYSTEM_DIR="$home/system"

everything="$root/testing/peers/node_modules/@modelcontextprotocol/server-everything/dist/index.js"

# Bold command lines only on a terminal, and never with NO_COLOR.
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
run() {
    printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"
    "$@"
}

run "$mcpctl" add everything --env LOG_LEVEL=info -- node "$everything" stdio
run "$mcpctl" add web --url http://127.0.0.1:9/mcp --bearer-token-env-var WEB_TOKEN
run "$mcpctl" list
run "$mcpctl" disable web
run "$mcpctl" list --json
run cat "$home/config.toml"

codex=""
for candidate in "$root"/testing/peers/node_modules/@openai/codex-linux-*/vendor/*/bin/codex; do
    if [ -x "$candidate" ]; then codex="$candidate"; break; fi
done
if [ -n "$codex" ]; then
    printf '\nThe Codex CLI reads the same file:\n'
    run env CODEX_HOME="$home" "$codex" mcp list
else
    echo; echo "(run 'just peers' to also see the Codex CLI read this file)"
fi

run "$mcpctl" remove web
run "$mcpctl" list
