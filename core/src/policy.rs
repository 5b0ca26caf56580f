//! The effective server list: the configuration after the admin policy has had its say.
//!
//! [`EffectiveServers`] can only be built by [`EffectiveServers::resolve`], which runs every
//! server through the requirements; later stages (connections, the app server) take this type,
//! so no code path can start a server the policy disabled.

use std::path::PathBuf;

use mcpctl_allowlist::{Decision, DenyReason, Requirements, ServerIdentity, StdioLaunch};
use mcpctl_config::{Config, LayerSource, McpServerConfig, ServerName, Transport};
use serde::Serialize;

/// The top-level table where mcpctl keeps overrides of servers defined in files it does not
/// write (a project, the system config): `[mcpctl.server_overrides.<name>] enabled = false`.
///
/// Codex ignores unknown top-level tables, so a home shared with Codex stays loadable for both
/// programs; an `enabled = false` written into `[mcp_servers.<name>]` of the user file would
/// leave a server table without `command` or `url` wherever the defining file is not read.
pub const SERVER_OVERRIDES: [&str; 2] = ["mcpctl", "server_overrides"];

/// The servers the user disabled through [`SERVER_OVERRIDES`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerOverrides {
    disabled: std::collections::BTreeSet<String>,
}

impl ServerOverrides {
    /// Reads `[mcpctl.server_overrides.<name>] enabled = false` from the merged layers. Only
    /// `false` is honoured: an override can disable a server, never enable one.
    pub fn from_stack(stack: &mcpctl_config::LayerStack) -> Self {
        let path: Vec<String> = SERVER_OVERRIDES.iter().map(|s| (*s).to_string()).collect();
        let disabled = stack
            .get(&path)
            .and_then(toml::Value::as_table)
            .map(|table| {
                table
                    .iter()
                    .filter(|(_, v)| v.get("enabled").and_then(toml::Value::as_bool) == Some(false))
                    .map(|(name, _)| name.clone())
                    .collect()
            })
            .unwrap_or_default();
        Self { disabled }
    }

    /// True when the user disabled `name` this way.
    pub fn disables(&self, name: &str) -> bool {
        self.disabled.contains(name)
    }
}

/// Why a server is disabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisabledReason {
    /// `enabled = false` in the configuration.
    Config,
    /// The admin requirements file does not allow it.
    Requirements {
        /// The requirements file.
        path: PathBuf,
        /// Why it did not match: not listed, another command or URL, or a launch that changes
        /// what runs (args, cwd, a risky variable). Its `Display` is the full sentence. Boxed
        /// so that errors carrying a `DisabledReason` stay small.
        detail: Box<DenyReason>,
    },
}

impl DisabledReason {
    /// The short reason shown as `disabled_reason` in `list`, `get` and errors, `None` for a
    /// plain disable: `requirements (<path>)` for a name the requirements do not list (as
    /// Codex shows it), else followed by the refused key, e.g.
    /// ``requirements (<path>): `env.LD_PRELOAD` not in `allow_env` ``.
    pub fn label(&self) -> Option<String> {
        match self {
            DisabledReason::Config => None,
            DisabledReason::Requirements { path, detail } => Some(match detail.summary() {
                Some(summary) => format!("requirements ({}): {summary}", path.display()),
                None => format!("requirements ({})", path.display()),
            }),
        }
    }
}

/// Whether a server will be started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerStatus {
    /// It will be started.
    Enabled,
    /// It will not be started, and why.
    Disabled(DisabledReason),
}

/// How a server authenticates, as far as mcpctl knows without touching the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthStatus {
    /// stdio servers have no HTTP auth.
    Unsupported,
    /// Not known yet (no probe result remembered).
    Unknown,
    /// The server advertises OAuth and there are no stored credentials.
    NotLoggedIn,
    /// A bearer token comes from an environment variable.
    BearerToken,
    /// OAuth credentials are stored.
    OAuth,
}

impl AuthStatus {
    /// How `list` shows it.
    pub fn label(self) -> &'static str {
        match self {
            AuthStatus::Unsupported => "Unsupported",
            AuthStatus::Unknown => "Unknown",
            AuthStatus::NotLoggedIn => "Not logged in",
            AuthStatus::BearerToken => "Bearer token",
            AuthStatus::OAuth => "OAuth",
        }
    }
}

