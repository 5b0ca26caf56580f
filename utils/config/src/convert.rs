//! Turning the merged layers into a typed [`Config`], with located errors and warnings.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use toml::{Table, Value};

use crate::error::ConfigError;
use crate::features::{FEATURES, LEGACY_FEATURE_KEYS, Stage};
use crate::keypath::display_key_path;
use crate::layers::{LayerSource, LayerStack, Location};
use crate::name::ServerName;
use crate::types::{MAX_TIMEOUT_SECS, MIN_TIMEOUT_SECS};
use crate::types::{McpServerConfig, OAuthClientConfig, ToolConfig, Transport};
use mcpctl_approval_presets::{ApprovalMode, Preset};

/// Where OAuth credentials are stored (`mcp_oauth_credentials_store`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialsStoreMode {
    /// The OS keyring when available, else a private file.
    #[default]
    Auto,
    /// Always the private file `$MCPCTL_HOME/.credentials.json`.
    File,
    /// Always the OS keyring; fail when there is none.
    Keyring,
}

/// How far a project folder is trusted (`[projects."<dir>"] trust_level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustLevel {
    /// The project's `.mcpctl/config.toml` is read.
    Trusted,
    /// The project's config is ignored.
    Untrusted,
}

/// A configured server together with where it was defined.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerEntry {
    /// The validated configuration.
    pub config: McpServerConfig,
    /// The layer that defined the server's transport (`command` or `url`).
    pub source: LayerSource,
    /// Keys inside the server table that mcpctl does not know; kept in the file, ignored.
    pub unknown_keys: Vec<String>,
}

/// A non-fatal problem found while loading: printed as one line on stderr.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The full text, starting with the location when there is one.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The typed configuration mcpctl works with (policy not yet applied).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// `[mcp_servers.<name>]`, by name.
    pub mcp_servers: BTreeMap<ServerName, ServerEntry>,
    /// `mcp_oauth_credentials_store`.
    pub mcp_oauth_credentials_store: CredentialsStoreMode,
    /// `mcp_oauth_callback_port`.
    pub mcp_oauth_callback_port: Option<u16>,
    /// `mcp_oauth_callback_url`.
    pub mcp_oauth_callback_url: Option<String>,
    /// `oauth_client_metadata_url`: the client ID metadata document URL (CIMD) used with
    /// authorization servers that accept one.
    pub oauth_client_metadata_url: Option<String>,
    /// `[projects."<dir>"] trust_level`.
    pub projects: BTreeMap<PathBuf, TrustLevel>,
    /// Server tables whose names mcpctl cannot use (`"a b"`), skipped with a warning.
    pub skipped_servers: Vec<String>,
    /// `approval_preset` (mcpctl's key): the gateway-wide approval starting point.
    pub approval_preset: Option<Preset>,
}

const SERVER_KEYS: &[&str] = &[
    "command",
    "args",
    "env",
    "env_vars",
    "cwd",
    "url",
    "bearer_token_env_var",
    "http_headers",
    "env_http_headers",
    "enabled",
    "required",
    "enabled_tools",
    "disabled_tools",
    "startup_timeout_sec",
    "startup_timeout_ms",
    "tool_timeout_sec",
    "scopes",
    "oauth_resource",
    "oauth",
    "oauth_client_metadata_url",
    "default_tools_approval_mode",
    "tools",
    "supports_parallel_tool_calls",
    "http_headers_helper",
    "transport",
];
/// Codex's server keys that mcpctl does not use: known (no warning), kept in the file as they
/// are, listed by `get` as ignored.
const CODEX_ONLY_KEYS: &[&str] = &["startup_readiness", "output_token_limit", "environment_id"];
const STDIO_ONLY: &[&str] = &["args", "env", "env_vars", "cwd"];
const HTTP_ONLY: &[&str] = &[
    "bearer_token_env_var",
    "http_headers",
    "env_http_headers",
    "http_headers_helper",
    "transport",
];

