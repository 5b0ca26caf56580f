//! Serialisable views of configured servers, with secrets masked: what `list --json`,
//! `get --json` and the app server show. Field names follow Codex's `mcp list --json`, plus
//! mcpctl's own fields.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use mcpctl_config::{ApprovalMode, OAuthClientConfig, ToolConfig, Transport};
use serde::Serialize;

use crate::auth_status::RememberedAuthStatuses;
use crate::oauth_logins::LoginSummary;
use crate::policy::{AuthStatus, EffectiveServer, ServerStatus};
use crate::redact::Redacted;

/// One configured server as shown to users and scripts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerView {
    /// The server's name.
    pub name: String,
    /// Whether it will be started.
    pub enabled: bool,
    /// Why it is disabled by something other than `enabled = false` (`requirements (<path>)`).
    pub disabled_reason: Option<String>,
    /// How it is reached.
    pub transport: TransportView,
    /// `startup_timeout_sec`.
    pub startup_timeout_sec: Option<f64>,
    /// `tool_timeout_sec`.
    pub tool_timeout_sec: Option<f64>,
    /// The auth status known offline.
    pub auth_status: AuthStatus,
    /// The stored OAuth login known offline (never its tokens).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth_login: Option<LoginSummary>,
    /// `required`.
    pub required: bool,
    /// `enabled_tools`.
    pub enabled_tools: Option<Vec<String>>,
    /// `disabled_tools`.
    pub disabled_tools: Option<Vec<String>>,
    /// `scopes`.
    pub scopes: Option<Vec<String>>,
    /// `oauth_resource`.
    pub oauth_resource: Option<String>,
    /// `[mcp_servers.<name>.oauth]`, the client secret masked.
    pub oauth: Option<OAuthView>,
    /// `default_tools_approval_mode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_tools_approval_mode: Option<ApprovalMode>,
    /// `[mcp_servers.<name>.tools.<tool>]`, by tool name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tools: BTreeMap<String, ToolConfig>,
    /// `supports_parallel_tool_calls`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_parallel_tool_calls: Option<bool>,
    /// The file (or `-c` flag) that defined it.
    pub source: String,
    /// Keys of its table that mcpctl does not know.
    pub ignored_keys: Vec<String>,
}

/// The transport part of a [`ServerView`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TransportView {
    /// A local program.
    Stdio {
        /// `command`.
        command: String,
        /// `args`.
        args: Vec<String>,
        /// `env`, values masked unless revealed; `None` when empty.
        env: Option<BTreeMap<String, String>>,
        /// `env_vars`.
        env_vars: Vec<String>,
        /// `cwd`.
        cwd: Option<PathBuf>,
    },
    /// A streamable HTTP endpoint (`"type": "streamable_http"`).
    StreamableHttp(HttpView),
    /// A legacy HTTP+SSE server, `transport = "sse"` (`"type": "sse"`).
    Sse(HttpView),
}

impl TransportView {
    /// The HTTP settings, for either HTTP transport.
    pub fn as_http(&self) -> Option<&HttpView> {
        match self {
            TransportView::StreamableHttp(http) | TransportView::Sse(http) => Some(http),
            TransportView::Stdio { .. } => None,
        }
    }
}

/// The settings of an HTTP server (streamable HTTP or legacy SSE) in a [`TransportView`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HttpView {
    /// `url`.
    pub url: String,
    /// `bearer_token_env_var`.
    pub bearer_token_env_var: Option<String>,
    /// `http_headers`, values masked unless revealed; `None` when empty.
    pub http_headers: Option<BTreeMap<String, String>>,
    /// `env_http_headers` (header → variable name; names are not secret).
    pub env_http_headers: Option<BTreeMap<String, String>>,
    /// `http_headers_helper`, masked unless revealed (its arguments may hold secrets, and
    /// Codex masks it too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_headers_helper: Option<String>,
}

/// `[mcp_servers.<name>.oauth]` with the client secret masked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OAuthView {
    /// `client_id`.
    pub client_id: Option<String>,
    /// `client_secret`, masked unless revealed.
    pub client_secret: Option<String>,
    /// `callback_url`.
    pub callback_url: Option<String>,
    /// `client_secret_env_var`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret_env_var: Option<String>,
    /// `grant`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant: Option<String>,
}

fn shown(map: &BTreeMap<String, String>, reveal: bool) -> Option<BTreeMap<String, String>> {
    (!map.is_empty()).then(|| {
        map.iter()
            .map(|(k, v)| (k.clone(), Redacted::new(v, reveal).to_string()))
            .collect()
    })
}

