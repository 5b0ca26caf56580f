//! Logout, auth status and the callback URL of a server: the OAuth operations besides login.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use mcpctl_config::Transport;
use mcpctl_credentials_store::{CredentialStore, Deleted, StoreKey, StoredCredentials};
use mcpctl_oauth_callback::DEFAULT_CALLBACK_PATH;
use mcpctl_rmcp_client::oauth::{
    ClientIdentity, OAuthHttp, TokenAuthMethod, TokenKind, discover, revoke_token,
};
use serde::Serialize;
use url::Url;

use crate::auth_error::AuthError;
use crate::login::blocking;
use crate::oauth_logins::{LoginCache, LoginSummary};
use crate::oauth_settings::{OAuthSettings, is_local, store_mode};
use crate::policy::AuthStatus;
use crate::workspace::Workspace;

/// How long logout waits for discovery when the stored login does not say where to revoke.
const REVOKE_DISCOVERY_DEADLINE: Duration = Duration::from_secs(5);

/// What logout told the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// The refresh (or access) token was revoked at this endpoint.
    Revoked {
        /// The revocation endpoint.
        endpoint: String,
    },
    /// The provider has no revocation endpoint: the tokens stay valid there until they expire.
    Unsupported,
    /// Nothing was stored, so nothing was revoked.
    NothingStored,
    /// Revocation failed (the sentence says why); the local copy was deleted anyway.
    Failed(String),
}

/// What `mcpctl logout` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutOutcome {
    /// The server.
    pub server: String,
    /// What the provider was told.
    pub revocation: Revocation,
    /// What was deleted locally.
    pub deleted: Deleted,
}

/// Logs out of `name`: revokes its tokens at the provider's revocation endpoint (RFC 7009)
/// when there is one, then deletes them locally (from both the keyring and the file in `auto`
/// mode). A failed revocation does not keep the local copy.
pub async fn logout(workspace: &Workspace, name: &str) -> Result<LogoutOutcome, AuthError> {
    let server = workspace.server(name)?;
    let Transport::StreamableHttp(http_config) = &server.config().transport else {
        return Err(AuthError::NotHttp {
            server: name.to_owned(),
        });
    };
    let home = workspace.paths().home().to_path_buf();
    let key = StoreKey::new(name, &http_config.url);
    let store = Arc::new(CredentialStore::new(
        home.clone(),
        store_mode(workspace.loaded().config.mcp_oauth_credentials_store),
    ));
    let load_key = key.clone();
    let loaded = blocking(&store, move |s| s.load(&load_key)).await?;
    let revocation = match &loaded {
        None => Revocation::NothingStored,
        Some(found) => {
            let settings = OAuthSettings::for_server_lenient(workspace, name).ok();
            revoke(&found.credentials, settings.as_ref(), &http_config.url).await
        }
    };
    let delete_key = key.clone();
    let deleted = blocking(&store, move |s| s.delete(&delete_key)).await?;
    LoginCache::in_home(&home).update(&[(key, None)]);
    Ok(LogoutOutcome {
        server: name.to_owned(),
        revocation,
        deleted,
    })
}

async fn revoke(
    credentials: &StoredCredentials,
    settings: Option<&OAuthSettings>,
    url: &str,
) -> Revocation {
    let Ok(http) = OAuthHttp::new() else {
        return Revocation::Failed("cannot build the HTTP client".to_owned());
    };
    let details = credentials.client.clone().unwrap_or_default();
    let endpoint = match details.revocation_endpoint.clone() {
        Some(endpoint) => Some(endpoint),
        // A login made by Codex does not record the endpoint: ask the server.
        None => match Url::parse(url) {
            Ok(url) => tokio::time::timeout(
                REVOKE_DISCOVERY_DEADLINE,
                discover(&http, &url, None, false),
            )
            .await
            .ok()
            .and_then(Result::ok)
            .and_then(|d| d.metadata.revocation_endpoint),
            Err(_) => None,
        },
    };
    let Some(endpoint) = endpoint else {
        return Revocation::Unsupported;
    };
    let identity = identity_of(credentials, settings);
    // The refresh token first: at most providers that ends the whole grant. The access token
    // too, for the providers that keep it alive until it expires.
    let mut tokens = Vec::new();
    if let Some(refresh) = &credentials.refresh_token {
        tokens.push((refresh, TokenKind::Refresh));
    }
    tokens.push((&credentials.access_token, TokenKind::Access));
    for (token, kind) in tokens {
        if let Err(e) = revoke_token(&http, &endpoint, &identity, token, kind).await {
            return Revocation::Failed(e.to_string());
        }
    }
    Revocation::Revoked { endpoint }
}

/// The client the stored tokens belong to, with its secret: from mcpctl's client details, or
/// (for a login another program stored) from the config when the client ids agree.
pub(crate) fn identity_of(
    credentials: &StoredCredentials,
    settings: Option<&OAuthSettings>,
) -> ClientIdentity {
    let details = credentials.client.clone().unwrap_or_default();
    let configured = settings
        .filter(|s| s.client_id.as_deref() == Some(credentials.client_id.as_str()))
        .and_then(|s| s.client_secret.as_ref().map(|(secret, _)| secret.clone()));
    let client_secret = details.client_secret.clone().or(configured);
    let auth_method = details
        .token_endpoint_auth_method
        .as_deref()
        .and_then(|m| m.parse().ok())
        .unwrap_or(if client_secret.is_some() {
            TokenAuthMethod::ClientSecretBasic
        } else {
            TokenAuthMethod::None
        });
    ClientIdentity {
        client_id: credentials.client_id.clone(),
        client_secret,
        auth_method,
    }
}

