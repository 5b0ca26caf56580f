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

# Tests (nextest, one build of the workspace), then the Bazel and buildifier checks; fails if any failed.
[positional-arguments]
test *args:
    #!/usr/bin/env bash
    set -uo pipefail
    # The real Codex CLI for interop tests, from `just peers` (the package for this host's arch).
    if [ -z "${MCPCTL_CODEX_BIN:-}" ]; then
        for candidate in "{{ peers }}"/node_modules/@openai/codex-linux-*/vendor/*/bin/codex; do
            if [ -x "$candidate" ]; then export MCPCTL_CODEX_BIN="$candidate"; break; fi
        done
    fi
    echo "MCPCTL_CODEX_BIN=${MCPCTL_CODEX_BIN:-(unset: run \`just peers\` for Codex interop tests)}" >&2
    failed=()
    # The two quick checks go first so nextest's summary is the last thing printed.
    just bazel-check || failed+=(bazel-check)
    just buildifier || failed+=(buildifier)
    cargo nextest run --workspace --no-fail-fast "$@" || failed+=(nextest)
    if [ ${#failed[@]} -gt 0 ]; then
        echo "just test: failed: ${failed[*]}" >&2
        exit 1
    fi

# rustfmt check and clippy with warnings denied.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Format Rust sources and, when `just peers` has installed buildifier, the Bazel files.
fmt:
    cargo fmt --all
    if [ -x "{{ buildifier_bin }}" ]; then "{{ buildifier_bin }}" -mode=fix $(just _bazel-files); fi

# What CI runs: lint, then test.
ci: lint test _conformance-after-test

# Install the pinned test peers (Codex CLI, MCP servers, conformance suite, buildifier).
# The stamp it leaves lets .ci/run skip `npm ci` (~20 s) while the lock file is unchanged.
peers:
    cd "{{ peers }}" && npm ci --no-audit --no-fund
    @sha256sum "{{ peers }}/package-lock.json" | cut -d' ' -f1 > "{{ peers }}/node_modules/.mcpctl-lock.sha256"

# Check every BUILD.bazel and MODULE.bazel against `cargo metadata`.
bazel-check:
    python3 scripts/bazel_check.py

# Write missing BUILD.bazel files and sync MODULE.bazel (`--force [dir...]` rewrites existing ones).
bazel-gen *args:
    python3 scripts/bazel_gen.py {{ args }}

# Format and lint check of all Bazel files with the pinned buildifier.
buildifier:
    @if [ ! -x "{{ buildifier_bin }}" ]; then echo "buildifier is not installed: run \`just peers\`" >&2; exit 1; fi
    "{{ buildifier_bin }}" -mode=check -lint=warn $(just _bazel-files)

[private]
_bazel-files:
    @find . \( -name .git -o -name target -o -name node_modules \) -prune -o \
        \( -name BUILD.bazel -o -name MODULE.bazel -o -name '*.bzl' \) -type f -print | sort

# Regenerate config.schema.json from the config types.
schema:
    cargo run -q -p mcpctl-cli -- config schema > config.schema.json.tmp
    mv config.schema.json.tmp config.schema.json

# Benchmark mcpctl against the Codex CLI with hyperfine (settings: env vars in bench/run.sh).
bench:
    bench/run.sh
    bench/live.sh

# Only the live-connection benchmarks (startup concurrency, tools/call overhead).
bench-live:
    bench/live.sh

# Install the mcpctl binary into ~/.cargo/bin.
install:
    cargo install --path cli --locked

# A short tour: add, list and remove servers in a throwaway home, then show Codex reading the file.
demo:
    scripts/demo.sh

# The MCP conformance suite's non-auth client scenarios with mcpctl as the client (needs `just peers`).
conformance *scenarios:
    cargo build -p mcpctl-cli
    testing/conformance/run.sh {{ scenarios }}

# The conformance scenarios against the mcpctl that `just test` just built (no second build).
[private]
_conformance-after-test:
    testing/conformance/run.sh