/// One server as commands see it.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveServer {
    name: ServerName,
    config: McpServerConfig,
    source: LayerSource,
    status: ServerStatus,
    unknown_keys: Vec<String>,
}

impl EffectiveServer {
    /// The server's name.
    pub fn name(&self) -> &ServerName {
        &self.name
    }

    /// Its configuration.
    pub fn config(&self) -> &McpServerConfig {
        &self.config
    }

    /// The layer that defined it.
    pub fn source(&self) -> &LayerSource {
        &self.source
    }

    /// Whether it will be started.
    pub fn status(&self) -> &ServerStatus {
        &self.status
    }

    /// True when it will be started.
    pub fn is_enabled(&self) -> bool {
        self.status == ServerStatus::Enabled
    }

    /// Keys in its table that mcpctl does not know (kept in the file, ignored).
    pub fn unknown_keys(&self) -> &[String] {
        &self.unknown_keys
    }

    /// A warning when the server sends credentials (a bearer token, headers) over plain
    /// `http://` to another machine, where anyone on the path can read them.
    pub fn cleartext_warning(&self) -> Option<String> {
        cleartext_warning(&self.name, &self.config)
    }

    /// Auth status known offline: bearer token configured or not applicable.
    pub fn auth_status(&self) -> AuthStatus {
        match &self.config.transport {
            Transport::Stdio(_) => AuthStatus::Unsupported,
            Transport::StreamableHttp(mcpctl_config::HttpTransport {
                bearer_token_env_var: Some(_),
                ..
            }) => AuthStatus::BearerToken,
            Transport::StreamableHttp(_) => AuthStatus::Unknown,
        }
    }
}

/// Every configured server with its policy-decided status, sorted by name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EffectiveServers {
    servers: Vec<EffectiveServer>,
}

impl EffectiveServers {
    /// Runs every configured server through the requirements (when any) and `enabled`.
    pub fn resolve(config: &Config, requirements: Option<&Requirements>) -> Self {
        let requirements: Vec<Requirements> = requirements.into_iter().cloned().collect();
        Self::resolve_with(config, &requirements, &ServerOverrides::default())
    }

    /// Like [`EffectiveServers::resolve`], with the user's `enabled = false` overrides of
    /// servers defined in other files applied first (they can only disable).
    pub fn resolve_with(
        config: &Config,
        requirements: &[Requirements],
        overrides: &ServerOverrides,
    ) -> Self {
        let servers = config
            .mcp_servers
            .iter()
            .map(|(name, entry)| {
                let mut server = entry.config.clone();
                if overrides.disables(name.as_str()) {
                    server.enabled = false;
                }
                let status = policy_status(requirements, name, &server);
                EffectiveServer {
                    name: name.clone(),
                    config: server,
                    source: entry.source.clone(),
                    status,
                    unknown_keys: entry.unknown_keys.clone(),
                }
            })
            .collect();
        Self { servers }
    }

    /// All servers, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &EffectiveServer> {
        self.servers.iter()
    }

    /// Only the servers that will be started.
    pub fn enabled(&self) -> impl Iterator<Item = &EffectiveServer> {
        self.servers.iter().filter(|s| s.is_enabled())
    }

    /// The server with this name.
    pub fn get(&self, name: &str) -> Option<&EffectiveServer> {
        self.servers.iter().find(|s| s.name.as_str() == name)
    }

    /// Number of servers.
    pub fn len(&self) -> usize {
        self.servers.len()
    }

    /// True when no server is configured.
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }
}

/// The status the policy and `enabled` give one server; the only place that decides it.
pub(crate) fn policy_status(
    requirements: &[Requirements],
    name: &ServerName,
    config: &McpServerConfig,
) -> ServerStatus {
    // Every requirements file must allow the server; the first that denies it is named.
    for requirements in requirements {
        if let Decision::Denied(reason) = policy_decision(requirements, name, config) {
            return ServerStatus::Disabled(DisabledReason::Requirements {
                path: requirements.source().to_path_buf(),
                detail: Box::new(reason),
            });
        }
    }
    if config.enabled {
        ServerStatus::Enabled
    } else {
        ServerStatus::Disabled(DisabledReason::Config)
    }
}

