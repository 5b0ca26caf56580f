"""The Python MCP SDK's client drives `mcpctl serve` whose backend is server-everything (npm),
through what it sends back: progress, its own elicitation, a sampling request and a roots
request. Prints a JSON report for cli/tests/it/gateway_python.rs.

    python3 gateway_everything.py MCPCTL serve [ARGS...]
"""
import asyncio
import json
import os
import sys

from mcp import Client, StdioServerParameters
import mcp_types as types


async def main() -> None:
    report: dict = {"asked": [], "sampled": [], "roots_asked": 0}

    async def on_elicit(context, params):
        report["asked"].append(params.message)
        return types.ElicitResult(action="accept", content={"name": "Ada Lovelace", "check": True})

    async def on_sample(context, params):
        report["sampled"].append(params.messages[0].content.text)
        return types.CreateMessageResult(
            role="assistant", content=types.TextContent(type="text", text="forty-two"),
            model="python-model")

    async def on_roots(context):
        report["roots_asked"] += 1
        return types.ListRootsResult(roots=[types.Root(uri="file:///projects/demo", name="demo")])

    server = StdioServerParameters(command=sys.argv[1], args=sys.argv[2:], env=dict(os.environ))
    async with Client(server, elicitation_callback=on_elicit, sampling_callback=on_sample,
                      list_roots_callback=on_roots) as client:
        tools = await client.list_tools()
        report["tools"] = sorted(t.name for t in tools.tools)
        progress: list = []

        async def on_progress(value, total, message):
            progress.append([value, total])

        done = await client.call_tool("everything__trigger-long-running-operation",
                                      {"duration": 0.3, "steps": 3}, progress_callback=on_progress)
        report["long"] = done.content[0].text
        report["progress"] = progress
        elicited = await client.call_tool("everything__trigger-elicitation-request", {})
        report["elicited"] = " ".join(c.text for c in elicited.content if c.type == "text")
        sampled = await client.call_tool("everything__trigger-sampling-request",
                                         {"prompt": "the answer?", "maxTokens": 10})
        report["sampling"] = " ".join(c.text for c in sampled.content if c.type == "text")
        roots = await client.call_tool("everything__get-roots-list", {})
        report["roots"] = " ".join(c.text for c in roots.content if c.type == "text")
    print(json.dumps(report))


asyncio.run(main())
