//! What can stop the app server, and how handler failures become JSON-RPC errors.

use mcpctl_app_server_protocol::{INTERNAL_ERROR, INVALID_PARAMS, JsonRpcError};
use thiserror::Error;

/// A failure of the server as a whole (a handler's failure is an error answer instead).
#[derive(Debug, Error)]
pub enum AppServerError {
    /// Reading stdin or writing stdout failed.
    #[error("app server: cannot {action} the client's pipe: {source}")]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Parses `params` as `T`; the error names the field that did not fit (`-32602`).
pub(crate) fn parse_params<T: serde::de::DeserializeOwned>(
    params: Option<serde_json::Value>,
) -> Result<T, JsonRpcError> {
    let params = params.unwrap_or_else(|| serde_json::Value::Object(Default::default()));
    serde_path_to_error::deserialize(params).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let message = if path == "." || path.is_empty() {
            format!("invalid params: {inner}")
        } else {
            format!("invalid params: field `{path}`: {inner}")
        };
        JsonRpcError::new(INVALID_PARAMS, message)
    })
}

/// An invalid-params error for a field whose value parsed but makes no sense.
pub(crate) fn invalid(field: &str, why: impl std::fmt::Display) -> JsonRpcError {
    JsonRpcError::new(
        INVALID_PARAMS,
        format!("invalid params: field `{field}`: {why}"),
    )
}

/// A method that failed (`-32603`), with core's message.
pub(crate) fn internal(err: impl std::fmt::Display) -> JsonRpcError {
    JsonRpcError::new(INTERNAL_ERROR, err.to_string())
}
