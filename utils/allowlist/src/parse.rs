//! Turns the text of a requirements file into allowlist entries, keeping spans so that every
//! error can point at `path:line:column`.

use std::ops::Range;
use std::path::{Path, PathBuf};

use toml_edit::{Document, Item, Key, TableLike};

use crate::error::{AllowlistError, SourceLocation};
use crate::identity::IdentityMatcher;
use crate::launch::{CommandRule, is_relative_path_command};
use crate::requirements::{AllowlistEntry, AllowlistSection};
use crate::url_rule::{UrlMatcher, UrlRuleError};

const ENTRY_EXPECTED: &str = "a table `[mcp_servers.<name>]` containing `identity = { command = \"...\" }` \
     or `identity = { url = ... }`";
const IDENTITY_EXPECTED: &str = "exactly one of `command = \"...\"` or `url = ...` inside `identity`, e.g. \
     `identity = { command = \"docs-mcp\" }` or `identity = { url = \"https://example.com/mcp\" }`; \
     a `command` identity may also pin `args = [...]` or `args_prefix = [...]` and `cwd = \"/abs\"`, \
     and list risky variables in `allow_env = [...]`";
const URL_EXPECTED: &str = "a URL string, or a matcher table `{ match = \"exact\" | \"prefix\", value = \"...\" }` \
     or `{ match = \"regex\", expression = \"...\" }`";
const LEGACY_EXPECTED: &str = "a table `[mcp_server_allowlist.<name>]` containing exactly one of \
     `command = \"...\"` or `url = \"...\"`; a `command` entry may also pin `args = [...]` or \
     `args_prefix = [...]` and `cwd = \"/abs\"`, and list risky variables in `allow_env = [...]`";

const LEGACY_URL_EXPECTED: &str = "an exact URL string `url = \"https://...\"`; for prefix or regex \
     matchers use `[mcp_servers.<name>] identity = { url = { match = ... } }`";

const COMMAND_EXPECTED: &str = "the server's command: a bare name looked up on PATH \
     (`command = \"docs-mcp\"`) or an absolute path (`command = \"/opt/docs/bin/docs-mcp\"`)";
const ARGS_EXPECTED: &str = "an array of strings, e.g. `args = [\"/opt/docs/server.js\"]`";
const CWD_EXPECTED: &str = "an absolute folder, e.g. `cwd = \"/opt/docs\"`";
const ALLOW_ENV_EXPECTED: &str = "an array of variable names (or prefixes ending in `*`), e.g. \
     `allow_env = [\"PATH\", \"LD_*\"]`";

/// Every key an identity may hold: the old `[mcp_server_allowlist.<name>]` entry and the
/// `identity` table of `[mcp_servers.<name>]` take the same ones.
const IDENTITY_KEYS: &[&str] = &["command", "url", "args", "args_prefix", "cwd", "allow_env"];
/// The keys that only make sense with `command`.
const LAUNCH_KEYS: &[&str] = &["args", "args_prefix", "cwd", "allow_env"];

const APPROVAL_MODES_EXPECTED: &str = "a non-empty array of approval modes, e.g. \
     `allowed_approval_modes = [\"prompt\", \"writes\"]` (modes: prompt, writes, auto, approve)";

/// What a requirements file says about MCP: the allowlist entries and the approval cap.
pub(crate) type ParsedRequirements = (
    Option<Vec<AllowlistEntry>>,
    Option<mcpctl_approval_presets::AdminCap>,
);

/// Parses `text` (the contents of `path`) once, for both its allowlist and its approval cap.
pub(crate) fn parse_requirements(
    text: &str,
    path: &Path,
) -> Result<ParsedRequirements, AllowlistError> {
    let document = Document::parse(text).map_err(|error| AllowlistError::Syntax {
        location: match error.span() {
            Some(span) => SourceLocation::at_offset(path, text, span.start),
            None => SourceLocation::file(path),
        },
        message: error.message().trim_end().to_owned(),
    })?;
    let cx = Context { text, path };
    let root = document.as_table();
    Ok((parse_entries(&cx, root)?, parse_approval_cap(&cx, root)?))
}

