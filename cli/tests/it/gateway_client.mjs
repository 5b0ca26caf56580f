// The TypeScript SDK's MCP client on `mcpctl serve` (run by gateway.rs). Prints one JSON line
// with what it saw. Env: SDK_DIR, MCPCTL_BIN, BACK_HOME, BACK_SYS.
import path from "node:path";
import { pathToFileURL } from "node:url";

const sdk = (p) => import(pathToFileURL(path.join(process.env.SDK_DIR, "dist/esm", p)).href);
const { Client } = await sdk("client/index.js");
const { StdioClientTransport } = await sdk("client/stdio.js");
const { ElicitRequestSchema } = await sdk("types.js");

const transport = new StdioClientTransport({
  command: process.env.MCPCTL_BIN,
  args: ["serve"],
  env: {
    MCPCTL_HOME: process.env.BACK_HOME,
    MCPCTL_SYSTEM_DIR: process.env.BACK_SYS,
    PATH: process.env.PATH,
  },
  stderr: "inherit",
});
const client = new Client(
  { name: "sdk-test", version: "1.0.0" },
  { capabilities: { elicitation: { form: {} } } },
);
const prompts = [];
client.setRequestHandler(ElicitRequestSchema, async (request) => {
  const { message, requestedSchema } = request.params;
  prompts.push(message);
  // Approvals are accepted; a backend's own form is filled with its defaults and a name.
  const content = {};
  for (const [key, prop] of Object.entries(requestedSchema?.properties ?? {})) {
    if (prop.default !== undefined) content[key] = prop.default;
  }
  if ("name" in (requestedSchema?.properties ?? {})) content.name = "Ada";
  return { action: "accept", content };
});
await client.connect(transport);

const report = {};
const { tools } = await client.listTools();
report.tools = tools.map((t) => t.name);
const add = await client.callTool({ name: "t__add", arguments: { a: 1, b: 2 } });
report.add = add.content[0].text;
const elicit = await client.callTool({ name: "t__elicit", arguments: {} });
report.elicit_action = elicit.structuredContent?.action ?? JSON.stringify(elicit);
let progress = 0;
await client.callTool({ name: "t__progress", arguments: {} }, undefined, {
  onprogress: () => {
    progress += 1;
  },
});
report.progress = progress;
const { prompts: listed } = await client.listPrompts();
report.prompt_names = listed.map((p) => p.name);
const greet = await client.getPrompt({ name: "t__greet", arguments: { name: "Ada" } });
report.greet = greet.messages[0].content.text;
report.prompts = prompts;
await client.close();
console.log(JSON.stringify(report));
