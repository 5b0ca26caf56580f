# Routine tasks for mcpctl. `.ci/run` installs the tools and calls `just ci`.

set shell := ["bash", "-euo", "pipefail", "-c"]

root := justfile_directory()
peers := root / "testing/peers"
buildifier_bin := peers / "node_modules/.bin/buildifier"

# List the recipes.
default:
    @just --list --unsorted

# Build every workspace crate.
build:
    cargo build --workspace

# The tests alone (nextest, default profile); extra arguments go to nextest (filters, -p, …).
[positional-arguments]
test *args:
    #!/usr/bin/env bash
    set -euo pipefail
    # The real Codex CLI for interop tests, from `just peers` (the package for this host's arch).
    if [ -z "${MCPCTL_CODEX_BIN:-}" ]; then
        for candidate in "{{ peers }}"/node_modules/@openai/codex-linux-*/vendor/*/bin/codex; do
            if [ -x "$candidate" ]; then export MCPCTL_CODEX_BIN="$candidate"; break; fi
        done
    fi
    echo "MCPCTL_CODEX_BIN=${MCPCTL_CODEX_BIN:-(unset: run \`just peers\` for Codex interop tests)}" >&2
    cargo nextest run --workspace "$@"

# What CI runs, every step even after a failure: the quick checks, clippy, docs, tests
# (nextest `ci` profile), conformance. Prints each step's time; fails if any step failed.
ci:
    #!/usr/bin/env bash
    set -uo pipefail
    failed=()
    step() {
        local start=$SECONDS
        echo "==> just ci: $*" >&2
        "$@" || failed+=("$*")
        echo "<== $* ($((SECONDS - start))s)" >&2
    }
    step cargo fmt --all -- --check
    step just rust-version
    step just bazel-check
    step just buildifier
    step cargo clippy --workspace --all-targets -- -D warnings
    step just doc
    step just test --profile ci
    # The mcpctl binary the tests just built: no second build.
    step testing/conformance/run.sh
    step testing/conformance/gateway.sh
    if [ ${#failed[@]} -gt 0 ]; then
        echo "just ci: failed: $(IFS=';'; echo "${failed[*]}")" >&2
        exit 1
    fi
    echo "just ci: all steps passed" >&2

# rustfmt check and clippy with warnings denied.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Fix what can be fixed mechanically: rustfmt, clippy's suggestions, buildifier (when installed).
fix:
    cargo fmt --all
    cargo clippy --fix --allow-dirty --allow-staged --workspace --all-targets
    cargo fmt --all
    if [ -x "{{ buildifier_bin }}" ]; then "{{ buildifier_bin }}" -mode=fix -lint=fix $(just _bazel-files); fi

# Format Rust sources and, when `just peers` has installed buildifier, the Bazel files.
fmt:
    cargo fmt --all
    if [ -x "{{ buildifier_bin }}" ]; then "{{ buildifier_bin }}" -mode=fix $(just _bazel-files); fi

# API docs of the workspace crates; broken intra-doc links and other rustdoc warnings fail.
doc:
    RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

# Check that `rust-version` in Cargo.toml is the release of the rustc in use (what CI builds with).
rust-version:
    #!/usr/bin/env bash
    set -euo pipefail
    declared="$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' Cargo.toml)"
    used="$(rustc --version | sed -E 's/^rustc ([0-9]+\.[0-9]+).*/\1/')"
    if [ "$declared" != "$used" ]; then
        echo "Cargo.toml declares rust-version $declared but the build uses rustc $used: update rust-version (and fix what the new release flags)" >&2
        exit 1
    fi
    echo "rust-version $declared is the rustc in use"

# Install the pinned test peers (Codex CLI, MCP servers, conformance suite, buildifier).
# The stamp it leaves lets .ci/run skip `npm ci` (~20 s) while the lock file is unchanged.
# Refuses a symlinked node_modules: `npm ci` would empty the install it points to.
peers:
    @if [ -L "{{ peers }}/node_modules" ]; then echo "testing/peers/node_modules is a symlink to $(readlink "{{ peers }}/node_modules"): npm ci would empty that shared install; remove the link first for a private one" >&2; exit 1; fi
    cd "{{ peers }}" && npm ci --no-audit --no-fund
    @sha256sum "{{ peers }}/package-lock.json" | cut -d' ' -f1 > "{{ peers }}/node_modules/.mcpctl-lock.sha256"

# Check that every crate has a BUILD.bazel declaring its targets and workspace deps, and that
# MODULE.bazel lists every manifest.
bazel-check:
    python3 scripts/bazel_check.py

# Write missing BUILD.bazel files and sync MODULE.bazel's manifests (`just bazel-gen <dir>…`
# rewrites those crates' files).
bazel-gen *dirs:
    python3 scripts/bazel_check.py --write {{ dirs }}

# Format and lint check of all Bazel files with the pinned buildifier.
buildifier:
    @if [ ! -x "{{ buildifier_bin }}" ]; then echo "buildifier is not installed: run \`just peers\`" >&2; exit 1; fi
    "{{ buildifier_bin }}" -mode=check -lint=warn $(just _bazel-files)