/// The administrator's cap on approval modes (`allowed_approval_modes = [...]` at the top
/// level). `None` when the key is absent; anything malformed is an error (fail closed).
fn parse_approval_cap(
    cx: &Context<'_>,
    root: &toml_edit::Table,
) -> Result<Option<mcpctl_approval_presets::AdminCap>, AllowlistError> {
    let Some((key, item)) = root.get_key_value("allowed_approval_modes") else {
        return Ok(None);
    };
    let key_path = vec!["allowed_approval_modes".to_owned()];
    let span = span_of(Some(key), item, None);
    let Some(array) = item.as_array() else {
        return Err(cx.invalid(
            span,
            &key_path,
            format!("found {} where an array is needed", describe_type(item)),
            APPROVAL_MODES_EXPECTED,
        ));
    };
    let mut modes = Vec::new();
    for value in array.iter() {
        let span = value.span().or_else(|| span.clone());
        let Some(name) = value.as_str() else {
            return Err(cx.invalid(
                span,
                &key_path,
                format!(
                    "found {} in the array",
                    describe_type(&Item::Value(value.clone()))
                ),
                APPROVAL_MODES_EXPECTED,
            ));
        };
        let mode = name
            .parse::<mcpctl_approval_presets::ApprovalMode>()
            .map_err(|err| cx.invalid(span, &key_path, err.to_string(), APPROVAL_MODES_EXPECTED))?;
        modes.push(mode);
    }
    match mcpctl_approval_presets::AdminCap::new(modes) {
        Some(cap) => Ok(Some(cap)),
        None => Err(cx.invalid(
            span,
            &key_path,
            "the array is empty, which would allow no tool call at all",
            APPROVAL_MODES_EXPECTED,
        )),
    }
}

/// The allowlist entries under `root`. Returns `None` when the file has neither
/// `mcp_servers` nor `mcp_server_allowlist`, i.e. imposes no MCP constraint.
fn parse_entries(
    cx: &Context<'_>,
    root: &toml_edit::Table,
) -> Result<Option<Vec<AllowlistEntry>>, AllowlistError> {
    let mut entries: Option<Vec<AllowlistEntry>> = None;
    for section in [
        AllowlistSection::McpServers,
        AllowlistSection::McpServerAllowlist,
    ] {
        let Some((key, item)) = root.get_key_value(section.key()) else {
            continue;
        };
        let key_path = vec![section.key().to_owned()];
        let span = span_of(Some(key), item, None);
        let expected = match section {
            AllowlistSection::McpServers => ENTRY_EXPECTED,
            AllowlistSection::McpServerAllowlist => LEGACY_EXPECTED,
        };
        let servers = table_like(cx, item, span.clone(), &key_path, expected)?;
        let list = entries.get_or_insert_with(Vec::new);
        for (name, entry_item) in servers.iter() {
            let entry_path = child(&key_path, name);
            let entry_span = span_of(servers.key(name), entry_item, span.clone());
            let identities = match section {
                AllowlistSection::McpServers => {
                    parse_entry(cx, entry_item, entry_span, &entry_path)?
                }
                AllowlistSection::McpServerAllowlist => {
                    parse_legacy_entry(cx, entry_item, entry_span, &entry_path)?
                }
            };
            list.push(AllowlistEntry::new(name.to_owned(), identities, section));
        }
    }
    if let Some(list) = entries.as_mut() {
        // Stable, so a name listed in both sections keeps `mcp_servers` first.
        list.sort_by(|a, b| a.name().cmp(b.name()));
    }
    Ok(entries)
}

struct Context<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Context<'_> {
    fn invalid(
        &self,
        span: Option<Range<usize>>,
        key_path: &[String],
        problem: impl Into<String>,
        expected: &str,
    ) -> AllowlistError {
        AllowlistError::Invalid {
            location: match span {
                Some(span) => SourceLocation::at_offset(self.path, self.text, span.start),
                None => SourceLocation::file(self.path),
            },
            key_path: format_key_path(key_path),
            problem: problem.into(),
            expected: expected.to_owned(),
        }
    }
}

/// `[mcp_servers.<name>]`: only `identity` is accepted, because an unknown key could be a
/// constraint this version does not understand and ignoring it would fail open.
fn parse_entry(
    cx: &Context<'_>,
    item: &Item,
    span: Option<Range<usize>>,
    key_path: &[String],
) -> Result<IdentityMatcher, AllowlistError> {
    let entry = table_like(cx, item, span.clone(), key_path, ENTRY_EXPECTED)?;
    reject_unknown_keys(
        cx,
        entry,
        span.clone(),
        key_path,
        &["identity"],
        ENTRY_EXPECTED,
    )?;
    let Some((key, identity)) = entry.get_key_value("identity") else {
        return Err(cx.invalid(
            span,
            key_path,
            "the entry has no `identity`",
            ENTRY_EXPECTED,
        ));
    };
    let identity_path = child(key_path, "identity");
    let identity_span = span_of(Some(key), identity, span);
    let identity = table_like(
        cx,
        identity,
        identity_span.clone(),
        &identity_path,
        IDENTITY_EXPECTED,
    )?;
    parse_identity(
        cx,
        identity,
        identity_span,
        &identity_path,
        IdentityForm::Codex,
    )
}

