//! The OAuth settings of one server, read from the effective config once and checked:
//! login, logout, refresh and `callback-url` all start here.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

use mcpctl_config::{CredentialsStoreMode, Transport};
use mcpctl_credentials_store::{CredentialStore, Secret, StoreKey, StoreMode};
use mcpctl_oauth_callback::CallbackConfig;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::auth_error::AuthError;
use crate::policy::{EffectiveServer, ServerStatus};
use crate::workspace::Workspace;

/// Hosts whose MCP endpoints take tokens but offer third-party clients no OAuth login.
const TOKEN_ONLY_HOSTS: &[&str] = &["api.githubcopilot.com"];

/// Which grant a server's login uses (`oauth.grant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// A browser login (authorization code with PKCE).
    AuthorizationCode,
    /// A headless login with the client's own credentials.
    ClientCredentials,
}

/// Where a configured client secret comes from.
#[derive(Debug, Clone)]
pub(crate) enum SecretSource {
    /// `oauth.client_secret_env_var`.
    EnvVar,
    /// A plain `oauth.client_secret` (Codex's key; readable by anyone who reads the file).
    Plain,
}

/// One server's OAuth settings.
#[derive(Debug, Clone)]
pub(crate) struct OAuthSettings {
    pub name: String,
    /// The URL exactly as configured (part of the credential's store key).
    pub url_text: String,
    pub url: Url,
    pub home: PathBuf,
    pub store_mode: StoreMode,
    pub http_headers: Vec<(String, String)>,
    pub env_http_headers: Vec<(String, String)>,
    pub scopes: Option<Vec<String>>,
    pub resource: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<(Secret, SecretSource)>,
    pub callback: CallbackConfig,
    pub cimd_url: Option<String>,
    pub grant: Grant,
    pub private_key: Option<(PathBuf, String)>,
}

impl OAuthSettings {
    /// The settings of `name`. Refuses what cannot log in: stdio servers, servers with a
    /// bearer token, servers disabled by the administrator, plain http to another machine,
    /// GitHub's token-only endpoint, and a secret variable that is not set.
    pub fn for_server(workspace: &Workspace, name: &str) -> Result<Self, AuthError> {
        let server = workspace.server(name)?;
        Self::of(workspace, server, true)
    }

    /// Like [`for_server`](Self::for_server), but a missing secret variable is not an error
    /// (logout and status do not need the secret).
    pub fn for_server_lenient(workspace: &Workspace, name: &str) -> Result<Self, AuthError> {
        let server = workspace.server(name)?;
        Self::of(workspace, server, false)
    }

