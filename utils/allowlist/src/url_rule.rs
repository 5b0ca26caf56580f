//! Matching a server URL against a requirement: exact and prefix rules compare the parsed URL
//! (scheme, user info, host, port, then path), regex rules the text.

use regex::Regex;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use url::Url;

/// Which kind of URL rule a [`UrlMatcher`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UrlMatchKind {
    /// `url = "..."` or `{ match = "exact", value = "..." }`.
    Exact,
    /// `{ match = "prefix", value = "..." }`.
    Prefix,
    /// `{ match = "regex", expression = "..." }`.
    Regex,
}

/// How a requirement matches a server URL.
///
/// - **exact**: the parsed URLs are equal: scheme and host ignoring case, the port with the
///   scheme's default filled in, user info, query and fragment; one trailing `/` of the path
///   is ignored on either side.
/// - **prefix**: scheme, user info, host and port are equal, and the path is the rule's path or
///   lies below it, segment by segment: the prefix `https://x/mcp` (or `https://x/mcp/`)
///   matches `https://x/mcp`, `https://x/mcp/` and `https://x/mcp/a`, never `https://x/mcpevil`.
///   The query and fragment of the server URL are not compared.
/// - **regex**: the whole URL text matches the expression (compiled as `^(?:expression)$`).
///   Because the text is not what a client connects to when the URL parser rewrites it, the
///   text must read back unchanged from the parser (apart from letter case and a final `/`):
///   a backslash, a tab, a default port, `..` or percent-escapes in the host are refused.
///
/// Under every rule, a URL that does not parse never matches, and a URL with user info
/// (`http://a@b/`) matches only a rule that has the same user info (for regex rules: only an
/// expression that contains `@`), since `http://allowed@evil/` connects to `evil`.
#[derive(Debug, Clone)]
pub struct UrlMatcher {
    kind: UrlMatchKind,
    text: String,
    rule: Rule,
}

#[derive(Debug, Clone)]
enum Rule {
    Parsed(Box<Url>),
    Regex(Regex),
}

/// Why a URL rule could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRuleError {
    /// An exact or prefix value is not an absolute URL with a host.
    #[error("`{value}` is not an absolute URL with a host ({reason})")]
    NotAUrl {
        /// The value as written.
        value: String,
        /// What the URL parser said, or what is missing.
        reason: String,
    },
    /// A prefix value carries a query or fragment, which prefix rules do not compare.
    #[error(
        "the prefix `{value}` has a query or fragment; a prefix rule compares scheme, host, port \
         and path only"
    )]
    PrefixWithQuery {
        /// The value as written.
        value: String,
    },
    /// The regular expression does not compile.
    #[error("the regular expression does not compile: {0}")]
    Regex(String),
}

impl UrlMatcher {
    /// An exact rule for `value`, which must be an absolute URL with a host.
    pub fn exact(value: &str) -> Result<Self, UrlRuleError> {
        Ok(Self {
            kind: UrlMatchKind::Exact,
            text: value.to_owned(),
            rule: Rule::Parsed(Box::new(parse_rule_url(value)?)),
        })
    }

