//! Auth statuses of HTTP servers: probed over the network with a short overall deadline, and
//! remembered on disk so `list` can show them without touching the network.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mcpctl_config::{ServerName, Transport};
use mcpctl_credentials_store::StoreKey;
use mcpctl_oauth_discovery::{AuthProbe, probe};
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::task::JoinSet;

use crate::oauth_logins::LoginSummary;
use crate::policy::{AuthStatus, EffectiveServer, EffectiveServers};
use crate::tools_cache::{CacheError, write_private_file};

/// A remembered probe result of one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RememberedAuthStatus {
    /// `NotLoggedIn`, `Unsupported` or `Unknown`.
    pub status: AuthStatus,
    /// The URL that was probed; the status only holds while the server keeps this URL.
    pub url: String,
    /// When it was probed, in seconds since the Unix epoch.
    pub checked_at: u64,
}

/// Every remembered probe result, by server name, as read by [`AuthStatusStore::load`], and
/// the stored OAuth logins known offline (see [`known_logins`](crate::known_logins)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RememberedAuthStatuses {
    entries: BTreeMap<String, RememberedAuthStatus>,
    logins: BTreeMap<String, LoginSummary>,
}

impl RememberedAuthStatuses {
    /// The result remembered for `name`, only if it was probed at `url` (a server whose URL
    /// changed since has no valid status).
    pub fn get(&self, name: &ServerName, url: &str) -> Option<&RememberedAuthStatus> {
        self.entries
            .get(name.as_str())
            .filter(|entry| entry.url == url)
    }

    /// Adds the stored logins known offline, by store key.
    pub fn with_logins(mut self, logins: BTreeMap<String, LoginSummary>) -> Self {
        self.logins = logins;
        self
    }

    /// The stored OAuth login of `server`, when one is known.
    pub fn login_of(&self, server: &EffectiveServer) -> Option<&LoginSummary> {
        match &server.config().transport {
            Transport::StreamableHttp(mcpctl_config::HttpTransport {
                url,
                bearer_token_env_var: None,
                ..
            }) => self
                .logins
                .get(StoreKey::new(server.name().as_str(), url).as_str()),
            _ => None,
        }
    }

    /// The auth status `list` shows for `server`: `OAuth` when a usable login is stored
    /// (`NotLoggedIn` when the stored one can no longer be used), else what is known offline
    /// ([`EffectiveServer::auth_status`]) unless that is `Unknown`, in which case a remembered
    /// probe result for the server's current URL, if any.
    pub fn status_of(&self, server: &EffectiveServer) -> AuthStatus {
        if let Some(login) = self.login_of(server) {
            return if login.is_usable(SystemTime::now()) {
                AuthStatus::OAuth
            } else {
                AuthStatus::NotLoggedIn
            };
        }
        let offline = server.auth_status();
        match (&server.config().transport, offline) {
            (
                Transport::StreamableHttp(mcpctl_config::HttpTransport { url, .. }),
                AuthStatus::Unknown,
            ) => self
                .get(server.name(), url)
                .map_or(AuthStatus::Unknown, |entry| entry.status),
            _ => offline,
        }
    }

    /// Number of remembered results.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The file of remembered auth statuses, `$MCPCTL_HOME/cache/auth_status.json`: a JSON object
/// mapping server names to `{status, url, checked_at}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthStatusStore {
    path: PathBuf,
}

