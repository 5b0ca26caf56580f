//! The OAuth login of one server, as one call every front end shares: the CLI's `mcpctl login`
//! (and `add --url`), a step-up during use, and the app server's `mcpServer/oauth/login`.
//!
//! [`login`] reads the stored login (a corrupt store fails before anything is sent), asks the
//! server with the same `initialize` POST a connection starts with, discovers the authorization
//! server from its answer, picks the client identity (a pre-registered client, a client ID
//! metadata document, a client registered earlier, or a new registration), binds the callback
//! listener, opens the browser (or not), waits, exchanges the code and stores the tokens. What
//! happens along the way is reported as [`LoginEvent`]s; nothing is printed here. A failed
//! login leaves the stored credentials as they were.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use mcpctl_credentials_store::{
    ClientDetails, CredentialStore, Loaded, Location, Secret, StoreError, StoredCredentials,
};
use mcpctl_oauth_callback::{
    AuthorizationResponse, BindScope, CallbackConfig, CallbackEvent, CallbackListener,
    DEFAULT_TIMEOUT, WaitOptions,
};
use mcpctl_rmcp_client::oauth::{
    AuthorizationParams, ClientCredential, ClientCredentialsParams, ClientIdentity, Discovery,
    FirstContact, OAuthError, OAuthHttp, RegistrationRequest, TokenAuthMethod, TokenSet,
    client_credentials, discover, first_contact, register, select_scopes, start_authorization,
};
use tokio::sync::mpsc;
use url::Url;

use crate::auth_error::AuthError;
use crate::oauth_logins::{LoginCache, LoginSummary};
use crate::oauth_settings::{Grant, OAuthSettings, SecretSource, is_local};
use crate::workspace::Workspace;

/// How a login gets its OAuth client when none is pre-registered (`--oauth-client-registration`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RegistrationMode {
    /// A client ID metadata document when the server accepts one and its URL is configured,
    /// else dynamic registration (reusing a client registered earlier).
    #[default]
    Auto,
    /// Only a client ID metadata document (`oauth_client_metadata_url`).
    Cimd,
    /// Only dynamic client registration.
    Dcr,
}

/// Whether the login opens a browser.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BrowserMode {
    /// Open the authorization URL with the system's browser (`$BROWSER` first).
    #[default]
    Open,
    /// Only report the URL (`--no-browser`, or an app server whose client opens it).
    Report,
}

/// Options of one login.
#[derive(Debug, Default)]
pub struct LoginOptions {
    /// Scopes to ask for instead of the configured or discovered ones (`--scopes`).
    pub scopes: Option<Vec<String>>,
    /// How to get a client when none is pre-registered.
    pub registration: RegistrationMode,
    /// How long to wait for the callback (default 300 s).
    pub timeout: Option<Duration>,
    /// Open the browser or only report the URL.
    pub browser: BrowserMode,
    /// Overrides `mcp_oauth_callback_port`.
    pub callback_port: Option<u16>,
    /// Overrides the callback URL of the config.
    pub callback_url: Option<String>,
    /// Callback URLs the user pastes (the `--no-browser` front end feeds stdin here).
    pub pasted: Option<mpsc::Receiver<String>>,
}

/// How the browser step went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserOutcome {
    /// The browser was started.
    Opened,
    /// No browser was asked for ([`BrowserMode::Report`]).
    NotAsked,
    /// Starting it failed; the front end shows the URL instead.
    Failed(String),
}

/// Something that happened during a login, for a front end to show.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginEvent {
    /// Something the user should know (a plain client secret in the config, ...).
    Warning(String),
    /// The callback listener is up.
    Listening {
        /// The exact redirect URI sent.
        redirect_uri: String,
        /// Bound to every interface (the callback host is not this machine): anything that can
        /// reach this machine's port can reach the listener.
        all_interfaces: bool,
    },
    /// The authorization URL, and whether a browser was opened with it.
    AuthorizationUrl {
        /// The URL (it carries no secret: state and the PKCE challenge are public).
        url: String,
        /// What happened with the browser.
        browser: BrowserOutcome,
    },
    /// Still waiting for the callback (sent about every second).
    Waiting {
        /// Time since the wait began.
        elapsed: Duration,
        /// The deadline.
        timeout: Duration,
    },
    /// A request reached the callback and was refused; the login keeps waiting.
    CallbackRejected {
        /// Why (wrong path, wrong state, ...).
        reason: String,
        /// Whether it was a pasted URL (rather than an HTTP request).
        pasted: bool,
    },
    /// The code arrived and is being exchanged.
    Exchanging,
    /// The login is stored.
    Done,
}

