use std::path::{Path, PathBuf};

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::decision::{Decision, DenyReason};
use crate::error::AllowlistError;
use crate::identity::{IdentityFit, IdentityMatcher, ServerIdentity};
use crate::launch::{LaunchProblem, is_relative_path_command};
use crate::parse::parse_requirements;

/// The MCP part of an admin `requirements.toml`: which server names may run, and with which
/// command or URL.
///
/// Only constructible through [`Requirements::load`] or [`Requirements::parse`], so a value
/// always reflects a file that parsed completely.
#[derive(Debug, Clone)]
pub struct Requirements {
    source: PathBuf,
    /// `None` when the file has no MCP section at all; `Some(empty)` denies every server.
    entries: Option<Vec<AllowlistEntry>>,
    /// `allowed_approval_modes`: the approval modes a user's settings may use at most.
    approval_cap: Option<mcpctl_approval_presets::AdminCap>,
}

impl Requirements {
    /// Reads and parses the requirements file at `path`.
    ///
    /// Returns `Ok(None)` when the file does not exist. Any other failure to read it
    /// (permissions, a directory, invalid UTF-8) is an error, because requirements must fail
    /// closed.
    pub fn load(path: &Path) -> Result<Option<Self>, AllowlistError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, path).map(Some),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(AllowlistError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Parses `text`, the contents of the requirements file at `path` (used in messages and
    /// returned by [`Requirements::source`]).
    ///
    /// Both `[mcp_servers.<name>] identity = ...` and the older
    /// `[mcp_server_allowlist.<name>]` form are read; when both are present their entries are
    /// combined, each entry being one more identity allowed for its name. The top-level
    /// `allowed_approval_modes = [...]` caps the approval modes of tool calls. Other keys (such
    /// as Codex's `allowed_approval_policies`) are ignored.
    pub fn parse(text: &str, path: &Path) -> Result<Self, AllowlistError> {
        let (entries, approval_cap) = parse_requirements(text, path)?;
        Ok(Self {
            source: path.to_path_buf(),
            entries,
            approval_cap,
        })
    }

    /// The administrator's cap on approval modes (`allowed_approval_modes`), if the file sets
    /// one. No user setting can choose a mode outside it.
    pub fn approval_cap(&self) -> Option<&mcpctl_approval_presets::AdminCap> {
        self.approval_cap.as_ref()
    }

    /// The file these requirements were read from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// Whether the file restricts MCP servers at all. A file without `mcp_servers` and
    /// `mcp_server_allowlist` allows every server.
    pub fn constrains_mcp(&self) -> bool {
        self.entries.is_some()
    }

    /// The allowlist entries, sorted by server name (entries for the same name keep file order,
    /// `mcp_servers` before `mcp_server_allowlist`). Empty both when nothing is allowed and
    /// when MCP is unconstrained; tell them apart with [`Requirements::constrains_mcp`].
    pub fn entries(&self) -> &[AllowlistEntry] {
        self.entries.as_deref().unwrap_or_default()
    }

    /// Decides whether the server `name`, launched or reached as `identity`, may run.
    ///
    /// A server is allowed when MCP is unconstrained, or when some entry for `name` matches
    /// `identity`: for a stdio server the command string, and then whatever the entry pins
    /// (args, cwd) and the risky variables it allows; for an HTTP server the parsed URL.
    /// Matching by name *and* identity means renaming a server to a listed name does not get it
    /// past the policy, and matching the whole launch means an allowed command cannot be
    /// turned into another program. When several entries name the same command, the first
    /// one's objection is reported.
    pub fn check(&self, name: &str, identity: &ServerIdentity<'_>) -> Decision {
        let Some(entries) = &self.entries else {
            return Decision::Allowed;
        };
        // Entries are sorted by name, so a name's entries are one run found by bisection.
        let start = entries.partition_point(|e| e.name.as_str() < name);
        let listed: Vec<&AllowlistEntry> = entries[start..]
            .iter()
            .take_while(|e| e.name == name)
            .collect();
        if listed.is_empty() {
            return Decision::Denied(DenyReason::NotListed {
                name: name.to_owned(),
            });
        }
        if let ServerIdentity::Stdio(launch) = identity
            && is_relative_path_command(launch.command)
        {
            return Decision::Denied(DenyReason::RelativeCommand {
                name: name.to_owned(),
                command: launch.command.to_owned(),
            });
        }
        let mut objection = None;
        for entry in &listed {
            match entry.identity.fit(identity) {
                IdentityFit::Match => return Decision::Allowed,
                IdentityFit::Other => {}
                IdentityFit::Launch(problem) => {
                    objection.get_or_insert(problem);
                }
            }
        }
        let name = name.to_owned();
        Decision::Denied(match (objection, identity) {
            (Some(LaunchProblem::Args { allowed }), ServerIdentity::Stdio(launch)) => {
                DenyReason::ArgsNotAllowed {
                    name,
                    command: launch.command.to_owned(),
                    allowed,
                }
            }
            (Some(LaunchProblem::Cwd { actual, allowed }), _) => DenyReason::CwdNotAllowed {
                name,
                actual,
                allowed,
            },
            (Some(LaunchProblem::Env(refused)), _) => DenyReason::EnvNotAllowed { name, refused },
            _ => DenyReason::IdentityMismatch {
                name,
                actual: identity.to_string(),
                allowed: listed
                    .iter()
                    .map(|entry| entry.identity.describe())
                    .collect(),
            },
        })
    }
}

/// JSON view: `{"source": path, "constrains_mcp": bool, "entries": [...]}`, plus
/// `"allowed_approval_modes": [...]` when the file caps approval modes.
impl Serialize for Requirements {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("Requirements", 4)?;
        state.serialize_field("source", &self.source)?;
        state.serialize_field("constrains_mcp", &self.constrains_mcp())?;
        state.serialize_field("entries", self.entries())?;
        match &self.approval_cap {
            Some(cap) => state.serialize_field("allowed_approval_modes", cap.allowed())?,
            None => state.skip_field("allowed_approval_modes")?,
        }
        state.end()
    }
}