    fn of(
        workspace: &Workspace,
        server: &EffectiveServer,
        need_secret: bool,
    ) -> Result<Self, AuthError> {
        let name = server.name().to_string();
        let config = server.config();
        let Transport::StreamableHttp(http) = &config.transport else {
            return Err(AuthError::NotHttp { server: name });
        };
        if let ServerStatus::Disabled(reason) = server.status()
            && reason.label().is_some()
        {
            return Err(AuthError::Core(crate::error::CoreError::ServerDisabled {
                name,
                reason: reason.clone(),
            }));
        }
        if let Some(var) = &http.bearer_token_env_var {
            return Err(AuthError::UsesBearerToken {
                server: name,
                var: var.clone(),
            });
        }
        let url = Url::parse(&http.url).map_err(|_| AuthError::Settings {
            server: name.clone(),
            reason: format!("its url {:?} is not a valid URL", http.url),
        })?;
        if url
            .host_str()
            .is_some_and(|h| TOKEN_ONLY_HOSTS.contains(&h.to_ascii_lowercase().as_str()))
        {
            return Err(AuthError::GitHub {
                server: name,
                url: http.url.clone(),
            });
        }
        if url.scheme() == "http" && !is_local(&url) {
            return Err(AuthError::InsecureUrl {
                server: name,
                url: http.url.clone(),
            });
        }
        let top = &workspace.loaded().config;
        let oauth = config.oauth.clone().unwrap_or_default();
        let client_secret = match (&oauth.client_secret_env_var, &oauth.client_secret) {
            (Some(var), _) => match std::env::var(var) {
                Ok(value) if !value.is_empty() => Some((Secret::new(value), SecretSource::EnvVar)),
                _ if need_secret => {
                    return Err(AuthError::MissingEnvVar {
                        server: name,
                        var: var.clone(),
                        key: "oauth.client_secret_env_var".to_owned(),
                    });
                }
                _ => None,
            },
            (None, Some(plain)) => Some((Secret::new(plain.clone()), SecretSource::Plain)),
            (None, None) => None,
        };
        let grant = match oauth.grant.as_deref() {
            Some("client_credentials") => Grant::ClientCredentials,
            _ => Grant::AuthorizationCode,
        };
        let private_key = oauth.private_key_file.as_ref().map(|path| {
            (
                PathBuf::from(path),
                oauth
                    .signing_alg
                    .clone()
                    .unwrap_or_else(|| "ES256".to_owned()),
            )
        });
        Ok(Self {
            name,
            url_text: http.url.clone(),
            url,
            home: workspace.paths().home().to_path_buf(),
            store_mode: store_mode(top.mcp_oauth_credentials_store),
            http_headers: http
                .http_headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            env_http_headers: http
                .env_http_headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            scopes: config.scopes.clone(),
            resource: config.oauth_resource.clone(),
            client_id: oauth.client_id,
            client_secret,
            callback: CallbackConfig {
                port: top.mcp_oauth_callback_port.filter(|p| *p != 0),
                callback_url: oauth
                    .callback_url
                    .or_else(|| top.mcp_oauth_callback_url.clone()),
            },
            cimd_url: config
                .oauth_client_metadata_url
                .clone()
                .or_else(|| top.oauth_client_metadata_url.clone()),
            grant,
            private_key,
        })
    }

    /// The key of this server's stored credentials.
    pub fn key(&self) -> StoreKey {
        StoreKey::new(&self.name, &self.url_text)
    }

    /// The credential store of this workspace.
    pub fn store(&self) -> Arc<CredentialStore> {
        Arc::new(CredentialStore::new(self.home.clone(), self.store_mode))
    }

    /// The headers every request to the server carries (never a token): its `http_headers`
    /// and its `env_http_headers` read now.
    pub fn request_headers(&self) -> Result<HeaderMap, AuthError> {
        let mut headers = HeaderMap::new();
        let mut insert = |name: &str, value: &str| {
            let invalid = || AuthError::InvalidHeader {
                server: self.name.clone(),
                header: name.to_owned(),
            };
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
            let value = HeaderValue::from_str(value).map_err(|_| invalid())?;
            headers.insert(name, value);
            Ok::<(), AuthError>(())
        };
        for (name, value) in &self.http_headers {
            insert(name, value)?;
        }
        for (name, var) in &self.env_http_headers {
            let value = std::env::var(var).map_err(|_| AuthError::MissingEnvVar {
                server: self.name.clone(),
                var: var.clone(),
                key: format!("env_http_headers.{name}"),
            })?;
            insert(name, &value)?;
        }
        Ok(headers)
    }
}

/// The store mode of the config value.
pub(crate) fn store_mode(mode: CredentialsStoreMode) -> StoreMode {
    match mode {
        CredentialsStoreMode::Auto => StoreMode::Auto,
        CredentialsStoreMode::File => StoreMode::File,
        CredentialsStoreMode::Keyring => StoreMode::Keyring,
    }
}

/// Whether `url` names this machine (`localhost`, a loopback address).
pub(crate) fn is_local(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts() {
        for local in [
            "http://localhost:1/mcp",
            "http://127.0.0.1/mcp",
            "http://[::1]:9/x",
            "http://a.localhost/",
        ] {
            assert!(is_local(&Url::parse(local).unwrap()), "{local}");
        }
        for remote in [
            "http://example.com/mcp",
            "http://10.0.0.1/",
            "http://[::2]/",
        ] {
            assert!(!is_local(&Url::parse(remote).unwrap()), "{remote}");
        }
    }
}