/// Which form an identity is written in; they differ only in what `url` may be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum IdentityForm {
    /// `[mcp_servers.<name>] identity = { ... }`: `url` is a string or a matcher table.
    Codex,
    /// `[mcp_server_allowlist.<name>]`: `url` is an exact URL string.
    Legacy,
}

impl IdentityForm {
    fn expected(self) -> &'static str {
        match self {
            Self::Codex => IDENTITY_EXPECTED,
            Self::Legacy => LEGACY_EXPECTED,
        }
    }
}

/// The keys of one identity: `command` (with what it pins) or `url`. Every unknown key is an
/// error, because it could be a constraint this version does not understand.
fn parse_identity(
    cx: &Context<'_>,
    table: &dyn TableLike,
    span: Option<Range<usize>>,
    key_path: &[String],
    form: IdentityForm,
) -> Result<IdentityMatcher, AllowlistError> {
    let expected = form.expected();
    reject_unknown_keys(cx, table, span.clone(), key_path, IDENTITY_KEYS, expected)?;
    match (table.get_key_value("command"), table.get_key_value("url")) {
        (Some((key, command)), None) => {
            let command_path = child(key_path, "command");
            let command_span = span_of(Some(key), command, span.clone());
            let command = non_empty_string(
                cx,
                command,
                command_span.clone(),
                &command_path,
                COMMAND_EXPECTED,
            )?;
            if is_relative_path_command(&command) {
                return Err(cx.invalid(
                    command_span,
                    &command_path,
                    format!(
                        "`{}` is a relative path, which names a different program in every \
                         working folder",
                        command.escape_debug()
                    ),
                    COMMAND_EXPECTED,
                ));
            }
            parse_launch_keys(cx, table, span, key_path, CommandRule::new(command))
                .map(IdentityMatcher::Command)
        }
        (None, Some((key, url))) => {
            if let Some(launch_key) = LAUNCH_KEYS.iter().find(|k| table.contains_key(k))
                && let Some((key, item)) = table.get_key_value(launch_key)
            {
                return Err(cx.invalid(
                    span_of(Some(key), item, span),
                    &child(key_path, launch_key),
                    format!("`{launch_key}` is only used with `command`"),
                    expected,
                ));
            }
            let url_path = child(key_path, "url");
            let url_span = span_of(Some(key), url, span);
            match form {
                IdentityForm::Codex => {
                    parse_url(cx, url, url_span, &url_path).map(IdentityMatcher::Url)
                }
                IdentityForm::Legacy => {
                    let value = non_empty_string(
                        cx,
                        url,
                        url_span.clone(),
                        &url_path,
                        LEGACY_URL_EXPECTED,
                    )?;
                    url_rule(cx, UrlMatcher::exact(&value), url_span, &url_path)
                        .map(IdentityMatcher::Url)
                }
            }
        }
        (Some(_), Some(_)) => {
            Err(cx.invalid(span, key_path, "both `command` and `url` are set", expected))
        }
        (None, None) => Err(cx.invalid(
            span,
            key_path,
            "neither `command` nor `url` is set",
            expected,
        )),
    }
}

