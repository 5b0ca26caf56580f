#!/usr/bin/env bash
# Benchmark mcpctl against the Codex CLI on one config with many servers.
#
# Both tools read the same config.toml content (bench/make_config.py, BENCH_SERVERS servers,
# default 200: half stdio, half streamable HTTP) from separate throwaway homes under
# target/bench-home (outside /tmp, where Codex warns). hyperfine times `list`, `list --json`
# and `add`; /usr/bin/time gives peak RSS. Results: bench/out/*.json plus a summary table.
#
# No network: every HTTP server URL is 127.0.0.1 on a closed port. `codex mcp list` probes
# the OAuth discovery of each HTTP server on every run; a refused loopback connection makes
# that probe fail at once instead of reaching out or waiting for a timeout.
#
# Environment: BENCH_SERVERS (200), BENCH_RUNS (50), BENCH_WARMUP (5), MCPCTL_BIN (skip the
# release build and use this binary), MCPCTL_CODEX_BIN (Codex binary; default: testing/peers).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
servers="${BENCH_SERVERS:-200}"
runs="${BENCH_RUNS:-50}"
warmup="${BENCH_WARMUP:-5}"
# Port 9 (discard) has no listener on these machines; checked below.
closed_port=9
out="$root/bench/out"

apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        return 1
    fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

echo "==> tools"
if ! command -v hyperfine >/dev/null; then
    apt_install hyperfine || cargo install hyperfine --locked
fi
if [ ! -x /usr/bin/time ]; then
    apt_install time || { echo "GNU time is missing: apt-get install time" >&2; exit 1; }
fi
hyperfine --version

codex="${MCPCTL_CODEX_BIN:-}"
if [ -z "$codex" ]; then
    for candidate in testing/peers/node_modules/@openai/codex-linux-*/vendor/*/bin/codex; do
        if [ -x "$candidate" ]; then codex="$root/$candidate"; break; fi
    done
fi
if [ -z "$codex" ]; then
    (cd testing/peers && npm ci --no-audit --no-fund)
    codex="$(ls "$root"/testing/peers/node_modules/@openai/codex-linux-*/vendor/*/bin/codex)"
fi
"$codex" --version

mcpctl="${MCPCTL_BIN:-}"
if [ -z "$mcpctl" ]; then
    echo "==> cargo build --release -p mcpctl-cli"
    cargo build --release -p mcpctl-cli
    target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
    mcpctl="$target_dir/release/mcpctl"
fi
"$mcpctl" --version

if (exec 3<>"/dev/tcp/127.0.0.1/$closed_port") 2>/dev/null; then
    echo "something listens on 127.0.0.1:$closed_port; the HTTP servers must point at a closed port" >&2
    exit 1
fi

echo "==> homes with $servers servers"
bench_home="$root/target/bench-home"
rm -rf "$bench_home"
mkdir -p "$bench_home/mcpctl" "$bench_home/codex" "$bench_home/system" "$out"
pristine="$bench_home/config.toml"
python3 bench/make_config.py "$servers" --port "$closed_port" >"$pristine"
cp "$pristine" "$bench_home/mcpctl/config.toml"
cp "$pristine" "$bench_home/codex/config.toml"
# Each tool sees only its own home; an empty system dir keeps the host's admin policy out.
export MCPCTL_HOME="$bench_home/mcpctl"
export MCPCTL_SYSTEM_DIR="$bench_home/system"
export CODEX_HOME="$bench_home/codex"
unset RUST_LOG RUST_BACKTRACE
echo "$servers servers, $(wc -c <"$pristine") bytes: $pristine"

# Sanity: both tools read the file and see every server before anything is timed.
for tool in mcpctl codex; do
    if [ "$tool" = mcpctl ]; then cmd=("$mcpctl" list --json); else cmd=("$codex" mcp list --json); fi
    count="$("${cmd[@]}" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')"
    if [ "$count" != "$servers" ]; then
        echo "$tool list --json shows $count servers, expected $servers" >&2
        exit 1
    fi
done

add_args=(bench-new --env API_KEY=secret -- node /srv/mcp/server.js --stdio)
restore_mcpctl="cp $pristine $MCPCTL_HOME/config.toml"
restore_codex="cp $pristine $CODEX_HOME/config.toml"

bench() {
    local name="$1"
    shift
    echo "==> $name"
    hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$out/$name.json" "$@"
}

bench list \
    -n "mcpctl list" "$mcpctl list" \
    -n "codex mcp list" "$codex mcp list"
bench list-json \
    -n "mcpctl list --json" "$mcpctl list --json" \
    -n "codex mcp list --json" "$codex mcp list --json"
# --prepare puts the pristine file back before every run, so each add writes the same file.
bench add \
    --prepare "$restore_mcpctl" -n "mcpctl add" "$mcpctl add ${add_args[*]}" \
    --prepare "$restore_codex" -n "codex mcp add" "$codex mcp add ${add_args[*]}"

echo "==> peak RSS (/usr/bin/time -f %M, max of 5 runs)"
rss() {
    local best=0 kb
    for _ in 1 2 3 4 5; do
        $restore_mcpctl
        $restore_codex
        /usr/bin/time -f %M -o "$bench_home/rss" "$@" >/dev/null 2>&1
        kb="$(tail -n1 "$bench_home/rss")"
        if [ "$kb" -gt "$best" ]; then best="$kb"; fi
    done
    echo "$best"
}
{
    echo "mcpctl list	$(rss "$mcpctl" list)"
    echo "codex mcp list	$(rss "$codex" mcp list)"
    echo "mcpctl list --json	$(rss "$mcpctl" list --json)"
    echo "codex mcp list --json	$(rss "$codex" mcp list --json)"
    echo "mcpctl add	$(rss "$mcpctl" add "${add_args[@]}")"
    echo "codex mcp add	$(rss "$codex" mcp add "${add_args[@]}")"
} >"$out/rss.tsv"
cp "$pristine" "$MCPCTL_HOME/config.toml"
cp "$pristine" "$CODEX_HOME/config.toml"

echo "==> summary ($servers servers, $runs runs each)"
python3 - "$out" <<'EOF'
import json
import sys
from pathlib import Path

out = Path(sys.argv[1])
rss_kb = dict(line.split("\t") for line in (out / "rss.tsv").read_text().splitlines())
print(f"{'command':<24}{'median ms':>10}{'stddev':>9}{'peak RSS MB':>13}")
ratios = []
for name in ("list", "list-json", "add"):
    results = {r["command"]: r for r in json.loads((out / f"{name}.json").read_text())["results"]}
    for command, r in results.items():
        mb = int(rss_kb[command]) / 1024
        print(f"{command:<24}{r['median'] * 1000:>10.1f}{r['stddev'] * 1000:>9.1f}{mb:>13.1f}")
    ours = next(r for c, r in results.items() if c.startswith("mcpctl"))
    theirs = next(r for c, r in results.items() if c.startswith("codex"))
    ours_rss = int(rss_kb[ours["command"]])
    theirs_rss = int(rss_kb[theirs["command"]])
    ratios.append((name, ours["median"] / theirs["median"], ours_rss / theirs_rss))
print()
print(f"{'mcpctl / codex':<24}{'time':>10}{'RSS':>9}")
for name, time_ratio, rss_ratio in ratios:
    print(f"{name:<24}{time_ratio:>10.2f}{rss_ratio:>9.2f}")
EOF
