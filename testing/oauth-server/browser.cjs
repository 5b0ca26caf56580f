#!/usr/bin/env node
// A headless stand-in for a web browser, for `$BROWSER` in tests: GETs the URL it is given and
// follows redirects (at most 10), the way a browser carries an authorization response to the
// callback listener. Prints one line per hop on stderr with the origin and path only (queries
// carry codes and state). Exit 0 when the last answer is 2xx, else 1.
//
// MCPCTL_BROWSER_LOG=FILE appends one JSON line per hop ({url, status}) with the full URL, for
// tests that need to see the authorization request; the file is theirs and throwaway.
"use strict";
const fs = require("node:fs");

async function main() {
  const start = process.argv[2];
  if (!start) {
    process.stderr.write("usage: browser.cjs URL\n");
    process.exit(2);
  }
  const log = process.env.MCPCTL_BROWSER_LOG;
  let url = start;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, { redirect: "manual" });
    const shown = new URL(url);
    process.stderr.write(`browser: GET ${shown.origin}${shown.pathname} -> ${res.status}\n`);
    if (log) fs.appendFileSync(log, JSON.stringify({ url, status: res.status }) + "\n");
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      await res.arrayBuffer();
      url = new URL(location, url).href;
      continue;
    }
    await res.arrayBuffer();
    process.exit(res.status >= 200 && res.status < 300 ? 0 : 1);
  }
  process.stderr.write("browser: too many redirects\n");
  process.exit(1);
}

main().catch((error) => {
  process.stderr.write(`browser: ${error && error.message ? error.message : error}\n`);
  process.exit(1);
});
