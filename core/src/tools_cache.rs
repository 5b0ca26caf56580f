//! The last successful tools list of each server, on disk, so a front end can show tools at
//! once and refresh them in the background.
//!
//! One JSON file per server under `$MCPCTL_HOME/cache/tools/`. Each entry carries a key derived
//! from the server's name and transport; an entry whose key no longer matches the configuration
//! (another command, URL, working directory, set of variables…) is treated as missing.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use mcpctl_config::{McpServerConfig, ServerName, Transport};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::tool_names::sha256_hex;

/// Why a cache file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// Reading, creating, writing or renaming a file failed.
    #[error("could not {action} the cache file {}: {source}", path.display())]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// What was being done (`write`, `create the folder of`, …).
        action: &'static str,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The entry could not be turned into JSON.
    #[error("could not serialise the cache file {}: {source}", path.display())]
    Serialize {
        /// The file that was to be written.
        path: PathBuf,
        /// The serialiser's error.
        #[source]
        source: serde_json::Error,
    },
}

/// The name and version a server reported in `initialize`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedServerInfo {
    /// `serverInfo.name`.
    pub name: String,
    /// `serverInfo.version`.
    pub version: String,
}

/// A server's tools as last listed successfully.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedTools {
    /// When the list was saved, in seconds since the Unix epoch.
    pub saved_at: u64,
    /// The server's name and version, when they were known.
    pub server_info: Option<CachedServerInfo>,
    /// Each MCP `Tool` object as the server sent it.
    pub tools: Vec<Value>,
}

/// The on-disk tools cache: one file per server in one folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolsCache {
    dir: PathBuf,
}

impl ToolsCache {
    /// A cache in `dir` (created on the first store).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The cache in mcpctl's home folder: `<home>/cache/tools`.
    pub fn in_home(home: &Path) -> Self {
        Self::new(home.join("cache").join("tools"))
    }

    /// The folder holding the files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The server's cached tools, or `None` when there are none, the file cannot be read, or
    /// they were saved for a different configuration of the server.
    pub fn load(&self, name: &ServerName, config: &McpServerConfig) -> Option<CachedTools> {
        let bytes = fs::read(self.file_for(name)).ok()?;
        let file: CacheFile<Vec<Value>> = serde_json::from_slice(&bytes).ok()?;
        if file.key != cache_key(name, config).ok()? {
            return None;
        }
        Some(CachedTools {
            saved_at: file.saved_at,
            server_info: file.server_info,
            tools: file.tools,
        })
    }

    /// Saves `tools` (raw MCP `Tool` objects) and `server_info` (name, version) as the server's
    /// latest list, replacing the previous one atomically; the file is private (0600).
    pub fn store(
        &self,
        name: &ServerName,
        config: &McpServerConfig,
        server_info: Option<(String, String)>,
        tools: &[Value],
    ) -> Result<(), CacheError> {
        let path = self.file_for(name);
        let serialize_error = |source| CacheError::Serialize {
            path: path.clone(),
            source,
        };
        let file = CacheFile {
            key: cache_key(name, config).map_err(serialize_error)?,
            saved_at: unix_now(),
            server_info: server_info.map(|(name, version)| CachedServerInfo { name, version }),
            tools,
        };
        let bytes = serde_json::to_vec(&file).map_err(serialize_error)?;
        write_private_file(&path, &bytes)
    }

    /// Forgets the server's cached tools (nothing to do when there are none).
    pub fn remove(&self, name: &ServerName) -> Result<(), CacheError> {
        let path = self.file_for(name);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(CacheError::Io {
                path,
                action: "remove",
                source,
            }),
        }
    }

    /// The file that holds `name`'s list.
    pub fn file_for(&self, name: &ServerName) -> PathBuf {
        self.dir.join(format!("{}.json", file_stem(name.as_str())))
    }
}

/// One cache file; `T` is `Vec<Value>` when reading and a borrowed slice when writing.
#[derive(Serialize, Deserialize)]
struct CacheFile<T> {
    key: String,
    saved_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    server_info: Option<CachedServerInfo>,
    tools: T,
}

/// What identifies the tools a server offers: its name and how it is reached. Environment and
/// header values are left out (they are secrets and must not be hashed into a file); their
/// names are in.
#[derive(Serialize)]
struct CacheKey<'a> {
    /// Bumped when the key's shape changes, so old entries stop matching.
    format: u32,
    name: &'a str,
    transport: KeyTransport<'a>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum KeyTransport<'a> {
    Stdio {
        command: &'a str,
        args: &'a [String],
        cwd: Option<String>,
        env_keys: Vec<&'a str>,
        env_vars: &'a [String],
    },
    StreamableHttp {
        url: &'a str,
        bearer_token_env_var: Option<&'a str>,
        http_header_names: Vec<&'a str>,
        env_http_headers: &'a BTreeMap<String, String>,
        // Left out when unset so keys of servers without a helper stay as they were.
        #[serde(skip_serializing_if = "Option::is_none")]
        http_headers_helper: Option<&'a str>,
        // Left out for streamable HTTP so those keys stay as they were.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        legacy_sse: bool,
    },
}