/// Which table of the requirements file an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AllowlistSection {
    /// `[mcp_servers.<name>] identity = ...`, the form Codex reads.
    #[serde(rename = "mcp_servers")]
    McpServers,
    /// `[mcp_server_allowlist.<name>] command = ... | url = ...`, the older form.
    #[serde(rename = "mcp_server_allowlist")]
    McpServerAllowlist,
}

impl AllowlistSection {
    /// The top-level key of the table, as written in the file.
    pub fn key(self) -> &'static str {
        match self {
            Self::McpServers => "mcp_servers",
            Self::McpServerAllowlist => "mcp_server_allowlist",
        }
    }
}

/// One rule: the server `name` may run with `identity`.
#[derive(Debug, Clone)]
pub struct AllowlistEntry {
    name: String,
    identity: IdentityMatcher,
    section: AllowlistSection,
}

impl AllowlistEntry {
    pub(crate) fn new(name: String, identity: IdentityMatcher, section: AllowlistSection) -> Self {
        Self {
            name,
            identity,
            section,
        }
    }

    /// The server name the rule is for.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The identity the rule allows.
    pub fn identity(&self) -> &IdentityMatcher {
        &self.identity
    }

    /// The table the rule was read from.
    pub fn section(&self) -> AllowlistSection {
        self.section
    }

    /// A human description of the allowed identity, e.g. ``url starting with `https://x/` ``.
    pub fn description(&self) -> String {
        self.identity.describe()
    }
}

/// JSON view: `{"name", "identity", "description", "section"}`, where `identity` mirrors the
/// TOML form (`{"command": ...}` or `{"url": {"match": ..., ...}}`).
impl Serialize for AllowlistEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("AllowlistEntry", 4)?;
        state.serialize_field("name", &self.name)?;
        state.serialize_field("identity", &self.identity)?;
        state.serialize_field("description", &self.description())?;
        state.serialize_field("section", &self.section)?;
        state.end()
    }
}

#[allow(clippy::disallowed_methods)]
#[cfg(test)]
mod tests {
    use super::*;
    use crate::launch::StdioLaunch;
    use crate::url_rule::UrlMatchKind;
    use std::path::PathBuf;

