#!/usr/bin/env python3
"""Codex and mcpctl adding servers to one config.toml at the same time (issue 14 §3).

Codex takes no lock, so its own writes can overwrite each other's and mcpctl's; mcpctl locks,
and re-checks the file just before its rename so that it never overwrites a change Codex made
since it read the file. This loops `codex mcp add` and `mcpctl add` on one home for DURATION
seconds and counts, per program, the adds that succeeded but are missing at the end.

Usage: bench/codex_race.py [--seconds N] [--mcpctl PATH] [--codex PATH]
"""
import argparse
import glob
import os
import subprocess
import tempfile
import threading
import time
import tomllib

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--mcpctl", default=os.path.join(root, "target/release/mcpctl"))
    parser.add_argument("--codex", default=None)
    args = parser.parse_args()
    codex = args.codex or next(
        iter(glob.glob(os.path.join(root, "testing/peers/node_modules/@openai/codex-linux-*/vendor/*/bin/codex"))),
        None,
    )
    if not codex:
        raise SystemExit("no Codex CLI: run `just peers`")
    if not os.path.exists(args.mcpctl):
        raise SystemExit(f"no mcpctl at {args.mcpctl}: cargo build --release -p mcpctl-cli")
    # Codex warns about homes under /tmp; use a folder beside the repo's target.
    home = tempfile.mkdtemp(prefix="codex-race-", dir=os.path.join(root, "target"))
    env = dict(os.environ, CODEX_HOME=home, MCPCTL_HOME=home, RUST_LOG="off")
    env.pop("RUST_BACKTRACE", None)
    deadline = time.monotonic() + args.seconds
    done = {"codex": [], "mcpctl": []}

    def loop(kind):
        i = 0
        while time.monotonic() < deadline:
            name = f"{kind}-{i}"
            i += 1
            if kind == "codex":
                cmd = [codex, "mcp", "add", name, "--", "echo", name]
            else:
                cmd = [args.mcpctl, "add", name, "--", "echo", name]
            r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if r.returncode == 0:
                done[kind].append(name)

    threads = [threading.Thread(target=loop, args=(k,)) for k in done]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(os.path.join(home, "config.toml"), "rb") as f:
        present = set(tomllib.load(f).get("mcp_servers", {}))
    for kind, names in done.items():
        lost = [n for n in names if n not in present]
        share = 100.0 * len(lost) / max(1, len(names))
        print(f"{kind}: {len(names)} adds succeeded, {len(lost)} lost ({share:.1f}%)")
    subprocess.run(["rm", "-rf", home])


if __name__ == "__main__":
    main()
