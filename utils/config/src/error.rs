//! Errors from reading and validating configuration layers.

use std::path::PathBuf;

use thiserror::Error;

/// Everything that can go wrong while loading, merging or validating configuration.
///
/// Each message says what was wrong, where (file, line, column, key path or server name) and,
/// where it is not obvious, how to fix it.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// A file exists but could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file that steers mcpctl could have been written by another user.
    #[error(transparent)]
    NotPrivate(#[from] mcpctl_private_file::OwnershipError),
    /// The trust records could not be read.
    #[error(transparent)]
    Trust(#[from] crate::trust::TrustStoreError),
    /// A file is not valid TOML.
    #[error("{location}: {message}\n{snippet}")]
    Syntax {
        /// `path:line:column`.
        location: String,
        /// What the parser said.
        message: String,
        /// The offending line with a caret under the column.
        snippet: String,
    },
    /// A key has a value of the wrong type, or a table breaks a rule.
    #[error("{location}{key}: {message}")]
    Invalid {
        /// `path:line:column: ` of the value, or empty when it came from nowhere in a file.
        location: String,
        /// The dotted key path, e.g. `mcp_servers.x.args`.
        key: String,
        /// What is wrong and what to write instead.
        message: String,
    },
    /// A `-c key=value` override could not be understood.
    #[error("invalid override `-c {raw}`: {message}")]
    Override {
        /// The override as given.
        raw: String,
        /// What is wrong.
        message: String,
    },
    /// A server name uses characters mcpctl does not accept.
    #[error("invalid server name {name:?}: {reason}")]
    InvalidServerName {
        /// The name as given.
        name: String,
        /// Why it was refused.
        reason: String,
    },
}