/// How the login's client was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// `oauth.client_id` in the config.
    Preregistered,
    /// The configured client ID metadata document URL.
    Cimd,
    /// A client registered now.
    Registered,
    /// A client registered by an earlier login, reused.
    Reused,
    /// The client credentials grant (`oauth.grant = "client_credentials"`).
    ClientCredentials,
}

impl ClientKind {
    /// How it is remembered in the client details (`dcr`, `cimd`, ...).
    fn stored(self) -> &'static str {
        match self {
            Self::Preregistered => "preregistered",
            Self::Cimd => "cimd",
            Self::Registered | Self::Reused => "dcr",
            Self::ClientCredentials => "client_credentials",
        }
    }
}

/// A finished login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginOutcome {
    /// The server.
    pub server: String,
    /// Where the credentials were stored.
    pub location: Location,
    /// The OAuth client.
    pub client_id: String,
    /// How the client was obtained.
    pub client: ClientKind,
    /// The granted scopes.
    pub scopes: Vec<String>,
    /// When the access token expires (ms since the epoch), if known.
    pub expires_at: Option<u64>,
    /// Whether a refresh token was issued.
    pub refresh_token: bool,
    /// The authorization server.
    pub issuer: Option<String>,
}

/// A sink for [`LoginEvent`]s.
pub type LoginEvents = mpsc::UnboundedSender<LoginEvent>;

/// Receives a step-up's events with the name of the server asking for more scope.
pub type StepUpEvents = Arc<dyn Fn(&str, LoginEvent) + Send + Sync>;

/// Whether and how a connection may run a new login when the server asks for more scope
/// (`403 insufficient_scope`): given by the front end, since only it knows whether someone is
/// there to finish a login in a browser.
#[derive(Clone)]
pub struct StepUp {
    /// Open the browser, or only report the URL.
    pub browser: BrowserMode,
    /// How long the step-up waits for the callback (default 300 s).
    pub timeout: Option<Duration>,
    /// Where the step-up's events go, with the server's name.
    pub on_event: StepUpEvents,
}

impl std::fmt::Debug for StepUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepUp")
            .field("browser", &self.browser)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

enum Emit {
    Channel(Option<LoginEvents>),
    Callback(Arc<dyn Fn(LoginEvent) + Send + Sync>),
}

impl Emit {
    fn send(&self, event: LoginEvent) {
        match self {
            Self::Channel(Some(tx)) => {
                let _ = tx.send(event);
            }
            Self::Channel(None) => {}
            Self::Callback(f) => f(event),
        }
    }
}

/// [`login`] with settings already read and events to a callback (a step-up during use).
pub(crate) async fn login_with_events(
    settings: OAuthSettings,
    options: LoginOptions,
    on_event: StepUpEvents,
) -> Result<LoginOutcome, AuthError> {
    let server = settings.name.clone();
    let forward = move |event| on_event(&server, event);
    login_with(settings, options, Emit::Callback(Arc::new(forward))).await
}

/// Logs in to the server `name` and stores its credentials. See the module docs.
pub async fn login(
    workspace: &Workspace,
    name: &str,
    options: LoginOptions,
    events: Option<LoginEvents>,
) -> Result<LoginOutcome, AuthError> {
    let settings = OAuthSettings::for_server(workspace, name)?;
    login_with(settings, options, Emit::Channel(events)).await
}