/// One server's line of `mcpctl auth status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuthStatusEntry {
    /// The server.
    pub server: String,
    /// Its URL (HTTP servers).
    pub url: Option<String>,
    /// Its auth status.
    pub status: AuthStatus,
    /// The stored login, when there is one (never the tokens).
    pub login: Option<LoginSummary>,
}

/// The auth status of every server (or of `name`), reading the credential stores: where each
/// login lives, its client, scopes and expiry. Also brings the cache `list` reads up to date.
pub async fn auth_statuses(
    workspace: &Workspace,
    name: Option<&str>,
) -> Result<Vec<AuthStatusEntry>, AuthError> {
    let servers: Vec<_> = match name {
        Some(name) => vec![workspace.server(name)?.clone()],
        None => workspace.servers().iter().cloned().collect(),
    };
    let remembered = crate::auth_status::AuthStatusStore::in_home(workspace.paths().home()).load();
    let keyed: Vec<(usize, StoreKey)> = servers
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match &s.config().transport {
            Transport::StreamableHttp(http) if http.bearer_token_env_var.is_none() => {
                Some((i, StoreKey::new(s.name().as_str(), &http.url)))
            }
            _ => None,
        })
        .collect();
    let keys: Vec<StoreKey> = keyed.iter().map(|(_, k)| k.clone()).collect();
    let store = Arc::new(CredentialStore::new(
        workspace.paths().home().to_path_buf(),
        store_mode(workspace.loaded().config.mcp_oauth_credentials_store),
    ));
    let lookup = keys.clone();
    let found = blocking(&store, move |s| s.load_all(&lookup)).await?;
    let now = SystemTime::now();
    let mut logins = vec![None; servers.len()];
    let mut updates = Vec::new();
    for ((index, key), loaded) in keyed.iter().zip(found) {
        let summary = loaded.map(|l| LoginSummary::of(&l.credentials, l.location));
        updates.push((key.clone(), summary.clone()));
        logins[*index] = summary;
    }
    LoginCache::in_home(workspace.paths().home()).update(&updates);
    Ok(servers
        .iter()
        .zip(logins)
        .map(|(server, login)| {
            let status = match &login {
                Some(l) if l.is_usable(now) => AuthStatus::OAuth,
                Some(_) => AuthStatus::NotLoggedIn,
                None => remembered.status_of(server),
            };
            AuthStatusEntry {
                server: server.name().to_string(),
                url: server.config().transport.as_http().map(|h| h.url.clone()),
                status,
                login,
            }
        })
        .collect())
}

/// The redirect URI a login of `name` sends, for registering a client with the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackUrl {
    /// The URI.
    pub redirect_uri: String,
    /// `false` when the port is chosen anew at each login (no port configured): providers that
    /// follow RFC 8252 §7.3 accept any port on a loopback redirect URI registered without one.
    pub fixed: bool,
}

/// The exact redirect URI of `name`'s logins: its `oauth.callback_url` or
/// `mcp_oauth_callback_url`, with `mcp_oauth_callback_port` where the URL has no port.
pub fn callback_url(workspace: &Workspace, name: &str) -> Result<CallbackUrl, AuthError> {
    let settings = OAuthSettings::for_server_lenient(workspace, name)?;
    let port = settings.callback.port;
    let Some(configured) = settings.callback.callback_url else {
        return Ok(match port {
            Some(port) => CallbackUrl {
                redirect_uri: format!("http://127.0.0.1:{port}{DEFAULT_CALLBACK_PATH}"),
                fixed: true,
            },
            None => CallbackUrl {
                redirect_uri: format!("http://127.0.0.1{DEFAULT_CALLBACK_PATH}"),
                fixed: false,
            },
        });
    };
    let parsed = Url::parse(&configured).ok();
    Ok(match (parsed, port) {
        (Some(mut url), port) if url.port().is_none() && is_local(&url) => match port {
            Some(port) => {
                let _ = url.set_port(Some(port));
                CallbackUrl {
                    redirect_uri: url.to_string(),
                    fixed: true,
                }
            }
            None => CallbackUrl {
                redirect_uri: configured,
                fixed: false,
            },
        },
        _ => CallbackUrl {
            redirect_uri: configured,
            fixed: true,
        },
    })
}

/// What `add --url` found out about a new server before offering a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OAuthSupport {
    /// The server asks for OAuth: a login can start.
    Offered,
    /// No OAuth login applies.
    NotOffered,
    /// The server could not be asked (the reason says why).
    Unknown(String),
}

/// Asks the server `name` whether it wants an OAuth login (one unauthenticated request and its
/// discovery chain, within 5 s). Errors of the settings (a stdio server, GitHub's token-only
/// endpoint, plain http to another machine) come back as they are.
pub async fn detect_oauth(workspace: &Workspace, name: &str) -> Result<OAuthSupport, AuthError> {
    let settings = OAuthSettings::for_server_lenient(workspace, name)?;
    let headers = settings.request_headers()?;
    let Ok(client) = mcpctl_http_client::builder()
        .timeout(Duration::from_secs(5))
        .build()
    else {
        return Ok(OAuthSupport::Unknown(
            "cannot build the HTTP client".to_owned(),
        ));
    };
    Ok(
        match mcpctl_oauth_discovery::probe(&client, &settings.url_text, &headers).await {
            mcpctl_oauth_discovery::AuthProbe::NotLoggedIn { .. } => OAuthSupport::Offered,
            mcpctl_oauth_discovery::AuthProbe::Unsupported => OAuthSupport::NotOffered,
            mcpctl_oauth_discovery::AuthProbe::Unknown { reason } => OAuthSupport::Unknown(reason),
        },
    )
}
