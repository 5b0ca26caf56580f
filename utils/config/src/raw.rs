//! The one description of the `config.toml` format mcpctl reads and writes: raw types that serde
//! reads (with located errors), that serde writes (the config writer's key order is their field
//! order), and that schemars describes (`config.schema.json`, from the doc comments here).
//!
//! These types check shapes only (a string, an array of strings, a number). What the values must
//! mean (one transport, a URL scheme, a timeout range) is checked once, when `convert.rs` turns
//! them into the validated types of `types.rs`. Adding a key means adding a field here and
//! mapping it in `convert.rs` (both directions).

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use mcpctl_approval_presets::{ApprovalMode, Preset};
use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::convert::{CredentialsStoreMode, TrustLevel};
use crate::types::{MAX_TIMEOUT_SECS, MIN_TIMEOUT_SECS};

/// The top level of `config.toml`. Keys not listed here are kept and ignored (a Codex config
/// holds many more).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[schemars(rename = "ConfigToml")]
pub(crate) struct RawConfig {
    /// MCP servers by name. Names use letters, digits and `- _ : @ / .`.
    // Each server is read on its own (a table with a name mcpctl cannot use is skipped, not
    // fatal), so the values stay TOML here; the schema shows what each one holds.
    #[schemars(with = "Option<BTreeMap<String, RawServer>>")]
    pub(crate) mcp_servers: Option<ServerTables>,
    /// Where OAuth tokens are stored: the OS keyring when available (`auto`), always a private
    /// file (`file`), or always the keyring (`keyring`).
    pub(crate) mcp_oauth_credentials_store: Option<CredentialsStoreMode>,
    /// Fixed port of the local OAuth callback listener (0 or unset: any free port).
    #[serde(default, deserialize_with = "port")]
    pub(crate) mcp_oauth_callback_port: Option<u16>,
    /// Exact redirect URI to register and use at OAuth login (e.g. behind an ingress).
    pub(crate) mcp_oauth_callback_url: Option<String>,
    /// HTTPS URL of this client's OAuth client ID metadata document (CIMD), used as the client
    /// id with authorization servers that accept such documents.
    pub(crate) oauth_client_metadata_url: Option<String>,
    /// Feature flags; see `mcpctl features list`.
    #[schemars(with = "Option<BTreeMap<String, bool>>")]
    pub(crate) features: Option<FeatureTable>,
    /// Trust of project folders, keyed by absolute path; written by `mcpctl trust`.
    #[schemars(with = "Option<BTreeMap<String, RawProject>>")]
    pub(crate) projects: Option<ProjectTables>,
    /// mcpctl's key: the gateway-wide approval starting point, below any server or tool
    /// `approval_mode`.
    #[serde(default, deserialize_with = "parsed")]
    pub(crate) approval_preset: Option<Preset>,
    /// mcpctl's key: tools `mcpctl serve --tool-search` lists beside `search_tools` and
    /// `call_tool`, by their gateway names (`<server>__<tool>`).
    #[serde(default, deserialize_with = "strings")]
    pub(crate) gateway_pinned_tools: Option<Vec<String>>,
    /// Deprecated: write `rmcp_client = true` under `[features]` instead.
    #[schemars(extend("deprecated" = true))]
    pub(crate) experimental_use_rmcp_client: Option<bool>,
}

/// `[mcp_servers]`: server name to its table, read one by one.
pub(crate) type ServerTables = BTreeMap<String, toml::Value>;
/// `[features]`: feature name to on/off, in file order of the merged table.
pub(crate) type FeatureTable = BTreeMap<String, bool>;
/// `[projects]`: folder to its settings.
pub(crate) type ProjectTables = BTreeMap<String, toml::Value>;

/// Top-level keys mcpctl reads that are not part of the schema: `[mcpctl] server_overrides`
/// is the administrator's (managed config only; see `mcpctl-core`'s policy).
pub(crate) const UNLISTED_TOP_LEVEL_KEYS: &[&str] = &["mcpctl"];

/// Codex's own top-level keys that are a near miss of one of mcpctl's (`approval_policy` of
/// `approval_preset`): a Codex config holds them on purpose, so they are not warned about.
pub(crate) const CODEX_TOP_LEVEL_KEYS: &[&str] = &["approval_policy"];

/// `[projects."<dir>"]`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub(crate) struct RawProject {
    /// `trusted` reads the project's `.mcpctl/config.toml`; `untrusted` ignores it.
    pub(crate) trust_level: Option<TrustLevel>,
}