/// Converts merged layers into a [`Config`]; returns warnings for unknown and legacy keys.
pub fn build_config(stack: &LayerStack) -> Result<(Config, Vec<Warning>), ConfigError> {
    let cx = Cx { stack };
    let mut warnings = Vec::new();
    let root = stack.merged();
    let mut config = Config::default();

    if let Some(value) = root.get("mcp_oauth_credentials_store") {
        let path = kp(&["mcp_oauth_credentials_store"]);
        config.mcp_oauth_credentials_store = match value.as_str() {
            Some("auto") => CredentialsStoreMode::Auto,
            Some("file") => CredentialsStoreMode::File,
            Some("keyring") => CredentialsStoreMode::Keyring,
            _ => return Err(cx.invalid(&path, "expected one of \"auto\", \"file\", \"keyring\"")),
        };
    }
    if let Some(value) = root.get("mcp_oauth_callback_port") {
        let path = kp(&["mcp_oauth_callback_port"]);
        let port = value
            .as_integer()
            .and_then(|p| u16::try_from(p).ok())
            .ok_or_else(|| cx.invalid(&path, "expected a port number between 0 and 65535"))?;
        config.mcp_oauth_callback_port = Some(port);
    }
    if let Some(value) = root.get("mcp_oauth_callback_url") {
        config.mcp_oauth_callback_url = Some(cx.string(value, &kp(&["mcp_oauth_callback_url"]))?);
    }
    if let Some(value) = root.get("oauth_client_metadata_url") {
        let path = kp(&["oauth_client_metadata_url"]);
        config.oauth_client_metadata_url = Some(https_url(&cx, value, &path)?);
    }
    if let Some(value) = root.get("approval_preset") {
        let path = kp(&["approval_preset"]);
        let text = cx.string(value, &path)?;
        let preset = text
            .parse::<Preset>()
            .map_err(|err| cx.invalid(&path, &err.to_string()))?;
        config.approval_preset = Some(preset);
    }
    check_features(&cx, root, &mut warnings)?;
    check_top_level(&cx, root, &mut warnings);
    config.projects = projects(&cx, root)?;

    if let Some(servers) = root.get("mcp_servers") {
        let base = kp(&["mcp_servers"]);
        let servers = servers
            .as_table()
            .ok_or_else(|| cx.invalid(&base, "expected a table of servers"))?;
        for (name, value) in servers {
            let path = child(&base, name);
            let server_name = match ServerName::parse(name) {
                Ok(server_name) => server_name,
                // Codex accepts names mcpctl cannot use (`"a b"`); one such table must not
                // make every command fail, `remove` included.
                Err(err) => {
                    warnings.push(cx.warning(
                        &path,
                        &format!("{err}; this server is skipped: rename the table, or run `mcpctl remove '{name}'`"),
                    ));
                    config.skipped_servers.push(name.clone());
                    continue;
                }
            };
            let table = value
                .as_table()
                .ok_or_else(|| cx.invalid(&path, "expected a table"))?;
            let entry = server(&cx, &path, table, &mut warnings)?;
            config.mcp_servers.insert(server_name, entry);
        }
    }
    Ok((config, warnings))
}

/// The top-level keys mcpctl reads. Codex's file holds many more (its own settings), so only a
/// near miss of one of these (`[mcp_server.a]`) is warned about.
const TOP_LEVEL_KEYS: &[&str] = &[
    "mcp_servers",
    "features",
    "projects",
    "mcp_oauth_credentials_store",
    "mcp_oauth_callback_port",
    "mcp_oauth_callback_url",
    "oauth_client_metadata_url",
    "mcpctl",
];

fn check_top_level(cx: &Cx<'_>, root: &Table, warnings: &mut Vec<Warning>) {
    for key in root.keys() {
        if TOP_LEVEL_KEYS.contains(&key.as_str()) {
            continue;
        }
        if let Some(close) = mcpctl_fuzzy_match::did_you_mean(key, TOP_LEVEL_KEYS.iter().copied()) {
            warnings.push(cx.warning(
                &kp(&[key]),
                &format!("`{key}` is not a key mcpctl reads; did you mean `{close}`?"),
            ));
        }
    }
}

fn check_features(
    cx: &Cx<'_>,
    root: &Table,
    warnings: &mut Vec<Warning>,
) -> Result<(), ConfigError> {
    for (legacy, feature) in LEGACY_FEATURE_KEYS {
        if let Some(value) = root.get(*legacy) {
            let path = kp(&[legacy]);
            let on = cx.boolean(value, &path)?;
            warnings.push(cx.warning(
                &path,
                &format!(
                    "`{legacy}` is deprecated: write `{feature} = {on}` under `[features]` instead"
                ),
            ));
        }
    }
    let Some(features) = root.get("features") else {
        return Ok(());
    };
    let base = kp(&["features"]);
    let features = features
        .as_table()
        .ok_or_else(|| cx.invalid(&base, "expected a table of feature names to true/false"))?;
    for (key, value) in features {
        let path = child(&base, key);
        let on = cx.boolean(value, &path)?;
        let Some(spec) = FEATURES.iter().find(|s| s.key == key) else {
            // Codex's own features live here too: warn only about a near miss of ours.
            let ours = FEATURES.iter().map(|s| s.key);
            if let Some(close) = mcpctl_fuzzy_match::did_you_mean(key, ours) {
                warnings.push(cx.warning(
                    &path,
                    &format!("unknown feature `{key}`; did you mean `{close}`?"),
                ));
            }
            continue;
        };
        let set_by_user = cx
            .stack
            .origin(&path)
            .is_some_and(|layer| layer.source() != &LayerSource::Defaults);
        if !set_by_user {
            continue;
        }
        match spec.stage {
            Stage::Deprecated if on => warnings.push(cx.warning(
                &path,
                &format!("feature `{key}` is deprecated: {}", spec.description),
            )),
            Stage::Removed => warnings.push(cx.warning(
                &path,
                &format!(
                    "feature `{key}` was removed and has no effect ({}); delete `{key}` from [features]",
                    spec.description
                ),
            )),
            _ => {}
        }
    }
    Ok(())
}