async fn login_with(
    settings: OAuthSettings,
    mut options: LoginOptions,
    emit: Emit,
) -> Result<LoginOutcome, AuthError> {
    let server = settings.name.clone();
    let oauth = |e: OAuthError| AuthError::oauth(&server, e);
    if matches!(settings.client_secret, Some((_, SecretSource::Plain))) {
        emit.send(LoginEvent::Warning(format!(
            "MCP server '{server}' has a plain oauth.client_secret in its config, readable by \
             anyone who can read the file; prefer oauth.client_secret_env_var"
        )));
    }
    if settings.client_id.is_some() && options.registration != RegistrationMode::Auto {
        return Err(AuthError::Settings {
            server,
            reason: "it has a pre-registered client (oauth.client_id), so \
                     --oauth-client-registration does not apply; remove the flag or the client id"
                .to_owned(),
        });
    }
    let store = settings.store();
    let key = settings.key();
    // Read first: a store that cannot be read fails the login before anything is sent.
    let existing = blocking(&store, move |s| s.load(&key)).await?;
    let http = OAuthHttp::new().map_err(oauth)?;
    let headers = settings.request_headers()?;
    let contact = first_contact(&http, &settings.url, &headers)
        .await
        .map_err(oauth)?;
    // The made-up endpoints of the 2025-03-26 fallback only for a server that asked for Bearer
    // credentials: anything else would send the browser somewhere the server never named.
    let bearer_asked = matches!(contact, FirstContact::Unauthorized { challenge: Some(_) });
    let discovery = discover(&http, &settings.url, contact.challenge(), bearer_asked)
        .await
        .map_err(|e| match (e, &contact) {
            (OAuthError::NoOAuth { url, .. }, FirstContact::Answered { status }) => {
                OAuthError::NoOAuth {
                    url,
                    reason: format!(
                        "it answered HTTP {status} without credentials and publishes no OAuth \
                         metadata"
                    ),
                }
            }
            (OAuthError::NoOAuth { url, .. }, _) => OAuthError::NoOAuth {
                url,
                reason: "it refuses requests without credentials but asks for no Bearer token \
                         and publishes no OAuth metadata"
                    .to_owned(),
            },
            (other, _) => other,
        })
        .map_err(oauth)?;
    let resource = canonical_resource(&settings, &discovery);
    let challenge_scope = contact.challenge().and_then(|c| c.scope.clone());
    let (scopes, _) = select_scopes(
        options.scopes.as_deref(),
        settings.scopes.as_deref(),
        challenge_scope.as_deref(),
        discovery.resource_scopes(),
        &discovery.metadata,
    );
    if settings.grant == Grant::ClientCredentials {
        let (tokens, identity) =
            client_credentials_grant(&settings, &http, &discovery, &resource, &scopes).await?;
        return finish(
            &settings,
            &store,
            &discovery,
            Granted {
                tokens,
                identity,
                kind: ClientKind::ClientCredentials,
                requested: scopes,
                resource,
                redirect_uri: None,
            },
            &emit,
        )
        .await;
    }

    let mut callback = settings.callback.clone();
    if options.callback_port.is_some() {
        callback.port = options.callback_port;
    }
    if options.callback_url.is_some() {
        callback.callback_url = options.callback_url.take();
    }
    let chosen = choose_client(
        &settings,
        &http,
        &discovery,
        options.registration,
        existing.as_ref(),
        &callback,
        &scopes,
    )
    .await?;
    emit.send(LoginEvent::Listening {
        redirect_uri: chosen.listener.redirect_uri().to_owned(),
        all_interfaces: chosen.listener.scope() == BindScope::AllInterfaces,
    });
    let redirect_uri = chosen.listener.redirect_uri().to_owned();
    let pending = start_authorization(
        &http,
        AuthorizationParams {
            metadata: &discovery.metadata,
            identity: &chosen.identity,
            redirect_uri: &redirect_uri,
            scopes: &scopes,
            resource: &resource,
        },
    )
    .await
    .map_err(oauth)?;
    let browser = match options.browser {
        BrowserMode::Open => open_browser(pending.url()).await,
        BrowserMode::Report => BrowserOutcome::NotAsked,
    };
    emit.send(LoginEvent::AuthorizationUrl {
        url: pending.url().to_owned(),
        browser,
    });
    let timeout = options.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let response = wait_for_callback(
        chosen.listener,
        pending.state().to_owned(),
        timeout,
        options.pasted.take(),
        &emit,
    )
    .await
    .map_err(|source| AuthError::Callback {
        server: server.clone(),
        source,
    })?;
    emit.send(LoginEvent::Exchanging);
    let tokens = pending
        .finish(response.code.expose(), response.iss.as_deref())
        .await
        .map_err(oauth)?;
    finish(
        &settings,
        &store,
        &discovery,
        Granted {
            tokens,
            identity: chosen.identity,
            kind: chosen.kind,
            requested: scopes,
            resource,
            redirect_uri: Some(redirect_uri),
        },
        &emit,
    )
    .await
}

