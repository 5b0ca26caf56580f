#!/usr/bin/env node
// A real OAuth 2.1 provider and a protected MCP server for mcpctl's tests, built on the
// authorization-server handlers of @modelcontextprotocol/sdk (pinned in testing/peers).
//
// It listens on 127.0.0.1 only, on ports the OS picks, and prints one JSON line on stdout once
// it is ready: {"issuer", "authorization_server", "mcp_url", "resource_metadata_url", ...}.
// Everything it knows lives in memory; it stops on SIGTERM/SIGINT or when stdin closes.
//
// Switches (all optional):
//   --deny                 /authorize answers error=access_denied instead of a code
//   --access-ttl SECS      access-token lifetime (default 3600); 1–2 s makes refresh tests quick
//   --no-refresh           issue no refresh tokens
//   --confidential basic|post
//                          pre-register a confidential client (id and secret in the ready line)
//                          whose token endpoint auth method is client_secret_basic or _post
//   --no-prm               2025-03-26 style: no protected-resource metadata, and the
//                          authorization server shares the MCP server's origin
//   --no-iss               leave `iss` out of the authorization response (RFC 9207)
//   --no-registration      no dynamic client registration endpoint
//   --no-revocation        no revocation endpoint
//   --scopes "a b"         scopes_supported (default "mcp:read mcp:write")
//   --log FILE             append one JSON line per request: method, path, header names, query
//                          and body keys, the values of a few non-secret parameters, status
//
// Tools of the MCP server: `whoami` (any valid token) and `write_note` (needs scope mcp:write;
// without it the HTTP answer is 403 with `WWW-Authenticate: Bearer error="insufficient_scope"`).
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { createRequire } = require("node:module");

const peers = path.resolve(__dirname, "../peers/node_modules");
const requirePeer = createRequire(path.join(peers, "noop.js"));
const express = requirePeer("express");
const sdk = (p) => requirePeer(`@modelcontextprotocol/sdk/${p}`);
const { mcpAuthRouter } = sdk("server/auth/router.js");
const { metadataHandler } = sdk("server/auth/handlers/metadata.js");
const { requireBearerAuth } = sdk("server/auth/middleware/bearerAuth.js");
const errors = sdk("server/auth/errors.js");
const { McpServer } = sdk("server/mcp.js");
const { StreamableHTTPServerTransport } = sdk("server/streamableHttp.js");
const z = requirePeer("zod");

// ---------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const opts = {
    deny: false,
    accessTtl: 3600,
    refresh: true,
    confidential: null,
    prm: true,
    iss: true,
    registration: true,
    revocation: true,
    scopes: ["mcp:read", "mcp:write"],
    log: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case "--deny": opts.deny = true; break;
      case "--access-ttl": opts.accessTtl = Number(value()); break;
      case "--no-refresh": opts.refresh = false; break;
      case "--confidential": {
        const method = value();
        if (method !== "basic" && method !== "post") fail("--confidential takes basic or post");
        opts.confidential = method === "basic" ? "client_secret_basic" : "client_secret_post";
        break;
      }
      case "--no-prm": opts.prm = false; break;
      case "--no-iss": opts.iss = false; break;
      case "--no-registration": opts.registration = false; break;
      case "--no-revocation": opts.revocation = false; break;
      case "--scopes": opts.scopes = value().split(/\s+/).filter(Boolean); break;
      case "--log": opts.log = value(); break;
      default: fail(`unknown argument ${arg}`);
    }
  }
  if (!(opts.accessTtl > 0)) fail("--access-ttl must be a positive number of seconds");
  return opts;
}

