// Interop client: drives the real `mcpctl app-server` over pipes with `vscode-jsonrpc`, the
// JSON-RPC library of VS Code's language clients (pinned in testing/peers).
//
// vscode-jsonrpc's own stream reader/writer frame messages with Content-Length headers (LSP);
// the app server speaks one JSON object per line, so this file has a small newline-delimited
// reader/writer pair built on the library's AbstractMessageReader/AbstractMessageWriter.
//
// Usage: node vscode_jsonrpc_client.cjs <testing/peers> <mcpctl> <eof|shutdown>
// Prints one `ok <step> <detail>` line per step, then `done exit=<code>`; any failure prints
// `FAIL <why>` and exits 1. The environment (MCPCTL_HOME, …) is passed on to mcpctl.
"use strict";

const path = require("node:path");
const { spawn } = require("node:child_process");
const { createRequire } = require("node:module");

const [peers, mcpctl, mode] = process.argv.slice(2);
const peerRequire = createRequire(path.join(peers, "package.json"));
const rpc = peerRequire("vscode-jsonrpc/node");

class LineReader extends rpc.AbstractMessageReader {
  constructor(stream) {
    super();
    this.stream = stream;
    this.buffer = "";
    stream.on("error", (e) => this.fireError(e));
    stream.on("close", () => this.fireClose());
  }
  listen(callback) {
    const onData = (chunk) => {
      this.buffer += chunk.toString("utf8");
      let end;
      while ((end = this.buffer.indexOf("\n")) >= 0) {
        const line = this.buffer.slice(0, end).trim();
        this.buffer = this.buffer.slice(end + 1);
        if (line === "") continue;
        let message;
        try {
          message = JSON.parse(line);
        } catch (e) {
          this.fireError(new Error(`server wrote a line that is not JSON: ${line}`));
          continue;
        }
        callback(message);
      }
    };
    this.stream.on("data", onData);
    return { dispose: () => this.stream.off("data", onData) };
  }
}

class LineWriter extends rpc.AbstractMessageWriter {
  constructor(stream) {
    super();
    this.stream = stream;
    stream.on("error", (e) => this.fireError(e));
    stream.on("close", () => this.fireClose());
  }
  write(message) {
    return new Promise((resolve, reject) => {
      this.stream.write(JSON.stringify(message) + "\n", "utf8", (e) => {
        if (e) {
          this.fireError(e, message);
          reject(e);
        } else {
          resolve();
        }
      });
    });
  }
  end() {}
}

function fail(why) {
  process.stdout.write(`FAIL ${why}\n`);
  try {
    child.kill("SIGKILL");
  } catch (_) {}
  process.exit(1);
}

function check(condition, why) {
  if (!condition) fail(why);
}

function ok(step, detail) {
  process.stdout.write(`ok ${step} ${JSON.stringify(detail)}\n`);
}

const child = spawn(mcpctl, ["app-server"], { stdio: ["pipe", "pipe", "inherit"] });
child.on("error", (e) => fail(`cannot start ${mcpctl}: ${e.message}`));
const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
const timer = setTimeout(() => fail("timed out after 60 s"), 60000);

const connection = rpc.createMessageConnection(new LineReader(child.stdout), new LineWriter(child.stdin));
connection.onError(([error]) => fail(`connection error: ${error && error.message}`));

// Notifications, by method, and waiters for them.
const notifications = [];
const waiters = [];
connection.onNotification((method, params) => {
  notifications.push({ method, params });
  for (const w of waiters.splice(0)) {
    if (!w(method, params)) waiters.push(w);
  }
});
function notification(method, predicate) {
  const seen = notifications.find((n) => n.method === method && predicate(n.params));
  if (seen) return Promise.resolve(seen.params);
  return new Promise((resolve) =>
    waiters.push((m, p) => {
      if (m === method && predicate(p)) {
        resolve(p);
        return true;
      }
      return false;
    }),
  );
}