/// The RFC 8707 resource of this login: `oauth_resource`, else what the protected-resource
/// metadata names, else the server URL; in the form every request of the login sends it.
fn canonical_resource(settings: &OAuthSettings, discovery: &Discovery) -> String {
    let chosen = settings
        .resource
        .clone()
        .or_else(|| discovery.resource().map(str::to_owned))
        .unwrap_or_else(|| settings.url_text.clone());
    Url::parse(&chosen).map_or(chosen, |u| u.to_string())
}

struct Chosen {
    identity: ClientIdentity,
    kind: ClientKind,
    listener: CallbackListener,
}

/// The client of this login, in the order of the MCP spec: pre-registered, then a client ID
/// metadata document, then dynamic registration (reusing the client an earlier login
/// registered when it still fits). Binds the callback listener on the way, since a
/// registration names the redirect URI.
async fn choose_client(
    settings: &OAuthSettings,
    http: &OAuthHttp,
    discovery: &Discovery,
    mode: RegistrationMode,
    existing: Option<&Loaded>,
    callback: &CallbackConfig,
    scopes: &[String],
) -> Result<Chosen, AuthError> {
    let server = &settings.name;
    let bind = |config: CallbackConfig| async move {
        CallbackListener::bind(&config)
            .await
            .map_err(|source| AuthError::Callback {
                server: server.clone(),
                source,
            })
    };
    let metadata = &discovery.metadata;
    if let Some(client_id) = &settings.client_id {
        let secret = settings.client_secret.as_ref().map(|(s, _)| s.clone());
        return Ok(Chosen {
            identity: ClientIdentity {
                client_id: client_id.clone(),
                auth_method: TokenAuthMethod::for_server(metadata, secret.is_some()),
                client_secret: secret,
            },
            kind: ClientKind::Preregistered,
            listener: bind(callback.clone()).await?,
        });
    }
    let cimd_supported = metadata.client_id_metadata_document_supported == Some(true);
    match (mode, &settings.cimd_url, cimd_supported) {
        (RegistrationMode::Cimd | RegistrationMode::Auto, Some(url), true) => {
            return Ok(Chosen {
                identity: ClientIdentity {
                    client_id: url.clone(),
                    client_secret: None,
                    auth_method: TokenAuthMethod::None,
                },
                kind: ClientKind::Cimd,
                listener: bind(callback.clone()).await?,
            });
        }
        (RegistrationMode::Cimd, None, _) => {
            return Err(AuthError::oauth(
                server,
                OAuthError::CimdUnavailable(
                    "no client ID metadata document URL is configured; set \
                     oauth_client_metadata_url (top level or for the server)"
                        .to_owned(),
                ),
            ));
        }
        (RegistrationMode::Cimd, Some(_), false) => {
            return Err(AuthError::oauth(
                server,
                OAuthError::CimdUnavailable(format!(
                    "the authorization server {} does not accept client ID metadata documents \
                     (client_id_metadata_document_supported); use --oauth-client-registration \
                     auto or dcr",
                    metadata.name()
                )),
            ));
        }
        _ => {}
    }
    if metadata.registration_endpoint.is_none() {
        return Err(AuthError::oauth(
            server,
            OAuthError::RegistrationUnsupported {
                issuer: metadata.name(),
                cimd: if cimd_supported {
                    " and mcpctl has no client ID metadata document URL for it \
                     (oauth_client_metadata_url)"
                } else {
                    ""
                },
            },
        ));
    }
    if let Some((identity, listener)) = reusable_client(existing, metadata, callback).await {
        return Ok(Chosen {
            identity,
            kind: ClientKind::Reused,
            listener,
        });
    }
    let listener = bind(callback.clone()).await?;
    let redirect_uri = listener.redirect_uri().to_owned();
    let native = Url::parse(&redirect_uri).is_ok_and(|u| is_local(&u));
    let identity = register(
        http,
        metadata,
        &RegistrationRequest {
            client_name: "mcpctl".to_owned(),
            redirect_uri,
            scopes: scopes.to_vec(),
            application_type: if native { "native" } else { "web" },
        },
    )
    .await
    .map_err(|e| AuthError::oauth(server, e))?;
    Ok(Chosen {
        identity,
        kind: ClientKind::Registered,
        listener,
    })
}

