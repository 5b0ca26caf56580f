use std::path::{Path, PathBuf};

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::decision::{Decision, DenyReason};
use crate::error::AllowlistError;
use crate::identity::{IdentityMatcher, ServerIdentity};
use crate::parse::parse_entries;

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
    /// combined, each entry being one more identity allowed for its name. Keys outside these
    /// two tables (such as `allowed_approval_policies`) are ignored.
    pub fn parse(text: &str, path: &Path) -> Result<Self, AllowlistError> {
        Ok(Self {
            source: path.to_path_buf(),
            entries: parse_entries(text, path)?,
        })
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
    /// `identity`. Matching by name *and* identity means renaming a server to a listed name
    /// does not get it past the policy.
    pub fn check(&self, name: &str, identity: &ServerIdentity<'_>) -> Decision {
        let Some(entries) = &self.entries else {
            return Decision::Allowed;
        };
        let listed: Vec<&AllowlistEntry> = entries.iter().filter(|e| e.name == name).collect();
        if listed.is_empty() {
            return Decision::Denied(DenyReason::NotListed {
                name: name.to_owned(),
            });
        }
        if listed.iter().any(|entry| entry.identity.matches(identity)) {
            return Decision::Allowed;
        }
        Decision::Denied(DenyReason::IdentityMismatch {
            name: name.to_owned(),
            actual: identity.to_string(),
            allowed: listed
                .iter()
                .map(|entry| entry.identity.describe())
                .collect(),
        })
    }
}

/// JSON view: `{"source": path, "constrains_mcp": bool, "entries": [...]}`.
impl Serialize for Requirements {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("Requirements", 3)?;
        state.serialize_field("source", &self.source)?;
        state.serialize_field("constrains_mcp", &self.constrains_mcp())?;
        state.serialize_field("entries", self.entries())?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::UrlMatcher;

    const PATH: &str = "/etc/codex/requirements.toml";

    fn parse(text: &str) -> Requirements {
        Requirements::parse(text, Path::new(PATH)).unwrap()
    }

    fn command(name: &str, requirements: &Requirements, command: &str) -> Decision {
        requirements.check(name, &ServerIdentity::Command(command))
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
            IdentityMatcher::Url(UrlMatcher::Prefix { .. })
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