fn projects(cx: &Cx<'_>, root: &Table) -> Result<BTreeMap<PathBuf, TrustLevel>, ConfigError> {
    let mut out = BTreeMap::new();
    let Some(projects) = root.get("projects") else {
        return Ok(out);
    };
    let base = kp(&["projects"]);
    let projects = projects
        .as_table()
        .ok_or_else(|| cx.invalid(&base, "expected a table of project folders"))?;
    for (dir, value) in projects {
        let path = child(&base, dir);
        if !Path::new(dir).is_absolute() {
            return Err(cx.invalid(
                &path,
                "a project folder must be an absolute path: a relative one would trust whatever folder you stand in; write the full path, or run `mcpctl trust` in the project",
            ));
        }
        let Some(level) = value.as_table().and_then(|t| t.get("trust_level")) else {
            continue;
        };
        let level = match level.as_str() {
            Some("trusted") => TrustLevel::Trusted,
            Some("untrusted") => TrustLevel::Untrusted,
            _ => {
                return Err(cx.invalid(
                    &child(&path, "trust_level"),
                    "expected \"trusted\" or \"untrusted\"",
                ));
            }
        };
        out.insert(PathBuf::from(dir), level);
    }
    Ok(out)
}

fn server(
    cx: &Cx<'_>,
    path: &[String],
    table: &Table,
    warnings: &mut Vec<Warning>,
) -> Result<ServerEntry, ConfigError> {
    let has_command = table.contains_key("command");
    let has_url = table.contains_key("url");
    let transport_key = match (has_command, has_url) {
        (true, true) => {
            return Err(cx.invalid(path, "'url' cannot be combined with 'command'; a server is either stdio (command) or streamable HTTP (url)"));
        }
        (false, false) => {
            return Err(cx.invalid(
                path,
                "needs either 'command' (a stdio server) or 'url' (a streamable HTTP server)",
            ));
        }
        (true, false) => "command",
        (false, true) => "url",
    };
    let wrong_transport: &[&str] = if has_command { HTTP_ONLY } else { STDIO_ONLY };
    for key in wrong_transport {
        if table.contains_key(*key) {
            let (this, other) = if has_command {
                ("streamable HTTP", "stdio ('command')")
            } else {
                ("stdio", "streamable HTTP ('url')")
            };
            return Err(cx.invalid(
                &child(path, key),
                &format!(
                    "only valid for {this} servers, but this server is {other}; remove the key"
                ),
            ));
        }
    }

    let get = |key: &str| table.get(key).map(|v| (v, child(path, key)));
    let transport = if has_command {
        let (command, p) = get("command").ok_or_else(|| cx.invalid(path, "missing 'command'"))?;
        let command = cx.string(command, &p)?;
        if command.trim().is_empty() {
            return Err(cx.invalid(&p, "must not be empty"));
        }
        Transport::Stdio(crate::StdioTransport {
            command,
            args: opt(get("args"), |(v, p)| cx.strings(v, &p))?.unwrap_or_default(),
            env: opt(get("env"), |(v, p)| cx.string_map(v, &p))?.unwrap_or_default(),
            env_vars: opt(get("env_vars"), |(v, p)| cx.strings(v, &p))?.unwrap_or_default(),
            cwd: opt(get("cwd"), |(v, p)| cx.string(v, &p))?.map(PathBuf::from),
        })
    } else {
        let (url, p) = get("url").ok_or_else(|| cx.invalid(path, "missing 'url'"))?;
        let url = cx.string(url, &p)?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(cx.invalid(&p, "expected an http:// or https:// URL"));
        }
        Transport::StreamableHttp(crate::HttpTransport {
            url,
            bearer_token_env_var: opt(get("bearer_token_env_var"), |(v, p)| cx.string(v, &p))?,
            http_headers: opt(get("http_headers"), |(v, p)| cx.string_map(v, &p))?
                .unwrap_or_default(),
            env_http_headers: opt(get("env_http_headers"), |(v, p)| cx.string_map(v, &p))?
                .unwrap_or_default(),
            http_headers_helper: opt(get("http_headers_helper"), |(v, p)| {
                let helper = cx.string(v, &p)?;
                if helper.trim().is_empty() {
                    return Err(
                        cx.invalid(&p, "must not be empty; remove the key or name a command")
                    );
                }
                Ok(helper)
            })?,
            legacy_sse: opt(get("transport"), |(v, p)| {
                match cx.string(v, &p)?.as_str() {
                    "sse" => Ok(true),
                    "streamable_http" => Ok(false),
                    _ => Err(cx.invalid(
                        &p,
                        "expected \"sse\" (legacy HTTP+SSE) or \"streamable_http\" (the default)",
                    )),
                }
            })?
            .unwrap_or(false),
        })
    };

    let mut config = McpServerConfig::new(transport);
    config.enabled = opt(get("enabled"), |(v, p)| cx.boolean(v, &p))?.unwrap_or(true);
    config.required = opt(get("required"), |(v, p)| cx.boolean(v, &p))?.unwrap_or(false);
    config.enabled_tools = opt(get("enabled_tools"), |(v, p)| cx.strings(v, &p))?;
    config.disabled_tools = opt(get("disabled_tools"), |(v, p)| cx.strings(v, &p))?;
    config.scopes = opt(get("scopes"), |(v, p)| cx.strings(v, &p))?;
    config.oauth_resource = opt(get("oauth_resource"), |(v, p)| cx.string(v, &p))?;
    config.oauth_client_metadata_url = opt(get("oauth_client_metadata_url"), |(v, p)| {
        https_url(cx, v, &p)
    })?;
    config.tool_timeout = opt(get("tool_timeout_sec"), |(v, p)| cx.seconds(v, &p))?;
    config.default_tools_approval_mode = opt(get("default_tools_approval_mode"), |(v, p)| {
        cx.approval_mode(v, &p)
    })?;
    config.supports_parallel_tool_calls = opt(get("supports_parallel_tool_calls"), |(v, p)| {
        cx.boolean(v, &p)
    })?;
    if let Some((tools, p)) = get("tools") {
        config.tools = tool_configs(cx, tools, &p, warnings)?;
    }
    let secs = opt(get("startup_timeout_sec"), |(v, p)| cx.seconds(v, &p))?;
    let millis = opt(get("startup_timeout_ms"), |(v, p)| {
        let ms = v
            .as_integer()
            .and_then(|ms| u64::try_from(ms).ok())
            .ok_or_else(|| cx.invalid(&p, "expected a non-negative integer (milliseconds)"))?;
        Ok((Duration::from_millis(ms), p))
    })?;
    config.startup_timeout = match (secs, millis) {
        (Some(secs), Some((_, p))) => {
            warnings.push(cx.warning(
                &p,
                "`startup_timeout_ms` is ignored because `startup_timeout_sec` is also set; delete it",
            ));
            Some(secs)
        }
        (None, Some((ms, p))) => {
            warnings.push(cx.warning(
                &p,
                &format!(
                    "`startup_timeout_ms` is deprecated: write `startup_timeout_sec = {:?}` instead",
                    ms.as_secs_f64()
                ),
            ));
            Some(ms)
        }
        (secs, None) => secs,
    };
    if let Some((oauth, p)) = get("oauth") {
        let oauth = oauth.as_table().ok_or_else(|| {
            cx.invalid(
                &p,
                "expected a table with client_id, client_secret, callback_url",
            )
        })?;
        let mut out = OAuthClientConfig::default();
        for (key, value) in oauth {
            let kpath = child(&p, key);
            let slot = match key.as_str() {
                "client_id" => &mut out.client_id,
                "client_secret" => &mut out.client_secret,
                "callback_url" => &mut out.callback_url,
                "client_secret_env_var" => &mut out.client_secret_env_var,
                "grant" => &mut out.grant,
                "private_key_file" => &mut out.private_key_file,
                "signing_alg" => &mut out.signing_alg,
                _ => {
                    warnings.push(cx.warning(&kpath, "unknown key, kept in the file but ignored; known keys are client_id, client_secret, client_secret_env_var, callback_url, grant, private_key_file, signing_alg"));
                    continue;
                }
            };
            let text = cx.string(value, &kpath)?;
            if key == "grant" && !crate::types::OAUTH_GRANTS.contains(&text.as_str()) {
                return Err(cx.invalid(
                    &kpath,
                    "expected \"authorization_code\" or \"client_credentials\"",
                ));
            }
            *slot = Some(text);
        }
        config.oauth = Some(out);
    }

    let mut unknown_keys = Vec::new();
    for key in table.keys() {
        if CODEX_ONLY_KEYS.contains(&key.as_str()) {
            unknown_keys.push(key.clone());
            continue;
        }
        if !SERVER_KEYS.contains(&key.as_str()) {
            let suggestion = nearest_key(key)
                .map(|k| format!(" (did you mean '{k}'?)"))
                .unwrap_or_default();
            warnings.push(cx.warning(
                &child(path, key),
                &format!("unknown key{suggestion}, kept in the file but ignored"),
            ));
            unknown_keys.push(key.clone());
        }
    }
    let source = cx
        .stack
        .origin(&child(path, transport_key))
        .map(|layer| layer.source().clone())
        .unwrap_or(LayerSource::Defaults);
    Ok(ServerEntry {
        config,
        source,
        unknown_keys,
    })
}