/// One MCP server: exactly one of `command` (stdio) or `url` (streamable HTTP). The field order
/// is the order in which the config writer writes keys; tables come last.
#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[schemars(rename = "McpServerToml")]
pub(crate) struct RawServer {
    /// stdio: the program to run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) command: Option<String>,
    /// stdio: its arguments.
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) args: Option<Vec<String>>,
    /// stdio: names of variables passed through from mcpctl's environment.
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) env_vars: Option<Vec<String>>,
    /// stdio: working directory of the child.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cwd: Option<String>,
    /// streamable HTTP: the endpoint URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) url: Option<String>,
    /// HTTP: `"sse"` for a legacy HTTP+SSE server (MCP 2024-11-05; `url` is its SSE stream),
    /// `"streamable_http"` (the default). mcpctl's key; Codex ignores it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) transport: Option<HttpKind>,
    /// streamable HTTP: environment variable holding a bearer token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) bearer_token_env_var: Option<String>,
    /// streamable HTTP: a command whose output gives extra headers at connect time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) http_headers_helper: Option<String>,
    /// Whether the server is started (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) enabled: Option<bool>,
    /// Startup fails when a required server cannot start (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) required: Option<bool>,
    /// Seconds allowed for spawn, initialize and the first tools/list (default 10).
    #[serde(
        default,
        deserialize_with = "seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) startup_timeout_sec: Option<f64>,
    /// Deprecated: use `startup_timeout_sec`.
    #[serde(
        default,
        deserialize_with = "millis",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("deprecated" = true))]
    pub(crate) startup_timeout_ms: Option<u64>,
    /// Seconds allowed for each tool call (default 60).
    #[serde(
        default,
        deserialize_with = "seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) tool_timeout_sec: Option<f64>,
    /// Only these tools are exposed.
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) enabled_tools: Option<Vec<String>>,
    /// These tools are hidden (applied after `enabled_tools`).
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) disabled_tools: Option<Vec<String>>,
    /// OAuth scopes requested at login.
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) scopes: Option<Vec<String>>,
    /// RFC 8707 resource indicator sent at OAuth login.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) oauth_resource: Option<String>,
    /// This server's client ID metadata document URL (overrides the top-level one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) oauth_client_metadata_url: Option<String>,
    /// How this server's tool calls are approved unless a tool sets its own `approval_mode`.
    #[serde(
        default,
        deserialize_with = "parsed",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) default_tools_approval_mode: Option<ApprovalMode>,
    /// Whether the server handles concurrent tool calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) supports_parallel_tool_calls: Option<bool>,
    /// stdio: environment variables set for the child.
    #[serde(
        default,
        deserialize_with = "string_map",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) env: Option<BTreeMap<String, String>>,
    /// streamable HTTP: static headers.
    #[serde(
        default,
        deserialize_with = "string_map",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) http_headers: Option<BTreeMap<String, String>>,
    /// streamable HTTP: header name to the environment variable holding its value.
    #[serde(
        default,
        deserialize_with = "string_map",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) env_http_headers: Option<BTreeMap<String, String>>,
    /// A pre-registered OAuth client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) oauth: Option<RawOAuth>,
    /// Settings per tool, by tool name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<BTreeMap<String, RawTool>>")]
    pub(crate) tools: Option<BTreeMap<String, toml::Value>>,
}

/// Codex's server keys that mcpctl does not use: known (no warning), kept in the file as they
/// are, listed by `get` as ignored.
pub(crate) const CODEX_ONLY_SERVER_KEYS: &[&str] =
    &["startup_readiness", "output_token_limit", "environment_id"];

/// Server keys that only a stdio server may have.
pub(crate) const STDIO_ONLY: &[&str] = &["args", "env", "env_vars", "cwd"];
/// Server keys that only a streamable HTTP server may have.
pub(crate) const HTTP_ONLY: &[&str] = &[
    "transport",
    "bearer_token_env_var",
    "http_headers",
    "env_http_headers",
    "http_headers_helper",
];

/// How an HTTP server is spoken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum HttpKind {
    /// Streamable HTTP (the default).
    StreamableHttp,
    /// The legacy HTTP+SSE transport of MCP 2024-11-05.
    Sse,
}

/// Keys still read but deprecated: never suggested for a misspelling.
pub(crate) const DEPRECATED_SERVER_KEYS: &[&str] = &["startup_timeout_ms"];

/// `[mcp_servers.<name>.oauth]`: a pre-registered OAuth client.
#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
pub(crate) struct RawOAuth {
    /// Pre-registered client id (dynamic registration when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) client_id: Option<String>,
    /// Secret of a confidential client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) client_secret: Option<String>,
    /// Environment variable holding the client secret (mcpctl's key; preferred over
    /// `client_secret`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) client_secret_env_var: Option<String>,
    /// Exact redirect URI to use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) callback_url: Option<String>,
    /// `authorization_code` (default: a browser login) or `client_credentials` (headless).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) grant: Option<Grant>,
    /// PEM file with the private key for `private_key_jwt` client authentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) private_key_file: Option<String>,
    /// JWS algorithm of `private_key_file` (default `ES256`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) signing_alg: Option<String>,
}

/// How an OAuth client gets its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Grant {
    /// A browser login.
    AuthorizationCode,
    /// Headless: the client's own credentials.
    ClientCredentials,
}

