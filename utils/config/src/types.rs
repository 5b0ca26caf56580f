//! Typed, validated server configuration: what the rest of mcpctl works with.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use mcpctl_approval_presets::ApprovalMode;
use serde::Serialize;

/// The largest timeout accepted, from a flag, a file or `-c`: one year.
pub const MAX_TIMEOUT_SECS: f64 = 365.0 * 24.0 * 3600.0;
/// The smallest timeout accepted: one millisecond (`0` would mean "fail at once").
pub const MIN_TIMEOUT_SECS: f64 = 0.001;

/// How mcpctl reaches a server: a local child process or a remote streamable HTTP endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Transport {
    /// A local program spoken to over stdin/stdout.
    Stdio(StdioTransport),
    /// A remote server spoken to over streamable HTTP.
    StreamableHttp(HttpTransport),
}

/// A local program spoken to over stdin/stdout (`command`, `args`, `env`, `env_vars`, `cwd`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StdioTransport {
    /// The program to run (looked up on PATH when not a path).
    pub command: String,
    /// Arguments passed to the program.
    pub args: Vec<String>,
    /// Environment variables set for the child, with their values.
    pub env: BTreeMap<String, String>,
    /// Names of variables passed through from mcpctl's own environment.
    pub env_vars: Vec<String>,
    /// Working directory of the child.
    pub cwd: Option<PathBuf>,
}

impl StdioTransport {
    /// A program with no arguments, environment or working directory.
    pub fn new(command: impl Into<String>) -> Self {
        Self {
            command: command.into(),
            ..Self::default()
        }
    }
}

/// A remote server spoken to over streamable HTTP (`url`, `bearer_token_env_var`,
/// `http_headers`, `env_http_headers`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HttpTransport {
    /// The endpoint URL.
    pub url: String,
    /// Name of an environment variable holding a bearer token.
    pub bearer_token_env_var: Option<String>,
    /// Static HTTP headers sent with every request.
    pub http_headers: BTreeMap<String, String>,
    /// Headers whose values are read from environment variables at connect time.
    pub env_http_headers: BTreeMap<String, String>,
    /// `http_headers_helper` (Codex 0.171): a command whose output gives extra headers at
    /// connect time. Treated as sensitive, like header values: its arguments may hold secrets.
    pub http_headers_helper: Option<String>,
    /// `transport = "sse"` (mcpctl's key; Codex ignores it): the URL is a legacy HTTP+SSE
    /// stream (MCP 2024-11-05) rather than a streamable HTTP endpoint.
    pub legacy_sse: bool,
}

impl HttpTransport {
    /// An endpoint with no credentials or headers.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ..Self::default()
        }
    }
}

/// A value that breaks a rule of its key; the caller adds where it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidField {
    /// The key inside the server table (`command`, `url`, ...).
    pub key: &'static str,
    /// What is wrong and how to fix it.
    pub message: &'static str,
}

impl Transport {
    /// The rules of a transport's values, checked for every server read from a file and every
    /// server a command is about to write: a command that is not blank, an http(s) URL, a
    /// header helper that names a command.
    pub fn check(&self) -> Result<(), InvalidField> {
        match self {
            Transport::Stdio(stdio) if stdio.command.trim().is_empty() => Err(InvalidField {
                key: "command",
                message: "must not be empty",
            }),
            Transport::StreamableHttp(http)
                if !(http.url.starts_with("http://") || http.url.starts_with("https://")) =>
            {
                Err(InvalidField {
                    key: "url",
                    message: "expected an http:// or https:// URL",
                })
            }
            Transport::StreamableHttp(HttpTransport {
                http_headers_helper: Some(helper),
                ..
            }) if helper.trim().is_empty() => Err(InvalidField {
                key: "http_headers_helper",
                message: "must not be empty; remove the key or name a command",
            }),
            _ => Ok(()),
        }
    }

    /// `"stdio"`, `"streamable_http"` or `"sse"` (legacy HTTP+SSE), as used in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            Transport::Stdio(_) => "stdio",
            Transport::StreamableHttp(http) if http.legacy_sse => "sse",
            Transport::StreamableHttp(_) => "streamable_http",
        }
    }

    /// The stdio settings, when this is a stdio server.
    pub fn as_stdio(&self) -> Option<&StdioTransport> {
        match self {
            Transport::Stdio(stdio) => Some(stdio),
            Transport::StreamableHttp(_) => None,
        }
    }

    /// The HTTP settings, when this is a streamable HTTP server.
    pub fn as_http(&self) -> Option<&HttpTransport> {
        match self {
            Transport::StreamableHttp(http) => Some(http),
            Transport::Stdio(_) => None,
        }
    }
}