/// `[mcp_servers.<name>.tools.<tool>]` tables, by tool name.
fn tool_configs(
    cx: &Cx<'_>,
    value: &Value,
    path: &[String],
    warnings: &mut Vec<Warning>,
) -> Result<BTreeMap<String, ToolConfig>, ConfigError> {
    let tools = value.as_table().ok_or_else(|| {
        cx.invalid(
            path,
            "expected a table of tool names to tables such as { approval_mode = \"prompt\" }",
        )
    })?;
    let mut out = BTreeMap::new();
    for (tool, settings) in tools {
        let tool_path = child(path, tool);
        let settings = settings.as_table().ok_or_else(|| {
            cx.invalid(
                &tool_path,
                "expected a table such as { approval_mode = \"prompt\" }",
            )
        })?;
        let mut config = ToolConfig::default();
        for (key, value) in settings {
            let key_path = child(&tool_path, key);
            if key == "approval_mode" {
                config.approval_mode = Some(cx.approval_mode(value, &key_path)?);
            } else {
                warnings.push(cx.warning(
                    &key_path,
                    "unknown key, kept in the file but ignored; the known key is approval_mode",
                ));
            }
        }
        out.insert(tool.clone(), config);
    }
    Ok(out)
}

/// The known server key closest to a mistyped one.
/// Keys still read but deprecated: never suggested for a misspelling.
const DEPRECATED_SERVER_KEYS: &[&str] = &["startup_timeout_ms"];