    const PATH: &str = "/etc/codex/requirements.toml";

    fn parse(text: &str) -> Requirements {
        Requirements::parse(text, Path::new(PATH)).unwrap()
    }

    fn command(name: &str, requirements: &Requirements, command: &str) -> Decision {
        requirements.check(name, &ServerIdentity::Stdio(StdioLaunch::command(command)))
    }

    fn url(name: &str, requirements: &Requirements, url: &str) -> Decision {
        requirements.check(name, &ServerIdentity::Url(url))
    }

    const CODEX_FORM: &str = r#"
allowed_approval_policies = ["on-request"]

[mcp_servers.docs]
identity = { command = "docs-mcp" }

[mcp_servers.web]
identity = { url = "https://example.com/mcp" }

[mcp_servers.corp]
identity = { url = { match = "prefix", value = "https://corp.example.com/" } }

[mcp_servers.any-team]
identity = { url = { match = "regex", expression = "https://[a-z]+[.]example[.]com/mcp" } }

[mcp_servers.pinned]
identity = { url = { match = "exact", value = "https://pinned.example.com/mcp/" } }
"#;

    #[test]
    fn codex_form_command_identity() {
        let requirements = parse(CODEX_FORM);
        assert!(requirements.constrains_mcp());
        assert_eq!(
            command("docs", &requirements, "docs-mcp"),
            Decision::Allowed
        );
        assert_eq!(
            command("docs", &requirements, "npx"),
            Decision::Denied(DenyReason::IdentityMismatch {
                name: "docs".to_owned(),
                actual: "command `npx`".to_owned(),
                allowed: vec!["command `docs-mcp`".to_owned()],
            })
        );
    }

    #[test]
    fn codex_form_exact_url_identity() {
        let requirements = parse(CODEX_FORM);
        assert!(url("web", &requirements, "https://example.com/mcp").is_allowed());
        assert!(url("web", &requirements, "https://example.com/mcp/").is_allowed());
        assert!(!url("web", &requirements, "https://example.com/mcp2").is_allowed());
        assert!(url("pinned", &requirements, "https://pinned.example.com/mcp").is_allowed());
        assert!(!command("web", &requirements, "https://example.com/mcp").is_allowed());
    }

    #[test]
    fn codex_form_prefix_and_regex_identities() {
        let requirements = parse(CODEX_FORM);
        assert!(url("corp", &requirements, "https://corp.example.com/a/mcp").is_allowed());
        assert!(!url("corp", &requirements, "https://corp.example.com.evil/").is_allowed());
        assert!(url("any-team", &requirements, "https://docs.example.com/mcp").is_allowed());
        assert!(!url("any-team", &requirements, "https://docs.example.com/mcp?x").is_allowed());
    }

    #[test]
    fn identity_sub_tables_are_accepted() {
        let requirements = parse(
            "[mcp_servers.docs.identity]\ncommand = \"docs-mcp\"\n\
             [mcp_servers.web.identity.url]\nmatch = \"prefix\"\nvalue = \"https://a.test/\"\n",
        );
        assert!(command("docs", &requirements, "docs-mcp").is_allowed());
        assert!(url("web", &requirements, "https://a.test/mcp").is_allowed());
    }

    #[test]
    fn legacy_form() {
        let requirements = parse(
            "[mcp_server_allowlist.docs]\ncommand = \"docs-mcp\"\n\
             [mcp_server_allowlist.web]\nurl = \"https://example.com/mcp\"\n",
        );
        assert!(requirements.constrains_mcp());
        assert!(command("docs", &requirements, "docs-mcp").is_allowed());
        assert!(url("web", &requirements, "https://example.com/mcp/").is_allowed());
        assert!(!url("web", &requirements, "https://example.com/other").is_allowed());
        assert_eq!(
            requirements.entries()[0].section(),
            AllowlistSection::McpServerAllowlist
        );
    }