/// SHA-256 (hex) of the canonical JSON of the server's [`CacheKey`].
fn cache_key(name: &ServerName, config: &McpServerConfig) -> Result<String, serde_json::Error> {
    let transport = match &config.transport {
        Transport::Stdio(mcpctl_config::StdioTransport {
            command,
            args,
            env,
            env_vars,
            cwd,
        }) => KeyTransport::Stdio {
            command,
            args,
            cwd: cwd.as_ref().map(|dir| dir.to_string_lossy().into_owned()),
            env_keys: env.keys().map(String::as_str).collect(),
            env_vars,
        },
        Transport::StreamableHttp(mcpctl_config::HttpTransport {
            url,
            bearer_token_env_var,
            http_headers,
            env_http_headers,
            http_headers_helper,
            legacy_sse,
        }) => KeyTransport::StreamableHttp {
            url,
            bearer_token_env_var: bearer_token_env_var.as_deref(),
            http_header_names: http_headers.keys().map(String::as_str).collect(),
            env_http_headers,
            http_headers_helper: http_headers_helper.as_deref(),
            legacy_sse: *legacy_sse,
        },
    };
    let key = CacheKey {
        format: 1,
        name: name.as_str(),
        transport,
    };
    Ok(sha256_hex(&serde_json::to_vec(&key)?))
}

/// A file name for the server: the name with characters other than `[A-Za-z0-9._-]` (and a
/// leading `.`) replaced by `_`, plus a hash of the name when anything was replaced, so `a/b`
/// and `a_b` get different files.
fn file_stem(name: &str) -> String {
    let mut changed = false;
    let stem: String = name
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || (c == '.' && i > 0) {
                c
            } else {
                changed = true;
                '_'
            }
        })
        .collect();
    if changed {
        format!("{stem}-{}", &sha256_hex(name.as_bytes())[..8])
    } else {
        stem
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default()
}

/// Writes `bytes` to `path` privately and atomically (see [`mcpctl_private_file`]); the folder
/// is created (0700) when missing.
pub(crate) fn write_private_file(path: &Path, bytes: &[u8]) -> Result<(), CacheError> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    mcpctl_private_file::create_private_dir(dir).map_err(|source| CacheError::Io {
        path: path.to_path_buf(),
        action: "create the folder of",
        source,
    })?;
    mcpctl_private_file::write_atomic(path, bytes).map_err(|source| CacheError::Io {
        path: path.to_path_buf(),
        action: "write",
        source,
    })
}