impl AuthStatusStore {
    /// A store in the file at `path` (created on the first record).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The store in mcpctl's home folder: `<home>/cache/auth_status.json`.
    pub fn in_home(home: &Path) -> Self {
        Self::new(home.join("cache").join("auth_status.json"))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Everything remembered; a missing or unreadable file, and entries that do not parse, read
    /// as nothing remembered.
    pub fn load(&self) -> RememberedAuthStatuses {
        let entries = self
            .read_entries()
            .into_iter()
            .filter_map(|(name, entry)| {
                let entry: StoredEntry = serde_json::from_value(entry).ok()?;
                Some((
                    name,
                    RememberedAuthStatus {
                        status: entry.status.into(),
                        url: entry.url,
                        checked_at: entry.checked_at,
                    },
                ))
            })
            .collect();
        RememberedAuthStatuses {
            entries,
            logins: BTreeMap::new(),
        }
    }

    /// Remembers probe results `(name, probed URL, status)`, keeping the other servers' entries;
    /// the file is replaced atomically and is private (0600). Only probe results are kept:
    /// `BearerToken` and `OAuth` are known without probing and are skipped.
    ///
    /// Two processes recording at the same moment may lose one's update; the next probe
    /// brings it back.
    pub fn record(&self, statuses: &[(ServerName, String, AuthStatus)]) -> Result<(), CacheError> {
        let mut entries = self.read_entries();
        let checked_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or_default();
        for (name, url, status) in statuses {
            let Some(status) = ProbedStatus::from_status(*status) else {
                continue;
            };
            let entry = StoredEntry {
                status,
                url: url.clone(),
                checked_at,
            };
            let value = serde_json::to_value(entry).map_err(|source| CacheError::Serialize {
                path: self.path.clone(),
                source,
            })?;
            entries.insert(name.as_str().to_string(), value);
        }
        let bytes =
            serde_json::to_vec_pretty(&entries).map_err(|source| CacheError::Serialize {
                path: self.path.clone(),
                source,
            })?;
        write_private_file(&self.path, &bytes)
    }

    /// The file's entries as raw JSON, so entries this version cannot read survive a record.
    fn read_entries(&self) -> BTreeMap<String, Value> {
        fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }
}

/// The statuses a probe can find, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ProbedStatus {
    NotLoggedIn,
    Unsupported,
    Unknown,
}

impl ProbedStatus {
    fn from_status(status: AuthStatus) -> Option<Self> {
        match status {
            AuthStatus::NotLoggedIn => Some(Self::NotLoggedIn),
            AuthStatus::Unsupported => Some(Self::Unsupported),
            AuthStatus::Unknown => Some(Self::Unknown),
            AuthStatus::BearerToken | AuthStatus::OAuth => None,
        }
    }
}

