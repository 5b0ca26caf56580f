//! The stored OAuth tokens of a server in use: what a connection sends, and their renewal.
//!
//! - Before connecting, a token that expires within 60 s is refreshed.
//! - A `401` during use refreshes once.
//! - Every refresh takes the credential's cross-process lock (Codex's lock file), re-reads the
//!   store under it, and refreshes only if the stored token is still the one that needs it:
//!   when another mcpctl or Codex process refreshed meanwhile, its token is used as it is, so
//!   two processes never spend the same rotated refresh token.
//! - The rotated refresh token is saved before the lock is released, so before it is used again.
//! - A refresh token the provider rejects ends the login: the stored entry keeps its client (for
//!   the next login) but loses its refresh token and is marked expired, so the server shows
//!   `Not logged in` with the hint to log in again.
//! - A client credentials client fetches a new token instead of refreshing.
//! - A `403 insufficient_scope` runs one new login with the union of scopes (a step-up), if the
//!   front end allowed it, then no more on that connection.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use mcpctl_credentials_store::{CredentialStore, RefreshGuard, StoredCredentials};
use mcpctl_rmcp_client::BoxFuture;
use mcpctl_rmcp_client::oauth::{
    OAuthError, OAuthHttp, RefreshParams, TokenSource, client_credentials, discover,
    refresh_tokens, union_scopes,
};
use tokio::sync::Mutex;

use crate::auth::identity_of;
use crate::auth_error::AuthError;
use crate::login::{LoginOptions, StepUp, blocking, client_credential, login_with_events};
use crate::oauth_logins::{LoginCache, LoginSummary};
use crate::oauth_settings::OAuthSettings;

/// A token expiring within this is refreshed before it is sent.
pub const REFRESH_WINDOW: Duration = Duration::from_secs(60);

/// The tokens of one server, for its connections.
pub(crate) struct StoredTokens {
    settings: OAuthSettings,
    store: Arc<CredentialStore>,
    step_up: Option<StepUp>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    loaded: bool,
    current: Option<StoredCredentials>,
    stepped_up: bool,
}

impl StoredTokens {
    pub fn new(settings: OAuthSettings, step_up: Option<StepUp>) -> Self {
        Self {
            store: settings.store(),
            settings,
            step_up,
            state: Mutex::new(State::default()),
        }
    }

    async fn token_now(&self) -> Result<Option<String>, AuthError> {
        let mut state = self.state.lock().await;
        let now = SystemTime::now();
        let window = if state.loaded {
            // Once in use, a token is renewed when it has expired (or on a 401): a token that
            // lives less than a minute would otherwise be refreshed on every request.
            Duration::ZERO
        } else {
            let key = self.settings.key();
            state.current = blocking(&self.store, move |s| s.load(&key))
                .await?
                .map(|l| l.credentials);
            state.loaded = true;
            REFRESH_WINDOW
        };
        let expiring = state
            .current
            .as_ref()
            .is_some_and(|c| c.expires_within(window, now));
        let client_credentials = self.is_client_credentials(state.current.as_ref());
        if expiring || (state.current.is_none() && client_credentials) {
            let seen = state
                .current
                .as_ref()
                .map(|c| c.access_token.expose().to_owned());
            state.current = Some(self.renew(seen.as_deref()).await?);
        }
        Ok(state
            .current
            .as_ref()
            .map(|c| c.access_token.expose().to_owned()))
    }

    async fn refresh_now(&self, rejected: String) -> Result<Option<String>, AuthError> {
        let mut state = self.state.lock().await;
        // Another request on this connection may have refreshed already.
        if let Some(current) = &state.current
            && current.access_token.expose() != rejected
        {
            return Ok(Some(current.access_token.expose().to_owned()));
        }
        let renewed = self.renew(Some(&rejected)).await?;
        let token = renewed.access_token.expose().to_owned();
        state.current = Some(renewed);
        Ok((token != rejected).then_some(token))
    }

    async fn step_up_now(&self, required: Option<String>) -> Result<Option<String>, AuthError> {
        let mut state = self.state.lock().await;
        let Some(step_up) = &self.step_up else {
            return Ok(None);
        };
        if state.stepped_up || self.is_client_credentials(state.current.as_ref()) {
            return Ok(None);
        }
        state.stepped_up = true;
        let current: Vec<String> = state
            .current
            .as_ref()
            .map(|c| c.scopes.clone())
            .unwrap_or_default();
        let scopes = union_scopes(&current, required.as_deref().unwrap_or_default());
        let options = LoginOptions {
            scopes: Some(scopes),
            browser: step_up.browser,
            timeout: step_up.timeout,
            ..LoginOptions::default()
        };
        login_with_events(self.settings.clone(), options, step_up.on_event.clone()).await?;
        let key = self.settings.key();
        state.current = blocking(&self.store, move |s| s.load(&key))
            .await?
            .map(|l| l.credentials);
        Ok(state
            .current
            .as_ref()
            .map(|c| c.access_token.expose().to_owned()))
    }

