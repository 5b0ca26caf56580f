#!/usr/bin/env python3
"""Benchmark of the gateway, `mcpctl serve` (issue 9), over stdio pipes.

1. tools/call overhead: the same `echo` call sent one at a time straight to
   `mcpctl-test-server` and through `mcpctl serve` in front of it (`approval_mode = "approve"`, so
   nothing asks). Reports the median and p99 of each and the ratio of medians (target <= 1.15x).
2. tools/list over 20 backends of 50 tools each, once they are started: median and p99
   (target < 5 ms).
3. 1,000 concurrent tools/call (pipelined on one connection): wall time and answers received
   (none may be lost).

Usage: bench/gateway.py [--profile profiling|release|debug] [--calls 2000]
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
import urllib.request
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Peer:
    """A JSON-RPC client on a child's stdio."""

    def __init__(self, argv, env=None, cwd=None):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env, cwd=cwd)
        self.next = 0

    def send(self, message):
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()

    def read(self):
        line = self.proc.stdout.readline()
        if not line:
            sys.exit("the peer closed its stdout")
        return json.loads(line)

    def request(self, method, params):
        self.next += 1
        ident = self.next
        self.send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == ident:
                if "error" in message:
                    sys.exit(f"{method}: {message['error']}")
                return message["result"]

    def initialize(self):
        self.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                    "clientInfo": {"name": "bench", "version": "1"}})
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def timed_calls(peer, name, n, progress=False):
    times = []
    for i in range(n):
        params = {"name": name, "arguments": {"text": f"hi {i}"}}
        if progress:
            # As rmcp clients (Codex, mcpctl) send every call.
            params["_meta"] = {"progressToken": i}
        start = time.perf_counter()
        result = peer.request("tools/call", params)
        times.append(time.perf_counter() - start)
        if result.get("isError"):
            sys.exit(f"{name}: {result}")
    times.sort()
    return times