fn nearest_key(key: &str) -> Option<&'static str> {
    mcpctl_fuzzy_match::did_you_mean(
        key,
        SERVER_KEYS
            .iter()
            .copied()
            .filter(|k| !DEPRECATED_SERVER_KEYS.contains(k)),
    )
}

fn opt<T, U>(
    value: Option<T>,
    f: impl FnOnce(T) -> Result<U, ConfigError>,
) -> Result<Option<U>, ConfigError> {
    value.map(f).transpose()
}

/// A client ID metadata document URL: `https://host/path` (CIMD requires https and a path).
fn https_url(cx: &Cx<'_>, value: &Value, path: &[String]) -> Result<String, ConfigError> {
    let text = cx.string(value, path)?;
    let rest = text.strip_prefix("https://").unwrap_or_default();
    let (host, doc) = rest.split_once('/').unwrap_or((rest, ""));
    if host.is_empty() || doc.is_empty() {
        return Err(cx.invalid(
            path,
            "expected an https:// URL with a path, such as https://example.com/client.json",
        ));
    }
    Ok(text)
}

fn kp(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| (*s).to_string()).collect()
}

fn child(path: &[String], key: &str) -> Vec<String> {
    let mut out = path.to_vec();
    out.push(key.to_string());
    out
}

/// Conversion context: knows where each value came from.
struct Cx<'a> {
    stack: &'a LayerStack,
}