[private]
_bazel-files:
    @find . \( -name .git -o -name target -o -name node_modules \) -prune -o \
        \( -name BUILD.bazel -o -name MODULE.bazel -o -name '*.bzl' \) -type f -print | sort

# Regenerate config.schema.json from the config types, and the app server protocol's JSON
# schema and TypeScript declarations (app-server-protocol/schema/).
schema:
    cargo run -q -p mcpctl-cli -- config schema > config.schema.json.tmp
    mv config.schema.json.tmp config.schema.json
    rm -rf app-server-protocol/schema/json app-server-protocol/schema/typescript
    cargo run -q -p mcpctl-cli -- app-server generate-json-schema --out app-server-protocol/schema/json
    cargo run -q -p mcpctl-cli -- app-server generate-ts --out app-server-protocol/schema/typescript

# Benchmark mcpctl against the Codex CLI with hyperfine (settings: env vars in bench/run.sh).
bench:
    bench/run.sh
    bench/live.sh
    just bench-gateway

# Only the live-connection benchmarks (startup concurrency, tools/call overhead).
bench-live:
    bench/live.sh

# The app server on one connection: requests/s pipelined and p50/p99 latency for config/read
# and mcpServerStatus/list (cached tools).
bench-app-server:
    cargo build --release -q -p mcpctl-cli -p mcpctl-test-server
    bench/app_server.py

# The gateway (`mcpctl serve`): tools/call through it against a direct call (ratio), tools/list
# over 20 servers of 50 tools, 1,000 concurrent calls. Profiling profile: release code without
# fat LTO, so it builds in a few minutes.
bench-gateway:
    cargo build --profile profiling -q -p mcpctl-cli -p mcpctl-test-server
    bench/gateway.py --profile profiling

# `perf` profile of the app server under the benchmark (profiling profile: release code with
# symbols); report in /tmp/mcpctl-app-server.perf.
profile-app-server:
    cargo build --profile profiling -q -p mcpctl-cli -p mcpctl-test-server
    printf '#!/bin/sh\nexec perf record -F 2000 -g -o /tmp/mcpctl-app-server.perf -- {{justfile_directory()}}/target/profiling/mcpctl "$@"\n' > /tmp/mcpctl-perf-wrap && chmod +x /tmp/mcpctl-perf-wrap
    bench/app_server.py --bin /tmp/mcpctl-perf-wrap --requests 5000 --sequential 300
    perf report -i /tmp/mcpctl-app-server.perf --no-children --percent-limit 2 --stdio | grep -E '^ +[0-9]' | head -30

# Codex and mcpctl adding servers to one config.toml for 10 s: adds lost on each side.
bench-codex-race seconds="10":
    cargo build --release -q -p mcpctl-cli
    bench/codex_race.py --seconds {{ seconds }}

# Install the mcpctl binary into ~/.cargo/bin.
install:
    cargo install --path cli --locked

# A short tour: add, list and remove servers in a throwaway home, then show Codex reading the file.
demo:
    scripts/demo.sh

# The MCP conformance suite with mcpctl as the client (needs `just peers`): the core scenarios,
# the auth, backcompat and draft suites, and the client credentials extensions (~1 min), or the
# scenarios named (`just conformance auth/scope-step-up`).
conformance *scenarios:
    cargo build -p mcpctl-cli
    testing/conformance/run.sh {{ scenarios }}

# The conformance suite's server scenarios against `mcpctl serve --http` in front of
# server-everything and, as the baseline, against server-everything itself (~30 s; needs
# `just peers`): fails when a scenario passes against the baseline but not through the gateway.
conformance-server *scenarios:
    cargo build -p mcpctl-cli
    testing/conformance/gateway.sh {{ scenarios }}

# Peak RSS and wall time of mcpctl against each hostile test-server mode (issue 14), medians.
bench-hostile:
    bench/hostile.sh

# The property tests (decoding and parsing) with many more cases than the normal test run.
# cargo-fuzz targets of the same entry points (config, requirements, -c), SECS each; needs a
# nightly toolchain and cargo-fuzz (`rustup toolchain install nightly`, `cargo install cargo-fuzz`).
fuzz-nightly secs="60":
    #!/usr/bin/env bash
    set -euo pipefail
    if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
        echo "needs a nightly toolchain and cargo-fuzz: rustup toolchain install nightly && cargo install cargo-fuzz" >&2
        exit 1
    fi
    cd fuzz
    for target in config requirements override; do
        cargo +nightly fuzz run "$target" -- -max_total_time={{ secs }}
    done

fuzz cases="20000":
    PROPTEST_CASES={{ cases }} cargo nextest run -p mcpctl-rmcp-client -p mcpctl-config -p mcpctl-allowlist -p mcpctl-utils-cli -E 'test(the_reader_hands_on) | test(/properties::/) | test(random_edits_touch_only_their_servers)'
