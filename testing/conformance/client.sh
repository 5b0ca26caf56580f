#!/usr/bin/env bash
# mcpctl as a client of the MCP conformance suite (`@modelcontextprotocol/conformance`).
#
# The suite runs `client.sh <server-url>` with MCP_CONFORMANCE_SCENARIO set. This adds the URL
# to a throwaway mcpctl home and runs the mcpctl commands the scenario needs; any failing
# command fails the scenario. The binary is $MCPCTL_BIN (default: target/debug/mcpctl).
set -euo pipefail

url="${1:?usage: client.sh <server-url> (with MCP_CONFORMANCE_SCENARIO set)}"
scenario="${MCP_CONFORMANCE_SCENARIO:?MCP_CONFORMANCE_SCENARIO is not set}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mcpctl="${MCPCTL_BIN:-$root/target/debug/mcpctl}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export MCPCTL_HOME="$tmp/home" MCPCTL_SYSTEM_DIR="$tmp/system"
mkdir -p "$MCPCTL_HOME" "$MCPCTL_SYSTEM_DIR"
# The interactive elicitation prompt must never wait for a terminal here.
exec </dev/null

"$mcpctl" add conformance --url "$url"
case "$scenario" in
    initialize)
        # initialize, notifications/initialized, tools/list.
        "$mcpctl" tools conformance --json
        ;;
    tools_call)
        "$mcpctl" call conformance add_numbers a=5 b=3 --json
        ;;
    elicitation-sep1034-client-defaults)
        "$mcpctl" call conformance test_client_elicitation_defaults --elicit defaults --json
        ;;
    sse-retry)
        # The server closes the call's SSE stream; the answer comes after a GET reconnect.
        "$mcpctl" call conformance test_reconnection --json
        ;;
    *)
        echo "client.sh: scenario \`$scenario\` is not supported" >&2
        exit 2
        ;;
esac