function fail(message) {
  process.stderr.write(`oauth-server: ${message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// The provider: clients, codes and tokens in memory.

const random = () => crypto.randomBytes(24).toString("base64url");
const nowSecs = () => Math.floor(Date.now() / 1000);

class Provider {
  constructor(opts, urls) {
    this.opts = opts;
    this.urls = urls;
    this.clients = new Map();
    this.codes = new Map(); // code -> {clientId, params, used, issued: [tokens]}
    this.accessTokens = new Map(); // token -> {clientId, scopes, expiresAt, resource}
    this.refreshTokens = new Map(); // token -> {clientId, scopes, resource}
    this.counters = { registrations: 0, codes: 0, tokens: 0, refreshes: 0, revocations: 0, rejected_refreshes: 0 };
    const provider = this;
    this.clientsStore = {
      async getClient(clientId) {
        return provider.clients.get(clientId);
      },
    };
    if (opts.registration) {
      this.clientsStore.registerClient = async (client) => {
        provider.counters.registrations++;
        provider.clients.set(client.client_id, client);
        return client;
      };
    }
    if (!opts.revocation) this.revokeToken = undefined;
  }

  async authorize(client, params, res) {
    const target = new URL(params.redirectUri);
    if (this.opts.deny) {
      target.searchParams.set("error", "access_denied");
      target.searchParams.set("error_description", "The test provider was told to deny this login");
    } else {
      const code = random();
      this.codes.set(code, { clientId: client.client_id, params, used: false, issued: [] });
      this.counters.codes++;
      target.searchParams.set("code", code);
    }
    if (params.state !== undefined) target.searchParams.set("state", params.state);
    if (this.opts.iss) target.searchParams.set("iss", this.urls.issuer);
    res.redirect(302, target.href);
  }

  async challengeForAuthorizationCode(client, code) {
    const entry = this.codes.get(code);
    if (!entry || entry.clientId !== client.client_id) {
      throw new errors.InvalidGrantError("unknown authorization code");
    }
    return entry.params.codeChallenge;
  }

  async exchangeAuthorizationCode(client, code, _verifier, redirectUri, resource) {
    const entry = this.codes.get(code);
    if (!entry || entry.clientId !== client.client_id) {
      throw new errors.InvalidGrantError("unknown authorization code");
    }
    if (entry.used) {
      // A replayed code revokes what it was exchanged for (OAuth 2.1 §4.1.3).
      for (const token of entry.issued) {
        this.accessTokens.delete(token);
        this.refreshTokens.delete(token);
      }
      throw new errors.InvalidGrantError("authorization code already used");
    }
    entry.used = true;
    if (redirectUri !== undefined && redirectUri !== entry.params.redirectUri) {
      throw new errors.InvalidGrantError("redirect_uri differs from the authorization request");
    }
    const granted = entry.params.resource?.href;
    if (resource !== undefined && granted !== undefined && resource.href !== granted) {
      throw new errors.InvalidTargetError("resource differs from the authorization request");
    }
    const tokens = this.issue(client.client_id, entry.params.scopes ?? [], granted ?? resource?.href);
    entry.issued.push(tokens.access_token);
    if (tokens.refresh_token) entry.issued.push(tokens.refresh_token);
    return tokens;
  }

  async exchangeRefreshToken(client, refreshToken, scopes, resource) {
    const entry = this.refreshTokens.get(refreshToken);
    if (!entry || entry.clientId !== client.client_id) {
      this.counters.rejected_refreshes++;
      throw new errors.InvalidGrantError("unknown or already used refresh token");
    }
    if (resource !== undefined && entry.resource !== undefined && resource.href !== entry.resource) {
      throw new errors.InvalidTargetError("resource differs from the original grant");
    }
    let granted = entry.scopes;
    if (scopes && scopes.length > 0) {
      if (!scopes.every((s) => entry.scopes.includes(s))) {
        throw new errors.InvalidScopeError("refresh may not widen the granted scopes");
      }
      granted = scopes;
    }
    // Rotation: the presented refresh token is spent.
    this.refreshTokens.delete(refreshToken);
    this.counters.refreshes++;
    return this.issue(client.client_id, granted, entry.resource);
  }

  issue(clientId, scopes, resource) {
    const access = random();
    const expiresAt = Date.now() / 1000 + this.opts.accessTtl;
    this.accessTokens.set(access, { clientId, scopes, expiresAt, resource });
    this.counters.tokens++;
    const tokens = {
      access_token: access,
      token_type: "Bearer",
      expires_in: this.opts.accessTtl,
    };
    if (scopes.length > 0) tokens.scope = scopes.join(" ");
    if (this.opts.refresh) {
      const refresh = random();
      this.refreshTokens.set(refresh, { clientId, scopes, resource });
      tokens.refresh_token = refresh;
    }
    return tokens;
  }

  async verifyAccessToken(token) {
    const entry = this.accessTokens.get(token);
    if (!entry) throw new errors.InvalidTokenError("unknown or revoked access token");
    return {
      token,
      clientId: entry.clientId,
      scopes: entry.scopes,
      expiresAt: entry.expiresAt,
      // A client that sent no `resource` gets a token for this server (the default audience).
      resource: new URL(entry.resource ?? this.urls.mcpUrl),
    };
  }

  async revokeToken(client, request) {
    this.counters.revocations++;
    for (const map of [this.accessTokens, this.refreshTokens]) {
      const entry = map.get(request.token);
      if (entry && entry.clientId === client.client_id) map.delete(request.token);
    }
  }

  state() {
    return {
      clients: this.clients.size,
      access_tokens: this.accessTokens.size,
      refresh_tokens: this.refreshTokens.size,
      ...this.counters,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Request log: names and keys only, values just for parameters that are never secret.

const LOGGED_VALUES = new Set([
  "grant_type", "resource", "scope", "redirect_uri", "response_type", "code_challenge_method",
  "token_type_hint", "client_id", "token_endpoint_auth_method", "grant_types", "redirect_uris",
  "client_name", "application_type", "error",
]);

function requestLogger(file) {
  return (req, res, next) => {
    if (!file) return next();
    res.on("finish", () => {
      const query = Object.keys(req.query ?? {});
      const body = req.body && typeof req.body === "object" ? req.body : {};
      const values = {};
      for (const source of [req.query ?? {}, body]) {
        for (const [key, value] of Object.entries(source)) {
          if (LOGGED_VALUES.has(key)) values[key] = value;
        }
      }
      const authorization = req.headers.authorization;
      const line = {
        at: new Date().toISOString(),
        port: req.socket.localPort,
        method: req.method,
        path: new URL(req.originalUrl, "http://127.0.0.1").pathname,
        headers: Object.keys(req.headers).sort(),
        authorization_scheme: authorization ? authorization.split(" ")[0] : null,
        query_keys: query.sort(),
        body_keys: Object.keys(body).sort(),
        values,
        status: res.statusCode,
      };
      fs.appendFileSync(file, JSON.stringify(line) + "\n");
    });
    next();
  };
}

// The SDK's client authentication reads client_secret_post only. This puts a Basic header's
// credentials into the body, and refuses a client that authenticates with another method than
// the one it registered, as a strict provider does.
function clientAuthMethod(provider) {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    let method = "none";
    if (header && header.toLowerCase().startsWith("basic ")) {
      const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) return oauthError(res, 401, "invalid_client", "malformed Basic credentials");
      req.body = req.body ?? {};
      req.body.client_id = decodeURIComponent(decoded.slice(0, colon));
      req.body.client_secret = decodeURIComponent(decoded.slice(colon + 1));
      method = "client_secret_basic";
    } else if (req.body && req.body.client_secret !== undefined) {
      method = "client_secret_post";
    }
    const client = req.body && req.body.client_id ? await provider.clientsStore.getClient(req.body.client_id) : undefined;
    if (client) {
      const registered = client.token_endpoint_auth_method ?? "client_secret_basic";
      if (registered !== method) {
        return oauthError(res, 401, "invalid_client",
          `client registered token_endpoint_auth_method ${registered} but authenticated with ${method}`);
      }
    }
    next();
  };
}

function oauthError(res, status, error, description) {
  res.status(status).json({ error, error_description: description });
}

// ---------------------------------------------------------------------------------------------
// The protected MCP server.

function mcpServerFor(auth) {
  const server = new McpServer({ name: "mcpctl-oauth-test-server", version: "1.0.0" });
  server.registerTool("whoami", {
    description: "Tells which client and scopes the bearer token carries",
    inputSchema: {},
  }, async () => ({
    content: [{ type: "text", text: JSON.stringify({ client_id: auth.clientId, scopes: auth.scopes }) }],
  }));
  server.registerTool("write_note", {
    description: "Pretends to write a note (needs scope mcp:write)",
    inputSchema: { text: z.string() },
  }, async ({ text }) => ({ content: [{ type: "text", text: `noted: ${text}` }] }));
  return server;
}

// ---------------------------------------------------------------------------------------------

async function listen(app) {
  const server = http.createServer(app);
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return server;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const mcpApp = express();
  const mcpServer = await listen(mcpApp);
  const mcpOrigin = `http://127.0.0.1:${mcpServer.address().port}`;
  let asApp = mcpApp;
  let asServer = mcpServer;
  if (opts.prm) {
    asApp = express();
    asServer = await listen(asApp);
  }
  const issuer = `http://127.0.0.1:${asServer.address().port}`;
  const mcpUrl = `${mcpOrigin}/mcp`;
  const resourceMetadataUrl = opts.prm ? `${mcpOrigin}/.well-known/oauth-protected-resource/mcp` : null;
  const urls = { issuer, mcpUrl };
  const provider = new Provider(opts, urls);

  let confidential = null;
  if (opts.confidential) {
    confidential = {
      client_id: "mcpctl-test-confidential",
      client_secret: random(),
      token_endpoint_auth_method: opts.confidential,
    };
    provider.clients.set(confidential.client_id, {
      ...confidential,
      // Loopback redirect URIs match on any port (RFC 8252 §7.3); the path must match.
      redirect_uris: ["http://127.0.0.1/callback", "http://localhost/callback"],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    });
  }

  const log = requestLogger(opts.log);
  for (const app of new Set([asApp, mcpApp])) {
    app.disable("x-powered-by");
    app.use(express.urlencoded({ extended: false }));
    app.use(log);
  }

  // --- authorization server
  const authMethods = ["none", "client_secret_basic", "client_secret_post"];
  const asMetadata = {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    registration_endpoint: opts.registration ? `${issuer}/register` : undefined,
    revocation_endpoint: opts.revocation ? `${issuer}/revoke` : undefined,
    response_types_supported: ["code"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_methods_supported: opts.revocation ? authMethods : undefined,
    scopes_supported: opts.scopes,
    authorization_response_iss_parameter_supported: opts.iss,
  };
  asApp.use("/.well-known/oauth-authorization-server", metadataHandler(asMetadata));
  // Test hooks. /_test/state: counters, no token values. /_test/issue: tokens without the
  // browser dance, for tests that need a stored login to start from (a new public client, or
  // `client_id=` an existing one; `scope=`, `ttl=` seconds for this access token).
  asApp.get("/_test/state", (_req, res) => res.json(provider.state()));
  asApp.post("/_test/issue", (req, res) => {
    let clientId = req.query.client_id;
    if (!clientId) {
      clientId = crypto.randomUUID();
      provider.clients.set(clientId, {
        client_id: clientId,
        client_id_issued_at: nowSecs(),
        redirect_uris: ["http://127.0.0.1/callback"],
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
      });
    } else if (!provider.clients.has(clientId)) {
      return oauthError(res, 400, "invalid_client", "unknown client_id");
    }
    const scopes = typeof req.query.scope === "string" ? req.query.scope.split(" ").filter(Boolean) : opts.scopes;
    const tokens = provider.issue(clientId, scopes, mcpUrl);
    if (req.query.ttl !== undefined) {
      const ttl = Number(req.query.ttl);
      provider.accessTokens.get(tokens.access_token).expiresAt = Date.now() / 1000 + ttl;
      tokens.expires_in = ttl;
    }
    res.json({ client_id: clientId, ...tokens });
  });
  // The SDK router also serves protected-resource metadata at the issuer; this server keeps
  // that document on the MCP server's origin only.
  asApp.use("/.well-known/oauth-protected-resource", (_req, res) => res.status(404).end());
  asApp.use(["/token", "/revoke"], clientAuthMethod(provider));
  const noLimit = { rateLimit: false };
  asApp.use(mcpAuthRouter({
    provider,
    issuerUrl: new URL(issuer),
    scopesSupported: opts.scopes,
    resourceServerUrl: new URL(mcpUrl),
    authorizationOptions: noLimit,
    tokenOptions: noLimit,
    clientRegistrationOptions: { ...noLimit, clientSecretExpirySeconds: 0 },
    revocationOptions: noLimit,
  }));

  // --- protected resource
  if (opts.prm) {
    mcpApp.use("/.well-known/oauth-protected-resource/mcp", metadataHandler({
      resource: mcpUrl,
      authorization_servers: [issuer],
      scopes_supported: opts.scopes,
      bearer_methods_supported: ["header"],
      resource_name: "mcpctl OAuth test server",
    }));
  }
  const bearer = requireBearerAuth({
    verifier: provider,
    resourceMetadataUrl: resourceMetadataUrl ?? undefined,
    expectedResource: new URL(mcpUrl),
  });
  mcpApp.all("/mcp", express.json(), bearer, async (req, res) => {
    const calls = Array.isArray(req.body) ? req.body : [req.body];
    const needsWrite = calls.some((m) => m && m.method === "tools/call" && m.params && m.params.name === "write_note");
    if (needsWrite && !req.auth.scopes.includes("mcp:write")) {
      let header = `Bearer error="insufficient_scope", scope="${[...new Set([...req.auth.scopes, "mcp:write"])].join(" ")}"`;
      header += `, error_description="write_note needs scope mcp:write"`;
      if (resourceMetadataUrl) header += `, resource_metadata="${resourceMetadataUrl}"`;
      res.set("WWW-Authenticate", header);
      return oauthError(res, 403, "insufficient_scope", "write_note needs scope mcp:write");
    }
    const server = mcpServerFor(req.auth);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      transport.close();
      server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });

  const ready = {
    issuer,
    authorization_server: issuer,
    mcp_url: mcpUrl,
    resource_metadata_url: resourceMetadataUrl,
    client_id: confidential ? confidential.client_id : null,
    client_secret: confidential ? confidential.client_secret : null,
    token_endpoint_auth_method: confidential ? confidential.token_endpoint_auth_method : null,
    pid: process.pid,
  };
  process.stdout.write(JSON.stringify(ready) + "\n");

  const stop = () => {
    mcpServer.close();
    asServer.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // A test that dies without killing us still ends us: it held our stdin.
  process.stdin.on("end", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
}

main().catch((error) => {
  process.stderr.write(`oauth-server: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