    /// A prefix rule for `value`, an absolute URL with a host and no query or fragment.
    pub fn prefix(value: &str) -> Result<Self, UrlRuleError> {
        let url = parse_rule_url(value)?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(UrlRuleError::PrefixWithQuery {
                value: value.to_owned(),
            });
        }
        Ok(Self {
            kind: UrlMatchKind::Prefix,
            text: value.to_owned(),
            rule: Rule::Parsed(Box::new(url)),
        })
    }

    /// A regex rule, anchored so that `expression` must match the whole URL.
    pub fn regex(expression: &str) -> Result<Self, UrlRuleError> {
        // Compile as written first so that a syntax error points into the administrator's
        // text, not into the anchoring wrapper.
        Regex::new(expression).map_err(|error| UrlRuleError::Regex(regex_problem(&error)))?;
        let regex = Regex::new(&format!("^(?:{expression})$"))
            .map_err(|error| UrlRuleError::Regex(regex_problem(&error)))?;
        Ok(Self {
            kind: UrlMatchKind::Regex,
            text: expression.to_owned(),
            rule: Rule::Regex(regex),
        })
    }

    /// The kind of rule.
    pub fn kind(&self) -> UrlMatchKind {
        self.kind
    }

    /// The URL (exact, prefix) or expression (regex) as written in the requirements.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether `url`, a server's configured URL, satisfies this rule.
    pub fn matches(&self, url: &str) -> bool {
        let Ok(server) = Url::parse(url) else {
            return false;
        };
        match &self.rule {
            Rule::Parsed(rule) => {
                same_origin(rule, &server)
                    && match self.kind {
                        UrlMatchKind::Prefix => path_within(rule.path(), server.path()),
                        _ => {
                            trim_one_slash(rule.path()) == trim_one_slash(server.path())
                                && rule.query() == server.query()
                                && rule.fragment() == server.fragment()
                        }
                    }
            }
            Rule::Regex(regex) => {
                (!has_user_info(&server) || self.text.contains('@'))
                    && reads_back_unchanged(url, &server)
                    && regex.is_match(url)
            }
        }
    }

    /// A short human description, e.g. ``url starting with `https://example.com/` ``.
    pub fn describe(&self) -> String {
        match self.kind {
            UrlMatchKind::Exact => format!("url `{}`", self.text),
            UrlMatchKind::Prefix => format!("url starting with `{}`", self.text),
            UrlMatchKind::Regex => format!("url matching regex `{}`", self.text),
        }
    }
}

/// JSON view mirroring the TOML: `{"match": "prefix", "value": ...}` or
/// `{"match": "regex", "expression": ...}`.
impl Serialize for UrlMatcher {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("UrlMatcher", 2)?;
        state.serialize_field("match", &self.kind)?;
        match self.kind {
            UrlMatchKind::Regex => state.serialize_field("expression", &self.text)?,
            _ => state.serialize_field("value", &self.text)?,
        }
        state.end()
    }
}

fn parse_rule_url(value: &str) -> Result<Url, UrlRuleError> {
    let not_a_url = |reason: String| UrlRuleError::NotAUrl {
        value: value.to_owned(),
        reason,
    };
    let url = Url::parse(value).map_err(|error| not_a_url(error.to_string()))?;
    if url.cannot_be_a_base() || !url.has_host() || url.host_str() == Some("") {
        return Err(not_a_url("it has no host".to_owned()));
    }
    Ok(url)
}

/// Scheme, user info, host and port (with the scheme's default) are equal. The `url` parser
/// has already lowered the case of scheme and host and normalised IP addresses.
fn same_origin(rule: &Url, server: &Url) -> bool {
    rule.scheme() == server.scheme()
        && rule.username() == server.username()
        && rule.password() == server.password()
        && rule.host() == server.host()
        && rule.port_or_known_default() == server.port_or_known_default()
}

fn has_user_info(url: &Url) -> bool {
    !url.username().is_empty() || url.password().is_some()
}