    fn is_client_credentials(&self, current: Option<&StoredCredentials>) -> bool {
        self.settings.grant == crate::oauth_settings::Grant::ClientCredentials
            || current
                .and_then(|c| c.client.as_ref())
                .and_then(|d| d.registration.as_deref())
                == Some("client_credentials")
    }

    /// A renewed login under the credential's lock. `seen` is the access token this connection
    /// has (`None`: none yet): when the store holds another, live one, another process renewed
    /// it meanwhile and it is used as it is. Otherwise the login is refreshed (or, for client
    /// credentials, fetched anew) and saved before the lock is released.
    async fn renew(&self, seen: Option<&str>) -> Result<StoredCredentials, AuthError> {
        let key = self.settings.key();
        let (guard, loaded): (RefreshGuard, Option<StoredCredentials>) =
            blocking(&self.store, move |s| {
                let guard = s.lock_for_refresh(&key)?;
                let loaded = s.load(&key)?.map(|l| l.credentials);
                Ok((guard, loaded))
            })
            .await?;
        let server = self.settings.name.clone();
        let client_credentials = self.is_client_credentials(loaded.as_ref());
        if let Some(stored) = &loaded {
            let renewed_elsewhere = seen.is_some_and(|seen| stored.access_token.expose() != seen);
            if renewed_elsewhere && !stored.expires_within(Duration::ZERO, SystemTime::now()) {
                return Ok(stored.clone());
            }
        }
        let http = OAuthHttp::new().map_err(|e| AuthError::oauth(&server, e))?;
        let renewed = if client_credentials {
            self.fetch_client_credentials(&http, loaded.as_ref())
                .await?
        } else {
            let Some(stored) = loaded else {
                return Err(AuthError::NotLoggedIn { server });
            };
            self.refresh_stored(&http, stored).await?
        };
        let to_save = renewed.clone();
        let location = blocking(&self.store, move |s| s.save(&to_save)).await?;
        drop(guard);
        LoginCache::in_home(&self.settings.home)
            .update(&[(renewed.key(), Some(LoginSummary::of(&renewed, location)))]);
        Ok(renewed)
    }

    async fn refresh_stored(
        &self,
        http: &OAuthHttp,
        stored: StoredCredentials,
    ) -> Result<StoredCredentials, AuthError> {
        let server = self.settings.name.clone();
        let Some(refresh_token) = stored.refresh_token.clone() else {
            return Err(AuthError::LoginExpired {
                server,
                reason: "the access token expired and there is no refresh token".to_owned(),
            });
        };
        let details = stored.client.clone().unwrap_or_default();
        let token_endpoint = match details.token_endpoint.clone() {
            Some(endpoint) => endpoint,
            // A login stored by Codex does not record it: discovery finds it.
            None => discover(http, &self.settings.url, None, false)
                .await
                .ok()
                .and_then(|d| d.metadata.token_endpoint)
                .ok_or_else(|| AuthError::LoginExpired {
                    server: server.clone(),
                    reason: "mcpctl cannot find the authorization server's token endpoint"
                        .to_owned(),
                })?,
        };
        let resource = details
            .resource
            .clone()
            .unwrap_or_else(|| self.settings.url.to_string());
        let identity = identity_of(&stored, Some(&self.settings));
        let refreshed = refresh_tokens(
            http,
            RefreshParams {
                token_endpoint: &token_endpoint,
                identity: &identity,
                resource: &resource,
                refresh_token: &refresh_token,
                granted_scopes: &stored.scopes,
            },
        )
        .await;
        let tokens = match refreshed {
            Ok(tokens) => tokens,
            Err(OAuthError::RefreshRejected { detail }) => {
                self.end_login(stored).await?;
                return Err(AuthError::LoginExpired {
                    server,
                    reason: format!("the provider rejected its refresh token: {detail}"),
                });
            }
            Err(e) => return Err(AuthError::oauth(&server, e)),
        };
        let now = SystemTime::now();
        Ok(StoredCredentials {
            access_token: tokens.access_token,
            expires_at: tokens
                .expires_in
                .map(|d| StoredCredentials::expires_at_from(d, now)),
            refresh_token: tokens.refresh_token.or(Some(refresh_token)),
            scopes: tokens.scopes.unwrap_or(stored.scopes.clone()),
            ..stored
        })
    }