def process_usage(pid):
    """(user CPU s, system CPU s, context switches) of a process so far, from /proc (Linux)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(") ", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status").read().splitlines())
    switches = int(status["voluntary_ctxt_switches"]) + int(status["nonvoluntary_ctxt_switches"])
    return int(fields[11]) / tick, int(fields[12]) / tick, switches


def ms(seconds):
    return f"{seconds * 1000:.3f} ms"


def p99(times):
    return times[min(len(times) - 1, int(len(times) * 0.99))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", default="profiling")
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    target = os.path.join(ROOT, "target", args.profile)
    mcpctl = os.path.join(target, "mcpctl")
    server = os.path.join(target, "mcpctl-test-server")
    for binary in (mcpctl, server):
        if not os.path.exists(binary):
            sys.exit(f"{binary} is missing: cargo build --profile {args.profile} -p mcpctl-cli -p mcpctl-test-server")

    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, MCPCTL_HOME=home, MCPCTL_SYSTEM_DIR=os.path.join(home, "sys"))
        with open(os.path.join(home, "config.toml"), "w") as f:
            f.write(f'[mcp_servers.t]\ncommand = "{server}"\n'
                    '[mcp_servers.t.tools.echo]\napproval_mode = "approve"\n')
        direct = Peer([server])
        direct.initialize()
        gateway = Peer([mcpctl, "serve", "--eager"], env=env, cwd=home)
        gateway.initialize()
        gateway.request("tools/list", {})
        warm = max(50, args.calls // 10)
        timed_calls(direct, "echo", warm)
        timed_calls(gateway, "t__echo", warm)
        # Alternate rounds so both see the same machine load.
        d_times, g_times = [], []
        before = process_usage(gateway.proc.pid)
        for _ in range(4):
            d_times += timed_calls(direct, "echo", args.calls // 4)
            g_times += timed_calls(gateway, "t__echo", args.calls // 4)
        after = process_usage(gateway.proc.pid)
        d_times.sort()
        g_times.sort()
        d_med, g_med = statistics.median(d_times), statistics.median(g_times)
        print(f"tools/call direct:  median {ms(d_med)}  p99 {ms(p99(d_times))}  ({len(d_times)} calls)")
        print(f"tools/call gateway: median {ms(g_med)}  p99 {ms(p99(g_times))}")
        print(f"ratio of medians: {g_med / d_med:.3f}x (target <= 1.15x)")
        n = len(g_times)
        print(f"the gateway per call: user CPU {(after[0] - before[0]) / n * 1e6:.0f} us, "
              f"system CPU {(after[1] - before[1]) / n * 1e6:.0f} us, "
              f"{(after[2] - before[2]) / n:.1f} context switches")
        # The floor of any extra process hop: the same server behind two `cat` processes (one
        # per direction), which only copy bytes.
        relay = Peer(["sh", "-c", f'cat | "{server}" | cat'])
        relay.initialize()
        timed_calls(relay, "echo", warm)
        r_times = timed_calls(relay, "echo", args.calls // 2)
        relay.close()
        print(f"tools/call through two `cat` relays: median {ms(statistics.median(r_times))} "
              f"({statistics.median(r_times) / d_med:.3f}x direct)")
        with_token = timed_calls(gateway, "t__echo", args.calls // 4, progress=True)
        print(f"tools/call gateway with a progress token: median {ms(statistics.median(with_token))}")

        # 1,000 calls written at once on one connection: every answer must come back.
        start = time.perf_counter()
        first = gateway.next + 1
        for i in range(1000):
            gateway.next += 1
            gateway.send({"jsonrpc": "2.0", "id": gateway.next, "method": "tools/call",
                          "params": {"name": "t__echo", "arguments": {"text": str(i)}}})
        seen = set()
        while len(seen) < 1000:
            message = gateway.read()
            if isinstance(message.get("id"), int) and message["id"] >= first:
                if "result" in message and not message["result"].get("isError"):
                    seen.add(message["id"])
                else:
                    sys.exit(f"a concurrent call failed: {message}")
        print(f"1,000 concurrent calls: {len(seen)} answered, none lost, in {ms(time.perf_counter() - start)}")
        direct.close()
        gateway.close()

    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, MCPCTL_HOME=home, MCPCTL_SYSTEM_DIR=os.path.join(home, "sys"))
        with open(os.path.join(home, "config.toml"), "w") as f:
            f.write(f'[mcp_servers.t]\ncommand = "{server}"\nargs = ["--slow-ms", "2"]\n'
                    '[mcp_servers.t.tools.echo]\napproval_mode = "approve"\n'
                    '[mcp_servers.t.tools.slow]\napproval_mode = "approve"\n')
        # A tool that works for 2 ms: the gateway's share of a call that does something.
        direct = Peer([server, "--slow-ms", "2"])
        direct.initialize()
        gateway = Peer([mcpctl, "serve", "--eager"], env=env, cwd=home)
        gateway.initialize()
        gateway.request("tools/list", {})
        n = max(100, args.calls // 10)
        d_times = timed_calls(direct, "slow", n)
        g_times = timed_calls(gateway, "t__slow", n)
        print(f"tools/call of a 2 ms tool: direct median {ms(statistics.median(d_times))}, "
              f"gateway {ms(statistics.median(g_times))}, ratio "
              f"{statistics.median(g_times) / statistics.median(d_times):.3f}x")
        direct.close()
        gateway.close()
        http_concurrency(mcpctl, env, home)

    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, MCPCTL_HOME=home, MCPCTL_SYSTEM_DIR=os.path.join(home, "sys"))
        with open(os.path.join(home, "config.toml"), "w") as f:
            for i in range(20):
                f.write(f'[mcp_servers.s{i:02}]\ncommand = "{server}"\nargs = ["--tools", "50"]\n')
        gateway = Peer([mcpctl, "serve", "--eager"], env=env, cwd=home)
        gateway.initialize()
        listed = gateway.request("tools/list", {})
        count = len(listed["tools"])
        while listed.get("nextCursor"):
            listed = gateway.request("tools/list", {"cursor": listed["nextCursor"]})
            count += len(listed["tools"])
        times = []
        for _ in range(200):
            start = time.perf_counter()
            cursor = None
            while True:
                listed = gateway.request("tools/list", {"cursor": cursor} if cursor else {})
                cursor = listed.get("nextCursor")
                if not cursor:
                    break
            times.append(time.perf_counter() - start)
        times.sort()
        print(f"tools/list, 20 servers x {count // 20} tools ({count} in all, every page): "
              f"median {ms(statistics.median(times))}  p99 {ms(p99(times))} (target < 5 ms)")
        gateway.close()


def http_concurrency(mcpctl, env, home):
    """1,000 tools/call over HTTP from 50 threads, each with its own MCP session."""
    proc = subprocess.Popen([mcpctl, "serve", "--eager", "--http", "127.0.0.1:0"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, cwd=home)
    url = None
    for line in proc.stderr:
        line = line.decode().strip()
        if "listening on " in line:
            url = line.split("listening on ", 1)[1]
            break
    threading.Thread(target=lambda: proc.stderr.read(), daemon=True).start()
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}

    def post(body, session=None):
        h = dict(headers)
        if session:
            h["Mcp-Session-Id"] = session
        req = urllib.request.Request(url, data=json.dumps(body).encode(), headers=h)
        with urllib.request.urlopen(req, timeout=60) as response:
            text = response.read().decode()
            sid = response.headers.get("Mcp-Session-Id")
        for chunk in text.splitlines():
            if chunk.startswith("data:") and chunk[5:].strip():
                message = json.loads(chunk[5:])
                if "id" in message:
                    return message, sid
        return (json.loads(text) if text.strip() else {}), sid

    def session():
        _, sid = post({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                       "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                                  "clientInfo": {"name": "bench", "version": "1"}}})
        post({"jsonrpc": "2.0", "method": "notifications/initialized"}, sid)
        return sid

    sessions = [session() for _ in range(50)]
    lost = []

    def call(i):
        message, _ = post({"jsonrpc": "2.0", "id": i + 1, "method": "tools/call",
                           "params": {"name": "t__echo", "arguments": {"text": str(i)}}},
                          sessions[i % len(sessions)])
        result = message.get("result", {})
        if result.get("isError") or result.get("content", [{}])[0].get("text") != str(i):
            lost.append(i)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=50) as pool:
        list(pool.map(call, range(1000)))
    took = time.perf_counter() - start
    print(f"1,000 concurrent tools/call over HTTP (50 sessions): {1000 - len(lost)} answered "
          f"correctly, {len(lost)} lost, in {ms(took)}")
    proc.kill()
    proc.wait()


if __name__ == "__main__":
    main()