impl Cx<'_> {
    fn location(&self, path: &[String]) -> Option<Location> {
        self.stack.locate(path)
    }

    fn invalid(&self, path: &[String], message: &str) -> ConfigError {
        ConfigError::Invalid {
            location: self
                .location(path)
                .map(|l| format!("{l}: "))
                .unwrap_or_default(),
            key: display_key_path(path),
            message: message.to_string(),
        }
    }

    fn warning(&self, path: &[String], message: &str) -> Warning {
        let location = self
            .location(path)
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        Warning {
            message: format!("{location}{}: {message}", display_key_path(path)),
        }
    }

    fn string(&self, value: &Value, path: &[String]) -> Result<String, ConfigError> {
        value.as_str().map(str::to_string).ok_or_else(|| {
            self.invalid(
                path,
                &format!("expected a string, found {}", type_name(value)),
            )
        })
    }

    fn boolean(&self, value: &Value, path: &[String]) -> Result<bool, ConfigError> {
        value.as_bool().ok_or_else(|| {
            self.invalid(
                path,
                &format!("expected true or false, found {}", type_name(value)),
            )
        })
    }

    fn strings(&self, value: &Value, path: &[String]) -> Result<Vec<String>, ConfigError> {
        let err = || self.invalid(path, "expected an array of strings");
        value
            .as_array()
            .ok_or_else(err)?
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(err))
            .collect()
    }

    fn string_map(
        &self,
        value: &Value,
        path: &[String],
    ) -> Result<BTreeMap<String, String>, ConfigError> {
        let table = value
            .as_table()
            .ok_or_else(|| self.invalid(path, "expected a table of strings (KEY = \"value\")"))?;
        table
            .iter()
            .map(|(k, v)| {
                v.as_str()
                    .map(|s| (k.clone(), s.to_string()))
                    .ok_or_else(|| self.invalid(&child(path, k), "expected a string"))
            })
            .collect()
    }

    fn approval_mode(&self, value: &Value, path: &[String]) -> Result<ApprovalMode, ConfigError> {
        self.string(value, path)?
            .parse::<ApprovalMode>()
            .map_err(|err| self.invalid(path, &err.to_string()))
    }

    fn seconds(&self, value: &Value, path: &[String]) -> Result<Duration, ConfigError> {
        let secs = match value {
            Value::Integer(i) => *i as f64,
            Value::Float(f) => *f,
            other => {
                return Err(self.invalid(
                    path,
                    &format!(
                        "expected a number of seconds from {MIN_TIMEOUT_SECS} to {MAX_TIMEOUT_SECS:.0} (one year), found {}",
                        type_name(other)
                    ),
                ));
            }
        };
        // The same range as the command-line flags, so a file or `-c` cannot hold what `add`
        // refuses (a 1e300 that overflows, a 1e-300 that would be written back as 0).
        let range = || {
            self.invalid(
                path,
                &format!(
                    "expected a number of seconds from {MIN_TIMEOUT_SECS} to {MAX_TIMEOUT_SECS:.0} (one year), found {}",
                    shown_number(secs)
                ),
            )
        };
        if !(MIN_TIMEOUT_SECS..=MAX_TIMEOUT_SECS).contains(&secs) {
            return Err(range());
        }
        Duration::try_from_secs_f64(secs).map_err(|_| range())
    }
}

