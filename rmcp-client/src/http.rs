//! Connecting to a streamable HTTP server: headers from config and environment, error mapping.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::common::client_side_sse::ExponentialBackoff;
use rmcp::transport::streamable_http_client::{
    StreamableHttpClientTransportConfig, StreamableHttpError,
};

use crate::error::{BoxError, Cause, ClientError, Operation, StderrTail};
use crate::oauth::{AuthorizedClient, OAuthSource};

/// How to reach a streamable HTTP server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpSpec {
    /// The endpoint URL.
    pub url: String,
    /// Headers sent with every request, with their values.
    pub headers: BTreeMap<String, String>,
    /// Headers whose values are read from environment variables: header name → variable name.
    pub env_headers: BTreeMap<String, String>,
    /// The name of an environment variable holding a bearer token.
    pub bearer_token_env_var: Option<String>,
    /// OAuth tokens for this server (sent instead of `bearer_token_env_var`'s token).
    pub oauth: Option<OAuthSource>,
    /// The server speaks the legacy HTTP+SSE transport (MCP 2024-11-05): `url` is its SSE
    /// stream, and messages go to the endpoint the stream names.
    pub legacy_sse: bool,
}

impl HttpSpec {
    /// The headers sent with every request: `headers`, then `env_headers` with their values
    /// read through `lookup` (the bearer token is added apart). The one header resolution of
    /// mcpctl: the client's connect and the offline auth probe both use it, so a missing
    /// variable or an invalid header fails both the same way.
    pub fn request_headers(
        &self,
        server: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<HashMap<HeaderName, HeaderValue>, ClientError> {
        let mut headers = HashMap::new();
        for (name, value) in &self.headers {
            headers.insert(
                header_name(server, name)?,
                header_value(server, name, value)?,
            );
        }
        for (name, var) in &self.env_headers {
            let value = lookup(var).ok_or_else(|| ClientError::MissingEnvVar {
                server: server.to_owned(),
                var: var.to_owned(),
                key: format!("env_http_headers.{name}"),
            })?;
            headers.insert(
                header_name(server, name)?,
                header_value(server, name, &value)?,
            );
        }
        Ok(headers)
    }
}

/// How often a broken response stream is resumed (`Last-Event-ID`) before its request fails.
///
/// rmcp's default retries forever with growing pauses (at least the server's `retry` interval,
/// 3 s for rmcp's own servers), so a call to a server that died waited for the whole tool
/// timeout. One attempt still resumes a stream the server closed on purpose (after the pause
/// it named) or that broke while the server lives; when that attempt fails too, the server is
/// gone and the call fails at once ("connection to server lost").
fn resume_policy() -> ExponentialBackoff {
    let mut policy = ExponentialBackoff::default();
    policy.max_times = Some(1);
    policy.base_duration = Duration::from_millis(100);
    policy.max_delay = Some(Duration::from_secs(1));
    policy
}

/// Builds the rmcp transport, reading every environment variable the spec names now.
pub(crate) fn transport(
    server: &str,
    spec: &HttpSpec,
) -> Result<StreamableHttpClientTransport<reqwest::Client>, ClientError> {
    Ok(StreamableHttpClientTransport::from_config(config(
        server, spec,
    )?))
}

/// The transport of an OAuth-protected server: its tokens from `source`, refreshed on a `401`
/// and stepped up on a `403 insufficient_scope` (see [`AuthorizedClient`]).
pub(crate) fn oauth_transport(
    server: &str,
    spec: &HttpSpec,
    source: &OAuthSource,
) -> Result<StreamableHttpClientTransport<AuthorizedClient<reqwest::Client>>, ClientError> {
    let client = crate::oauth::transport_http_client().map_err(|e| ClientError::Startup {
        server: server.to_owned(),
        cause: Cause::Transport {
            source: Box::new(e),
        },
        stderr: StderrTail::default(),
    })?;
    Ok(StreamableHttpClientTransport::with_client(
        AuthorizedClient::new(client, source.clone()),
        config(server, spec)?,
    ))
}

/// What the legacy SSE transport sends with: the client, the headers, the bearer token.
pub(crate) type SseParts = (
    reqwest::Client,
    HashMap<HeaderName, HeaderValue>,
    Option<String>,
);

/// The legacy SSE transport's client, headers and bearer token (`None` for an OAuth server,
/// whose client adds its own).
pub(crate) fn sse_parts(server: &str, spec: &HttpSpec) -> Result<SseParts, ClientError> {
    let client = crate::oauth::transport_http_client().map_err(|e| ClientError::Startup {
        server: server.to_owned(),
        cause: Cause::Transport {
            source: Box::new(e),
        },
        stderr: StderrTail::default(),
    })?;
    let headers = spec.request_headers(server, |var| std::env::var(var).ok())?;
    let token = match (&spec.oauth, &spec.bearer_token_env_var) {
        (None, Some(var)) => Some(std::env::var(var).map_err(|_| ClientError::MissingEnvVar {
            server: server.to_owned(),
            var: var.to_owned(),
            key: "bearer_token_env_var".to_owned(),
        })?),
        _ => None,
    };
    Ok((client, headers, token))
}

/// The transport's settings: headers, the resume policy, the bearer token.
fn config(
    server: &str,
    spec: &HttpSpec,
) -> Result<StreamableHttpClientTransportConfig, ClientError> {
    let read_var = |var: &str, key: String| {
        std::env::var(var).map_err(|_| ClientError::MissingEnvVar {
            server: server.to_owned(),
            var: var.to_owned(),
            key,
        })
    };
    let headers = spec.request_headers(server, |var| std::env::var(var).ok())?;
    let mut config =
        StreamableHttpClientTransportConfig::with_uri(spec.url.as_str()).custom_headers(headers);
    config.retry_config = Arc::new(resume_policy());
    if let Some(var) = &spec.bearer_token_env_var {
        config = config.auth_header(read_var(var, "bearer_token_env_var".to_owned())?);
    }
    Ok(config)
}

fn header_name(server: &str, name: &str) -> Result<HeaderName, ClientError> {
    HeaderName::try_from(name).map_err(|e| ClientError::InvalidHeader {
        server: server.to_owned(),
        header: name.to_owned(),
        reason: e.to_string(),
    })
}

/// Checks a value without ever putting it in the error (it may be a secret).
fn header_value(server: &str, name: &str, value: &str) -> Result<HeaderValue, ClientError> {
    HeaderValue::try_from(value).map_err(|_| ClientError::InvalidHeader {
        server: server.to_owned(),
        header: name.to_owned(),
        reason: "the value contains characters not allowed in HTTP headers".to_owned(),
    })
}

/// Turns a failed HTTP connect into the clearest error its cause allows: needs login (401),
/// another HTTP status, DNS failure, connection refused, TLS failure, timeout. `source` is what
/// the transport reported.
pub(crate) fn connect_error(
    server: &str,
    url: &str,
    legacy_sse: bool,
    token_env_var: Option<&str>,
    startup_timeout: Duration,
    source: Option<BoxError>,
) -> ClientError {
    let startup = |cause| ClientError::Startup {
        server: server.to_owned(),
        cause,
        stderr: StderrTail::default(),
    };
    let Some(source) = source else {
        return startup(Cause::ConnectionLost { source: None });
    };
    let error = match source.downcast::<StreamableHttpError<reqwest::Error>>() {
        Ok(error) => *error,
        Err(other) => return startup(Cause::Transport { source: other }),
    };
    match status_of(&error) {
        Some(401) => {
            return ClientError::NeedsLogin {
                server: server.to_owned(),
                token_env_var: token_env_var.map(str::to_owned),
            };
        }
        Some(status) => {
            return ClientError::HttpStatus {
                server: server.to_owned(),
                url: url.to_owned(),
                status,
                legacy_sse,
            };
        }
        None => {}
    }
    match error {
        StreamableHttpError::Client(inner) => {
            classify_network_error(server, url, startup_timeout, inner)
        }
        other => startup(transport_cause(other)),
    }
}

/// Why a request to a connected HTTP server failed, from what the transport reported.
pub(crate) fn request_cause(source: BoxError) -> Cause {
    match source.downcast::<StreamableHttpError<reqwest::Error>>() {
        Ok(error) => match status_of(&error) {
            Some(status) => Cause::HttpStatus { status },
            None => transport_cause(*error),
        },
        Err(other) => Cause::Transport { source: other },
    }
}

/// The HTTP status behind a transport error, if one is.
fn status_of(error: &StreamableHttpError<reqwest::Error>) -> Option<u16> {
    match error {
        StreamableHttpError::AuthRequired(_) => Some(401),
        StreamableHttpError::InsufficientScope(_) => Some(403),
        StreamableHttpError::HttpStatus(status) => Some(status.status),
        // rmcp reports other error statuses only in its text: "HTTP 404 Not Found: <body>".
        StreamableHttpError::UnexpectedServerResponse(text) => status_in_text(text),
        _ => None,
    }
}

/// A transport error that is no HTTP status: a lost connection, or something odd.
fn transport_cause(error: StreamableHttpError<reqwest::Error>) -> Cause {
    match error {
        StreamableHttpError::ResponseBodyTooLarge { max_size } => {
            Cause::TooLarge { limit: max_size }
        }
        StreamableHttpError::Client(inner) => Cause::ConnectionLost {
            source: Some(Box::new(inner)),
        },
        StreamableHttpError::Io(inner) => Cause::ConnectionLost {
            source: Some(Box::new(inner)),
        },
        StreamableHttpError::Sse(_)
        | StreamableHttpError::UnexpectedEndOfStream
        | StreamableHttpError::TransportChannelClosed
        | StreamableHttpError::SessionExpired => Cause::ConnectionLost {
            source: Some(Box::new(error)),
        },
        StreamableHttpError::Deserialize(_) => Cause::InvalidAnswer,
        // A token source's failure (see oauth::TokenSource) is its own sentence, said once.
        StreamableHttpError::Auth(rmcp::transport::auth::AuthError::AuthorizationFailed(
            reason,
        )) => Cause::Transport {
            source: reason.into(),
        },
        other => Cause::Transport {
            source: Box::new(other),
        },
    }
}

/// The status of rmcp's "HTTP 404 Not Found: …" text.
fn status_in_text(text: &str) -> Option<u16> {
    let code = text.strip_prefix("HTTP ")?.get(..3)?;
    code.parse().ok().filter(|c| (400..600).contains(c))
}

/// DNS failure, refused connection, timeout or TLS failure, from reqwest's error chain.
fn classify_network_error(
    server: &str,
    url: &str,
    startup_timeout: Duration,
    error: reqwest::Error,
) -> ClientError {
    let server = server.to_owned();
    let chain = chain_text(&error);
    if chain_has_io_kind(&error, std::io::ErrorKind::ConnectionRefused) {
        return ClientError::ConnectionRefused {
            server,
            url: url.to_owned(),
        };
    }
    // hyper's resolver wraps the OS lookup failure in "dns error".
    if chain.contains("dns error") || chain.contains("failed to lookup address") {
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        return ClientError::HostNotFound {
            server,
            host,
            url: url.to_owned(),
        };
    }
    if error.is_timeout() || chain_has_io_kind(&error, std::io::ErrorKind::TimedOut) {
        return ClientError::Timeout {
            server,
            operation: Operation::Startup,
            after: startup_timeout,
            stderr: StderrTail::default(),
        };
    }
    let lower = chain.to_ascii_lowercase();
    // A connect failure on https that is neither DNS nor refused is the TLS handshake.
    let tls_words = ["tls", "certificate", "handshake", "ssl"];
    if tls_words.iter().any(|w| lower.contains(w))
        || (error.is_connect() && url.starts_with("https:"))
    {
        return ClientError::Tls {
            server,
            url: url.to_owned(),
            source: error,
        };
    }
    ClientError::Startup {
        server,
        cause: Cause::ConnectionLost {
            source: Some(Box::new(error)),
        },
        stderr: StderrTail::default(),
    }
}

/// Every message of an error's source chain, for matching words in it (never shown).
fn chain_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut current = Some(error);
    while let Some(e) = current {
        parts.push(e.to_string());
        current = e.source();
    }
    parts.join(": ")
}