fn policy_decision(
    requirements: &Requirements,
    name: &ServerName,
    config: &McpServerConfig,
) -> Decision {
    if !requirements.constrains_mcp() {
        return Decision::Allowed;
    }
    // The whole launch, not just `command`: env, env_vars, args and cwd can each turn an
    // allowed command into another program.
    let identity = match &config.transport {
        Transport::Stdio(mcpctl_config::StdioTransport {
            command,
            args,
            env,
            env_vars,
            cwd,
        }) => ServerIdentity::Stdio(StdioLaunch {
            command,
            args,
            env,
            env_vars,
            cwd: cwd.as_deref(),
        }),
        Transport::StreamableHttp(mcpctl_config::HttpTransport { url, .. }) => {
            ServerIdentity::Url(url)
        }
    };
    requirements.check(name.as_str(), &identity)
}

/// A warning when server `name` sends credentials (a bearer token, headers) over plain
/// `http://` to another machine, where anyone on the network path can read them.
pub(crate) fn cleartext_warning(name: &ServerName, config: &McpServerConfig) -> Option<String> {
    let Transport::StreamableHttp(http) = &config.transport else {
        return None;
    };
    let url = url::Url::parse(&http.url).ok()?;
    let mut sent = Vec::new();
    if http.bearer_token_env_var.is_some() {
        sent.push("a bearer token");
    }
    if !http.http_headers.is_empty() || !http.env_http_headers.is_empty() {
        sent.push("custom headers");
    }
    if url.scheme() != "http" || crate::oauth_settings::is_local(&url) || sent.is_empty() {
        return None;
    }
    Some(format!(
        "MCP server '{name}' sends {} to {} over plain http://, readable by anyone on the network path; use an https:// URL",
        sent.join(" and "),
        url.host_str().unwrap_or("?"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcpctl_config::{Layer, LayerStack, build_config};
    use std::path::Path;

    fn config(text: &str) -> Config {
        let layer = Layer::parse(LayerSource::User("/u.toml".into()), text).unwrap();
        build_config(&LayerStack::new(vec![layer])).unwrap().0
    }

    const SERVERS: &str = r#"
[mcp_servers.docs]
command = "docs-mcp"
[mcp_servers.evil]
command = "evil-mcp"
[mcp_servers.web]
url = "https://example.com/mcp"
enabled = false
"#;

    #[test]
    fn requirements_disable_unlisted_and_mismatched() {
        let req = Requirements::parse(
            "[mcp_servers.docs]\nidentity = { command = \"docs-mcp\" }\n[mcp_servers.web]\nidentity = { url = \"https://example.com/mcp\" }\n",
            Path::new("/etc/mcpctl/requirements.toml"),
        )
        .unwrap();
        let eff = EffectiveServers::resolve(&config(SERVERS), Some(&req));
        assert!(eff.get("docs").unwrap().is_enabled());
        let evil = eff.get("evil").unwrap();
        match evil.status() {
            ServerStatus::Disabled(reason) => assert_eq!(
                reason.label().unwrap(),
                "requirements (/etc/mcpctl/requirements.toml)"
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            eff.get("web").unwrap().status(),
            &ServerStatus::Disabled(DisabledReason::Config)
        );
        assert_eq!(eff.enabled().count(), 1);
    }

    #[test]
    fn renaming_cannot_escape_policy() {
        let req = Requirements::parse(
            "[mcp_servers.docs]\nidentity = { command = \"docs-mcp\" }\n",
            Path::new("/r.toml"),
        )
        .unwrap();
        let eff = EffectiveServers::resolve(
            &config("[mcp_servers.docs]\ncommand = \"evil-mcp\"\n"),
            Some(&req),
        );
        assert!(!eff.get("docs").unwrap().is_enabled());
    }

    fn layered(layers: &[(LayerSource, &str)]) -> Config {
        let layers = layers
            .iter()
            .map(|(source, text)| Layer::parse(source.clone(), text).unwrap())
            .collect();
        build_config(&LayerStack::new(layers)).unwrap().0
    }

    fn label(eff: &EffectiveServers, name: &str) -> Option<String> {
        match eff.get(name).unwrap().status() {
            ServerStatus::Disabled(reason) => reason.label(),
            ServerStatus::Enabled => None,
        }
    }

    /// A project or `-c` layer that adds a risky variable to the user's allowed server is
    /// judged on the merged launch, and the label names the key.
    #[test]
    fn layered_launch_changes_are_judged_on_the_merged_server() {
        let req = Requirements::parse(
            "[mcp_servers.docs]\nidentity = { command = \"docs-mcp\", allow_env = [\"NODE_ENV\"] }\n",
            Path::new("/etc/mcpctl/requirements.toml"),
        )
        .unwrap();
        let user = (
            LayerSource::User("/u.toml".into()),
            "[mcp_servers.docs]\ncommand = \"docs-mcp\"\nenv = { NODE_ENV = \"production\" }\n",
        );
        let eff = EffectiveServers::resolve(&layered(std::slice::from_ref(&user)), Some(&req));
        assert!(eff.get("docs").unwrap().is_enabled());
        let cases = [
            (
                LayerSource::Project("/repo/.mcpctl/config.toml".into()),
                "[mcp_servers.docs.env]\nLD_PRELOAD = \"/repo/evil.so\"\n",
                "requirements (/etc/mcpctl/requirements.toml): `env.LD_PRELOAD` not in `allow_env`",
            ),
            (
                LayerSource::Override("-c mcp_servers.docs.env.PATH=/repo/bin".into()),
                "[mcp_servers.docs.env]\nPATH = \"/repo/bin\"\n",
                "requirements (/etc/mcpctl/requirements.toml): `env.PATH` not in `allow_env`",
            ),
            (
                LayerSource::Project("/repo/.mcpctl/config.toml".into()),
                "[mcp_servers.docs]\nenv_vars = [\"BASH_ENV\"]\n",
                "requirements (/etc/mcpctl/requirements.toml): `env_vars` entry `BASH_ENV` not in `allow_env`",
            ),
            (
                LayerSource::Project("/repo/.mcpctl/config.toml".into()),
                "[mcp_servers.docs]\ncommand = \"./docs-mcp\"\ncwd = \"/repo\"\n",
                "requirements (/etc/mcpctl/requirements.toml): relative `command` `./docs-mcp`",
            ),
        ];
        for (source, text, expected) in cases {
            let eff = EffectiveServers::resolve(
                &layered(&[user.clone(), (source.clone(), text)]),
                Some(&req),
            );
            assert_eq!(label(&eff, "docs").as_deref(), Some(expected), "{source:?}");
            let ServerStatus::Disabled(DisabledReason::Requirements { detail, .. }) =
                eff.get("docs").unwrap().status()
            else {
                panic!("not disabled by requirements");
            };
            // The full sentence never carries an env value.
            assert!(!detail.to_string().contains("/repo/evil.so"), "{detail}");
        }
    }

    #[test]
    fn unlisted_names_keep_the_codex_label_others_name_the_key() {
        let req = Requirements::parse("[mcp_servers]\n", Path::new("/r.toml")).unwrap();
        let eff = EffectiveServers::resolve(&config(SERVERS), Some(&req));
        assert_eq!(
            label(&eff, "docs").as_deref(),
            Some("requirements (/r.toml)")
        );
        let req = Requirements::parse(
            "[mcp_servers.docs]\nidentity = { command = \"other\" }\n",
            Path::new("/r.toml"),
        )
        .unwrap();
        let eff = EffectiveServers::resolve(&config(SERVERS), Some(&req));
        assert_eq!(
            label(&eff, "docs").as_deref(),
            Some("requirements (/r.toml): command `docs-mcp` is not allowed")
        );
    }

    #[test]
    fn no_requirements_respects_enabled_only() {
        let eff = EffectiveServers::resolve(&config(SERVERS), None);
        assert_eq!(eff.enabled().count(), 2);
        assert_eq!(eff.get("web").unwrap().auth_status(), AuthStatus::Unknown);
        assert_eq!(
            eff.get("docs").unwrap().auth_status(),
            AuthStatus::Unsupported
        );
    }
}