impl From<ProbedStatus> for AuthStatus {
    fn from(status: ProbedStatus) -> Self {
        match status {
            ProbedStatus::NotLoggedIn => AuthStatus::NotLoggedIn,
            ProbedStatus::Unsupported => AuthStatus::Unsupported,
            ProbedStatus::Unknown => AuthStatus::Unknown,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct StoredEntry {
    status: ProbedStatus,
    url: String,
    checked_at: u64,
}

/// Probes every enabled streamable-HTTP server that has no `bearer_token_env_var`, all at
/// once, and returns their statuses in server-name order: `NotLoggedIn` (401 and OAuth
/// advertised), `Unsupported`, or `Unknown` (unreachable, `5xx`, or not answered within
/// `deadline`, which bounds the whole call).
///
/// Each probe sends the server's `http_headers` and its `env_http_headers` read from the
/// environment now (a missing variable or an invalid header is left out). Must run on a Tokio
/// runtime. Record the results with [`AuthStatusStore::record`].
pub async fn probe_auth_statuses(
    servers: &EffectiveServers,
    deadline: Duration,
) -> Vec<(ServerName, AuthStatus)> {
    let targets: Vec<(ServerName, String, HeaderMap)> = servers
        .enabled()
        .filter_map(|server| match &server.config().transport {
            Transport::StreamableHttp(mcpctl_config::HttpTransport {
                url,
                bearer_token_env_var: None,
                http_headers,
                env_http_headers,
                // A helper's headers are only known by running it; such servers are not probed.
                http_headers_helper: None,
                // The probe speaks streamable HTTP; a legacy SSE stream is not probed.
                legacy_sse: false,
            }) => Some((
                server.name().clone(),
                url.clone(),
                probe_headers(server.name(), url, http_headers, env_http_headers, |var| {
                    std::env::var(var).ok()
                })?,
            )),
            _ => None,
        })
        .collect();
    let mut results: Vec<(ServerName, AuthStatus)> = targets
        .iter()
        .map(|(name, _, _)| (name.clone(), AuthStatus::Unknown))
        .collect();
    if targets.is_empty() {
        return results;
    }
    let Ok(client) = mcpctl_http_client::builder().timeout(deadline).build() else {
        return results;
    };
    let mut probes = JoinSet::new();
    for (index, (_, url, headers)) in targets.into_iter().enumerate() {
        let client = client.clone();
        probes.spawn(async move { (index, probe(&client, &url, &headers).await) });
    }
    // Probes still running at the deadline stay `Unknown`; dropping the set aborts them.
    let _ = tokio::time::timeout(deadline, async {
        while let Some(joined) = probes.join_next().await {
            if let Ok((index, outcome)) = joined
                && let Some(slot) = results.get_mut(index)
            {
                slot.1 = status_from_probe(&outcome);
            }
        }
    })
    .await;
    results
}

fn status_from_probe(outcome: &AuthProbe) -> AuthStatus {
    match outcome {
        AuthProbe::NotLoggedIn { .. } => AuthStatus::NotLoggedIn,
        AuthProbe::Unsupported => AuthStatus::Unsupported,
        AuthProbe::Unknown { .. } => AuthStatus::Unknown,
    }
}

/// The headers a probe sends: the client's own resolution ([`mcpctl_rmcp_client::HttpSpec::request_headers`]), so
/// a server whose variable is missing or whose header is invalid, which cannot connect, is not
/// probed either (`None`; its status stays unknown) instead of being probed without them.
fn probe_headers(
    name: &ServerName,
    url: &str,
    http_headers: &BTreeMap<String, String>,
    env_http_headers: &BTreeMap<String, String>,
    lookup: impl Fn(&str) -> Option<String>,
) -> Option<HeaderMap> {
    let spec = mcpctl_rmcp_client::HttpSpec {
        url: url.to_owned(),
        headers: http_headers.clone(),
        env_headers: env_http_headers.clone(),
        ..mcpctl_rmcp_client::HttpSpec::default()
    };
    let resolved = spec.request_headers(name.as_str(), lookup).ok()?;
    Some(resolved.into_iter().collect())
}

#[allow(clippy::disallowed_methods)]
#[cfg(test)]
mod tests {
    use std::time::Instant;

    use mcpctl_config::{Config, Layer, LayerSource, LayerStack, build_config};
    use mcpctl_test_support::{MockHttp, Reply, closed_port_url};
    use pretty_assertions::assert_eq;

    use super::*;

    fn name(s: &str) -> ServerName {
        ServerName::parse(s).unwrap()
    }

    fn servers(toml: &str) -> EffectiveServers {
        let layer = Layer::parse(LayerSource::User("/u.toml".into()), toml).unwrap();
        let config: Config = build_config(&LayerStack::new(vec![layer])).unwrap().0;
        EffectiveServers::resolve(&config, None)
    }

    #[tokio::test]
    async fn probes_every_eligible_server_at_once_within_the_deadline() {
        let oauth = MockHttp::start();
        oauth
            .route(
                "POST",
                "/mcp",
                Reply::unauthorized(
                    r#"Bearer resource_metadata="/.well-known/oauth-protected-resource/mcp""#,
                ),
            )
            .route(
                "GET",
                "/.well-known/oauth-protected-resource/mcp",
                Reply::json(&serde_json::json!({
                    "resource": "x",
                    "authorization_servers": ["http://127.0.0.1:1"],
                })),
            );
        let open = MockHttp::start();
        open.fallback(Reply::json(&serde_json::json!({})));
        let slow = MockHttp::start();
        slow.fallback(Reply::hang());
        let closed = closed_port_url();
        let (oauth_url, open_url, slow_url) = (oauth.base_url(), open.base_url(), slow.base_url());
        let servers = servers(&format!(
            r#"
[mcp_servers.oauth]
url = "{oauth_url}/mcp"
[mcp_servers.open]
url = "{open_url}/mcp"
http_headers = {{ "X-Team" = "blue" }}
# Cannot connect (its variable is missing), so it is not probed: absent from the results.
[mcp_servers.needs_var]
url = "{open_url}/var"
env_http_headers = {{ "X-Missing" = "MCPCTL_TEST_SURELY_UNSET_VARIABLE" }}
[mcp_servers.slow]
url = "{slow_url}/mcp"
[mcp_servers.closed]
url = "{closed}"
[mcp_servers.token]
url = "{open_url}/token"
bearer_token_env_var = "TOKEN"
[mcp_servers.off]
url = "{open_url}/off"
enabled = false
[mcp_servers.local]
command = "local-mcp"
"#
        ));

        let deadline = Duration::from_millis(600);
        let started = Instant::now();
        let statuses = probe_auth_statuses(&servers, deadline).await;
        assert!(started.elapsed() < deadline + Duration::from_secs(1));
        assert_eq!(
            statuses,
            vec![
                (name("closed"), AuthStatus::Unknown),
                (name("oauth"), AuthStatus::NotLoggedIn),
                (name("open"), AuthStatus::Unsupported),
                (name("slow"), AuthStatus::Unknown),
            ]
        );
        // One probe each; neither the bearer-token server nor the disabled one was contacted.
        for server in [&oauth, &slow] {
            assert_eq!(server.requests_to("POST", "/mcp").len(), 1);
        }
        assert_eq!(open.requests().len(), 1, "{:?}", open.requests());
        let open_probe = &open.requests()[0];
        assert_eq!(
            (open_probe.method.as_str(), open_probe.path.as_str()),
            ("POST", "/mcp")
        );
        // The open server answered without them, so its custom headers were never sent.
        assert_eq!(open_probe.header("x-team"), None);
        assert_eq!(open_probe.header("x-missing"), None);
    }

    #[tokio::test]
    async fn nothing_to_probe_returns_at_once() {
        let servers = servers("[mcp_servers.local]\ncommand = \"x\"\n");
        assert_eq!(
            probe_auth_statuses(&servers, Duration::from_secs(30)).await,
            vec![]
        );
    }

    #[test]
    fn probe_headers_resolve_as_the_client_does() {
        let lookup = |var: &str| (var == "SET").then(|| "from-env".to_string());
        let web = name("web");
        let url = "https://x/mcp";
        let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        // What the client refuses to connect with is not probed either.
        let unset = map(&[("X-Unset", "UNSET")]);
        assert!(probe_headers(&web, url, &BTreeMap::new(), &unset, lookup).is_none());
        let bad_name = map(&[("Bad Name", "x")]);
        assert!(probe_headers(&web, url, &bad_name, &BTreeMap::new(), lookup).is_none());
        let bad_value = map(&[("X-Bad-Value", "line\nbreak")]);
        assert!(probe_headers(&web, url, &bad_value, &BTreeMap::new(), lookup).is_none());
        let headers = probe_headers(
            &web,
            url,
            &map(&[("X-Static", "1")]),
            &map(&[("X-From-Env", "SET")]),
            lookup,
        )
        .unwrap();
        let mut pairs: Vec<_> = headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap().to_string()))
            .collect();
        pairs.sort();
        assert_eq!(
            pairs,
            vec![
                ("x-from-env".to_string(), "from-env".to_string()),
                ("x-static".to_string(), "1".to_string()),
            ]
        );
    }

    #[test]
    fn record_then_load_keeps_statuses_for_their_url() {
        let home = tempfile::tempdir().unwrap();
        let store = AuthStatusStore::in_home(home.path());
        assert!(store.load().is_empty());
        store
            .record(&[
                (
                    name("a"),
                    "https://a/mcp".to_string(),
                    AuthStatus::NotLoggedIn,
                ),
                (
                    name("b"),
                    "https://b/mcp".to_string(),
                    AuthStatus::Unsupported,
                ),
                (name("c"), "https://c/mcp".to_string(), AuthStatus::Unknown),
                (
                    name("d"),
                    "https://d/mcp".to_string(),
                    AuthStatus::BearerToken,
                ),
            ])
            .unwrap();
        let loaded = store.load();
        assert_eq!(loaded.len(), 3);
        let a = loaded.get(&name("a"), "https://a/mcp").unwrap();
        assert_eq!(a.status, AuthStatus::NotLoggedIn);
        assert!(a.checked_at > 0);
        assert_eq!(
            loaded.get(&name("b"), "https://b/mcp").map(|e| e.status),
            Some(AuthStatus::Unsupported)
        );
        // A changed URL invalidates; never-probed kinds were not stored.
        assert_eq!(loaded.get(&name("a"), "https://a/other"), None);
        assert_eq!(loaded.get(&name("d"), "https://d/mcp"), None);

        let on_disk: Value = serde_json::from_slice(&fs::read(store.path()).unwrap()).unwrap();
        assert_eq!(on_disk["a"]["status"], "not_logged_in");
        assert_eq!(on_disk["a"]["url"], "https://a/mcp");
        assert_eq!(on_disk["c"]["status"], "unknown");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(store.path()).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }

        // A later record updates its servers and keeps the others.
        store
            .record(&[(
                name("a"),
                "https://a/mcp".to_string(),
                AuthStatus::Unsupported,
            )])
            .unwrap();
        let loaded = store.load();
        assert_eq!(loaded.len(), 3);
        assert_eq!(
            loaded.get(&name("a"), "https://a/mcp").map(|e| e.status),
            Some(AuthStatus::Unsupported)
        );
    }