/// True when some error in the chain is an I/O error of `kind`.
fn chain_has_io_kind(error: &(dyn std::error::Error + 'static), kind: std::io::ErrorKind) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == kind
        {
            return true;
        }
        current = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_bearer_variable_is_named() {
        let spec = HttpSpec {
            url: "http://127.0.0.1:1/mcp".to_owned(),
            bearer_token_env_var: Some("MCPCTL_TEST_SURELY_UNSET_TOKEN".to_owned()),
            ..HttpSpec::default()
        };
        let err = transport("remote", &spec).err().unwrap();
        assert_eq!(
            err.to_string(),
            "server `remote`: environment variable `MCPCTL_TEST_SURELY_UNSET_TOKEN` (named by `bearer_token_env_var`) is not set"
        );
    }

    #[test]
    fn bad_header_value_is_not_echoed() {
        let spec = HttpSpec {
            url: "http://127.0.0.1:1/mcp".to_owned(),
            headers: BTreeMap::from([("X-Key".to_owned(), "secret\nvalue".to_owned())]),
            ..HttpSpec::default()
        };
        let err = transport("remote", &spec).err().unwrap().to_string();
        assert!(err.contains("`X-Key`") && !err.contains("secret"), "{err}");
    }

    #[test]
    fn status_is_read_from_rmcps_text() {
        assert_eq!(status_in_text("HTTP 404 Not Found: nope"), Some(404));
        assert_eq!(status_in_text("HTTP 503 Service Unavailable: "), Some(503));
        assert_eq!(status_in_text("HTTP 200 OK"), None);
        assert_eq!(status_in_text("expect json, got HTTP 404"), None);
    }

    #[test]
    fn status_errors_say_what_to_do() {
        let err = ClientError::HttpStatus {
            server: "remote".to_owned(),
            url: "http://127.0.0.1:1/mcp".to_owned(),
            status: 404,
            legacy_sse: false,
        };
        assert_eq!(
            err.to_string(),
            "server `remote`: the server answered 404 Not Found at http://127.0.0.1:1/mcp: check the URL"
        );
    }
}