/// The client an earlier login registered, with a listener on its redirect URI, when it was
/// registered at this authorization server and its redirect URI can be served again.
async fn reusable_client(
    existing: Option<&Loaded>,
    metadata: &mcpctl_rmcp_client::oauth::AuthServerMetadata,
    callback: &CallbackConfig,
) -> Option<(ClientIdentity, CallbackListener)> {
    let credentials = &existing?.credentials;
    let details = credentials.client.as_ref()?;
    if details.registration.as_deref() != Some("dcr")
        || credentials.issuer.is_none()
        || credentials.issuer != metadata.issuer
    {
        return None;
    }
    let stored_uri = details.redirect_uri.as_deref()?;
    let config = match &callback.callback_url {
        // A configured callback URL is sent exactly; the client fits if it was registered
        // with the same one.
        Some(url) => (url == stored_uri).then(|| callback.clone())?,
        None => {
            let port = Url::parse(stored_uri).ok()?.port()?;
            if callback.port.is_some_and(|p| p != port) {
                return None;
            }
            CallbackConfig {
                port: Some(port),
                callback_url: None,
            }
        }
    };
    // The registered port may be taken now: then a new client is registered instead.
    let listener = CallbackListener::bind(&config).await.ok()?;
    if listener.redirect_uri() != stored_uri {
        return None;
    }
    let auth_method = details
        .token_endpoint_auth_method
        .as_deref()
        .and_then(|m| m.parse().ok())
        .unwrap_or(TokenAuthMethod::None);
    Some((
        ClientIdentity {
            client_id: credentials.client_id.clone(),
            client_secret: details.client_secret.clone(),
            auth_method,
        },
        listener,
    ))
}

/// The client credentials grant: no browser, no callback.
async fn client_credentials_grant(
    settings: &OAuthSettings,
    http: &OAuthHttp,
    discovery: &Discovery,
    resource: &str,
    scopes: &[String],
) -> Result<(TokenSet, ClientIdentity), AuthError> {
    let server = &settings.name;
    let Some(client_id) = settings.client_id.clone() else {
        return Err(AuthError::Settings {
            server: server.clone(),
            reason: "oauth.grant = \"client_credentials\" needs oauth.client_id and its \
                     oauth.client_secret_env_var (or oauth.private_key_file)"
                .to_owned(),
        });
    };
    let credential = client_credential(settings)?;
    let tokens = client_credentials(
        http,
        ClientCredentialsParams {
            metadata: &discovery.metadata,
            client_id: &client_id,
            credential: &credential,
            resource,
            scopes,
        },
    )
    .await
    .map_err(|e| AuthError::oauth(server, e))?;
    let identity = ClientIdentity {
        client_id,
        auth_method: credential.auth_method(&discovery.metadata),
        client_secret: None,
    };
    Ok((tokens, identity))
}

/// The credential of a client credentials client: its private key, else its secret.
pub(crate) fn client_credential(settings: &OAuthSettings) -> Result<ClientCredential, AuthError> {
    if let Some((path, algorithm)) = &settings.private_key {
        let pem = std::fs::read_to_string(path).map_err(|source| AuthError::PrivateKeyFile {
            server: settings.name.clone(),
            path: path.clone(),
            source,
        })?;
        return Ok(ClientCredential::PrivateKey {
            pem: Secret::new(pem),
            algorithm: algorithm.clone(),
        });
    }
    match &settings.client_secret {
        Some((secret, _)) => Ok(ClientCredential::Secret(secret.clone())),
        None => Err(AuthError::Settings {
            server: settings.name.clone(),
            reason: "oauth.grant = \"client_credentials\" needs the client's secret \
                     (oauth.client_secret_env_var) or private key (oauth.private_key_file)"
                .to_owned(),
        }),
    }
}

/// What a grant produced, to be stored.
struct Granted {
    tokens: TokenSet,
    identity: ClientIdentity,
    kind: ClientKind,
    requested: Vec<String>,
    resource: String,
    redirect_uri: Option<String>,
}