impl ServerView {
    /// The view of `server`; secret values are masked unless `reveal`.
    pub fn new(server: &EffectiveServer, auth: &RememberedAuthStatuses, reveal: bool) -> Self {
        let config = server.config();
        let transport = match &config.transport {
            Transport::Stdio(stdio) => TransportView::Stdio {
                command: stdio.command.clone(),
                args: stdio.args.clone(),
                env: shown(&stdio.env, reveal),
                env_vars: stdio.env_vars.clone(),
                cwd: stdio.cwd.clone(),
            },
            Transport::StreamableHttp(http) => {
                let view = HttpView {
                    url: http.url.clone(),
                    bearer_token_env_var: http.bearer_token_env_var.clone(),
                    http_headers: shown(&http.http_headers, reveal),
                    env_http_headers: (!http.env_http_headers.is_empty())
                        .then(|| http.env_http_headers.clone()),
                    http_headers_helper: http
                        .http_headers_helper
                        .as_deref()
                        .map(|helper| Redacted::new(helper, reveal).to_string()),
                };
                if http.legacy_sse {
                    TransportView::Sse(view)
                } else {
                    TransportView::StreamableHttp(view)
                }
            }
        };
        let disabled_reason = match server.status() {
            ServerStatus::Disabled(reason) => reason.label(),
            ServerStatus::Enabled => None,
        };
        Self {
            name: server.name().to_string(),
            enabled: server.is_enabled(),
            disabled_reason,
            transport,
            startup_timeout_sec: config.startup_timeout.map(|d| d.as_secs_f64()),
            tool_timeout_sec: config.tool_timeout.map(|d| d.as_secs_f64()),
            auth_status: auth.status_of(server),
            oauth_login: auth.login_of(server).cloned(),
            required: config.required,
            enabled_tools: config.enabled_tools.clone(),
            disabled_tools: config.disabled_tools.clone(),
            scopes: config.scopes.clone(),
            oauth_resource: config.oauth_resource.clone(),
            oauth: config.oauth.as_ref().map(|o| OAuthView::new(o, reveal)),
            default_tools_approval_mode: config.default_tools_approval_mode,
            tools: config.tools.clone(),
            supports_parallel_tool_calls: config.supports_parallel_tool_calls,
            source: server.source().to_string(),
            ignored_keys: server.unknown_keys().to_vec(),
        }
    }
}

impl ServerView {
    /// The auth column of `list`: `OAuth (expires in 12m)`, `OAuth (expired)` (a refresh
    /// token renews it on use), `Not logged in`, `Bearer token`, `Unsupported`, `Unknown`.
    pub fn auth_label(&self, now: SystemTime) -> String {
        auth_label(self.auth_status, self.oauth_login.as_ref(), now)
    }
}

/// [`ServerView::auth_label`] for a status and a login.
pub fn auth_label(status: AuthStatus, login: Option<&LoginSummary>, now: SystemTime) -> String {
    match (status, login.and_then(|l| l.expires_in(now))) {
        (AuthStatus::OAuth, Some(left)) if left.is_zero() => "OAuth (expired)".to_owned(),
        (AuthStatus::OAuth, Some(left)) => format!("OAuth (expires in {})", short_duration(left)),
        (status, _) => status.label().to_owned(),
    }
}

/// `45s`, `12m`, `3h`, `2d`: the largest whole unit.
fn short_duration(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        3600..=86_399 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

impl OAuthView {
    fn new(oauth: &OAuthClientConfig, reveal: bool) -> Self {
        Self {
            client_id: oauth.client_id.clone(),
            client_secret: oauth
                .client_secret
                .as_deref()
                .map(|s| Redacted::new(s, reveal).to_string()),
            callback_url: oauth.callback_url.clone(),
            client_secret_env_var: oauth.client_secret_env_var.clone(),
            grant: oauth.grant.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_labels() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let login = |expires_at| LoginSummary {
            location: "file".into(),
            client_id: "c".into(),
            scopes: vec![],
            expires_at,
            refresh_token: true,
            issuer: None,
            registration: None,
        };
        let at = |secs: u64| Some((1_000 + secs) * 1000);
        assert_eq!(
            auth_label(AuthStatus::OAuth, Some(&login(at(12 * 60 + 5))), now),
            "OAuth (expires in 12m)"
        );
        assert_eq!(
            auth_label(AuthStatus::OAuth, Some(&login(at(30))), now),
            "OAuth (expires in 30s)"
        );
        assert_eq!(
            auth_label(AuthStatus::OAuth, Some(&login(Some(1))), now),
            "OAuth (expired)"
        );
        assert_eq!(
            auth_label(AuthStatus::OAuth, Some(&login(None)), now),
            "OAuth"
        );
        assert_eq!(
            auth_label(AuthStatus::NotLoggedIn, None, now),
            "Not logged in"
        );
    }
}
