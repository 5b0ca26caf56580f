//! Turning the merged layers into a typed [`Config`], with located errors and warnings.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use toml::{Table, Value};

use crate::error::ConfigError;
use crate::features::{FEATURES, LEGACY_FEATURE_KEYS, Stage};
use crate::keypath::display_key_path;
use crate::layers::{LayerSource, LayerStack, Location};
use crate::name::ServerName;
use crate::raw::{
    CODEX_ONLY_SERVER_KEYS, CODEX_TOP_LEVEL_KEYS, DEPRECATED_SERVER_KEYS, FeatureTable, Grant,
    HTTP_ONLY, HttpKind, ProjectTables, RawConfig, RawOAuth, RawProject, RawServer, RawTool,
    STDIO_ONLY, UNLISTED_TOP_LEVEL_KEYS, field_names, type_name,
};
use crate::types::{McpServerConfig, OAuthClientConfig, ToolConfig, Transport};
use mcpctl_approval_presets::Preset;

/// Where OAuth credentials are stored (`mcp_oauth_credentials_store`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// `gateway_pinned_tools` (mcpctl's key): listed even under `serve --tool-search`.
    pub gateway_pinned_tools: Vec<String>,
}

/// Converts merged layers into a [`Config`]; returns warnings for unknown and legacy keys.
pub fn build_config(stack: &LayerStack) -> Result<(Config, Vec<Warning>), ConfigError> {
    let cx = Cx { stack };
    let mut warnings = Vec::new();
    let root = stack.merged();
    let raw: RawConfig = cx.read(&Value::Table(root.clone()), &[])?;
    legacy_keys(&cx, &raw, &mut warnings);
    let mut config = Config {
        mcp_oauth_credentials_store: raw.mcp_oauth_credentials_store.unwrap_or_default(),
        mcp_oauth_callback_port: raw.mcp_oauth_callback_port,
        mcp_oauth_callback_url: raw.mcp_oauth_callback_url,
        approval_preset: raw.approval_preset,
        gateway_pinned_tools: raw.gateway_pinned_tools.clone().unwrap_or_default(),
        ..Config::default()
    };
    if let Some(url) = raw.oauth_client_metadata_url {
        config.oauth_client_metadata_url =
            Some(https_url(&cx, url, &kp(&["oauth_client_metadata_url"]))?);
    }
    check_features(&cx, raw.features.unwrap_or_default(), &mut warnings);
    check_top_level(&cx, root, &mut warnings);
    config.projects = projects(&cx, raw.projects.unwrap_or_default())?;

    let base = kp(&["mcp_servers"]);
    for (name, value) in raw.mcp_servers.unwrap_or_default() {
        let path = child(&base, &name);
        let server_name = match ServerName::parse(&name) {
            Ok(server_name) => server_name,
            // Codex accepts names mcpctl cannot use (`"a b"`); one such table must not
            // make every command fail, `remove` included.
            Err(err) => {
                warnings.push(cx.warning(
                    &path,
                    &format!("{err}; this server is skipped: rename the table, or run `mcpctl remove '{name}'`"),
                ));
                config.skipped_servers.push(name);
                continue;
            }
        };
        let Value::Table(table) = &value else {
            return Err(cx.invalid(
                &path,
                &format!("expected a table, found {}", type_name(&value)),
            ));
        };
        let raw: RawServer = cx.read(&value, &path)?;
        let entry = server(&cx, &path, raw, table, &mut warnings)?;
        config.mcp_servers.insert(server_name, entry);
    }
    Ok((config, warnings))
}

fn check_top_level(cx: &Cx<'_>, root: &Table, warnings: &mut Vec<Warning>) {
    // Codex's file holds many more keys (its own settings), so only a near miss of one of
    // mcpctl's (`[mcp_server.a]`) is warned about.
    let known = || {
        field_names::<RawConfig>()
            .iter()
            .chain(UNLISTED_TOP_LEVEL_KEYS)
            .copied()
    };
    for key in root.keys() {
        if known().any(|k| k == key) || CODEX_TOP_LEVEL_KEYS.contains(&key.as_str()) {
            continue;
        }
        if let Some(close) = mcpctl_fuzzy_match::did_you_mean(key, known()) {
            warnings.push(cx.warning(
                &kp(&[key]),
                &format!("`{key}` is not a key mcpctl reads; did you mean `{close}`?"),
            ));
        }
    }
}