    /// Keeps the entry (and its client, for the next login) but without a refresh token and
    /// expired: the server shows `Not logged in`.
    async fn end_login(&self, stored: StoredCredentials) -> Result<(), AuthError> {
        let ended = StoredCredentials {
            refresh_token: None,
            expires_at: Some(0),
            ..stored
        };
        let to_save = ended.clone();
        let location = blocking(&self.store, move |s| s.save(&to_save)).await?;
        LoginCache::in_home(&self.settings.home)
            .update(&[(ended.key(), Some(LoginSummary::of(&ended, location)))]);
        Ok(())
    }

    async fn fetch_client_credentials(
        &self,
        http: &OAuthHttp,
        stored: Option<&StoredCredentials>,
    ) -> Result<StoredCredentials, AuthError> {
        let server = self.settings.name.clone();
        let Some(client_id) = self.settings.client_id.clone() else {
            return Err(AuthError::NotLoggedIn { server });
        };
        let discovery = discover(http, &self.settings.url, None, false)
            .await
            .map_err(|e| AuthError::oauth(&server, e))?;
        let credential = client_credential(&self.settings)?;
        let details = stored.and_then(|s| s.client.clone()).unwrap_or_default();
        let resource = details
            .resource
            .clone()
            .or_else(|| self.settings.resource.clone())
            .or_else(|| discovery.resource().map(str::to_owned))
            .unwrap_or_else(|| self.settings.url.to_string());
        let scopes = stored
            .map(|s| s.scopes.clone())
            .or_else(|| self.settings.scopes.clone())
            .unwrap_or_default();
        let tokens = client_credentials(
            http,
            mcpctl_rmcp_client::oauth::ClientCredentialsParams {
                metadata: &discovery.metadata,
                client_id: &client_id,
                credential: &credential,
                resource: &resource,
                scopes: &scopes,
            },
        )
        .await
        .map_err(|e| AuthError::oauth(&server, e))?;
        let now = SystemTime::now();
        Ok(StoredCredentials {
            server_name: self.settings.name.clone(),
            server_url: self.settings.url_text.clone(),
            issuer: discovery.metadata.issuer.clone(),
            client_id: client_id.clone(),
            access_token: tokens.access_token,
            expires_at: tokens
                .expires_in
                .map(|d| StoredCredentials::expires_at_from(d, now)),
            refresh_token: None,
            scopes: tokens.scopes.unwrap_or(scopes),
            client: Some(mcpctl_credentials_store::ClientDetails {
                token_endpoint_auth_method: Some(
                    credential
                        .auth_method(&discovery.metadata)
                        .as_str()
                        .to_owned(),
                ),
                token_endpoint: discovery.metadata.token_endpoint.clone(),
                revocation_endpoint: discovery.metadata.revocation_endpoint.clone(),
                resource: Some(resource),
                registration: Some("client_credentials".to_owned()),
                ..Default::default()
            }),
        })
    }
}

impl TokenSource for StoredTokens {
    fn token(&self) -> BoxFuture<'_, Result<Option<String>, String>> {
        Box::pin(async move { self.token_now().await.map_err(|e| e.to_string()) })
    }

    fn refresh(&self, rejected: String) -> BoxFuture<'_, Result<Option<String>, String>> {
        Box::pin(async move { self.refresh_now(rejected).await.map_err(|e| e.to_string()) })
    }

    fn step_up(&self, required: Option<String>) -> BoxFuture<'_, Result<Option<String>, String>> {
        Box::pin(async move { self.step_up_now(required).await.map_err(|e| e.to_string()) })
    }
}

/// Token sources for the enabled HTTP servers of `workspace` (only those in `only`, when given)
/// that can use OAuth: no bearer token, an https (or local) URL. A server without a stored
/// login gets one too: it loads nothing and connects without a token, so its `401` reads as
/// "needs login".
pub(crate) fn sources(
    workspace: &crate::workspace::Workspace,
    only: Option<&[String]>,
) -> std::collections::BTreeMap<String, mcpctl_rmcp_client::oauth::OAuthSource> {
    workspace
        .servers()
        .enabled()
        .filter(|s| only.is_none_or(|names| names.iter().any(|n| n == s.name().as_str())))
        .filter_map(|s| {
            let settings = OAuthSettings::for_server_lenient(workspace, s.name().as_str()).ok()?;
            let tokens = StoredTokens::new(settings, workspace.oauth_step_up().cloned());
            Some((
                s.name().to_string(),
                mcpctl_rmcp_client::oauth::OAuthSource(Arc::new(tokens)),
            ))
        })
        .collect()
}
