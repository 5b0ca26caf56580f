"""Two sessions of the Python MCP SDK's client on one `mcpctl serve --http` gateway, to check
that what a backend sends reaches the session it is for and no other, and that "remember for
this session" stays in its session. Prints a JSON report for cli/tests/it/gateway_python.rs.

    python3 gateway_sessions.py URL     (PY_BEARER_TOKEN: the gateway's token)
"""
import asyncio
import json
import os
import sys

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
import mcp_types as types


def session(name: str, asked: dict, progress: dict):
    async def on_elicit(context, params):
        asked.setdefault(name, []).append(params.message)
        if params.message.startswith("Allow "):
            return types.ElicitResult(action="accept", content={"remember": True})
        return types.ElicitResult(action="accept", content={"name": name})

    headers = {"Authorization": f"Bearer {os.environ['PY_BEARER_TOKEN']}"}
    http = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=300))
    client = Client(streamable_http_client(sys.argv[1], http_client=http),
                    elicitation_callback=on_elicit, mode="legacy")
    return client


async def main() -> None:
    asked: dict = {}
    progress: dict = {"a": [], "b": []}
    report: dict = {}
    async with session("a", asked, progress) as a, session("b", asked, progress) as b:
        await a.list_tools()
        await b.list_tools()

        async def progress_of(name):
            async def on_progress(value, total, message):
                progress[name].append(value)
            return on_progress

        # B's call: the backend's elicitation and progress go to B only.
        elicited = await b.call_tool("t__elicit", {})
        report["b_elicited"] = elicited.structured_content
        await b.call_tool("t__progress", {}, progress_callback=await progress_of("b"))
        # A's call: to A only.
        elicited = await a.call_tool("t__elicit", {})
        report["a_elicited"] = elicited.structured_content
        # A allows `add` for the rest of its session; B is still asked.
        report["a_add"] = [(await a.call_tool("t__add", {"a": 1, "b": i})).content[0].text
                           for i in range(2)]
        report["b_add"] = (await b.call_tool("t__add", {"a": 1, "b": 5})).content[0].text
    report["asked"] = asked
    report["progress"] = progress
    print(json.dumps(report))


asyncio.run(main())
