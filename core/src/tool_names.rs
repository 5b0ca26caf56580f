//! Tool names as agents see them (`mcp__<server>__<tool>`) and the per-server tool filter.
//!
//! Model APIs accept tool names of at most 64 characters from `[A-Za-z0-9_-]`, and every name
//! must be unique across all servers; [`qualify_tool_names`] guarantees both, the same way on
//! every run.

use std::collections::{BTreeMap, BTreeSet};

use mcpctl_config::McpServerConfig;
use sha2::{Digest, Sha256};

/// The longest qualified name model APIs accept.
pub const MAX_TOOL_NAME_LEN: usize = 64;
const PREFIX: &str = "mcp__";
const DELIMITER: &str = "__";
/// `_` and eight hex digits.
const HASH_SUFFIX_LEN: usize = 9;

/// The qualified name of one tool, without regard to other tools: `mcp__<server>__<tool>` with
/// every character outside `[A-Za-z0-9_-]` replaced by `_`, shortened to 64 characters with a
/// stable hash suffix when longer.
///
/// Use [`qualify_tool_names`] when exposing several tools at once: two tools may sanitise to
/// the same name.
pub fn qualified_tool_name(server: &str, tool: &str) -> String {
    prefixed_tool_name(PREFIX, server, tool)
}

/// [`qualified_tool_name`] with another prefix: the gateway (`mcpctl serve`) names its tools
/// `<server>__<tool>` (prefix `""`), by the same sanitising and length rule.
pub fn prefixed_tool_name(prefix: &str, server: &str, tool: &str) -> String {
    let name = format!("{prefix}{}{DELIMITER}{}", sanitize(server), sanitize(tool));
    if name.len() <= MAX_TOOL_NAME_LEN {
        name
    } else {
        with_hash_suffix(&name, server, tool, 0)
    }
}

/// Unique qualified names for every `(server, tool)` pair, keyed by the pair.
///
/// Pairs are handled in `(server, tool)` order, so the result does not depend on the input
/// order: the first pair keeps its [`qualified_tool_name`], and a later pair whose name is
/// already taken gets a hash suffix of its own (still at most 64 characters). Duplicate pairs
/// are listed once.
pub fn qualify_tool_names<'a>(
    tools: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> BTreeMap<(String, String), String> {
    prefix_tool_names(PREFIX, tools)
}

/// [`qualify_tool_names`] with another prefix (see [`prefixed_tool_name`]).
pub fn prefix_tool_names<'a>(
    prefix: &str,
    tools: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> BTreeMap<(String, String), String> {
    let pairs: BTreeSet<(&str, &str)> = tools.into_iter().collect();
    let mut taken = BTreeSet::new();
    let mut names = BTreeMap::new();
    for (server, tool) in pairs {
        let base = prefixed_tool_name(prefix, server, tool);
        let mut name = base.clone();
        let mut round = 0;
        while taken.contains(&name) {
            name = with_hash_suffix(&base, server, tool, round);
            round += 1;
        }
        taken.insert(name.clone());
        names.insert((server.to_string(), tool.to_string()), name);
    }
    names
}

/// `name` cut to leave room for `_` and the first eight hex digits of a hash of the unsanitised
/// pair; `round` > 0 varies the hash in the (astronomically rare) case it is taken as well.
fn with_hash_suffix(name: &str, server: &str, tool: &str, round: u32) -> String {
    // NUL cannot occur in a server name, so the hashed text identifies the pair.
    let mut text = format!("{server}\0{tool}");
    if round > 0 {
        text.push_str(&format!("\0{round}"));
    }
    let hash = sha256_hex(text.as_bytes());
    // The name is ASCII after sanitising, so any byte index is a character boundary.
    let keep = name.len().min(MAX_TOOL_NAME_LEN - HASH_SUFFIX_LEN);
    format!("{}_{}", &name[..keep], &hash[..HASH_SUFFIX_LEN - 1])
}

/// Every character outside `[A-Za-z0-9_-]` (including each non-ASCII character) becomes `_`.
fn sanitize(part: &str) -> String {
    part.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Lowercase hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Whether a server's `enabled_tools` / `disabled_tools` let one tool through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolFilterStatus {
    /// The tool is exposed.
    Enabled,
    /// `enabled_tools` is set and does not list the tool.
    NotInEnabledTools,
    /// `disabled_tools` lists the tool.
    InDisabledTools,
}

