"""Drives `mcpctl serve` with the Python MCP SDK's client (`mcp`, pinned in
testing/peers/requirements.txt) over stdio, and prints a JSON report for the Rust test
(cli/tests/it/gateway.rs) to check.

    python3 gateway_client.py MCPCTL [ARGS...]

The environment (MCPCTL_HOME ...) is passed to the gateway as is. Approval requests are
accepted; a backend's own elicitation is answered with a name.
"""
import asyncio
import json
import os
import sys
import warnings

from mcp import Client, StdioServerParameters
import mcp_types as types


# Logging is deprecated from protocol 2026-07-28 on; the gateway speaks 2025-11-25, where it
# is current.
warnings.filterwarnings("ignore", message="The logging capability is deprecated")


async def main() -> None:
    prompts: list[str] = []
    logs: list[dict] = []

    async def on_elicit(context, params):
        prompts.append(params.message)
        if params.message.startswith("Allow "):
            return types.ElicitResult(action="accept", content={})
        return types.ElicitResult(action="accept", content={"name": "Grace", "age": 85})

    async def on_log(params):
        logs.append({"level": params.level, "logger": params.logger, "data": params.data})

    server = StdioServerParameters(command=sys.argv[1], args=sys.argv[2:], env=dict(os.environ))
    report: dict = {}
    async with Client(server, elicitation_callback=on_elicit, logging_callback=on_log,
                      mode=os.environ.get("PY_CLIENT_MODE", "auto")) as client:
        report["server"] = client.server_info.name if client.server_info else None
        report["protocol"] = client.protocol_version
        tools = await client.list_tools()
        report["tools"] = [t.name for t in tools.tools]
        echo = await client.call_tool("t__echo", {"text": "from python"})
        report["echo"] = echo.content[0].text
        add = await client.call_tool("t__add", {"a": 2, "b": 5})
        report["add"] = add.content[0].text
        report["add_error"] = bool(add.is_error)
        elicited = await client.call_tool("t__elicit", {})
        report["elicited"] = elicited.structured_content
        progress: list[float] = []

        async def on_progress(value, total, message):
            progress.append(value)

        await client.call_tool("t__progress", {}, progress_callback=on_progress)
        report["progress"] = progress
        listed = await client.list_prompts()
        report["prompts"] = [p.name for p in listed.prompts]
        greet = await client.get_prompt("t__greet", {"name": "Grace"})
        report["greet"] = greet.messages[0].content.text
        status = await client.read_resource("mcpctl://status")
        report["status"] = json.loads(status.contents[0].text)
        await client.set_logging_level("info")
        done = await client.complete(
            types.PromptReference(type="ref/prompt", name="t__greet"), {"name": "name", "value": "al"}
        )
        report["completions"] = done.completion.values
        # Give the backend's log message (sent on setLevel) a moment to arrive.
        for _ in range(50):
            if logs:
                break
            await asyncio.sleep(0.02)
        report["logs"] = logs
    report["asked"] = prompts
    print(json.dumps(report))


asyncio.run(main())
