// Reads the checks.json the conformance suite wrote somewhere under DIR (client scenarios
// named auth/... put it one folder deeper, server scenarios under server-<name>-<time>/) and
// prints "passed failures warnings" on the first line, then one line per failed check:
// "id: message". Prints "missing" when there is no checks.json.
//
//   node checks.cjs DIR
const fs = require("fs"), path = require("path");
const find = d => fs.readdirSync(d, { withFileTypes: true }).flatMap(e =>
    e.name === "checks.json" ? [path.join(d, e.name)]
    : e.isDirectory() ? find(path.join(d, e.name)) : []);
const file = find(process.argv[2])[0];
if (!file) {
    console.log("missing");
    process.exit(0);
}
const checks = JSON.parse(fs.readFileSync(file, "utf8"));
const n = s => checks.filter(c => c.status === s).length;
console.log(`${n("SUCCESS")} ${n("FAILURE")} ${n("WARNING")}`);
for (const c of checks.filter(c => c.status === "FAILURE")) {
    const msg = c.errorMessage ?? c.details?.message ?? c.description ?? "";
    console.log(`${c.id}: ${String(msg).replace(/\s+/g, " ").slice(0, 400)}`);
}