impl ToolFilterStatus {
    /// True when the tool is exposed.
    pub fn is_enabled(self) -> bool {
        self == ToolFilterStatus::Enabled
    }
}

/// Applies the server's tool filters to `tool`: the `enabled_tools` allow list first (when
/// set), then the `disabled_tools` deny list. Names match exactly.
pub fn tool_filter_status(config: &McpServerConfig, tool: &str) -> ToolFilterStatus {
    if let Some(allowed) = &config.enabled_tools
        && !allowed.iter().any(|name| name == tool)
    {
        return ToolFilterStatus::NotInEnabledTools;
    }
    if let Some(denied) = &config.disabled_tools
        && denied.iter().any(|name| name == tool)
    {
        return ToolFilterStatus::InDisabledTools;
    }
    ToolFilterStatus::Enabled
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use mcpctl_config::Transport;
    use pretty_assertions::assert_eq;

    use super::*;

    fn is_valid(name: &str) -> bool {
        name.len() <= MAX_TOOL_NAME_LEN
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    }

    #[test]
    fn short_names_are_prefixed_and_sanitised() {
        assert_eq!(
            qualified_tool_name("github", "create_issue"),
            "mcp__github__create_issue"
        );
        assert_eq!(
            qualified_tool_name("docs.example/v1", "search-all"),
            "mcp__docs_example_v1__search-all"
        );
        // Each non-ASCII character becomes one underscore, whatever its UTF-8 length.
        assert_eq!(qualified_tool_name("wé", "日本 語"), "mcp__w_______");
        assert_eq!(qualified_tool_name("s", "🦀"), "mcp__s___");
    }

    #[test]
    fn long_names_are_cut_and_get_a_stable_hash_suffix() {
        let tool = "a_really_long_tool_name_that_goes_on_and_on_and_on_forever";
        let name = qualified_tool_name("server", tool);
        assert_eq!(name.len(), MAX_TOOL_NAME_LEN);
        assert!(is_valid(&name), "{name}");
        let expected_hash = &sha256_hex(format!("server\0{tool}").as_bytes())[..8];
        assert_eq!(
            name,
            format!(
                "{}_{expected_hash}",
                &format!("mcp__server__{tool}")[..MAX_TOOL_NAME_LEN - 9]
            )
        );
        assert_eq!(name, qualified_tool_name("server", tool));
        // Exactly 64 characters needs no suffix.
        let fits = "t".repeat(64 - "mcp__s__".len());
        assert_eq!(qualified_tool_name("s", &fits), format!("mcp__s__{fits}"));
        // Long names that share their first 55 characters stay apart.
        let other = format!("{tool}_2");
        assert_ne!(name, qualified_tool_name("server", &other));
    }

    #[test]
    fn long_unicode_names_stay_within_the_limit() {
        let name = qualified_tool_name("σέρβερ", &"ツール".repeat(30));
        assert_eq!(name.len(), MAX_TOOL_NAME_LEN);
        assert!(is_valid(&name), "{name}");
    }

    #[test]
    fn collisions_resolve_by_sorted_order() {
        let names = qualify_tool_names([
            ("b.x", "t"),
            ("b_x", "t"),
            ("a", "same tool"),
            ("a", "same_tool"),
            ("a", "same/tool"),
        ]);
        assert_eq!(names.len(), 5);
        // ("a", "same tool") sorts first among its group, ("b.x", "t") before ("b_x", "t").
        assert_eq!(
            names[&("a".into(), "same tool".into())],
            "mcp__a__same_tool"
        );
        assert_eq!(names[&("b.x".into(), "t".into())], "mcp__b_x__t");
        let suffixed = &names[&("b_x".into(), "t".into())];
        assert_eq!(
            suffixed,
            &format!("mcp__b_x__t_{}", &sha256_hex(b"b_x\0t")[..8])
        );
        let unique: BTreeSet<_> = names.values().collect();
        assert_eq!(unique.len(), names.len());
        assert!(names.values().all(|n| is_valid(n)));
    }

    #[test]
    fn long_names_that_collide_are_made_unique() {
        let long = "x".repeat(80);
        let names = qualify_tool_names([("s", long.as_str()), ("s", &*format!("{long}!"))]);
        let values: BTreeSet<_> = names.values().collect();
        assert_eq!(values.len(), 2);
        assert!(names.values().all(|n| is_valid(n)));
    }

    #[test]
    fn a_literal_name_equal_to_a_suffixed_one_is_still_unique() {
        // `t!` keeps `mcp__s__t_`, `t?` gets a suffix, and a tool literally named like that
        // suffixed name comes last and gets a suffix of its own.
        let lookalike = format!("t__{}", &sha256_hex(b"s\0t?")[..8]);
        let names = qualify_tool_names([("s", "t?"), ("s", lookalike.as_str()), ("s", "t!")]);
        assert_eq!(names[&("s".into(), "t!".into())], "mcp__s__t_");
        assert_eq!(
            names[&("s".into(), "t?".into())],
            format!("mcp__s__{lookalike}")
        );
        let own = &names[&("s".into(), lookalike.clone())];
        assert!(own.starts_with(&format!("mcp__s__{lookalike}_")), "{own}");
        let values: BTreeSet<_> = names.values().collect();
        assert_eq!(values.len(), 3, "{names:?}");
    }

    #[test]
    fn result_does_not_depend_on_input_order_or_duplicates() {
        let pairs = [
            ("srv", "a b"),
            ("srv", "a_b"),
            ("srv", "a-b"),
            ("other", "a b"),
            ("srv", "a?b"),
        ];
        let forward = qualify_tool_names(pairs);
        let mut reversed = pairs.to_vec();
        reversed.reverse();
        reversed.push(("srv", "a b"));
        let backward = qualify_tool_names(reversed);
        assert_eq!(forward, backward);
        let expected: BTreeMap<(String, String), String> = [
            (("other", "a b"), "mcp__other__a_b".to_string()),
            (("srv", "a b"), "mcp__srv__a_b".to_string()),
            (("srv", "a-b"), "mcp__srv__a-b".to_string()),
            (
                ("srv", "a?b"),
                format!("mcp__srv__a_b_{}", &sha256_hex(b"srv\0a?b")[..8]),
            ),
            (
                ("srv", "a_b"),
                format!("mcp__srv__a_b_{}", &sha256_hex(b"srv\0a_b")[..8]),
            ),
        ]
        .into_iter()
        .map(|((s, t), n)| ((s.to_string(), t.to_string()), n))
        .collect();
        assert_eq!(forward, expected);
    }

    fn config(enabled: Option<&[&str]>, disabled: Option<&[&str]>) -> McpServerConfig {
        let list = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
        let mut config =
            McpServerConfig::new(Transport::StreamableHttp(mcpctl_config::HttpTransport {
                url: "https://example.com/mcp".to_string(),
                bearer_token_env_var: None,
                http_headers: BTreeMap::new(),
                env_http_headers: BTreeMap::new(),
                http_headers_helper: None,
                legacy_sse: false,
            }));
        config.enabled_tools = enabled.map(list);
        config.disabled_tools = disabled.map(list);
        config
    }

    #[test]
    fn tool_filter_allow_list_then_deny_list() {
        let none = config(None, None);
        assert_eq!(tool_filter_status(&none, "x"), ToolFilterStatus::Enabled);

        let both = config(Some(&["read", "write"]), Some(&["write"]));
        assert_eq!(tool_filter_status(&both, "read"), ToolFilterStatus::Enabled);
        assert_eq!(
            tool_filter_status(&both, "write"),
            ToolFilterStatus::InDisabledTools
        );
        assert_eq!(
            tool_filter_status(&both, "delete"),
            ToolFilterStatus::NotInEnabledTools
        );
        // Exact match only.
        assert_eq!(
            tool_filter_status(&both, "Read"),
            ToolFilterStatus::NotInEnabledTools
        );

        let empty_allow = config(Some(&[]), None);
        assert_eq!(
            tool_filter_status(&empty_allow, "read"),
            ToolFilterStatus::NotInEnabledTools
        );
        let deny_only = config(None, Some(&["rm"]));
        assert!(!tool_filter_status(&deny_only, "rm").is_enabled());
        assert!(tool_filter_status(&deny_only, "ls").is_enabled());
    }
}