/// OAuth client settings of one server (`[mcp_servers.<name>.oauth]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OAuthClientConfig {
    /// A pre-registered client id; dynamic registration is used when absent.
    pub client_id: Option<String>,
    /// The secret of a pre-registered confidential client.
    pub client_secret: Option<String>,
    /// An exact redirect URI to use instead of the local listener's.
    pub callback_url: Option<String>,
    /// mcpctl's own key: the environment variable holding the client secret (preferred over a
    /// plain `client_secret`, which Codex reads).
    pub client_secret_env_var: Option<String>,
    /// The OAuth grant: `authorization_code` (default, a browser login) or `client_credentials`
    /// (a headless client authenticating with its secret or a private key).
    pub grant: Option<String>,
    /// `client_credentials` with `private_key_jwt`: a PEM file holding the client's private key.
    pub private_key_file: Option<String>,
    /// The JWS algorithm of `private_key_file` (`ES256` by default; `ES384`, `RS256`, `RS384`,
    /// `RS512`).
    pub signing_alg: Option<String>,
}

/// Settings of one tool of a server (`[mcp_servers.<name>.tools.<tool>]`, Codex 0.171).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ToolConfig {
    /// `approval_mode`: how this tool's calls are approved, over the server's
    /// `default_tools_approval_mode`.
    pub approval_mode: Option<ApprovalMode>,
}

/// The grants `oauth.grant` accepts.
pub const OAUTH_GRANTS: &[&str] = &["authorization_code", "client_credentials"];

/// One server's complete, validated configuration (`[mcp_servers.<name>]`).
#[derive(Debug, Clone, PartialEq)]
pub struct McpServerConfig {
    /// How to reach the server.
    pub transport: Transport,
    /// `enabled` (default true).
    pub enabled: bool,
    /// `required`: startup fails if this server cannot start (default false).
    pub required: bool,
    /// `enabled_tools`: only these tools are exposed, when set.
    pub enabled_tools: Option<Vec<String>>,
    /// `disabled_tools`: these tools are hidden, applied after `enabled_tools`.
    pub disabled_tools: Option<Vec<String>>,
    /// `startup_timeout_sec` (or the legacy `startup_timeout_ms`).
    pub startup_timeout: Option<Duration>,
    /// `tool_timeout_sec`.
    pub tool_timeout: Option<Duration>,
    /// `scopes` requested at OAuth login.
    pub scopes: Option<Vec<String>>,
    /// `oauth_resource`: the RFC 8707 resource indicator sent at login.
    pub oauth_resource: Option<String>,
    /// The `[mcp_servers.<name>.oauth]` sub-table.
    pub oauth: Option<OAuthClientConfig>,
    /// `oauth_client_metadata_url`: this server's client ID metadata document URL (CIMD),
    /// overriding the top-level one.
    pub oauth_client_metadata_url: Option<String>,
    /// `default_tools_approval_mode` (Codex 0.171): how this server's tool calls are approved
    /// unless a tool sets its own `approval_mode`.
    pub default_tools_approval_mode: Option<ApprovalMode>,
    /// `[mcp_servers.<name>.tools.<tool>]`, by tool name.
    pub tools: BTreeMap<String, ToolConfig>,
    /// `supports_parallel_tool_calls` (Codex 0.171): the server handles concurrent tool calls.
    pub supports_parallel_tool_calls: Option<bool>,
}

impl McpServerConfig {
    /// A new enabled server with the given transport and every optional key unset.
    pub fn new(transport: Transport) -> Self {
        Self {
            transport,
            enabled: true,
            required: false,
            enabled_tools: None,
            disabled_tools: None,
            startup_timeout: None,
            tool_timeout: None,
            scopes: None,
            oauth_resource: None,
            oauth: None,
            oauth_client_metadata_url: None,
            default_tools_approval_mode: None,
            tools: BTreeMap::new(),
            supports_parallel_tool_calls: None,
        }
    }
}
