#!/usr/bin/env python3
"""Benchmark of `mcpctl app-server` (issue 8) on one connection over pipes.

For `config/read` and `mcpServerStatus/list` (10 stdio servers whose tools are cached by one
`thread/start` first): requests/s with N requests pipelined (written at once, answers read as
they come), and p50/p99 latency of requests sent one at a time. Target: >= 20,000 requests/s
pipelined, p99 under 2 ms.

Usage: bench/app_server.py [--bin target/release/mcpctl] [--requests 20000] [--sequential 2000]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_server_bin():
    for profile in ("release", "debug"):
        path = os.path.join(ROOT, "target", profile, "mcpctl-test-server")
        if os.path.exists(path):
            return path
    sys.exit("mcpctl-test-server is not built: cargo build -p mcpctl-test-server")


class Server:
    def __init__(self, binary, home):
        env = dict(os.environ, MCPCTL_HOME=home, MCPCTL_SYSTEM_DIR=os.path.join(home, "sys"))
        self.proc = subprocess.Popen([binary, "app-server"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, cwd=home)
        self.next = 0

    def send_many(self, lines):
        self.proc.stdin.write(("\n".join(lines) + "\n").encode())
        self.proc.stdin.flush()

    def read(self):
        line = self.proc.stdout.readline()
        if not line:
            sys.exit("app server closed its stdout")
        return json.loads(line)

    def call(self, method, params=None):
        self.next += 1
        self.send_many([json.dumps({"id": self.next, "method": method, "params": params or {}})])
        while True:
            message = self.read()
            if message.get("id") == self.next and "method" not in message:
                if "error" in message:
                    sys.exit(f"{method}: {message['error']}")
                return message["result"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def pipelined(server, method, count):
    lines = [json.dumps({"id": 10_000_000 + i, "method": method}) for i in range(count)]
    writer = threading.Thread(target=server.send_many, args=(lines,))
    start = time.perf_counter()
    writer.start()
    answered = 0
    while answered < count:
        message = server.read()
        if message.get("id", 0) >= 10_000_000 and "result" in message:
            answered += 1
    elapsed = time.perf_counter() - start
    writer.join()
    return count / elapsed


def sequential(server, method, count):
    times = []
    for _ in range(count):
        start = time.perf_counter()
        server.call(method)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(ROOT, "target/release/mcpctl"))
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--sequential", type=int, default=2000)
    parser.add_argument("--servers", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mcpctl-bench-app-") as home:
        os.makedirs(os.path.join(home, "sys"))
        test_server = test_server_bin()
        with open(os.path.join(home, "config.toml"), "w") as f:
            for i in range(args.servers):
                f.write(f'[mcp_servers.s{i:02}]\ncommand = "{test_server}"\nargs = ["--tools", "20"]\n\n')
        server = Server(os.path.abspath(args.bin), home)
        server.call("initialize", {"clientInfo": {"name": "bench", "version": "1"}})
        server.call("thread/start", {})
        # Wait until every server is ready (and its tools cached).
        deadline = time.time() + 30
        while time.time() < deadline:
            data = server.call("mcpServerStatus/list", {})["data"]
            if all(d["tools"] for d in data):
                break
            time.sleep(0.1)
        tools = sum(len(d["tools"]) for d in server.call("mcpServerStatus/list")["data"])
        print(f"{args.servers} servers, {tools} cached tools; {args.requests} pipelined, "
              f"{args.sequential} sequential requests per method")
        print(f"{'method':<24}{'req/s pipelined':>18}{'p50 ms':>10}{'p99 ms':>10}")
        for method in ("config/read", "mcpServerStatus/list"):
            pipelined(server, method, 500)  # warm-up
            rate = pipelined(server, method, args.requests)
            p50, p99 = sequential(server, method, args.sequential)
            print(f"{method:<24}{rate:>18,.0f}{p50:>10.3f}{p99:>10.3f}")
        server.close()


if __name__ == "__main__":
    main()