    #[test]
    fn both_forms_are_alternatives_for_the_same_name() {
        let requirements = parse(
            "[mcp_servers.docs]\nidentity = { command = \"docs-mcp\" }\n\
             [mcp_server_allowlist.docs]\nurl = \"https://docs.test/mcp\"\n\
             [mcp_server_allowlist.other]\ncommand = \"other-mcp\"\n",
        );
        assert!(command("docs", &requirements, "docs-mcp").is_allowed());
        assert!(url("docs", &requirements, "https://docs.test/mcp").is_allowed());
        assert!(command("other", &requirements, "other-mcp").is_allowed());
        assert_eq!(
            url("docs", &requirements, "https://evil.test/mcp"),
            Decision::Denied(DenyReason::IdentityMismatch {
                name: "docs".to_owned(),
                actual: "url `https://evil.test/mcp`".to_owned(),
                allowed: vec![
                    "command `docs-mcp`".to_owned(),
                    "url `https://docs.test/mcp`".to_owned(),
                ],
            })
        );
    }

    #[test]
    fn names_sharing_a_prefix_find_their_own_entries() {
        let requirements = parse(
            "[mcp_servers.docs-2]\nidentity = { command = \"b\" }\n\
             [mcp_servers.doc]\nidentity = { command = \"a\" }\n\
             [mcp_server_allowlist.docs]\ncommand = \"c\"\n\
             [mcp_servers.docs]\nidentity = { command = \"d\" }\n",
        );
        for (name, allowed, refused) in [
            ("doc", "a", "b"),
            ("docs-2", "b", "c"),
            ("docs", "c", "a"),
            ("docs", "d", "b"),
        ] {
            assert!(command(name, &requirements, allowed).is_allowed(), "{name}");
            assert!(
                !command(name, &requirements, refused).is_allowed(),
                "{name}"
            );
        }
        assert!(!command("do", &requirements, "a").is_allowed());
        assert!(!command("docs-3", &requirements, "b").is_allowed());
    }

    #[test]
    fn unlisted_name_is_denied() {
        let requirements = parse(CODEX_FORM);
        assert_eq!(
            command("github", &requirements, "docs-mcp"),
            Decision::Denied(DenyReason::NotListed {
                name: "github".to_owned()
            })
        );
    }

    #[test]
    fn renaming_a_server_to_a_listed_name_is_denied() {
        // `evil` runs `evil-mcp`; renamed to `docs` it must still be refused.
        let requirements = parse(CODEX_FORM);
        let decision = command("docs", &requirements, "evil-mcp");
        let Decision::Denied(reason) = decision else {
            panic!("renamed server was allowed");
        };
        assert_eq!(
            reason.to_string(),
            "server `docs` is configured with command `evil-mcp`, but the requirements only \
             allow command `docs-mcp`"
        );
    }

    #[test]
    fn empty_table_denies_every_server() {
        let requirements = parse("[mcp_servers]\n");
        assert!(requirements.constrains_mcp());
        assert!(requirements.entries().is_empty());
        assert_eq!(
            command("docs", &requirements, "docs-mcp"),
            Decision::Denied(DenyReason::NotListed {
                name: "docs".to_owned()
            })
        );
    }

    #[test]
    fn file_without_mcp_section_allows_everything() {
        let requirements = parse("allowed_approval_policies = [\"never\"]\n[other]\nx = 1\n");
        assert!(!requirements.constrains_mcp());
        assert!(requirements.entries().is_empty());
        assert_eq!(command("anything", &requirements, "rm"), Decision::Allowed);
        assert_eq!(url("web", &requirements, "http://x"), Decision::Allowed);
    }

    #[test]
    fn entries_are_sorted_and_described() {
        let requirements = parse(CODEX_FORM);
        let listed: Vec<(&str, String)> = requirements
            .entries()
            .iter()
            .map(|entry| (entry.name(), entry.description()))
            .collect();
        assert_eq!(
            listed,
            vec![
                (
                    "any-team",
                    "url matching regex `https://[a-z]+[.]example[.]com/mcp`".to_owned()
                ),
                (
                    "corp",
                    "url starting with `https://corp.example.com/`".to_owned()
                ),
                ("docs", "command `docs-mcp`".to_owned()),
                ("pinned", "url `https://pinned.example.com/mcp/`".to_owned()),
                ("web", "url `https://example.com/mcp`".to_owned()),
            ]
        );
        assert!(matches!(
            requirements.entries()[1].identity(),
            IdentityMatcher::Url(matcher) if matcher.kind() == UrlMatchKind::Prefix
        ));
        assert_eq!(requirements.source(), Path::new(PATH));
    }