/// `args`, `args_prefix`, `cwd` and `allow_env` of a command identity.
fn parse_launch_keys(
    cx: &Context<'_>,
    table: &dyn TableLike,
    span: Option<Range<usize>>,
    key_path: &[String],
    mut rule: CommandRule,
) -> Result<CommandRule, AllowlistError> {
    let args = optional_strings(cx, table, span.clone(), key_path, "args", ARGS_EXPECTED)?;
    let prefix = optional_strings(
        cx,
        table,
        span.clone(),
        key_path,
        "args_prefix",
        ARGS_EXPECTED,
    )?;
    match (args, prefix) {
        (Some(_), Some((_, prefix_span))) => {
            return Err(cx.invalid(
                prefix_span,
                &child(key_path, "args_prefix"),
                "both `args` and `args_prefix` are set",
                "`args = [...]` to pin every argument, or `args_prefix = [...]` to pin the first ones",
            ));
        }
        (Some((args, _)), None) => rule = rule.with_args(args),
        (None, Some((prefix, _))) => rule = rule.with_args_prefix(prefix),
        (None, None) => {}
    }
    if let Some((key, item)) = table.get_key_value("cwd") {
        let cwd_path = child(key_path, "cwd");
        let cwd_span = span_of(Some(key), item, span.clone());
        let cwd = non_empty_string(cx, item, cwd_span.clone(), &cwd_path, CWD_EXPECTED)?;
        if !cwd.starts_with('/') {
            return Err(cx.invalid(
                cwd_span,
                &cwd_path,
                format!("`{}` is not an absolute path", cwd.escape_debug()),
                CWD_EXPECTED,
            ));
        }
        rule = rule.with_cwd(PathBuf::from(cwd));
    }
    if let Some((names, names_span)) =
        optional_strings(cx, table, span, key_path, "allow_env", ALLOW_ENV_EXPECTED)?
    {
        let names_path = child(key_path, "allow_env");
        for name in &names {
            let star = name.find('*');
            let bad = if name.is_empty() {
                Some("an empty name".to_owned())
            } else if name.contains(['=', '\0']) {
                Some(format!(
                    "`{}` contains `=` or a NUL byte",
                    name.escape_debug()
                ))
            } else if star.is_some_and(|at| at + 1 != name.len()) {
                Some(format!(
                    "`{}` has a `*` that is not at the end",
                    name.escape_debug()
                ))
            } else {
                None
            };
            if let Some(problem) = bad {
                return Err(cx.invalid(names_span, &names_path, problem, ALLOW_ENV_EXPECTED));
            }
        }
        rule = rule.with_allow_env(names);
    }
    Ok(rule)
}

/// A value with the span to report a problem with it against.
type Spanned<T> = (T, Option<Range<usize>>);

/// An optional array of strings under `key`, with the span to report against.
fn optional_strings(
    cx: &Context<'_>,
    table: &dyn TableLike,
    span: Option<Range<usize>>,
    key_path: &[String],
    key: &str,
    expected: &str,
) -> Result<Option<Spanned<Vec<String>>>, AllowlistError> {
    let Some((item_key, item)) = table.get_key_value(key) else {
        return Ok(None);
    };
    let path = child(key_path, key);
    let item_span = span_of(Some(item_key), item, span);
    let Some(array) = item.as_array() else {
        return Err(cx.invalid(
            item_span,
            &path,
            format!("found {} where an array is needed", describe_type(item)),
            expected,
        ));
    };
    let mut strings = Vec::with_capacity(array.len());
    for (index, value) in array.iter().enumerate() {
        let Some(text) = value.as_str() else {
            let value_span = value.span().or(item_span);
            let element = child(&path, &index.to_string());
            return Err(cx.invalid(
                value_span,
                &element,
                format!(
                    "found {} where a string is needed",
                    describe_type(&Item::Value(value.clone()))
                ),
                expected,
            ));
        };
        strings.push(text.to_owned());
    }
    Ok(Some((strings, item_span)))
}

fn url_rule(
    cx: &Context<'_>,
    rule: Result<UrlMatcher, UrlRuleError>,
    span: Option<Range<usize>>,
    key_path: &[String],
) -> Result<UrlMatcher, AllowlistError> {
    rule.map_err(|error| {
        let expected = match error {
            UrlRuleError::Regex(_) => {
                "a regular expression in Rust `regex` syntax, matched against the whole URL"
            }
            UrlRuleError::PrefixWithQuery { .. } => {
                "a prefix such as `https://example.com/mcp/` (scheme, host, port, path)"
            }
            UrlRuleError::NotAUrl { .. } => {
                "an absolute URL with a host, e.g. `https://example.com/mcp`"
            }
        };
        cx.invalid(span, key_path, error.to_string(), expected)
    })
}