    #[test]
    fn corrupt_files_and_unreadable_entries_are_ignored_and_kept() {
        let home = tempfile::tempdir().unwrap();
        let store = AuthStatusStore::in_home(home.path());
        fs::create_dir_all(store.path().parent().unwrap()).unwrap();
        fs::write(store.path(), "[not an object").unwrap();
        assert!(store.load().is_empty());

        fs::write(
            store.path(),
            r#"{"future":{"status":"something_new","url":"u","checked_at":1},
                "ok":{"status":"unsupported","url":"u","checked_at":1}}"#,
        )
        .unwrap();
        assert_eq!(store.load().len(), 1);
        store
            .record(&[(name("x"), "u".to_string(), AuthStatus::Unknown)])
            .unwrap();
        let on_disk: Value = serde_json::from_slice(&fs::read(store.path()).unwrap()).unwrap();
        assert_eq!(on_disk["future"]["status"], "something_new");
        assert_eq!(store.load().len(), 2);
    }

    #[test]
    fn status_of_prefers_what_is_known_offline() {
        let home = tempfile::tempdir().unwrap();
        let store = AuthStatusStore::in_home(home.path());
        let servers = servers(
            r#"
[mcp_servers.web]
url = "https://web/mcp"
[mcp_servers.moved]
url = "https://new/mcp"
[mcp_servers.token]
url = "https://token/mcp"
bearer_token_env_var = "T"
[mcp_servers.local]
command = "x"
"#,
        );
        store
            .record(&[
                (
                    name("web"),
                    "https://web/mcp".to_string(),
                    AuthStatus::NotLoggedIn,
                ),
                (
                    name("moved"),
                    "https://old/mcp".to_string(),
                    AuthStatus::NotLoggedIn,
                ),
                (
                    name("token"),
                    "https://token/mcp".to_string(),
                    AuthStatus::NotLoggedIn,
                ),
                (name("local"), "x".to_string(), AuthStatus::NotLoggedIn),
            ])
            .unwrap();
        let remembered = store.load();
        let status = |n: &str| remembered.status_of(servers.get(n).unwrap());
        assert_eq!(status("web"), AuthStatus::NotLoggedIn);
        assert_eq!(status("moved"), AuthStatus::Unknown);
        assert_eq!(status("token"), AuthStatus::BearerToken);
        assert_eq!(status("local"), AuthStatus::Unsupported);
    }
}
