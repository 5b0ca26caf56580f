//! [`AuthError`]: why a login, logout, refresh or auth status failed.

use std::path::PathBuf;

use mcpctl_credentials_store::StoreError;
use mcpctl_oauth_callback::CallbackError;
use mcpctl_rmcp_client::oauth::OAuthError;
use thiserror::Error;

use crate::error::CoreError;

/// Everything an OAuth operation of mcpctl can fail with. Each message is one sentence (or
/// two) naming the server, the cause and the fix; none carries a token, code or secret.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Loading the workspace or finding the server failed.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// OAuth applies to HTTP servers only.
    #[error(
        "MCP server '{server}' is a stdio server (a local command); OAuth login is only for HTTP \
         servers (--url)"
    )]
    NotHttp {
        /// The server.
        server: String,
    },
    /// The server already authenticates with a bearer token from the environment.
    #[error(
        "MCP server '{server}' sends a bearer token from ${var} (bearer_token_env_var); remove \
         that key to log in with OAuth instead"
    )]
    UsesBearerToken {
        /// The server.
        server: String,
        /// The variable.
        var: String,
    },
    /// Tokens would cross the network in clear text.
    #[error(
        "MCP server '{server}' is reached over plain http:// at {url}; OAuth tokens would travel \
         unencrypted, so mcpctl logs in only to https:// servers (or http:// on this machine)"
    )]
    InsecureUrl {
        /// The server.
        server: String,
        /// Its URL.
        url: String,
    },
    /// GitHub's MCP endpoint: no OAuth for third-party clients, a token is the way.
    #[error(
        "GitHub's MCP server does not offer OAuth login to clients like mcpctl; create a personal \
         access token (https://github.com/settings/personal-access-tokens), export it, and use it: \
         `mcpctl add {server} --url {url} --bearer-token-env-var GITHUB_PAT --replace`"
    )]
    GitHub {
        /// The server.
        server: String,
        /// Its URL.
        url: String,
    },
    /// A variable the server's config names is not set.
    #[error("MCP server '{server}': environment variable ${var} (named by {key}) is not set")]
    MissingEnvVar {
        /// The server.
        server: String,
        /// The variable.
        var: String,
        /// The config key naming it.
        key: String,
    },
    /// A configured header cannot be sent.
    #[error("MCP server '{server}': invalid HTTP header `{header}` in its config")]
    InvalidHeader {
        /// The server.
        server: String,
        /// The header name.
        header: String,
    },
    /// The OAuth settings of the server do not fit together.
    #[error("MCP server '{server}': {reason}")]
    Settings {
        /// The server.
        server: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// The private key file of `private_key_jwt` cannot be read.
    #[error("MCP server '{server}': cannot read oauth.private_key_file {}: {source}", path.display())]
    PrivateKeyFile {
        /// The server.
        server: String,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A step of the OAuth protocol failed.
    #[error("cannot log in to MCP server '{server}': {source}")]
    OAuth {
        /// The server.
        server: String,
        /// What failed.
        #[source]
        source: OAuthError,
    },
    /// The callback listener failed or the login timed out or was refused.
    #[error("cannot log in to MCP server '{server}': {source}")]
    Callback {
        /// The server.
        server: String,
        /// What failed.
        #[source]
        source: CallbackError,
    },
    /// The credential store failed (its message names the file or keyring and the fix).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A refresh or use needs a login that does not exist.
    #[error("MCP server '{server}' is not logged in; run `mcpctl login {server}`")]
    NotLoggedIn {
        /// The server.
        server: String,
    },
    /// The stored login is over (its refresh token was rejected, or it has none left).
    #[error(
        "the OAuth login of MCP server '{server}' has ended ({reason}); run `mcpctl login {server}`"
    )]
    LoginExpired {
        /// The server.
        server: String,
        /// Why.
        reason: String,
    },
    /// A background task died (a bug; the message says which).
    #[error("internal error: {0}")]
    Internal(String),
}

impl AuthError {
    pub(crate) fn oauth(server: &str, source: OAuthError) -> Self {
        Self::OAuth {
            server: server.to_owned(),
            source,
        }
    }
}