fn parse_url(
    cx: &Context<'_>,
    item: &Item,
    span: Option<Range<usize>>,
    key_path: &[String],
) -> Result<UrlMatcher, AllowlistError> {
    if item.is_str() {
        let value = non_empty_string(cx, item, span.clone(), key_path, URL_EXPECTED)?;
        return url_rule(cx, UrlMatcher::exact(&value), span, key_path);
    }
    let Some(matcher) = item.as_table_like() else {
        return Err(cx.invalid(
            span,
            key_path,
            format!("found {}", describe_type(item)),
            URL_EXPECTED,
        ));
    };
    reject_unknown_keys(
        cx,
        matcher,
        span.clone(),
        key_path,
        &["match", "value", "expression"],
        URL_EXPECTED,
    )?;
    let Some((match_key, kind_item)) = matcher.get_key_value("match") else {
        return Err(cx.invalid(
            span,
            key_path,
            "the matcher table has no `match`",
            URL_EXPECTED,
        ));
    };
    let match_path = child(key_path, "match");
    let match_span = span_of(Some(match_key), kind_item, span.clone());
    let kind_expected = "`match = \"exact\"`, `match = \"prefix\"` or `match = \"regex\"`";
    let Some(kind) = kind_item.as_str() else {
        return Err(cx.invalid(
            match_span,
            &match_path,
            format!("found {}", describe_type(kind_item)),
            kind_expected,
        ));
    };
    let (required, forbidden) = match kind {
        "exact" | "prefix" => ("value", "expression"),
        "regex" => ("expression", "value"),
        other => {
            return Err(cx.invalid(
                match_span,
                &match_path,
                format!("unknown matcher \"{other}\""),
                kind_expected,
            ));
        }
    };
    if let Some((key, item)) = matcher.get_key_value(forbidden) {
        return Err(cx.invalid(
            span_of(Some(key), item, span),
            &child(key_path, forbidden),
            format!("`{forbidden}` is not used by `match = \"{kind}\"`"),
            &format!("`{required} = \"...\"` with `match = \"{kind}\"`"),
        ));
    }
    let required_path = child(key_path, required);
    let required_expected = format!("`{required} = \"...\"` with `match = \"{kind}\"`");
    let Some((key, item)) = matcher.get_key_value(required) else {
        return Err(cx.invalid(
            span,
            key_path,
            format!("`match = \"{kind}\"` needs `{required}`"),
            &required_expected,
        ));
    };
    let item_span = span_of(Some(key), item, span);
    let text = non_empty_string(
        cx,
        item,
        item_span.clone(),
        &required_path,
        &required_expected,
    )?;
    let rule = match kind {
        "exact" => UrlMatcher::exact(&text),
        "prefix" => UrlMatcher::prefix(&text),
        _ => UrlMatcher::regex(&text),
    };
    url_rule(cx, rule, item_span, &required_path)
}

/// `[mcp_server_allowlist.<name>]`: the identity keys sit in the entry itself, and `url` is
/// an exact URL string.
fn parse_legacy_entry(
    cx: &Context<'_>,
    item: &Item,
    span: Option<Range<usize>>,
    key_path: &[String],
) -> Result<IdentityMatcher, AllowlistError> {
    let entry = table_like(cx, item, span.clone(), key_path, LEGACY_EXPECTED)?;
    parse_identity(cx, entry, span, key_path, IdentityForm::Legacy)
}

fn table_like<'a>(
    cx: &Context<'_>,
    item: &'a Item,
    span: Option<Range<usize>>,
    key_path: &[String],
    expected: &str,
) -> Result<&'a dyn TableLike, AllowlistError> {
    item.as_table_like().ok_or_else(|| {
        cx.invalid(
            span,
            key_path,
            format!("found {} where a table is needed", describe_type(item)),
            expected,
        )
    })
}

fn non_empty_string(
    cx: &Context<'_>,
    item: &Item,
    span: Option<Range<usize>>,
    key_path: &[String],
    expected: &str,
) -> Result<String, AllowlistError> {
    match item.as_str() {
        Some("") => Err(cx.invalid(span, key_path, "the string is empty", expected)),
        Some(text) => Ok(text.to_owned()),
        None => Err(cx.invalid(
            span,
            key_path,
            format!("found {} where a string is needed", describe_type(item)),
            expected,
        )),
    }
}

fn reject_unknown_keys(
    cx: &Context<'_>,
    table: &dyn TableLike,
    span: Option<Range<usize>>,
    key_path: &[String],
    known: &[&str],
    expected: &str,
) -> Result<(), AllowlistError> {
    for (name, item) in table.iter() {
        if !known.contains(&name) {
            return Err(cx.invalid(
                span_of(table.key(name), item, span),
                &child(key_path, name),
                format!("unknown key `{name}`"),
                expected,
            ));
        }
    }
    Ok(())
}

/// The best position for an item: the key (where a reader looks first), else the value, else
/// the enclosing table. Implicit tables created by dotted headers have no span of their own.
fn span_of(key: Option<&Key>, item: &Item, parent: Option<Range<usize>>) -> Option<Range<usize>> {
    key.and_then(Key::span).or_else(|| item.span()).or(parent)
}

