use mcpctl_keypath::KeyPathError;

/// Why a `-c key=value`, `--enable` or `--disable` argument was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    /// The argument has no `=` outside quotes.
    #[error(
        "invalid config override '-c {raw}': missing '='; expected the form `-c key=value`, \
         e.g. `-c mcp_servers.docs.enabled=false`"
    )]
    MissingEquals {
        /// The argument as given.
        raw: String,
    },
    /// The key before `=` is not a valid dotted key path.
    #[error(
        "invalid config override '-c {raw}': {source}; expected the form `-c key=value` with a \
         dotted key, e.g. `-c mcp_servers.\"a.b\".enabled=false`"
    )]
    InvalidKey {
        /// The argument as given.
        raw: String,
        /// What is wrong with the key.
        #[source]
        source: KeyPathError,
    },
    /// A `--enable`/`--disable` value that is not a plain feature name.
    #[error(
        "invalid feature name '{name}' for {flag}: feature names may contain only letters, \
         digits, `_` and `-`; expected e.g. `{flag} rmcp_client`"
    )]
    InvalidFeature {
        /// `--enable` or `--disable`.
        flag: &'static str,
        /// The name as given.
        name: String,
    },
}