/// Stores the granted tokens with the client details a refresh and a logout need.
async fn finish(
    settings: &OAuthSettings,
    store: &Arc<CredentialStore>,
    discovery: &Discovery,
    granted: Granted,
    emit: &Emit,
) -> Result<LoginOutcome, AuthError> {
    let now = SystemTime::now();
    let metadata = &discovery.metadata;
    let credentials = StoredCredentials {
        server_name: settings.name.clone(),
        server_url: settings.url_text.clone(),
        issuer: metadata.issuer.clone(),
        client_id: granted.identity.client_id.clone(),
        access_token: granted.tokens.access_token,
        expires_at: granted
            .tokens
            .expires_in
            .map(|d| StoredCredentials::expires_at_from(d, now)),
        refresh_token: granted.tokens.refresh_token,
        scopes: granted.tokens.scopes.unwrap_or(granted.requested),
        client: Some(ClientDetails {
            // The secret of a client credentials client stays in the config only.
            client_secret: (granted.kind != ClientKind::ClientCredentials)
                .then_some(granted.identity.client_secret)
                .flatten(),
            token_endpoint_auth_method: Some(granted.identity.auth_method.as_str().to_owned()),
            token_endpoint: metadata.token_endpoint.clone(),
            revocation_endpoint: metadata.revocation_endpoint.clone(),
            resource: Some(granted.resource),
            redirect_uri: granted.redirect_uri,
            registration: Some(granted.kind.stored().to_owned()),
            ..ClientDetails::default()
        }),
    };
    let outcome = LoginOutcome {
        server: settings.name.clone(),
        location: Location::File,
        client_id: credentials.client_id.clone(),
        client: granted.kind,
        scopes: credentials.scopes.clone(),
        expires_at: credentials.expires_at,
        refresh_token: credentials.refresh_token.is_some(),
        issuer: credentials.issuer.clone(),
    };
    let to_save = credentials.clone();
    let location = blocking(store, move |s| s.save(&to_save)).await?;
    LoginCache::in_home(&settings.home).update(&[(
        credentials.key(),
        Some(LoginSummary::of(&credentials, location)),
    )]);
    emit.send(LoginEvent::Done);
    Ok(LoginOutcome {
        location,
        ..outcome
    })
}

/// Opens `url` in the browser (`$BROWSER` first, as the `webbrowser` crate does).
async fn open_browser(url: &str) -> BrowserOutcome {
    let url = url.to_owned();
    match tokio::task::spawn_blocking(move || webbrowser::open(&url)).await {
        Ok(Ok(())) => BrowserOutcome::Opened,
        Ok(Err(e)) => BrowserOutcome::Failed(e.to_string()),
        Err(e) => BrowserOutcome::Failed(e.to_string()),
    }
}

/// Waits for the callback, reporting progress every second and refused requests as they come.
async fn wait_for_callback(
    listener: CallbackListener,
    state: String,
    timeout: Duration,
    pasted: Option<mpsc::Receiver<String>>,
    emit: &Emit,
) -> Result<AuthorizationResponse, mcpctl_oauth_callback::CallbackError> {
    let (events_tx, mut events_rx) = mpsc::unbounded_channel();
    let wait = listener.wait(
        &state,
        WaitOptions {
            timeout,
            pasted,
            events: Some(events_tx),
        },
        std::future::pending(),
    );
    tokio::pin!(wait);
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            result = &mut wait => return result,
            _ = tick.tick() => emit.send(LoginEvent::Waiting { elapsed: started.elapsed(), timeout }),
            Some(event) = events_rx.recv() => {
                let (rejection, pasted) = match event {
                    CallbackEvent::Rejected(r) => (r, false),
                    CallbackEvent::PastedRejected(r) => (r, true),
                };
                emit.send(LoginEvent::CallbackRejected { reason: rejection.to_string(), pasted });
            }
        }
    }
}

/// Runs a blocking store call off the async threads (the keyring client must not run on a
/// tokio task).
pub(crate) async fn blocking<T: Send + 'static>(
    store: &Arc<CredentialStore>,
    job: impl FnOnce(&CredentialStore) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, AuthError> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || job(&store))
        .await
        .map_err(|e| AuthError::Internal(format!("the credential store task failed: {e}")))?
        .map_err(AuthError::Store)
}
