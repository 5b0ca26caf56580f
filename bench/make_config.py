#!/usr/bin/env python3
"""Write a Codex-format config.toml with N MCP servers for benchmarks.

Usage: make_config.py N [--port PORT] > config.toml

Half the servers are stdio, half streamable HTTP, with the keys real configs carry (args, env
tables, env_vars, cwd, timeouts, tool filters, headers, bearer-token variables, OAuth scopes) and
comments between tables, so a parser and a comment-preserving writer both get real work.

Every HTTP URL points at 127.0.0.1:PORT, a port nothing listens on: `codex mcp list` probes the
OAuth discovery endpoints of each HTTP server on every run, and a refused loopback connection
keeps that probe fast, local and repeatable (no network, no DNS).
"""

from __future__ import annotations

import argparse
import sys

PACKAGES = ["filesystem", "github", "postgres", "sqlite", "fetch", "memory", "git", "search", "browser", "slack"]


def stdio_server(i: int) -> str:
    kind = PACKAGES[i % len(PACKAGES)]
    lines = [
        f"# {kind} tools for workspace {i}",
        f"[mcp_servers.{kind}-{i:03}]",
        'command = "npx"',
        f'args = ["-y", "@example/mcp-server-{kind}", "--root", "/srv/projects/p{i:03}", "--log-level", "warn"]',
    ]
    if i % 3 == 0:
        lines.append(f'cwd = "/srv/projects/p{i:03}"')
    if i % 4 == 0:
        lines.append('env_vars = ["HOME", "PATH"]')
    lines.append("startup_timeout_sec = 20.0")
    if i % 5 == 0:
        lines.append("tool_timeout_sec = 120.0")
        lines.append(f'enabled_tools = ["read_file", "list_directory", "search_{kind}"]')
    if i % 7 == 0:
        lines.append("enabled = false")
    if i % 2 == 0:
        lines += [
            "",
            f"[mcp_servers.{kind}-{i:03}.env]",
            f'{kind.upper()}_TOKEN = "tok-{i:04}-redacted"',
            'LOG_FORMAT = "json"  # keep structured logs',
        ]
    return "\n".join(lines)


def http_server(i: int, port: int) -> str:
    kind = PACKAGES[i % len(PACKAGES)]
    lines = [
        f"# hosted {kind} (team {i % 12})",
        f'[mcp_servers."remote.{kind}-{i:03}"]',
        f'url = "http://127.0.0.1:{port}/team{i % 12}/{kind}/mcp"',
    ]
    if i % 3 == 0:
        lines.append(f'bearer_token_env_var = "{kind.upper()}_{i:03}_TOKEN"')
    else:
        lines.append('scopes = ["read", "write"]')
    lines.append("tool_timeout_sec = 60.0")
    if i % 5 == 0:
        lines.append('disabled_tools = ["delete_everything"]')
    if i % 2 == 0:
        lines += [
            "",
            f'[mcp_servers."remote.{kind}-{i:03}".http_headers]',
            f'X-Team = "team-{i % 12}"',
            'User-Agent = "mcpctl-bench/1"',
            "",
            f'[mcp_servers."remote.{kind}-{i:03}".env_http_headers]',
            f'X-Api-Key = "{kind.upper()}_API_KEY"',
        ]
    return "\n".join(lines)


def make_config(count: int, port: int) -> str:
    header = [
        "# Benchmark config written by bench/make_config.py: not a real setup.",
        'model = "gpt-5.1-codex"',
        "# Tokens in a file, so no run depends on a desktop keyring.",
        'mcp_oauth_credentials_store = "file"',
        "",
        "[features]",
        "rmcp_client = true",
    ]
    tables = []
    for i in range(count):
        tables.append(stdio_server(i) if i % 2 == 0 else http_server(i, port))
    return "\n".join(header) + "\n\n" + "\n\n".join(tables) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int, help="number of servers")
    parser.add_argument("--port", type=int, default=9, help="closed loopback port for HTTP URLs (default 9)")
    args = parser.parse_args()
    sys.stdout.write(make_config(args.count, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