/// A number as a person would write it: `1e20` and `1e-300`, not sixty digits.
fn shown_number(n: f64) -> String {
    if n != 0.0 && !(1e-3..1e9).contains(&n.abs()) {
        format!("{n:e}")
    } else {
        format!("{n}")
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a datetime",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Layer;
    use pretty_assertions::assert_eq;

    fn load(text: &str) -> Result<(Config, Vec<Warning>), ConfigError> {
        let layer = Layer::parse(LayerSource::User("/h/config.toml".into()), text)?;
        build_config(&LayerStack::new(vec![layer]))
    }

    fn err(text: &str) -> String {
        load(text).unwrap_err().to_string()
    }

    #[test]
    fn oauth_client_keys_of_issue_7() {
        let (config, warnings) = load(
            r#"
oauth_client_metadata_url = "https://mcpctl.example/client.json"

[mcp_servers.web]
url = "https://example.com/mcp"
oauth_client_metadata_url = "https://example.com/own.json"
[mcp_servers.web.oauth]
client_id = "abc"
client_secret_env_var = "WEB_SECRET"
grant = "client_credentials"
private_key_file = "/keys/web.pem"
signing_alg = "ES256"
"#,
        )
        .unwrap();
        assert_eq!(warnings, vec![]);
        assert_eq!(
            config.oauth_client_metadata_url.as_deref(),
            Some("https://mcpctl.example/client.json")
        );
        let web = &config.mcp_servers[&ServerName::parse("web").unwrap()].config;
        assert_eq!(
            web.oauth_client_metadata_url.as_deref(),
            Some("https://example.com/own.json")
        );
        let oauth = web.oauth.as_ref().unwrap();
        assert_eq!(oauth.client_secret_env_var.as_deref(), Some("WEB_SECRET"));
        assert_eq!(oauth.grant.as_deref(), Some("client_credentials"));
        assert_eq!(oauth.private_key_file.as_deref(), Some("/keys/web.pem"));
        assert_eq!(oauth.signing_alg.as_deref(), Some("ES256"));

        let bad_grant = err(
            "[mcp_servers.w]\nurl = \"https://x/mcp\"\n[mcp_servers.w.oauth]\ngrant = \"password\"\n",
        );
        assert!(
            bad_grant.contains("mcp_servers.w.oauth.grant"),
            "{bad_grant}"
        );
        assert!(bad_grant.contains("client_credentials"), "{bad_grant}");
        let plain = err("oauth_client_metadata_url = \"http://x/c.json\"\n");
        assert!(plain.contains("https://"), "{plain}");
        let root = err("oauth_client_metadata_url = \"https://x\"\n");
        assert!(root.contains("with a path"), "{root}");
    }

    #[test]
    fn codex_0_171_keys_are_known() {
        let (config, warnings) = load(
            r#"approval_preset = "read-only"

[mcp_servers.web]
url = "https://example.com/mcp"
http_headers_helper = "print-headers"
default_tools_approval_mode = "writes"
supports_parallel_tool_calls = true
[mcp_servers.web.tools.delete]
approval_mode = "prompt"
[mcp_servers.web.tools.search]
approval_mode = "approve"
colour = "red"
"#,
        )
        .unwrap();
        let text: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(
            text,
            vec!["/h/config.toml:12:1: mcp_servers.web.tools.search.colour: unknown key, kept in the file but ignored; the known key is approval_mode".to_string()]
        );
        assert_eq!(config.approval_preset, Some(Preset::ReadOnly));
        let web = &config.mcp_servers[&ServerName::parse("web").unwrap()];
        assert!(web.unknown_keys.is_empty());
        let web = &web.config;
        assert_eq!(web.default_tools_approval_mode, Some(ApprovalMode::Writes));
        assert_eq!(web.supports_parallel_tool_calls, Some(true));
        assert_eq!(
            web.transport
                .as_http()
                .unwrap()
                .http_headers_helper
                .as_deref(),
            Some("print-headers")
        );
        assert_eq!(
            web.tools["delete"].approval_mode,
            Some(ApprovalMode::Prompt)
        );
        assert_eq!(
            web.tools["search"].approval_mode,
            Some(ApprovalMode::Approve)
        );
    }

    #[test]
    fn a_misspelt_key_is_never_pointed_at_a_deprecated_one() {
        assert_eq!(nearest_key("startup_timeout"), Some("startup_timeout_sec"));
        assert_eq!(
            nearest_key("startup_timeout_m"),
            Some("startup_timeout_sec")
        );
        assert_eq!(nearest_key("comand"), Some("command"));
    }

    #[test]
    fn transport_key_chooses_legacy_sse() {
        let (config, warnings) = load(
            "[mcp_servers.a]\nurl = \"http://h/sse\"\ntransport = \"sse\"\n[mcp_servers.b]\nurl = \"http://h/mcp\"\ntransport = \"streamable_http\"\n[mcp_servers.c]\nurl = \"http://h/mcp\"\n",
        )
        .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let sse = |name: &str| {
            config.mcp_servers[&ServerName::parse(name).unwrap()]
                .config
                .transport
                .as_http()
                .unwrap()
                .legacy_sse
        };
        assert!(sse("a"));
        assert!(!sse("b"));
        assert!(!sse("c"));
        assert_eq!(
            err("[mcp_servers.w]\nurl = \"https://x/sse\"\ntransport = \"SSE\"\n"),
            "/h/config.toml:3:1: mcp_servers.w.transport: expected \"sse\" (legacy HTTP+SSE) or \"streamable_http\" (the default)"
        );
        assert!(
            err("[mcp_servers.w]\ncommand = \"x\"\ntransport = \"sse\"\n")
                .contains("mcp_servers.w.transport: only valid for streamable HTTP servers")
        );
    }

    #[test]
    fn bad_approval_values_name_place_key_and_choices() {
        assert_eq!(
            err(
                "[mcp_servers.w]\nurl = \"https://x/mcp\"\ndefault_tools_approval_mode = \"never\"\n"
            ),
            "/h/config.toml:3:1: mcp_servers.w.default_tools_approval_mode: 'never' is not a valid approval mode: expected one of prompt, writes, auto, approve"
        );
        assert_eq!(
            err("[mcp_servers.w]\ncommand = \"x\"\n[mcp_servers.w.tools.t]\napproval_mode = 1\n"),
            "/h/config.toml:4:1: mcp_servers.w.tools.t.approval_mode: expected a string, found an integer"
        );
        assert_eq!(
            err("approval_preset = \"yolo\"\n"),
            "/h/config.toml:1:1: approval_preset: 'yolo' is not a valid approval preset: expected one of read-only, ask, auto, full-access"
        );
        assert!(
            err("[mcp_servers.w]\ncommand = \"x\"\nhttp_headers_helper = \"h\"\n").contains(
                "mcp_servers.w.http_headers_helper: only valid for streamable HTTP servers"
            )
        );
        assert!(
            err("[mcp_servers.w]\nurl = \"https://x/mcp\"\nhttp_headers_helper = \" \"\n")
                .contains("http_headers_helper: must not be empty")
        );
        assert!(
            err(
                "[mcp_servers.w]\nurl = \"https://x/mcp\"\nsupports_parallel_tool_calls = \"yes\"\n"
            )
            .contains("expected true or false, found a string")
        );
    }

    #[test]
    fn full_stdio_and_http_servers() {
        let (config, warnings) = load(
            r#"
[mcp_servers.docs]
command = "docs-mcp"
args = ["--port", "1"]
env_vars = ["TOKEN"]
cwd = "/srv"
required = true
startup_timeout_sec = 20
tool_timeout_sec = 1.5
enabled_tools = ["a"]
[mcp_servers.docs.env]
A = "1"

[mcp_servers.web]
url = "https://example.com/mcp"
bearer_token_env_var = "WEB_TOKEN"
enabled = false
scopes = ["read"]
http_headers = { "X-A" = "b" }
[mcp_servers.web.oauth]
client_id = "abc"
"#,
        )
        .unwrap();
        assert_eq!(warnings, vec![]);
        let docs = &config.mcp_servers[&ServerName::parse("docs").unwrap()];
        assert!(docs.config.required);
        assert_eq!(docs.config.startup_timeout, Some(Duration::from_secs(20)));
        assert_eq!(docs.config.tool_timeout, Some(Duration::from_millis(1500)));
        match &docs.config.transport {
            Transport::Stdio(crate::StdioTransport {
                command,
                args,
                env,
                env_vars,
                cwd,
            }) => {
                assert_eq!(command, "docs-mcp");
                assert_eq!(args, &vec!["--port".to_string(), "1".to_string()]);
                assert_eq!(env["A"], "1");
                assert_eq!(env_vars, &vec!["TOKEN".to_string()]);
                assert_eq!(cwd.as_deref(), Some(std::path::Path::new("/srv")));
            }
            other => panic!("{other:?}"),
        }
        let web = &config.mcp_servers[&ServerName::parse("web").unwrap()];
        assert!(!web.config.enabled);
        assert_eq!(
            web.config.oauth.as_ref().unwrap().client_id.as_deref(),
            Some("abc")
        );
        assert_eq!(web.source, LayerSource::User("/h/config.toml".into()));
    }

    #[test]
    fn wrong_type_names_key_path_and_location() {
        assert_eq!(
            err("[mcp_servers.x]\ncommand = \"a\"\nargs = \"b\"\n"),
            "/h/config.toml:3:1: mcp_servers.x.args: expected an array of strings"
        );
    }

    #[test]
    fn mixed_transport_is_refused() {
        assert_eq!(
            err("[mcp_servers.x]\ncommand = \"a\"\nurl = \"http://h\"\n"),
            "/h/config.toml:1:14: mcp_servers.x: 'url' cannot be combined with 'command'; a server is either stdio (command) or streamable HTTP (url)"
        );
        assert!(err("[mcp_servers.x]\nenabled = true\n").contains("needs either 'command'"));
        assert!(
            err("[mcp_servers.x]\nurl = \"http://h\"\nargs = []\n")
                .contains("mcp_servers.x.args: only valid for stdio servers")
        );
    }

    #[test]
    fn unknown_and_legacy_keys_warn() {
        let (config, warnings) = load(
            "experimental_use_rmcp_client = true\n[mcp_servers.x]\ncommand = \"a\"\ncomand = 1\nstartup_timeout_ms = 2500\n",
        )
        .unwrap();
        let text: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(
            text,
            vec![
                "/h/config.toml:1:1: experimental_use_rmcp_client: `experimental_use_rmcp_client` is deprecated: write `rmcp_client = true` under `[features]` instead".to_string(),
                "/h/config.toml:5:1: mcp_servers.x.startup_timeout_ms: `startup_timeout_ms` is deprecated: write `startup_timeout_sec = 2.5` instead".to_string(),
                "/h/config.toml:4:1: mcp_servers.x.comand: unknown key (did you mean 'command'?), kept in the file but ignored".to_string(),
            ]
        );
        let x = &config.mcp_servers[&ServerName::parse("x").unwrap()];
        assert_eq!(x.unknown_keys, vec!["comand".to_string()]);
        assert_eq!(x.config.startup_timeout, Some(Duration::from_millis(2500)));
    }

    #[test]
    fn bad_name_and_top_level_types() {
        let (config, warnings) = load("[mcp_servers.\"a b\"]\ncommand = \"x\"\n").unwrap();
        assert_eq!(config.skipped_servers, vec!["a b".to_string()]);
        assert!(warnings[0].message.contains("' ' is not allowed"));
        assert!(err("mcp_oauth_credentials_store = \"disk\"\n").contains("expected one of"));
        assert!(err("mcp_oauth_callback_port = 70000\n").contains("between 0 and 65535"));
        assert!(err("[features]\nx = \"yes\"\n").contains("features.x: expected true or false"));
        assert!(err("mcp_servers = 3\n").contains("mcp_servers: expected a table"));
    }
}