// The server-to-client request: a form elicitation from the MCP server, answered here.
const elicitations = [];
connection.onRequest("mcpServer/elicitation/request", (params) => {
  elicitations.push(params);
  return { action: "accept", content: { name: "Ada" }, _meta: null };
});

connection.listen();

async function main() {
  const init = await connection.sendRequest("initialize", {
    clientInfo: { name: "vscode-jsonrpc-interop", title: null, version: "1.0.0" },
    capabilities: {},
  });
  check(typeof init.userAgent === "string" && init.userAgent.length > 0, `initialize: ${JSON.stringify(init)}`);
  ok("initialize", { platformOs: init.platformOs });
  await connection.sendNotification("initialized");

  const config = await connection.sendRequest("config/read", { includeLayers: true });
  check(config.config && typeof config.config === "object", `config/read: ${JSON.stringify(config)}`);
  check(Array.isArray(config.layers) && config.layers.length > 0, `config/read layers: ${JSON.stringify(config)}`);
  ok("config/read", { servers: Object.keys(config.config.mcp_servers || {}) });

  const list = await connection.sendRequest("mcpServerStatus/list", {});
  check(Array.isArray(list.data) && list.data.length === 1, `mcpServerStatus/list: ${JSON.stringify(list)}`);
  ok("mcpServerStatus/list", { name: list.data[0].name, runtimeStatus: list.data[0].runtimeStatus });

  const started = await connection.sendRequest("thread/start", {});
  const threadId = started.thread && started.thread.id;
  check(typeof threadId === "string", `thread/start: ${JSON.stringify(started)}`);
  const ready = await notification("mcpServer/startupStatus/updated", (p) => p.status === "ready");
  check(ready.threadId === threadId, `startupStatus threadId: ${JSON.stringify(ready)}`);
  check(typeof ready.emittedAtMs === "number", `notification without emittedAtMs: ${JSON.stringify(ready)}`);
  ok("notification", { method: "mcpServer/startupStatus/updated", name: ready.name, status: ready.status });

  const call = await connection.sendRequest("mcpServer/tool/call", {
    threadId,
    server: "t",
    tool: "add",
    arguments: { a: 2, b: 40 },
  });
  const text = call.content && call.content[0] && call.content[0].text;
  check(typeof text === "string" && text.includes("42"), `tool call: ${JSON.stringify(call)}`);
  ok("mcpServer/tool/call", { text });

  try {
    const r = await connection.sendRequest("no/suchMethod", {});
    fail(`unknown method answered: ${JSON.stringify(r)}`);
  } catch (e) {
    check(e instanceof rpc.ResponseError, `unknown method: not a ResponseError: ${e}`);
    check(e.code === rpc.ErrorCodes.MethodNotFound && e.code === -32601, `unknown method code ${e.code}`);
    ok("unknownMethod", { code: e.code, message: e.message });
  }

  const elicited = await connection.sendRequest("mcpServer/tool/call", { threadId, server: "t", tool: "elicit" });
  check(elicitations.length === 1, `elicitation requests: ${JSON.stringify(elicitations)}`);
  check(elicitations[0].serverName === "t", `elicitation: ${JSON.stringify(elicitations[0])}`);
  const name = elicited.structuredContent && elicited.structuredContent.content && elicited.structuredContent.content.name;
  check(name === "Ada", `elicit answer did not reach the server: ${JSON.stringify(elicited)}`);
  const resolved = await notification("serverRequest/resolved", () => true);
  ok("elicitation", { mode: elicitations[0].request.mode, name, resolved: resolved.requestId !== undefined });

  if (mode === "shutdown") {
    const bye = await connection.sendRequest("shutdown", {});
    ok("shutdown", bye);
  } else {
    child.stdin.end();
    ok("eof", {});
  }
  const { code, signal } = await exited;
  clearTimeout(timer);
  connection.dispose();
  process.stdout.write(`done exit=${code} signal=${signal}\n`);
  process.exit(code === 0 ? 0 : 1);
}

main().catch((e) => fail(`${e && e.stack ? e.stack : e}`));