fn describe_type(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::Table(_) => "a table",
        Item::Value(value) => match value {
            toml_edit::Value::String(_) => "a string",
            toml_edit::Value::Integer(_) => "an integer",
            toml_edit::Value::Float(_) => "a float",
            toml_edit::Value::Boolean(_) => "a boolean",
            toml_edit::Value::Datetime(_) => "a datetime",
            toml_edit::Value::Array(_) => "an array",
            toml_edit::Value::InlineTable(_) => "an inline table",
        },
    }
}

fn child(key_path: &[String], name: &str) -> Vec<String> {
    let mut path = key_path.to_vec();
    path.push(name.to_owned());
    path
}

/// Formats a key path the way it would be written in TOML (`mcp_servers."a.b".identity`).
fn format_key_path(key_path: &[String]) -> String {
    mcpctl_keypath::key_path_to_string(key_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_path_quotes_segments_that_are_not_bare() {
        let path = vec![
            "mcp_servers".to_owned(),
            "a.b".to_owned(),
            "identity".to_owned(),
        ];
        assert_eq!(format_key_path(&path), "mcp_servers.\"a.b\".identity");
    }

    #[test]
    fn span_prefers_the_key() {
        let text = "[mcp_servers.docs]\nidentity = 3\n";
        let document = Document::parse(text).unwrap();
        let docs = document.as_table()["mcp_servers"]["docs"]
            .as_table()
            .unwrap();
        let (key, item) = docs.get_key_value("identity").unwrap();
        let span = span_of(Some(key), item, None).unwrap();
        assert_eq!(&text[span], "identity");
    }
}

#[cfg(test)]
mod malformed_tests {
    use crate::{AllowlistError, Requirements};
    use std::path::Path;

    const PATH: &str = "/etc/codex/requirements.toml";

    fn error(text: &str) -> AllowlistError {
        Requirements::parse(text, Path::new(PATH)).unwrap_err()
    }

    /// Asserts the message starts with `path:line:col` and the key path, and mentions `needle`.
    fn assert_error(text: &str, position: &str, key_path: &str, needle: &str) {
        let message = error(text).to_string();
        let prefix = format!("{PATH}:{position}: invalid `{key_path}` in requirements: ");
        assert!(message.starts_with(&prefix), "{message}");
        assert!(message.contains(needle), "{message}");
    }

    #[test]
    fn bad_toml_reports_line_and_column() {
        let error = error("[mcp_servers.docs]\nidentity = { command = \"x\" \n");
        let AllowlistError::Syntax { location, .. } = &error else {
            panic!("expected a syntax error, got {error:?}");
        };
        assert_eq!((location.line(), location.column()), (Some(2), Some(27)));
        assert!(
            error.to_string().starts_with(&format!(
                "{PATH}:2:27: requirements file is not valid TOML: "
            )),
            "{error}"
        );
    }

    #[test]
    fn unknown_identity_key() {
        assert_error(
            "[mcp_servers.docs]\nidentity = { cmd = \"x\" }\n",
            "2:14",
            "mcp_servers.docs.identity.cmd",
            "unknown key `cmd`; expected exactly one of `command = \"...\"` or `url = ...`",
        );
    }

    #[test]
    fn identity_with_both_command_and_url() {
        assert_error(
            "[mcp_servers.docs]\nidentity = { command = \"x\", url = \"https://a\" }\n",
            "2:1",
            "mcp_servers.docs.identity",
            "both `command` and `url` are set",
        );
    }

    #[test]
    fn identity_with_neither_command_nor_url() {
        assert_error(
            "[mcp_servers.docs]\nidentity = {}\n",
            "2:1",
            "mcp_servers.docs.identity",
            "neither `command` nor `url` is set",
        );
    }

    #[test]
    fn entry_without_identity() {
        assert_error(
            "[mcp_servers.docs]\n",
            "1:14",
            "mcp_servers.docs",
            "the entry has no `identity`",
        );
    }

    #[test]
    fn unknown_key_in_entry_fails_closed() {
        assert_error(
            "[mcp_servers.docs]\nidentity = { command = \"d\" }\nenabled = true\n",
            "3:1",
            "mcp_servers.docs.enabled",
            "unknown key `enabled`",
        );
    }

    #[test]
    fn unknown_url_matcher() {
        assert_error(
            "[mcp_servers.docs]\nidentity = { url = { match = \"glob\", value = \"x\" } }\n",
            "2:22",
            "mcp_servers.docs.identity.url.match",
            "unknown matcher \"glob\"; expected `match = \"exact\"`, `match = \"prefix\"` or `match = \"regex\"`",
        );
    }

    #[test]
    fn matcher_without_match() {
        assert_error(
            "[mcp_servers.docs]\nidentity = { url = { value = \"x\" } }\n",
            "2:14",
            "mcp_servers.docs.identity.url",
            "the matcher table has no `match`",
        );
    }

    #[test]
    fn bad_regex() {
        assert_error(
            "[mcp_servers.docs]\nidentity = { url = { match = \"regex\", expression = \"(\" } }\n",
            "2:39",
            "mcp_servers.docs.identity.url.expression",
            "the regular expression does not compile: unclosed group; expected a regular expression",
        );
    }

    #[test]
    fn regex_with_value_instead_of_expression() {
        assert_error(
            "[mcp_servers.docs]\nidentity = { url = { match = \"regex\", value = \"x\" } }\n",
            "2:39",
            "mcp_servers.docs.identity.url.value",
            "`value` is not used by `match = \"regex\"`; expected `expression = \"...\"`",
        );
    }

    #[test]
    fn prefix_without_value() {
        assert_error(
            "[mcp_servers.docs]\nidentity = { url = { match = \"prefix\" } }\n",
            "2:14",
            "mcp_servers.docs.identity.url",
            "`match = \"prefix\"` needs `value`",
        );
    }

    #[test]
    fn wrong_types() {
        assert_error(
            "[mcp_servers.docs]\nidentity = { command = 3 }\n",
            "2:14",
            "mcp_servers.docs.identity.command",
            "found an integer where a string is needed",
        );
        assert_error(
            "mcp_servers = 3\n",
            "1:1",
            "mcp_servers",
            "found an integer where a table is needed",
        );
        assert_error(
            "[[mcp_servers]]\nx = 1\n",
            "1:3",
            "mcp_servers",
            "found an array of tables where a table is needed",
        );
        assert_error(
            "[mcp_servers.\"a.b\"]\nidentity = { url = true }\n",
            "2:14",
            "mcp_servers.\"a.b\".identity.url",
            "found a boolean; expected a URL string, or a matcher table",
        );
        assert_error(
            "[mcp_servers.docs.identity.url]\nmatch = 1\n",
            "2:1",
            "mcp_servers.docs.identity.url.match",
            "found an integer",
        );
    }

    #[test]
    fn empty_strings_are_rejected() {
        assert_error(
            "[mcp_servers.docs]\nidentity = { url = { match = \"prefix\", value = \"\" } }\n",
            "2:40",
            "mcp_servers.docs.identity.url.value",
            "the string is empty",
        );
    }

    #[test]
    fn legacy_entry_with_both_or_none() {
        assert_error(
            "[mcp_server_allowlist.x]\ncommand = \"a\"\nurl = \"b\"\n",
            "1:23",
            "mcp_server_allowlist.x",
            "both `command` and `url` are set",
        );
        assert_error(
            "[mcp_server_allowlist.x]\n",
            "1:23",
            "mcp_server_allowlist.x",
            "neither `command` nor `url` is set",
        );
    }

    #[test]
    fn legacy_url_takes_only_strings() {
        assert_error(
            "[mcp_server_allowlist.x]\nurl = { match = \"prefix\", value = \"x\" }\n",
            "2:1",
            "mcp_server_allowlist.x.url",
            "found an inline table where a string is needed; expected an exact URL string",
        );
    }

    #[test]
    fn launch_keys_fail_closed() {
        // (text, position, key path, needle)
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "[mcp_servers.d]\nidentity = { command = \"./run\" }\n",
                "2:14",
                "mcp_servers.d.identity.command",
                "`./run` is a relative path",
            ),
            (
                "[mcp_server_allowlist.d]\ncommand = \"bin/run\"\n",
                "2:1",
                "mcp_server_allowlist.d.command",
                "`bin/run` is a relative path",
            ),
            (
                "[mcp_servers.d]\nidentity = { command = \"n\", args = \"-e\" }\n",
                "2:29",
                "mcp_servers.d.identity.args",
                "found a string where an array is needed",
            ),
            (
                "[mcp_servers.d]\nidentity = { command = \"n\", args = [\"a\", 1] }\n",
                "2:42",
                "mcp_servers.d.identity.args.1",
                "found an integer where a string is needed",
            ),
            (
                "[mcp_servers.d]\nidentity = { command = \"n\", args = [], args_prefix = [] }\n",
                "2:40",
                "mcp_servers.d.identity.args_prefix",
                "both `args` and `args_prefix` are set",
            ),
            (
                "[mcp_servers.d]\nidentity = { command = \"n\", cwd = \"opt\" }\n",
                "2:29",
                "mcp_servers.d.identity.cwd",
                "`opt` is not an absolute path",
            ),
            (
                "[mcp_servers.d]\nidentity = { command = \"n\", allow_env = [\"A=B\"] }\n",
                "2:29",
                "mcp_servers.d.identity.allow_env",
                "`A=B` contains `=`",
            ),
            (
                "[mcp_servers.d]\nidentity = { command = \"n\", allow_env = [\"*_X\"] }\n",
                "2:29",
                "mcp_servers.d.identity.allow_env",
                "has a `*` that is not at the end",
            ),
            (
                "[mcp_servers.d]\nidentity = { command = \"n\", allow_env = [\"\"] }\n",
                "2:29",
                "mcp_servers.d.identity.allow_env",
                "an empty name",
            ),
            (
                "[mcp_servers.d]\nidentity = { command = \"n\", allow_env = \"PATH\" }\n",
                "2:29",
                "mcp_servers.d.identity.allow_env",
                "found a string where an array is needed",
            ),
            (
                "[mcp_servers.d]\nidentity = { url = \"https://a.test/\", allow_env = [] }\n",
                "2:39",
                "mcp_servers.d.identity.allow_env",
                "`allow_env` is only used with `command`",
            ),
            (
                "[mcp_servers.d]\nidentity = { command = \"n\", env = { PATH = \"/x\" } }\n",
                "2:29",
                "mcp_servers.d.identity.env",
                "unknown key `env`",
            ),
            (
                "[mcp_server_allowlist.d]\ncommand = \"n\"\nallow_envs = []\n",
                "3:1",
                "mcp_server_allowlist.d.allow_envs",
                "unknown key `allow_envs`",
            ),
            (
                "[mcp_servers.d]\nidentity = { url = \"example.com/mcp\" }\n",
                "2:14",
                "mcp_servers.d.identity.url",
                "`example.com/mcp` is not an absolute URL with a host",
            ),
            (
                "[mcp_server_allowlist.d]\nurl = \"/mcp\"\n",
                "2:1",
                "mcp_server_allowlist.d.url",
                "`/mcp` is not an absolute URL with a host",
            ),
            (
                "[mcp_servers.d]\nidentity = { url = { match = \"prefix\", value = \"https://a.test/?x\" } }\n",
                "2:40",
                "mcp_servers.d.identity.url.value",
                "has a query or fragment",
            ),
        ];
        for (text, position, key_path, needle) in cases {
            assert_error(text, position, key_path, needle);
        }
    }

    #[test]
    fn error_in_one_section_fails_the_whole_file() {
        let message = error(
            "[mcp_servers.docs]\nidentity = { command = \"d\" }\n[mcp_server_allowlist.x]\nurl = 1\n",
        )
        .to_string();
        assert!(message.starts_with(&format!("{PATH}:4:1:")), "{message}");
    }

    #[test]
    fn approval_cap_is_read_and_fails_closed() {
        use mcpctl_approval_presets::ApprovalMode;
        let parse = |text: &str| Requirements::parse(text, Path::new(PATH)).unwrap();
        let requirements = parse("allowed_approval_modes = [\"writes\", \"prompt\"]\n");
        assert!(!requirements.constrains_mcp());
        let cap = requirements.approval_cap().unwrap();
        assert_eq!(cap.allowed(), &[ApprovalMode::Prompt, ApprovalMode::Writes]);
        assert!(
            parse("[mcp_servers.a]\nidentity = { command = \"a\" }\n")
                .approval_cap()
                .is_none()
        );
        assert_error(
            "allowed_approval_modes = \"prompt\"\n",
            "1:1",
            "allowed_approval_modes",
            "found a string where an array is needed",
        );
        assert_error(
            "allowed_approval_modes = []\n",
            "1:1",
            "allowed_approval_modes",
            "the array is empty",
        );
        assert_error(
            "\nallowed_approval_modes = [\"prompt\", \"yolo\"]\n",
            "2:37",
            "allowed_approval_modes",
            "'yolo' is not a valid approval mode",
        );
        assert_error(
            "allowed_approval_modes = [1]\n",
            "1:27",
            "allowed_approval_modes",
            "found an integer in the array",
        );
    }
}