    #[test]
    fn json_view_mirrors_the_toml_form() {
        let requirements = parse(
            "[mcp_servers.docs]\nidentity = { command = \"docs-mcp\" }\n\
             [mcp_servers.re]\nidentity = { url = { match = \"regex\", expression = \"x\" } }\n",
        );
        let json = serde_json::to_value(&requirements).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "source": PATH,
                "constrains_mcp": true,
                "entries": [
                    {
                        "name": "docs",
                        "identity": {"command": "docs-mcp"},
                        "description": "command `docs-mcp`",
                        "section": "mcp_servers"
                    },
                    {
                        "name": "re",
                        "identity": {"url": {"match": "regex", "expression": "x"}},
                        "description": "url matching regex `x`",
                        "section": "mcp_servers"
                    }
                ]
            })
        );
    }

    const LAUNCH_RULES: &str = r#"
[mcp_servers.docs]
identity = { command = "docs-mcp" }

[mcp_servers.node]
identity = { command = "node", args = ["/opt/docs/server.js"] }

[mcp_servers.npx]
identity = { command = "npx", args_prefix = ["-y", "@scope/server-fs"], allow_env = ["NPM_CONFIG_CACHE"] }

[mcp_servers.pinned.identity]
command = "/opt/pinned/bin/server"
cwd = "/opt/pinned"
allow_env = ["PATH", "LD_*"]

