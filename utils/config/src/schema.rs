//! The JSON schema of `config.toml` (the MCP subset mcpctl reads; other keys are allowed).

use std::collections::BTreeMap;

use schemars::JsonSchema;

/// The top level of `config.toml`. Keys not listed here are kept and ignored (a Codex config
/// holds many more).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct ConfigToml {
    /// MCP servers by name. Names use letters, digits and `- _ : @ / .`.
    mcp_servers: Option<BTreeMap<String, McpServerToml>>,
    /// Where OAuth tokens are stored: the OS keyring when available (`auto`), always a private
    /// file (`file`), or always the keyring (`keyring`).
    mcp_oauth_credentials_store: Option<CredentialsStore>,
    /// Fixed port of the local OAuth callback listener (0 or unset: any free port).
    mcp_oauth_callback_port: Option<u16>,
    /// Exact redirect URI to register and use at OAuth login (e.g. behind an ingress).
    mcp_oauth_callback_url: Option<String>,
    /// HTTPS URL of this client's OAuth client ID metadata document (CIMD), used as the client
    /// id with authorization servers that accept such documents.
    oauth_client_metadata_url: Option<String>,
    /// Feature flags; see `mcpctl features list`.
    features: Option<BTreeMap<String, bool>>,
    /// Trust of project folders, keyed by absolute path; written by `mcpctl trust`.
    projects: Option<BTreeMap<String, ProjectToml>>,
    /// mcpctl's key: the gateway-wide approval starting point, below any server or tool
    /// `approval_mode`.
    approval_preset: Option<ApprovalPresetToml>,
    /// Deprecated: write `rmcp_client = true` under `[features]` instead.
    #[schemars(extend("deprecated" = true))]
    experimental_use_rmcp_client: Option<bool>,
}

#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum CredentialsStore {
    Auto,
    File,
    Keyring,
}

/// How an HTTP server is spoken to: `streamable_http` (the default) or `sse`, the legacy
/// HTTP+SSE transport of MCP 2024-11-05.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum HttpTransportKind {
    StreamableHttp,
    Sse,
}

/// `read-only` exposes read-only tools only; `ask` asks for every call; `auto` decides from
/// the tools' annotations; `full-access` never asks.
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
enum ApprovalPresetToml {
    ReadOnly,
    Ask,
    Auto,
    FullAccess,
}

/// `prompt` always asks; `writes` asks unless the tool is read-only; `auto` decides from the
/// tool's annotations; `approve` never asks.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum ApprovalModeToml {
    Auto,
    Prompt,
    Writes,
    Approve,
}

/// Settings of one tool (`[mcp_servers.<name>.tools.<tool>]`).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct ToolToml {
    /// How this tool's calls are approved (over `default_tools_approval_mode`).
    approval_mode: Option<ApprovalModeToml>,
}

#[derive(JsonSchema)]
#[allow(dead_code)]
struct ProjectToml {
    /// `trusted` reads the project's `.mcpctl/config.toml`; `untrusted` ignores it.
    trust_level: Option<TrustLevelToml>,
}

#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum TrustLevelToml {
    Trusted,
    Untrusted,
}

/// One MCP server: exactly one of `command` (stdio) or `url` (streamable HTTP).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct McpServerToml {
    /// stdio: the program to run.
    command: Option<String>,
    /// stdio: its arguments.
    args: Option<Vec<String>>,
    /// stdio: environment variables set for the child.
    env: Option<BTreeMap<String, String>>,
    /// stdio: names of variables passed through from mcpctl's environment.
    env_vars: Option<Vec<String>>,
    /// stdio: working directory of the child.
    cwd: Option<String>,
    /// streamable HTTP: the endpoint URL.
    url: Option<String>,
    /// streamable HTTP: environment variable holding a bearer token.
    bearer_token_env_var: Option<String>,
    /// streamable HTTP: static headers.
    http_headers: Option<BTreeMap<String, String>>,
    /// streamable HTTP: header name to the environment variable holding its value.
    env_http_headers: Option<BTreeMap<String, String>>,
    /// streamable HTTP: a command whose output gives extra headers at connect time.
    http_headers_helper: Option<String>,
    /// HTTP: `"sse"` for a legacy HTTP+SSE server (MCP 2024-11-05; `url` is its SSE stream),
    /// `"streamable_http"` (the default). mcpctl's key; Codex ignores it.
    transport: Option<HttpTransportKind>,
    /// Whether the server is started (default true).
    enabled: Option<bool>,
    /// Startup fails when a required server cannot start (default false).
    required: Option<bool>,
    /// Only these tools are exposed.
    enabled_tools: Option<Vec<String>>,
    /// These tools are hidden (applied after `enabled_tools`).
    disabled_tools: Option<Vec<String>>,
    /// Seconds allowed for spawn, initialize and the first tools/list (default 10).
    startup_timeout_sec: Option<f64>,
    /// Deprecated: use `startup_timeout_sec`.
    #[schemars(extend("deprecated" = true))]
    startup_timeout_ms: Option<u64>,
    /// Seconds allowed for each tool call (default 60).
    tool_timeout_sec: Option<f64>,
    /// OAuth scopes requested at login.
    scopes: Option<Vec<String>>,
    /// RFC 8707 resource indicator sent at OAuth login.
    oauth_resource: Option<String>,
    /// A pre-registered OAuth client.
    oauth: Option<OAuthToml>,
    /// This server's client ID metadata document URL (overrides the top-level one).
    oauth_client_metadata_url: Option<String>,
    /// How this server's tool calls are approved unless a tool sets its own `approval_mode`.
    default_tools_approval_mode: Option<ApprovalModeToml>,
    /// Settings per tool, by tool name.
    tools: Option<BTreeMap<String, ToolToml>>,
    /// Whether the server handles concurrent tool calls.
    supports_parallel_tool_calls: Option<bool>,
}

#[derive(JsonSchema)]
#[allow(dead_code)]
struct OAuthToml {
    /// Pre-registered client id (dynamic registration when absent).
    client_id: Option<String>,
    /// Secret of a confidential client.
    client_secret: Option<String>,
    /// Exact redirect URI to use.
    callback_url: Option<String>,
    /// Environment variable holding the client secret (mcpctl's key; preferred over
    /// `client_secret`).
    client_secret_env_var: Option<String>,
    /// `authorization_code` (default: a browser login) or `client_credentials` (headless).
    grant: Option<Grant>,
    /// PEM file with the private key for `private_key_jwt` client authentication.
    private_key_file: Option<String>,
    /// JWS algorithm of `private_key_file` (default `ES256`).
    signing_alg: Option<String>,
}

#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum Grant {
    AuthorizationCode,
    ClientCredentials,
}

/// The JSON schema of `config.toml`, pretty-printed, ending with a newline.
pub fn config_schema_json() -> String {
    let schema = schemars::schema_for!(ConfigToml);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[allow(clippy::disallowed_methods)]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_in_schema_is_current() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config.schema.json");
        let current = config_schema_json();
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &current).unwrap();
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == current,
            "config.schema.json is stale: run `just schema` (or UPDATE_SCHEMA=1 cargo test -p mcpctl-config schema)"
        );
        assert!(current.contains("\"bearer_token_env_var\""));
    }
}
