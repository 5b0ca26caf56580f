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


def pipelined(server, method, count, params=None):
    lines = [json.dumps({"id": 10_000_000 + i, "method": method, "params": params or {}})
             for i in range(count)]
    writer = threading.Thread(target=server.send_many, args=(lines,))
    start = time.perf_counter()
    writer.start()
    answered = 0
    # Answers are checked by prefix (`{"id":1000xxxx,"result":`), not parsed: parsing each one
    # in Python would measure this script, not the server. One is parsed in full below.
    last = None
    while answered < count:
        line = server.proc.stdout.readline()
        if not line:
            sys.exit("app server closed its stdout")
        if line.startswith(b'{"id":1') and line[14:24] == b',"result":':
            answered += 1
            last = line
    elapsed = time.perf_counter() - start
    writer.join()
    if "result" not in json.loads(last):
        sys.exit(f"{method}: the last answer has no result")
    return count / elapsed, len(last)


def sequential(server, method, count, params=None):
    times = []
    for _ in range(count):
        start = time.perf_counter()
        server.call(method, params)
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
        print(f"{'request':<44}{'answer B':>10}{'req/s pipelined':>18}{'p50 ms':>10}{'p99 ms':>10}")
        cases = [
            ("config/read", None),
            ("mcpServerStatus/list", None),
            ("mcpServerStatus/list", {"serverName": "s00"}),
            ("mcpServerStatus/list", {"limit": 1, "detail": "toolsAndAuthOnly"}),
        ]
        for method, params in cases:
            label = method + (" " + json.dumps(params, separators=(",", ":")) if params else "")
            pipelined(server, method, 500, params)  # warm-up
            rate, size = pipelined(server, method, args.requests, params)
            p50, p99 = sequential(server, method, args.sequential, params)
            print(f"{label:<44}{size:>10,}{rate:>18,.0f}{p50:>10.3f}{p99:>10.3f}")
        server.close()


if __name__ == "__main__":
    main()