impl Grant {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Grant::AuthorizationCode => "authorization_code",
            Grant::ClientCredentials => "client_credentials",
        }
    }
}

impl FromStr for Grant {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "authorization_code" => Ok(Grant::AuthorizationCode),
            "client_credentials" => Ok(Grant::ClientCredentials),
            other => Err(format!(
                "'{other}' is not a grant: expected \"authorization_code\" or \"client_credentials\""
            )),
        }
    }
}

/// Settings of one tool (`[mcp_servers.<name>.tools.<tool>]`).
#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
pub(crate) struct RawTool {
    /// How this tool's calls are approved (over `default_tools_approval_mode`).
    #[serde(
        default,
        deserialize_with = "parsed",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) approval_mode: Option<ApprovalMode>,
}

// ---------------------------------------------------------------------------------------------
// The field names of a raw type, from its own `Deserialize` (so no list is kept by hand).

/// The keys a raw struct reads, in declaration order, asked of its `Deserialize` impl.
pub(crate) fn field_names<T: for<'de> Deserialize<'de>>() -> &'static [&'static str] {
    struct Fields(Option<&'static [&'static str]>);
    #[derive(Debug)]
    struct Stop;
    impl fmt::Display for Stop {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("stop")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<M: fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    impl<'de> Deserializer<'de> for &mut Fields {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0 = Some(fields);
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut fields = Fields(None);
    let _ = T::deserialize(&mut fields);
    fields.0.unwrap_or(&[])
}

// ---------------------------------------------------------------------------------------------
// Shapes with the wording mcpctl's errors use. Serde reports "invalid type: X, expected Y";
// `convert.rs` turns that into "expected Y, found X".

/// `["a", "b"]`: any other element makes the whole value wrong.
fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of strings")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            loop {
                match seq.next_element::<toml::Value>()? {
                    None => return Ok(out),
                    Some(toml::Value::String(item)) => out.push(item),
                    Some(other) => {
                        return Err(de::Error::custom(format!(
                            "expected an array of strings, found an array holding {}",
                            type_name(&other)
                        )));
                    }
                }
            }
        }
    }
    d.deserialize_seq(V).map(Some)
}

/// `{ KEY = "value" }`.
fn string_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, String>>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = BTreeMap<String, String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a table of strings (KEY = \"value\")")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                let value = map.next_value::<String>()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(V).map(Some)
}

/// A number of seconds, integer or float, within the range the command-line flags accept.
fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    struct V;
    fn check<E: de::Error>(secs: f64) -> Result<f64, E> {
        if (MIN_TIMEOUT_SECS..=MAX_TIMEOUT_SECS).contains(&secs) {
            Ok(secs)
        } else {
            Err(E::custom(format!(
                "{SECONDS}, found {}",
                crate::convert::shown_number(secs)
            )))
        }
    }
    impl Visitor<'_> for V {
        type Value = f64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(SECONDS.trim_start_matches("expected "))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
            check(v as f64)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
            check(v as f64)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
            check(v)
        }
    }
    d.deserialize_any(V).map(Some)
}

/// The wording of a timeout's range.
const SECONDS: &str = "expected a number of seconds from 0.001 to 31536000 (one year)";

/// A non-negative integer of milliseconds.
fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-negative integer (milliseconds)")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v)
                .map_err(|_| E::custom("expected a non-negative integer (milliseconds)"))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
    }
    d.deserialize_any(V).map(Some)
}

/// A TCP port.
fn port<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    struct V;
    const PORT: &str = "expected a port number between 0 and 65535";
    impl Visitor<'_> for V {
        type Value = u16;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(PORT.trim_start_matches("expected "))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u16, E> {
            u16::try_from(v).map_err(|_| E::custom(PORT))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u16, E> {
            u16::try_from(v).map_err(|_| E::custom(PORT))
        }
    }
    d.deserialize_any(V).map(Some)
}

/// A string naming one of a type's values; the type's own parse error says which are valid.
fn parsed<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: fmt::Display,
{
    struct V<T>(PhantomData<T>);
    impl<T: FromStr> Visitor<'_> for V<T>
    where
        T::Err: fmt::Display,
    {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            v.parse::<T>().map_err(E::custom)
        }
    }
    d.deserialize_str(V(PhantomData)).map(Some)
}

/// How a TOML value's type is named in messages.
pub(crate) fn type_name(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a datetime",
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_come_from_the_types() {
        assert_eq!(field_names::<RawTool>(), &["approval_mode"]);
        let server = field_names::<RawServer>();
        assert_eq!(server.first(), Some(&"command"));
        assert!(server.contains(&"http_headers_helper"));
        assert!(field_names::<RawConfig>().contains(&"approval_preset"));
    }

    #[test]
    fn seconds_wording_matches_the_range_constants() {
        assert_eq!(
            SECONDS,
            format!(
                "expected a number of seconds from {MIN_TIMEOUT_SECS} to {MAX_TIMEOUT_SECS:.0} (one year)"
            )
        );
    }
}
