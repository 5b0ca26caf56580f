#!/usr/bin/env bash
# Benchmarks of live connections (issue 3), against the workspace's test MCP server:
#
# 1. Startup concurrency: `mcpctl tools --json` and `mcpctl list --check` with 1 stdio server
#    that needs 300 ms to initialize, then with 20 such servers. Target: 20 take at most 1.2x
#    the time of 1.
# 2. Client overhead: the tools/call round trip through McpClient against a raw JSON-RPC pipe
#    to the same server program (rmcp-client/examples/call_overhead.rs). Target: under 1.35x
#    (issue 10: every request goes through rmcp).
#
#    It runs BENCH_TRIALS trials on fresh server processes and reports the median trial ratio,
#    then 5 trials against server-everything (Node) when `just peers` installed it.
#
# Environment: BENCH_RUNS (20), BENCH_WARMUP (3), BENCH_CALLS (2000), BENCH_TRIALS (9),
# BENCH_INIT_MS (300).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
runs="${BENCH_RUNS:-20}"
warmup="${BENCH_WARMUP:-3}"
calls="${BENCH_CALLS:-2000}"
trials="${BENCH_TRIALS:-9}"
init_ms="${BENCH_INIT_MS:-300}"
out="$root/bench/out"
mkdir -p "$out"

command -v hyperfine >/dev/null || { echo "hyperfine is missing: run bench/run.sh once or apt-get install hyperfine" >&2; exit 1; }

echo "==> cargo build --release (mcpctl, test server, call_overhead)"
cargo build --release -q -p mcpctl-cli -p mcpctl-test-server
cargo build --release -q -p mcpctl-rmcp-client --example call_overhead
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
mcpctl="$target_dir/release/mcpctl"
server="$target_dir/release/mcpctl-test-server"

home="$root/target/bench-live"
rm -rf "$home"
mkdir -p "$home/one" "$home/twenty" "$home/system"
write_config() { # file count
    : >"$1"
    for i in $(seq 1 "$2"); do
        printf '[mcp_servers.s%02d]\ncommand = "%s"\nargs = ["--init-delay-ms", "%s"]\n\n' "$i" "$server" "$init_ms" >>"$1"
    done
}
write_config "$home/one/config.toml" 1
write_config "$home/twenty/config.toml" 20
export MCPCTL_SYSTEM_DIR="$home/system"
unset RUST_LOG RUST_BACKTRACE

echo "==> startup: 1 vs 20 servers, each ${init_ms} ms to initialize"
hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$out/live-startup.json" \
    -n "tools, 1 server" "env MCPCTL_HOME=$home/one $mcpctl tools --json" \
    -n "tools, 20 servers" "env MCPCTL_HOME=$home/twenty $mcpctl tools --json" \
    -n "list --check, 1 server" "env MCPCTL_HOME=$home/one $mcpctl list --check" \
    -n "list --check, 20 servers" "env MCPCTL_HOME=$home/twenty $mcpctl list --check"

python3 - "$out/live-startup.json" <<'PY'
import json, statistics, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
med = {k: statistics.median(v["times"]) * 1000 for k, v in results.items()}
print(f"{'command':28} {'median ms':>10}")
for k, v in med.items():
    print(f"{k:28} {v:10.1f}")
for what in ("tools", "list --check"):
    one, twenty = med[f"{what}, 1 server"], med[f"{what}, 20 servers"]
    print(f"{what}: 20 servers / 1 server = {twenty / one:.3f} (target <= 1.2)")
PY

echo "==> tools/call overhead: McpClient vs raw JSON-RPC pipe ($trials trials x $calls calls each)"
"$target_dir/release/examples/call_overhead" "$server" "$calls" "$trials" | tee "$out/call-overhead.txt"

everything="$root/testing/peers/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
if [[ -f "$everything" ]] && command -v node >/dev/null; then
    echo "==> the same against @modelcontextprotocol/server-everything (Node, its echo tool)"
    CALL_OVERHEAD_SERVER_ARGS="$everything stdio" CALL_OVERHEAD_ARGUMENTS='{"message":"hello"}' \
        "$target_dir/release/examples/call_overhead" "$(command -v node)" 1000 5 \
        | tee "$out/call-overhead-everything.txt"
else
    echo "==> skipping server-everything (run \`just peers\` to install it)"
fi
