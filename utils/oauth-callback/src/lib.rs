//! The OAuth callback listener: receives the authorization response on the redirect URI.
//!
//! A login binds a [`CallbackListener`] first (from `mcp_oauth_callback_port` and
//! `mcp_oauth_callback_url` / the server's `oauth.callback_url`, see [`CallbackConfig`]),
//! sends its [`redirect_uri`](CallbackListener::redirect_uri) exactly as given in the
//! authorization request, opens the browser, then [`wait`](CallbackListener::wait)s:
//! - the listener serves only the redirect URI's path; any other path is answered 404 and the
//!   wait goes on;
//! - a request without this login's `state` is answered 400 and the wait goes on: a forged or
//!   stale request never ends a login;
//! - `error=…` with the right `state` ends the login with [`CallbackError::Denied`];
//! - `code` with the right `state` ends it with an [`AuthorizationResponse`] carrying the RFC
//!   9207 `iss` for the caller to check;
//! - the browser gets a small HTML page that contains no code or token;
//! - a deadline (default [`DEFAULT_TIMEOUT`], 300 s) and a cancellation future bound the wait.
//!
//! The host decides the bind: `localhost`, `127.0.0.1` and `::1` bind loopback, any other host
//! (an ingress, a remote dev box) binds `0.0.0.0`, reported as [`BindScope::AllInterfaces`] so
//! the front end can say so. `--no-browser` front ends feed the callback URL the user pastes
//! into [`WaitOptions::pasted`] (or check it alone with [`check_pasted_url`]); it passes the same
//! rules. The crate prints nothing: refused requests are [`CallbackEvent`]s on a channel.
//!
//! ```no_run
//! use mcpctl_oauth_callback::{CallbackConfig, CallbackListener, WaitOptions};
//! # async fn login(state: &str) -> Result<(), mcpctl_oauth_callback::CallbackError> {
//! let listener = CallbackListener::bind(&CallbackConfig::default()).await?;
//! let redirect_uri = listener.redirect_uri().to_owned();
//! // ... build the authorization URL with `redirect_uri` and `state`, open the browser ...
//! let response = listener
//!     .wait(state, WaitOptions::default(), std::future::pending())
//!     .await?;
//! // ... check response.iss, exchange response.code.expose() with the same redirect_uri ...
//! # let _ = (redirect_uri, response); Ok(()) }
//! ```

mod config;
mod error;
mod listener;
mod page;
mod verdict;

pub use config::{BindScope, CallbackConfig, DEFAULT_CALLBACK_PATH};
pub use error::CallbackError;
pub use listener::{CallbackEvent, CallbackListener, DEFAULT_TIMEOUT, WaitOptions};
pub use verdict::{
    AuthorizationCode, AuthorizationResponse, ProviderError, Rejection, Verdict, check_pasted_url,
};