#[allow(clippy::disallowed_methods)]
#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    fn name(s: &str) -> ServerName {
        ServerName::parse(s).unwrap()
    }

    fn stdio(env: &[(&str, &str)]) -> McpServerConfig {
        McpServerConfig::new(Transport::Stdio(mcpctl_config::StdioTransport {
            command: "docs-mcp".to_string(),
            args: vec!["--stdio".to_string()],
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            env_vars: vec!["HOME".to_string()],
            cwd: Some(PathBuf::from("/srv")),
        }))
    }

    fn http(url: &str) -> McpServerConfig {
        McpServerConfig::new(Transport::StreamableHttp(mcpctl_config::HttpTransport {
            url: url.to_string(),
            bearer_token_env_var: None,
            http_headers: BTreeMap::from([("X-Api-Key".to_string(), "secret".to_string())]),
            env_http_headers: BTreeMap::new(),
            http_headers_helper: None,
            legacy_sse: false,
        }))
    }

    fn tools() -> Vec<Value> {
        vec![
            json!({"name": "search", "inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": true}}),
            json!({"name": "fetch", "description": "Fetches", "inputSchema": {"type": "object"}}),
        ]
    }

    #[test]
    fn store_then_load_round_trips() {
        let home = tempfile::tempdir().unwrap();
        let cache = ToolsCache::in_home(home.path());
        let server = name("docs");
        let config = stdio(&[("TOKEN", "abc")]);
        assert_eq!(cache.load(&server, &config), None);

        let before = unix_now();
        cache
            .store(
                &server,
                &config,
                Some(("docs-server".to_string(), "1.2.3".to_string())),
                &tools(),
            )
            .unwrap();
        let loaded = cache.load(&server, &config).unwrap();
        assert_eq!(loaded.tools, tools());
        assert_eq!(
            loaded.server_info,
            Some(CachedServerInfo {
                name: "docs-server".to_string(),
                version: "1.2.3".to_string(),
            })
        );
        assert!(loaded.saved_at >= before && loaded.saved_at <= unix_now());

        let path = home.path().join("cache/tools/docs.json");
        let on_disk: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(on_disk["tools"][0]["name"], "search");
        assert_eq!(on_disk["server_info"]["version"], "1.2.3");
        assert_eq!(on_disk["key"].as_str().map(str::len), Some(64));
        // Secret values never reach the file.
        assert!(!String::from_utf8_lossy(&fs::read(&path).unwrap()).contains("abc"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // Only the file itself is left in the folder: no temporary files.
        let entries: Vec<_> = fs::read_dir(cache.dir()).unwrap().collect();
        assert_eq!(entries.len(), 1);
    }

    #[test]
    fn a_newer_store_replaces_the_old_one() {
        let home = tempfile::tempdir().unwrap();
        let cache = ToolsCache::in_home(home.path());
        let server = name("docs");
        let config = http("https://example.com/mcp");
        cache.store(&server, &config, None, &tools()).unwrap();
        cache.store(&server, &config, None, &tools()[..1]).unwrap();
        let loaded = cache.load(&server, &config).unwrap();
        assert_eq!(loaded.tools.len(), 1);
        assert_eq!(loaded.server_info, None);
    }

    #[test]
    fn transport_changes_invalidate_and_secret_values_do_not() {
        let home = tempfile::tempdir().unwrap();
        let cache = ToolsCache::in_home(home.path());
        let server = name("docs");
        let config = stdio(&[("TOKEN", "abc")]);
        cache.store(&server, &config, None, &tools()).unwrap();

        // A new secret value, or a non-transport setting, keeps the entry.
        assert!(
            cache
                .load(&server, &stdio(&[("TOKEN", "rotated")]))
                .is_some()
        );
        let mut filtered = config.clone();
        filtered.disabled_tools = Some(vec!["fetch".to_string()]);
        assert!(cache.load(&server, &filtered).is_some());

        let changed = |edit: fn(&mut Transport)| {
            let mut config = config.clone();
            edit(&mut config.transport);
            config
        };
        let variants = [
            changed(|t| {
                if let Transport::Stdio(mcpctl_config::StdioTransport { command, .. }) = t {
                    *command = "other".to_string();
                }
            }),
            changed(|t| {
                if let Transport::Stdio(mcpctl_config::StdioTransport { args, .. }) = t {
                    args.push("--verbose".to_string());
                }
            }),
            changed(|t| {
                if let Transport::Stdio(mcpctl_config::StdioTransport { cwd, .. }) = t {
                    *cwd = None;
                }
            }),
            changed(|t| {
                if let Transport::Stdio(mcpctl_config::StdioTransport { env, .. }) = t {
                    env.insert("EXTRA".to_string(), "1".to_string());
                }
            }),
            changed(|t| {
                if let Transport::Stdio(mcpctl_config::StdioTransport { env_vars, .. }) = t {
                    env_vars.clear();
                }
            }),
            http("https://example.com/mcp"),
        ];
        for variant in &variants {
            assert_eq!(cache.load(&server, variant), None, "{variant:?}");
        }
        // Another server name with the same file never sees this entry either.
        let http_server = name("web");
        cache
            .store(&http_server, &http("https://a/mcp"), None, &tools())
            .unwrap();
        assert!(cache.load(&http_server, &http("https://a/mcp")).is_some());
        assert_eq!(cache.load(&http_server, &http("https://b/mcp")), None);
    }

    #[test]
    fn names_that_sanitise_alike_get_separate_files() {
        let home = tempfile::tempdir().unwrap();
        let cache = ToolsCache::in_home(home.path());
        let config = http("https://example.com/mcp");
        let slash = name("team/docs");
        let underscore = name("team_docs");
        cache.store(&slash, &config, None, &tools()[..1]).unwrap();
        cache.store(&underscore, &config, None, &tools()).unwrap();
        assert_eq!(cache.load(&slash, &config).unwrap().tools.len(), 1);
        assert_eq!(cache.load(&underscore, &config).unwrap().tools.len(), 2);
        assert_eq!(file_stem("team_docs"), "team_docs");
        assert_eq!(
            file_stem("team/docs"),
            format!("team_docs-{}", &sha256_hex(b"team/docs")[..8])
        );
        assert!(file_stem(".hidden").starts_with("_hidden-"));
        assert_eq!(file_stem("docs.example"), "docs.example");
    }

    #[test]
    fn unreadable_or_corrupt_files_read_as_missing_and_remove_forgets() {
        let home = tempfile::tempdir().unwrap();
        let cache = ToolsCache::in_home(home.path());
        let server = name("docs");
        let config = http("https://example.com/mcp");
        fs::create_dir_all(cache.dir()).unwrap();
        fs::write(cache.dir().join("docs.json"), "{not json").unwrap();
        assert_eq!(cache.load(&server, &config), None);

        cache.store(&server, &config, None, &tools()).unwrap();
        assert!(cache.load(&server, &config).is_some());
        cache.remove(&server).unwrap();
        assert_eq!(cache.load(&server, &config), None);
        cache.remove(&server).unwrap();
    }

    #[test]
    fn store_reports_where_it_failed() {
        let home = tempfile::tempdir().unwrap();
        // A file where the cache folder should be.
        let blocked = home.path().join("cache");
        fs::write(&blocked, "").unwrap();
        let cache = ToolsCache::in_home(home.path());
        let err = cache
            .store(&name("docs"), &http("https://e/mcp"), None, &tools())
            .unwrap_err();
        let message = err.to_string();
        assert!(message.contains("docs.json"), "{message}");
        assert!(matches!(err, CacheError::Io { .. }));
    }
}