/// `server` is `rule` or below it, segment by segment.
fn path_within(rule: &str, server: &str) -> bool {
    let base = trim_one_slash(rule);
    base.is_empty()
        || server == base
        || server
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The parser's serialisation equals the text, ignoring ASCII case and an added final `/`
/// (`https://x` reads back as `https://x/`).
fn reads_back_unchanged(text: &str, parsed: &Url) -> bool {
    let back = parsed.as_str();
    back.eq_ignore_ascii_case(text)
        || back
            .strip_suffix('/')
            .is_some_and(|b| b.eq_ignore_ascii_case(text))
}

fn trim_one_slash(path: &str) -> &str {
    path.strip_suffix('/').unwrap_or(path)
}

/// The last line of a `regex` error says what is wrong ("error: unclosed group"); the lines
/// before it repeat the expression with a caret, which does not fit a one-line message.
fn regex_problem(error: &regex::Error) -> String {
    let text = error.to_string();
    let last = text
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or(&text);
    last.trim().trim_start_matches("error: ").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(value: &str) -> UrlMatcher {
        UrlMatcher::exact(value).unwrap()
    }

    fn prefix(value: &str) -> UrlMatcher {
        UrlMatcher::prefix(value).unwrap()
    }

    fn regex(expression: &str) -> UrlMatcher {
        UrlMatcher::regex(expression).unwrap()
    }

    /// Each case: rule, server URL, whether it matches. Every known bypass is a row.
    #[test]
    fn table_of_url_cases() {
        let cases: &[(UrlMatcher, &str, bool)] = &[
            // The userinfo trick from the issue: the text starts with the prefix, the request
            // goes to port 18082.
            (
                prefix("http://localhost:18081"),
                "http://localhost:18081@127.0.0.1:18082/mcp",
                false,
            ),
            (
                prefix("http://localhost:18081"),
                "http://localhost:18081/mcp",
                true,
            ),
            (
                prefix("http://localhost:18081"),
                "http://user@localhost:18081/mcp",
                false,
            ),
            (
                prefix("http://localhost:18081"),
                "http://localhost:18081.evil.test/mcp",
                false,
            ),
            (
                prefix("http://localhost:18081"),
                "http://localhost:180811/mcp",
                false,
            ),
            (prefix("http://localhost"), "http://localhost:80/mcp", true),
            (
                prefix("http://localhost"),
                "http://localhost:8080/mcp",
                false,
            ),
            // Segment-aware paths.
            (prefix("https://x.test/mcp"), "https://x.test/mcp", true),
            (prefix("https://x.test/mcp"), "https://x.test/mcp/", true),
            (prefix("https://x.test/mcp"), "https://x.test/mcp/a", true),
            (
                prefix("https://x.test/mcp"),
                "https://x.test/mcpevil",
                false,
            ),
            (prefix("https://x.test/mcp/"), "https://x.test/mcp/a", true),
            (prefix("https://x.test/mcp/"), "https://x.test/mcp", true),
            (
                prefix("https://x.test/mcp/"),
                "https://x.test/mcpevil",
                false,
            ),
            (
                prefix("https://x.test/mcp/"),
                "https://x.test/mcp/../admin",
                false,
            ),
            (
                prefix("https://x.test/mcp/"),
                "https://x.test/mcp/%2e%2e/admin",
                false,
            ),
            (
                prefix("https://x.test/mcp/"),
                "https://x.test/mcp/a?q=1#f",
                true,
            ),
            (prefix("https://x.test/"), "https://x.test/anything", true),
            (prefix("https://x.test"), "https://x.test", true),
            // Hosts and schemes.
            (
                prefix("https://example.com/"),
                "https://EXAMPLE.com/mcp",
                true,
            ),
            (
                prefix("https://example.com"),
                "https://example.com.evil.test/",
                false,
            ),
            (
                prefix("https://example.com/"),
                "http://example.com/mcp",
                false,
            ),
            (
                prefix("https://example.com/"),
                "HTTPS://example.com/mcp",
                true,
            ),
            (
                prefix("https://example.com/"),
                "https://%65xample.com/mcp",
                true,
            ),
            // `\\` ends the authority like `/`: this connects to example.com.
            (
                prefix("https://example.com/"),
                "https://example.com\\@evil.test/",
                true,
            ),
            (
                prefix("https://example.com/"),
                "https://evil.test\\.example.com/",
                false,
            ),
            (prefix("https://example.com/"), "not a url", false),
            (prefix("http://127.0.0.1/"), "http://0x7f.1/mcp", true),
            // Exact.
            (
                exact("https://example.com/mcp"),
                "https://example.com/mcp",
                true,
            ),
            (
                exact("https://example.com/mcp"),
                "https://example.com/mcp/",
                true,
            ),
            (
                exact("https://example.com/mcp/"),
                "https://example.com/mcp",
                true,
            ),
            (
                exact("https://example.com/mcp"),
                "https://example.com/mcp//",
                false,
            ),
            (
                exact("https://example.com/mcp"),
                "https://example.com/mcp/x",
                false,
            ),
            (
                exact("https://example.com/mcp"),
                "https://example.com:443/mcp",
                true,
            ),
            (
                exact("https://example.com/mcp"),
                "https://Example.COM/mcp",
                true,
            ),
            (
                exact("https://example.com/mcp"),
                "https://example.com:8443/mcp",
                false,
            ),
            (
                exact("https://example.com/mcp"),
                "https://u:p@example.com/mcp",
                false,
            ),
            (
                exact("https://example.com/mcp"),
                "https://example.com/mcp?x=1",
                false,
            ),
            (
                exact("https://example.com/mcp"),
                "https://example.com/%6dcp",
                false,
            ),
            (
                exact("https://example.com/mcp"),
                "http://example.com/mcp",
                false,
            ),
            (
                exact("https://u@example.com/mcp"),
                "https://u@example.com/mcp",
                true,
            ),
            // Regex: text, but never with user info or a text the parser rewrites.
            (
                regex("https://[a-z]+[.]example[.]com/mcp"),
                "https://docs.example.com/mcp",
                true,
            ),
            (
                regex("https://[a-z]+[.]example[.]com/mcp"),
                "https://docs.example.com/mcp/extra",
                false,
            ),
            (
                regex("https://.*[.]example[.]com/mcp"),
                "https://evil.test@a.example.com/mcp",
                false,
            ),
            (
                regex("https://.*[.]example[.]com/mcp"),
                "https://evil.test\\.example.com/mcp",
                false,
            ),
            (
                regex("https://.*[.]example[.]com/mcp"),
                "https://docs.example.com/mcp",
                true,
            ),
            (
                regex("https://bot@[a-z]+[.]example[.]com/mcp"),
                "https://bot@docs.example.com/mcp",
                true,
            ),
            (
                regex("https://docs[.]example[.]com.*"),
                "https://docs.example.com%2eevil.test/",
                false,
            ),
            (regex("https://a[.]test"), "https://a.test", true),
            (regex("https://a[.]test/"), "https://A.TEST/", false),
            (regex("(?i)https://a[.]test/"), "https://A.TEST/", true),
            (
                regex("https://a[.]test:443/mcp"),
                "https://a.test:443/mcp",
                false,
            ),
            (regex("https://a[.]test/mcp"), "https://a.test/mcp\t", false),
        ];
        for (rule, url, expected) in cases {
            assert_eq!(rule.matches(url), *expected, "{} vs {url}", rule.describe());
        }
    }

    #[test]
    fn alternation_is_anchored_as_a_whole() {
        let matcher = regex("https://a[.]test/mcp|https://b[.]test/mcp");
        assert!(matcher.matches("https://b.test/mcp"));
        assert!(!matcher.matches("https://a.test/mcp.evil"));
        assert!(!matcher.matches("evil://https://a.test/mcp"));
    }

    #[test]
    fn rule_urls_must_be_absolute_with_a_host() {
        for value in ["example.com/mcp", "/mcp", "mailto:a@b", "", "https://"] {
            assert!(
                matches!(UrlMatcher::exact(value), Err(UrlRuleError::NotAUrl { .. })),
                "{value}"
            );
        }
        assert_eq!(
            UrlMatcher::prefix("https://x.test/?a=1").unwrap_err(),
            UrlRuleError::PrefixWithQuery {
                value: "https://x.test/?a=1".to_owned()
            }
        );
        assert_eq!(
            UrlMatcher::regex("(").unwrap_err(),
            UrlRuleError::Regex("unclosed group".to_owned())
        );
    }

    #[test]
    fn descriptions_and_json() {
        assert_eq!(exact("https://a.test/").describe(), "url `https://a.test/`");
        assert_eq!(
            prefix("https://a.test/").describe(),
            "url starting with `https://a.test/`"
        );
        assert_eq!(regex("^x$").describe(), "url matching regex `^x$`");
        assert_eq!(
            serde_json::to_value(prefix("https://a.test/")).unwrap(),
            serde_json::json!({"match": "prefix", "value": "https://a.test/"})
        );
        assert_eq!(
            serde_json::to_value(regex("x")).unwrap(),
            serde_json::json!({"match": "regex", "expression": "x"})
        );
        assert_eq!(regex("x").kind(), UrlMatchKind::Regex);
        assert_eq!(regex("x").text(), "x");
    }
}