fn legacy_keys(cx: &Cx<'_>, raw: &RawConfig, warnings: &mut Vec<Warning>) {
    for (legacy, feature) in LEGACY_FEATURE_KEYS {
        let value = match *legacy {
            "experimental_use_rmcp_client" => raw.experimental_use_rmcp_client,
            _ => None,
        };
        if let Some(on) = value {
            warnings.push(cx.warning(
                &kp(&[legacy]),
                &format!(
                    "`{legacy}` is deprecated: write `{feature} = {on}` under `[features]` instead"
                ),
            ));
        }
    }
}

fn check_features(cx: &Cx<'_>, features: FeatureTable, warnings: &mut Vec<Warning>) {
    let base = kp(&["features"]);
    for (key, on) in features {
        let path = child(&base, &key);
        let Some(spec) = FEATURES.iter().find(|s| s.key == key) else {
            // Codex's own features live here too: warn only about a near miss of ours.
            let ours = FEATURES.iter().map(|s| s.key);
            if let Some(close) = mcpctl_fuzzy_match::did_you_mean(&key, ours) {
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
}

fn projects(
    cx: &Cx<'_>,
    projects: ProjectTables,
) -> Result<BTreeMap<PathBuf, TrustLevel>, ConfigError> {
    let mut out = BTreeMap::new();
    let base = kp(&["projects"]);
    for (dir, value) in projects {
        let path = child(&base, &dir);
        if !Path::new(&dir).is_absolute() {
            return Err(cx.invalid(
                &path,
                "a project folder must be an absolute path: a relative one would trust whatever folder you stand in; write the full path, or run `mcpctl trust` in the project",
            ));
        }
        let project: RawProject = cx.read(&value, &path)?;
        if let Some(level) = project.trust_level {
            out.insert(PathBuf::from(dir), level);
        }
    }
    Ok(out)
}

/// Turns one raw server table into the validated configuration: the checks of meaning (one
/// transport, keys of the other transport, a URL scheme) happen here and only here.
fn server(
    cx: &Cx<'_>,
    path: &[String],
    raw: RawServer,
    table: &Table,
    warnings: &mut Vec<Warning>,
) -> Result<ServerEntry, ConfigError> {
    let transport_key = match (&raw.command, &raw.url) {
        (Some(_), Some(_)) => {
            return Err(cx.invalid(path, "'url' cannot be combined with 'command'; a server is either stdio (command) or streamable HTTP (url)"));
        }
        (None, None) => {
            return Err(cx.invalid(
                path,
                "needs either 'command' (a stdio server) or 'url' (a streamable HTTP server)",
            ));
        }
        (Some(_), None) => "command",
        (None, Some(_)) => "url",
    };
    let has_command = transport_key == "command";
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
    let invalid_field =
        |err: crate::types::InvalidField| cx.invalid(&child(path, err.key), err.message);
    let transport = match (raw.command, raw.url) {
        (Some(command), _) => {
            let mut stdio = crate::StdioTransport::new(command);
            stdio.args = raw.args.unwrap_or_default();
            stdio.env = raw.env.unwrap_or_default();
            stdio.env_vars = raw.env_vars.unwrap_or_default();
            stdio.cwd = raw.cwd.map(PathBuf::from);
            Transport::Stdio(stdio)
        }
        (None, url) => {
            let mut http = crate::HttpTransport::new(url.unwrap_or_default());
            http.bearer_token_env_var = raw.bearer_token_env_var;
            http.http_headers = raw.http_headers.unwrap_or_default();
            http.env_http_headers = raw.env_http_headers.unwrap_or_default();
            http.http_headers_helper = raw.http_headers_helper;
            http.legacy_sse = raw.transport == Some(HttpKind::Sse);
            Transport::StreamableHttp(http)
        }
    };
    transport.check().map_err(invalid_field)?;

    let mut config = McpServerConfig::new(transport);
    config.enabled = raw.enabled.unwrap_or(true);
    config.required = raw.required.unwrap_or(false);
    config.enabled_tools = raw.enabled_tools;
    config.disabled_tools = raw.disabled_tools;
    config.scopes = raw.scopes;
    config.oauth_resource = raw.oauth_resource;
    config.oauth_client_metadata_url = raw
        .oauth_client_metadata_url
        .map(|url| https_url(cx, url, &child(path, "oauth_client_metadata_url")))
        .transpose()?;
    config.tool_timeout = raw.tool_timeout_sec.map(Duration::from_secs_f64);
    config.default_tools_approval_mode = raw.default_tools_approval_mode;
    config.supports_parallel_tool_calls = raw.supports_parallel_tool_calls;
    if let Some(tools) = raw.tools {
        config.tools = tool_configs(cx, tools, &child(path, "tools"), warnings)?;
    }
    let millis_path = child(path, "startup_timeout_ms");
    config.startup_timeout = match (raw.startup_timeout_sec, raw.startup_timeout_ms) {
        (Some(secs), Some(_)) => {
            warnings.push(cx.warning(
                &millis_path,
                "`startup_timeout_ms` is ignored because `startup_timeout_sec` is also set; delete it",
            ));
            Some(Duration::from_secs_f64(secs))
        }
        (None, Some(ms)) => {
            let ms = Duration::from_millis(ms);
            warnings.push(cx.warning(
                &millis_path,
                &format!(
                    "`startup_timeout_ms` is deprecated: write `startup_timeout_sec = {:?}` instead",
                    ms.as_secs_f64()
                ),
            ));
            Some(ms)
        }
        (secs, None) => secs.map(Duration::from_secs_f64),
    };
    if let Some(oauth) = raw.oauth {
        let oauth_path = child(path, "oauth");
        if let Some(Value::Table(keys)) = table.get("oauth") {
            let known = field_names::<RawOAuth>();
            for key in keys.keys().filter(|k| !known.contains(&k.as_str())) {
                warnings.push(cx.warning(
                    &child(&oauth_path, key),
                    &format!(
                        "unknown key, kept in the file but ignored; known keys are {}",
                        known.join(", ")
                    ),
                ));
            }
        }
        config.oauth = Some(OAuthClientConfig {
            client_id: oauth.client_id,
            client_secret: oauth.client_secret,
            callback_url: oauth.callback_url,
            client_secret_env_var: oauth.client_secret_env_var,
            grant: oauth.grant.map(|grant| grant.as_str().to_string()),
            private_key_file: oauth.private_key_file,
            signing_alg: oauth.signing_alg,
        });
    }

    let known = field_names::<RawServer>();
    let mut unknown_keys = Vec::new();
    for key in table.keys() {
        if CODEX_ONLY_SERVER_KEYS.contains(&key.as_str()) {
            unknown_keys.push(key.clone());
            continue;
        }
        if !known.contains(&key.as_str()) {
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

/// The raw form of a validated server: what the config writer writes, in [`RawServer`]'s field
/// order. Defaults (`enabled = true`, empty lists and tables) are left out.
pub(crate) fn raw_server(
    server: &McpServerConfig,
) -> Result<RawServer, crate::types::InvalidField> {
    let non_empty_list = |items: &Vec<String>| (!items.is_empty()).then(|| items.clone());
    let non_empty_map = |map: &BTreeMap<String, String>| (!map.is_empty()).then(|| map.clone());
    let mut raw = RawServer {
        enabled: (!server.enabled).then_some(false),
        required: server.required.then_some(true),
        startup_timeout_sec: server.startup_timeout.map(|t| t.as_secs_f64()),
        tool_timeout_sec: server.tool_timeout.map(|t| t.as_secs_f64()),
        enabled_tools: server.enabled_tools.clone(),
        disabled_tools: server.disabled_tools.clone(),
        scopes: server.scopes.clone(),
        oauth_resource: server.oauth_resource.clone(),
        oauth_client_metadata_url: server.oauth_client_metadata_url.clone(),
        default_tools_approval_mode: server.default_tools_approval_mode,
        supports_parallel_tool_calls: server.supports_parallel_tool_calls,
        ..RawServer::default()
    };
    match &server.transport {
        Transport::Stdio(stdio) => {
            raw.command = Some(stdio.command.clone());
            raw.args = non_empty_list(&stdio.args);
            raw.env_vars = non_empty_list(&stdio.env_vars);
            raw.cwd = match &stdio.cwd {
                None => None,
                Some(cwd) => Some(
                    cwd.to_str()
                        .ok_or(crate::types::InvalidField {
                            key: "cwd",
                            message: "the path is not valid UTF-8",
                        })?
                        .to_string(),
                ),
            };
            raw.env = non_empty_map(&stdio.env);
        }
        Transport::StreamableHttp(http) => {
            raw.url = Some(http.url.clone());
            raw.transport = http.legacy_sse.then_some(HttpKind::Sse);
            raw.bearer_token_env_var = http.bearer_token_env_var.clone();
            raw.http_headers_helper = http.http_headers_helper.clone();
            raw.http_headers = non_empty_map(&http.http_headers);
            raw.env_http_headers = non_empty_map(&http.env_http_headers);
        }
    }
    if let Some(oauth) = &server.oauth {
        let grant = oauth.grant.as_deref().and_then(|g| g.parse::<Grant>().ok());
        let oauth = RawOAuth {
            client_id: oauth.client_id.clone(),
            client_secret: oauth.client_secret.clone(),
            client_secret_env_var: oauth.client_secret_env_var.clone(),
            callback_url: oauth.callback_url.clone(),
            grant,
            private_key_file: oauth.private_key_file.clone(),
            signing_alg: oauth.signing_alg.clone(),
        };
        // An empty `[oauth]` table means the same as none, so it is not written.
        raw.oauth = (oauth != RawOAuth::default()).then_some(oauth);
    }
    if !server.tools.is_empty() {
        let mut tools = BTreeMap::new();
        for (tool, settings) in &server.tools {
            let mut table = Table::new();
            if let Some(mode) = settings.approval_mode {
                table.insert("approval_mode".to_string(), Value::from(mode.as_str()));
            }
            tools.insert(tool.clone(), Value::Table(table));
        }
        raw.tools = Some(tools);
    }
    Ok(raw)
}

/// The known server key closest to a mistyped one (never a deprecated one).
fn nearest_key(key: &str) -> Option<&'static str> {
    mcpctl_fuzzy_match::did_you_mean(
        key,
        field_names::<RawServer>()
            .iter()
            .copied()
            .filter(|k| !DEPRECATED_SERVER_KEYS.contains(k)),
    )
}

/// `[mcp_servers.<name>.tools.<tool>]` tables, by tool name.
fn tool_configs(
    cx: &Cx<'_>,
    tools: BTreeMap<String, Value>,
    path: &[String],
    warnings: &mut Vec<Warning>,
) -> Result<BTreeMap<String, ToolConfig>, ConfigError> {
    let known = field_names::<RawTool>();
    let mut out = BTreeMap::new();
    for (tool, settings) in tools {
        let tool_path = child(path, &tool);
        let Value::Table(table) = &settings else {
            return Err(cx.invalid(
                &tool_path,
                "expected a table such as { approval_mode = \"prompt\" }",
            ));
        };
        for key in table.keys().filter(|k| !known.contains(&k.as_str())) {
            warnings.push(cx.warning(
                &child(&tool_path, key),
                "unknown key, kept in the file but ignored; the known key is approval_mode",
            ));
        }
        let raw: RawTool = cx.read(&settings, &tool_path)?;
        out.insert(
            tool,
            ToolConfig {
                approval_mode: raw.approval_mode,
            },
        );
    }
    Ok(out)
}

/// A client ID metadata document URL: `https://host/path` (CIMD requires https and a path).
fn https_url(cx: &Cx<'_>, text: String, path: &[String]) -> Result<String, ConfigError> {
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

    /// Reads a raw type from the merged value at `base`; an error names the key path below it
    /// and the file, line and column where that key was set.
    fn read<T: for<'de> Deserialize<'de>>(
        &self,
        value: &Value,
        base: &[String],
    ) -> Result<T, ConfigError> {
        serde_path_to_error::deserialize(value.clone()).map_err(|err| {
            let mut path = base.to_vec();
            for segment in err.path().iter() {
                if let serde_path_to_error::Segment::Map { key } = segment {
                    path.push(key.clone());
                }
            }
            let found = self.stack.get(&path).map(type_name);
            self.invalid(&path, &shape_message(&err.inner().to_string(), found))
        })
    }
}

/// Serde's "invalid type: string \"b\", expected a boolean" in mcpctl's words: "expected true or
/// false, found a string". Messages the raw types wrote themselves pass through.
fn shape_message(serde: &str, found: Option<&str>) -> String {
    // toml adds "\nin `key`" below its message; the key path is already in front.
    let serde = serde.split("\nin `").next().unwrap_or(serde).trim();
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = serde.strip_prefix(prefix)
            && let Some((_, expected)) = rest.rsplit_once(", expected ")
        {
            let expected = match expected {
                "a boolean" => "true or false",
                "a map" => "a table",
                "a sequence" => "an array",
                other => other,
            };
            return match found {
                Some(found) => format!("expected {expected}, found {found}"),
                None => format!("expected {expected}"),
            };
        }
    }
    if let Some(rest) = serde.strip_prefix("unknown variant ") {
        let rest = rest.replace('`', "\"");
        if let Some((value, expected)) = rest.split_once(", expected ") {
            return format!("{value} is not valid: expected {expected}");
        }
    }
    serde.to_string()
}

/// A number as a person would write it: `1e20` and `1e-300`, not sixty digits.
pub(crate) fn shown_number(n: f64) -> String {
    if n != 0.0 && !(1e-3..1e9).contains(&n.abs()) {
        format!("{n:e}")
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Layer;
    use mcpctl_approval_presets::ApprovalMode;
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
            "/h/config.toml:3:1: mcp_servers.w.transport: \"SSE\" is not valid: expected \"streamable_http\" or \"sse\""
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
            "/h/config.toml:3:1: mcp_servers.x.args: expected an array of strings, found a string"
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
