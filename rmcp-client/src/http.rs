//! Connecting to a streamable HTTP server: headers from config and environment, error mapping.

use std::collections::{BTreeMap, HashMap};

use reqwest::header::{HeaderName, HeaderValue};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::{
    StreamableHttpClientTransportConfig, StreamableHttpError,
};

use rmcp::service::ClientInitializeError;

use crate::error::{ClientError, StderrTail, error_chain};

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
}

/// Builds the rmcp transport, reading every environment variable the spec names now.
pub(crate) fn transport(
    server: &str,
    spec: &HttpSpec,
) -> Result<StreamableHttpClientTransport<reqwest::Client>, ClientError> {
    let read_var = |var: &str, key: String| {
        std::env::var(var).map_err(|_| ClientError::MissingEnvVar {
            server: server.to_owned(),
            var: var.to_owned(),
            key,
        })
    };
    let mut headers = HashMap::new();
    for (name, value) in &spec.headers {
        headers.insert(
            header_name(server, name)?,
            header_value(server, name, value)?,
        );
    }
    for (name, var) in &spec.env_headers {
        let value = read_var(var, format!("env_http_headers.{name}"))?;
        headers.insert(
            header_name(server, name)?,
            header_value(server, name, &value)?,
        );
    }
    let mut config =
        StreamableHttpClientTransportConfig::with_uri(spec.url.as_str()).custom_headers(headers);
    if let Some(var) = &spec.bearer_token_env_var {
        config = config.auth_header(read_var(var, "bearer_token_env_var".to_owned())?);
    }
    Ok(StreamableHttpClientTransport::from_config(config))
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

/// Turns a failed HTTP connect into the clearest error its cause allows.
pub(crate) fn map_connect_error(
    server: &str,
    url: &str,
    error: &ClientInitializeError,
) -> ClientError {
    let transport = match error {
        ClientInitializeError::TransportError { error, .. } => error
            .error
            .downcast_ref::<StreamableHttpError<reqwest::Error>>(),
        _ => None,
    };
    let cause = match transport {
        Some(StreamableHttpError::AuthRequired(_)) => {
            return ClientError::NeedsLogin {
                server: server.to_owned(),
            };
        }
        Some(StreamableHttpError::HttpStatus(status)) if status.status == 401 => {
            return ClientError::NeedsLogin {
                server: server.to_owned(),
            };
        }
        Some(StreamableHttpError::Client(inner)) => {
            if chain_has_refused(inner) {
                return ClientError::ConnectionRefused {
                    server: server.to_owned(),
                    url: url.to_owned(),
                };
            }
            // reqwest's own chain names the real cause (DNS, TLS, timeout); rmcp's wrapper hides it.
            error_chain(inner)
        }
        _ => error_chain(error),
    };
    // A 401 without a `WWW-Authenticate` challenge only shows in the text.
    if cause.contains("401") {
        return ClientError::NeedsLogin {
            server: server.to_owned(),
        };
    }
    ClientError::Startup {
        server: server.to_owned(),
        cause,
        stderr: StderrTail::default(),
    }
}

/// True when some error in the chain is a refused TCP connection.
fn chain_has_refused(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
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
}
