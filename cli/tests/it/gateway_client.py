"""Drives `mcpctl serve` with the Python MCP SDK's client (`mcp`, pinned in
testing/peers/requirements.txt) and prints a JSON report for the Rust tests
(cli/tests/it/gateway.rs, cli/tests/it/gateway_python.rs) to check.

    python3 gateway_client.py MCPCTL [ARGS...]    # starts the gateway, talks over stdio
    python3 gateway_client.py http://HOST:PORT/mcp  # a running `serve --http`

The environment (MCPCTL_HOME ...) is passed to a stdio gateway as is; `PY_BEARER_TOKEN`, when
set, is sent to an HTTP gateway as `Authorization: Bearer ...`. `PY_CLIENT_MODE` is the SDK's
connect mode (`auto`, the default, or `legacy`).

`PY_SCENARIO` picks what the client does:

- `tour` (the default): tools, approval, a backend's elicitation, progress, prompts, resources,
  completion and log messages. Approval requests are accepted; a backend's own elicitation is
  answered with a name.
- `approvals`: calls `t__add` once per answer in `PY_APPROVALS` (comma-separated: `accept`,
  `remember` = accept and remember for the session, `decline`, `cancel`) and once more, and
  reports each result and every approval request it saw.
"""
import asyncio
import json
import os
import sys
import warnings

import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
import mcp_types as types


# Logging is deprecated from protocol 2026-07-28 on; the gateway speaks 2025-11-25, where it
# is current.
warnings.filterwarnings("ignore", message="The logging capability is deprecated")


def text_of(result) -> str:
    return "".join(c.text for c in result.content if getattr(c, "type", None) == "text")


async def tour(client: Client, report: dict) -> None:
    tools = await client.list_tools()
    report["tools"] = [t.name for t in tools.tools]
    echo = await client.call_tool("t__echo", {"text": "from python"})
    report["echo"] = echo.content[0].text
    add = await client.call_tool("t__add", {"a": 2, "b": 5})
    report["add"] = add.content[0].text
    report["add_error"] = bool(add.is_error)
    report["add_structured"] = add.structured_content
    elicited = await client.call_tool("t__elicit", {})
    report["elicited"] = elicited.structured_content
    progress: list[float] = []
    progress_notes: list[dict] = []

    async def on_progress(value, total, message):
        progress.append(value)
        progress_notes.append({"progress": value, "total": total, "message": message})

    done = await client.call_tool("t__progress", {}, progress_callback=on_progress)
    report["progress"] = progress
    report["progress_notes"] = progress_notes
    report["progress_result"] = text_of(done)
    listed = await client.list_prompts()
    report["prompts"] = [p.name for p in listed.prompts]
    greet = await client.get_prompt("t__greet", {"name": "Grace"})
    report["greet"] = greet.messages[0].content.text
    resources = await client.list_resources()
    report["resources"] = [str(r.uri) for r in resources.resources]
    text = await client.read_resource("test://text")
    report["resource_text"] = text.contents[0].text
    templated = await client.read_resource("test://echo/templated")
    report["resource_templated"] = templated.contents[0].text
    status = await client.read_resource("mcpctl://status")
    report["status"] = json.loads(status.contents[0].text)
    await client.set_logging_level("info")
    done = await client.complete(
        types.PromptReference(type="ref/prompt", name="t__greet"), {"name": "name", "value": "al"}
    )
    report["completions"] = done.completion.values


async def approvals(client: Client, report: dict, answers: list[str]) -> None:
    calls = []
    for i in range(len(answers) + 1):
        result = await client.call_tool("t__add", {"a": i, "b": 10})
        calls.append({"text": text_of(result), "is_error": bool(result.is_error)})
    report["calls"] = calls


async def main() -> None:
    target = sys.argv[1]
    scenario = os.environ.get("PY_SCENARIO", "tour")
    answers = [a for a in os.environ.get("PY_APPROVALS", "").split(",") if a]
    pending = list(answers)
    prompts: list[str] = []
    approval_fields: list[list[str]] = []
    logs: list[dict] = []

    async def on_elicit(context, params):
        prompts.append(params.message)
        if params.message.startswith("Allow "):
            approval_fields.append(sorted(params.requested_schema.get("properties", {})))
            answer = pending.pop(0) if pending else "accept"
            if answer == "remember":
                return types.ElicitResult(action="accept", content={"remember": True})
            if answer in ("decline", "cancel"):
                return types.ElicitResult(action=answer)
            return types.ElicitResult(action="accept", content={})
        return types.ElicitResult(action="accept", content={"name": "Grace", "age": 85})

    async def on_log(params):
        logs.append({"level": params.level, "logger": params.logger, "data": params.data})

    http = None
    if target.startswith(("http://", "https://")):
        headers = {}
        if token := os.environ.get("PY_BEARER_TOKEN"):
            headers["Authorization"] = f"Bearer {token}"
        http = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=300))
        server = streamable_http_client(target, http_client=http)
    else:
        server = StdioServerParameters(command=target, args=sys.argv[2:], env=dict(os.environ))
    report: dict = {"transport": "http" if http else "stdio"}
    try:
        async with Client(server, elicitation_callback=on_elicit, logging_callback=on_log,
                          mode=os.environ.get("PY_CLIENT_MODE", "auto")) as client:
            report["server"] = client.server_info.name if client.server_info else None
            report["protocol"] = client.protocol_version
            if scenario == "approvals":
                await approvals(client, report, answers)
            else:
                await tour(client, report)
                # Give the backend's log message (sent on setLevel) a moment to arrive.
                for _ in range(50):
                    if logs:
                        break
                    await asyncio.sleep(0.02)
                report["logs"] = logs
    finally:
        if http is not None:
            await http.aclose()
    report["asked"] = prompts
    report["approval_fields"] = approval_fields
    print(json.dumps(report))


asyncio.run(main())