[mcp_server_allowlist.legacy]
command = "legacy-mcp"
args = []
allow_env = ["PYTHONPATH"]
"#;

    /// A stdio server as written in a config: `command args… [env K=V…] [vars N…] [cwd D]`.
    struct Spec {
        command: String,
        args: Vec<String>,
        env: std::collections::BTreeMap<String, String>,
        env_vars: Vec<String>,
        cwd: Option<PathBuf>,
    }

    fn spec(words: &str) -> Spec {
        let mut spec = Spec {
            command: String::new(),
            args: Vec::new(),
            env: Default::default(),
            env_vars: Vec::new(),
            cwd: None,
        };
        let mut mode = "args";
        for (i, word) in words.split(' ').enumerate() {
            match (i, word) {
                (0, command) => spec.command = command.to_owned(),
                (_, "env" | "vars" | "cwd") => mode = word,
                (_, word) => match mode {
                    "env" => {
                        let (k, v) = word.rsplit_once('~').unwrap();
                        spec.env.insert(k.to_owned(), v.to_owned());
                    }
                    "vars" => spec.env_vars.push(word.to_owned()),
                    "cwd" => spec.cwd = Some(PathBuf::from(word)),
                    _ => spec.args.push(word.to_owned()),
                },
            }
        }
        spec
    }

    fn check_spec(requirements: &Requirements, name: &str, words: &str) -> Decision {
        let spec = spec(words);
        requirements.check(
            name,
            &ServerIdentity::Stdio(StdioLaunch {
                command: &spec.command,
                args: &spec.args,
                env: &spec.env,
                env_vars: &spec.env_vars,
                cwd: spec.cwd.as_deref(),
            }),
        )
    }

    /// Every bypass of the issue as a row: (server name, launch, `None` when allowed or a text
    /// the deny reason must contain). `env K~V` sets a variable, `vars N` passes one through.
    #[test]
    fn table_of_launch_bypasses() {
        let requirements = parse(LAUNCH_RULES);
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("docs", "docs-mcp", None),
            (
                "docs",
                "docs-mcp --verbose env API_KEY~s vars GITHUB_TOKEN",
                None,
            ),
            (
                "docs",
                "docs-mcp env LD_PRELOAD~/tmp/evil.so",
                Some("`env.LD_PRELOAD`"),
            ),
            (
                "docs",
                "docs-mcp env LD_LIBRARY_PATH~/tmp",
                Some("`env.LD_LIBRARY_PATH`"),
            ),
            (
                "docs",
                "docs-mcp env BASH_ENV~/tmp/x.sh",
                Some("`env.BASH_ENV`"),
            ),
            ("docs", "docs-mcp env PATH~/tmp/fake", Some("`env.PATH`")),
            (
                "docs",
                "docs-mcp env DYLD_INSERT_LIBRARIES~/x",
                Some("`env.DYLD_INSERT_LIBRARIES`"),
            ),
            (
                "docs",
                "docs-mcp env LD_PRELOAD=/tmp/x.so:~y",
                Some("`env.\"LD_PRELOAD=/tmp/x.so:\"`"),
            ),
            (
                "docs",
                "docs-mcp vars LD_PRELOAD",
                Some("`env_vars` entry `LD_PRELOAD`"),
            ),
            (
                "docs",
                "docs-mcp vars PATH",
                Some("`env_vars` entry `PATH`"),
            ),
            ("docs", "docs-mcp cwd /tmp", None),
            ("docs", "./docs-mcp cwd /tmp", Some("relative path")),
            ("docs", "bin/docs-mcp", Some("relative path")),
            ("docs", "$HOME/docs-mcp", Some("relative path")),
            (
                "docs",
                "/usr/bin/docs-mcp",
                Some("configured with command `/usr/bin/docs-mcp`"),
            ),
            (
                "docs",
                "evil-mcp",
                Some("configured with command `evil-mcp`"),
            ),
            ("node", "node /opt/docs/server.js", None),
            (
                "node",
                "node -e require('fs').writeFileSync('m','')",
                Some("other `args`"),
            ),
            (
                "node",
                "node --require /tmp/m.js /opt/docs/server.js",
                Some("other `args`"),
            ),
            (
                "node",
                "node /opt/docs/server.js env NODE_OPTIONS~--require=/tmp/m.js",
                Some("`env.NODE_OPTIONS`"),
            ),
            (
                "node",
                "node /opt/docs/server.js env NODE_ENV~production",
                None,
            ),
            ("node", "node", Some("other `args`")),
            ("npx", "npx -y @scope/server-fs /data", None),
            (
                "npx",
                "npx -y @scope/server-fs /data env NPM_CONFIG_CACHE~/c",
                None,
            ),
            (
                "npx",
                "npx -y @scope/server-fs env npm_config_registry~http://evil",
                Some("`env.npm_config_registry`"),
            ),
            (
                "npx",
                "npx -y evil @scope/server-fs",
                Some("args starting [\"-y\", \"@scope/server-fs\"]"),
            ),
            ("pinned", "/opt/pinned/bin/server cwd /opt/pinned", None),
            (
                "pinned",
                "/opt/pinned/bin/server cwd /opt/pinned env PATH~/x LD_PRELOAD~/y",
                None,
            ),
            (
                "pinned",
                "/opt/pinned/bin/server cwd /opt/pinned env BASH_ENV~/y",
                Some("`env.BASH_ENV`"),
            ),
            (
                "pinned",
                "/opt/pinned/bin/server cwd /tmp",
                Some("runs in `cwd` `/tmp`, but the requirements pin `cwd` to `/opt/pinned`"),
            ),
            ("pinned", "/opt/pinned/bin/server", Some("sets no `cwd`")),
            ("legacy", "legacy-mcp", None),
            ("legacy", "legacy-mcp env PYTHONPATH~/x", None),
            ("legacy", "legacy-mcp -c evil", Some("other `args`")),
            (
                "legacy",
                "legacy-mcp env PYTHONHOME~/x",
                Some("`env.PYTHONHOME`"),
            ),
            ("unlisted", "docs-mcp", Some("is not listed")),
        ];
        for (name, words, expected) in cases {
            let decision = check_spec(&requirements, name, words);
            match (expected, &decision) {
                (None, Decision::Allowed) => {}
                (Some(needle), Decision::Denied(reason)) => {
                    let text = reason.to_string();
                    assert!(text.contains(needle), "{name}: {words}: {text}");
                    assert!(text.starts_with(&format!("server `{name}` ")), "{text}");
                }
                _ => panic!("{name}: {words}: expected {expected:?}, got {decision:?}"),
            }
        }
    }

    #[test]
    fn env_values_never_reach_a_reason() {
        let requirements = parse(LAUNCH_RULES);
        let Decision::Denied(reason) = check_spec(
            &requirements,
            "docs",
            "docs-mcp env LD_PRELOAD~SECRET-VALUE",
        ) else {
            panic!("allowed");
        };
        assert!(!reason.to_string().contains("SECRET-VALUE"));
        assert!(
            !serde_json::to_string(&reason)
                .unwrap()
                .contains("SECRET-VALUE")
        );
        assert_eq!(
            reason.summary().unwrap(),
            "`env.LD_PRELOAD` not in `allow_env`"
        );
    }

    #[test]
    fn a_rule_for_the_same_command_that_fits_wins() {
        // Two identities for one name: one pins args, the other allows them with PATH.
        let requirements = parse(
            "[mcp_servers.n]\nidentity = { command = \"node\", args = [\"/a.js\"] }\n\
             [mcp_server_allowlist.n]\ncommand = \"node\"\nallow_env = [\"PATH\"]\n",
        );
        assert!(check_spec(&requirements, "n", "node /b.js env PATH~/x").is_allowed());
        assert!(check_spec(&requirements, "n", "node /a.js").is_allowed());
        let Decision::Denied(reason) = check_spec(&requirements, "n", "node /b.js env LD_AUDIT~/x")
        else {
            panic!("allowed");
        };
        // The first rule's objection is reported.
        assert!(reason.to_string().contains("other `args`"), "{reason}");
    }

    #[test]
    fn json_view_shows_launch_keys() {
        let requirements = parse(LAUNCH_RULES);
        let json = serde_json::to_value(&requirements).unwrap();
        assert_eq!(
            json["entries"][3]["identity"],
            serde_json::json!({"command": "npx", "args_prefix": ["-y", "@scope/server-fs"], "allow_env": ["NPM_CONFIG_CACHE"]})
        );
        assert_eq!(
            json["entries"][4]["identity"],
            serde_json::json!({"command": "/opt/pinned/bin/server", "cwd": "/opt/pinned", "allow_env": ["PATH", "LD_*"]})
        );
        assert_eq!(
            json["entries"][0]["identity"],
            serde_json::json!({"command": "docs-mcp"})
        );
    }

    #[test]
    fn load_missing_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = Requirements::load(&dir.path().join("requirements.toml")).unwrap();
        assert!(loaded.is_none());
    }

    #[test]
    fn load_reads_the_file_and_remembers_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("requirements.toml");
        std::fs::write(
            &path,
            "[mcp_servers.docs]\nidentity = { command = \"d\" }\n",
        )
        .unwrap();
        let requirements = Requirements::load(&path).unwrap().unwrap();
        assert_eq!(requirements.source(), path);
        assert!(command("docs", &requirements, "d").is_allowed());
    }

    #[test]
    fn load_of_unreadable_path_is_an_error() {
        // A directory cannot be read as a file, whoever runs the test (root ignores modes).
        let dir = tempfile::tempdir().unwrap();
        let error = Requirements::load(dir.path()).unwrap_err();
        assert!(matches!(error, AllowlistError::Read { .. }));
        assert!(
            error.to_string().contains(&format!(
                "cannot read requirements file {}",
                dir.path().display()
            )),
            "{error}"
        );
    }

    #[test]
    fn load_of_malformed_file_is_an_error_with_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("requirements.toml");
        std::fs::write(&path, "[mcp_servers.docs]\nidentity = 3\n").unwrap();
        let error = Requirements::load(&path).unwrap_err();
        assert!(
            error.to_string().starts_with(&format!(
                "{}:2:1: invalid `mcp_servers.docs.identity`",
                path.display()
            )),
            "{error}"
        );
        assert_eq!(error.path(), path);
    }
}
