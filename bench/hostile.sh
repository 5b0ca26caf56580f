#!/usr/bin/env bash
# Bounds against hostile servers (issue 14): peak RSS and wall time of the real `mcpctl` against
# each `--hostile` mode of the workspace test server. Goal per case: peak RSS under 64 MB, the
# command ends within its configured timeout + 1 s, and a message that says what the server did.
#
# Each case runs BENCH_RUNS times (5); the median peak RSS (MB) and wall time (s) are printed
# with the exit code and the first error line of the last run.
#
# Environment: BENCH_RUNS (5), BENCH_PROFILE (release; `debug` reuses the test build),
# BENCH_NO_BUILD=1 (use the binaries already in target/), BENCH_FLOOD (100000 notifications or
# pings), BENCH_STDERR_BYTES (268435456).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
runs="${BENCH_RUNS:-5}"
profile="${BENCH_PROFILE:-release}"
flood="${BENCH_FLOOD:-100000}"
stderr_bytes="${BENCH_STDERR_BYTES:-268435456}"
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is missing: apt-get install time" >&2; exit 1; }

target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
    echo "==> cargo build --profile $profile (mcpctl, test server)" >&2
    cargo build --profile "$([ "$profile" = debug ] && echo dev || echo "$profile")" -q \
        -p mcpctl-cli -p mcpctl-test-server
fi
mcpctl="$target_dir/$profile/mcpctl"
server="$target_dir/$profile/mcpctl-test-server"

home="$(mktemp -d "${TMPDIR:-/tmp}/mcpctl-bench-hostile.XXXXXX")"
trap 'rm -rf "$home"' EXIT

# case: name, mode, count, startup s, tool s, then the mcpctl arguments.
run_case() {
    local name=$1 mode=$2 count=$3 startup=$4 tool=$5
    shift 5
    cat >"$home/config.toml" <<TOML
[mcp_servers.h]
command = "$server"
args = ["--hostile", "$mode", "--count", "$count"]
startup_timeout_sec = $startup
tool_timeout_sec = $tool
TOML
    local rss=() wall=() code=0 message=""
    for _ in $(seq "$runs"); do
        code=0
        MCPCTL_HOME="$home" /usr/bin/time -o "$home/time" -f '%M %e' \
            "$mcpctl" "$@" >/dev/null 2>"$home/err" || code=$?
        read -r kb secs < <(tail -n 1 "$home/time")
        rss+=("$kb")
        wall+=("$secs")
        message="$(grep -m1 -i 'error\|warning' "$home/err" | cut -c1-110 || true)"
    done
    local mb s
    mb="$(printf '%s\n' "${rss[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1024}')"
    s="$(printf '%s\n' "${wall[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}')"
    local limit=$((startup + 1))
    [ "$1" = call ] && limit=$((startup + tool + 1))
    printf '%-20s %8s MB %7s s  limit %3s s  exit %3s  %s\n' "$name" "$mb" "$s" "$limit" "$code" "$message"
}

big="text=$(head -c 65536 /dev/zero | tr '\0' x)"
printf '%-20s %11s %9s  %s\n' case "peak RSS" "wall" "(median of $runs; $profile build)"
run_case list-changed-flood list-changed-flood "$flood" 5 5 call h echo
run_case stop-reading stop-reading 0 5 2 call h echo "$big"
run_case ping-flood ping-flood "$flood" 5 5 call h echo
run_case endless-pages endless-pages 0 5 5 tools h
run_case huge-answer huge-answer 0 5 5 call h echo
run_case deep-answer deep-answer 100000 5 5 call h echo
run_case stderr-flood stderr-flood "$stderr_bytes" 5 5 tools h
before="$(pgrep -c -x sleep || true)"
run_case setsid-grandchild setsid-grandchild 0 5 5 tools h
after="$(pgrep -c -x sleep || true)"
echo "setsid grandchildren left: $(( after > before ? after - before : 0 ))"
