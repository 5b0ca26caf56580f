use std::fmt;

use regex::Regex;
use serde::Serialize;

/// How a configured server is launched or reached: the identity a requirement is checked
/// against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerIdentity<'a> {
    /// A stdio server, identified by its `command` (without arguments).
    Command(&'a str),
    /// A streamable HTTP server, identified by its `url`.
    Url(&'a str),
}

impl fmt::Display for ServerIdentity<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Command(command) => write!(f, "command `{command}`"),
            Self::Url(url) => write!(f, "url `{url}`"),
        }
    }
}

/// One identity a requirement allows for a server name.
///
/// Serialises the way it is written in `requirements.toml`: `{"command": "docs-mcp"}` or
/// `{"url": {"match": "prefix", "value": "https://example.com/"}}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityMatcher {
    /// The server's `command` must equal this string exactly.
    Command(String),
    /// The server's `url` must satisfy this matcher.
    Url(UrlMatcher),
}

impl IdentityMatcher {
    /// Whether `identity` satisfies this matcher. A command matcher never matches a URL and
    /// vice versa.
    pub fn matches(&self, identity: &ServerIdentity<'_>) -> bool {
        match (self, identity) {
            (Self::Command(expected), ServerIdentity::Command(actual)) => expected == actual,
            (Self::Url(matcher), ServerIdentity::Url(actual)) => matcher.matches(actual),
            _ => false,
        }
    }

    /// A short human description, e.g. ``url starting with `https://example.com/` ``.
    pub fn describe(&self) -> String {
        match self {
            Self::Command(command) => format!("command `{command}`"),
            Self::Url(matcher) => matcher.describe(),
        }
    }
}

impl fmt::Display for IdentityMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// How a requirement matches a server URL.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "match", rename_all = "snake_case")]
pub enum UrlMatcher {
    /// Equal to `value`, ignoring one trailing `/` on either side
    /// (`https://x/mcp/` matches `https://x/mcp`).
    Exact {
        /// The URL as written in the requirements.
        value: String,
    },
    /// Starts with `value`, compared byte for byte. Note that the prefix `https://example.com`
    /// also matches `https://example.com.evil.test`; administrators should end prefixes with `/`.
    Prefix {
        /// The prefix as written in the requirements.
        value: String,
    },
    /// The whole URL matches `expression`. The expression is compiled as `^(?:expression)$`,
    /// so it must match the entire URL even when written without anchors.
    Regex {
        /// The expression as written in the requirements.
        expression: String,
        /// The compiled, fully anchored expression.
        #[serde(skip)]
        regex: Regex,
    },
}

impl UrlMatcher {
    /// Compiles a regex matcher, anchoring `expression` so that it must match the whole URL.
    pub fn regex(expression: &str) -> Result<Self, regex::Error> {
        // Compile as written first so that a syntax error points into the administrator's
        // text, not into the anchoring wrapper.
        Regex::new(expression)?;
        let regex = Regex::new(&format!("^(?:{expression})$"))?;
        Ok(Self::Regex {
            expression: expression.to_owned(),
            regex,
        })
    }

    /// Whether `url` satisfies this matcher.
    pub fn matches(&self, url: &str) -> bool {
        match self {
            Self::Exact { value } => trim_one_slash(value) == trim_one_slash(url),
            Self::Prefix { value } => url.starts_with(value.as_str()),
            Self::Regex { regex, .. } => regex.is_match(url),
        }
    }

    /// A short human description, e.g. ``url matching regex `^https://.*$` ``.
    pub fn describe(&self) -> String {
        match self {
            Self::Exact { value } => format!("url `{value}`"),
            Self::Prefix { value } => format!("url starting with `{value}`"),
            Self::Regex { expression, .. } => format!("url matching regex `{expression}`"),
        }
    }
}

fn trim_one_slash(url: &str) -> &str {
    url.strip_suffix('/').unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_matches_exactly_and_never_a_url() {
        let matcher = IdentityMatcher::Command("docs-mcp".to_owned());
        assert!(matcher.matches(&ServerIdentity::Command("docs-mcp")));
        assert!(!matcher.matches(&ServerIdentity::Command("docs-mcp2")));
        assert!(!matcher.matches(&ServerIdentity::Command("/usr/bin/docs-mcp")));
        assert!(!matcher.matches(&ServerIdentity::Url("docs-mcp")));
    }

    #[test]
    fn exact_url_ignores_one_trailing_slash_on_either_side() {
        let matcher = UrlMatcher::Exact {
            value: "https://example.com/mcp".to_owned(),
        };
        assert!(matcher.matches("https://example.com/mcp"));
        assert!(matcher.matches("https://example.com/mcp/"));
        assert!(!matcher.matches("https://example.com/mcp//"));
        assert!(!matcher.matches("https://example.com/mcp/x"));
        let with_slash = UrlMatcher::Exact {
            value: "https://example.com/mcp/".to_owned(),
        };
        assert!(with_slash.matches("https://example.com/mcp"));
    }

    #[test]
    fn prefix_url_is_a_plain_prefix() {
        let matcher = UrlMatcher::Prefix {
            value: "https://example.com/".to_owned(),
        };
        assert!(matcher.matches("https://example.com/mcp"));
        assert!(!matcher.matches("https://example.com.evil.test/mcp"));
        assert!(!matcher.matches("http://example.com/mcp"));
    }

    #[test]
    fn regex_must_match_the_whole_url() {
        let matcher = UrlMatcher::regex("https://[a-z]+[.]example[.]com/mcp").unwrap();
        assert!(matcher.matches("https://docs.example.com/mcp"));
        assert!(!matcher.matches("https://docs.example.com/mcp/extra"));
        assert!(!matcher.matches("evil://https://docs.example.com/mcp"));
        let anchored = UrlMatcher::regex("^https://a[.]test/.*$").unwrap();
        assert!(anchored.matches("https://a.test/x"));
    }

    #[test]
    fn alternation_is_anchored_as_a_whole() {
        let matcher = UrlMatcher::regex("https://a[.]test/mcp|https://b[.]test/mcp").unwrap();
        assert!(matcher.matches("https://b.test/mcp"));
        assert!(!matcher.matches("https://a.test/mcp.evil"));
    }

    #[test]
    fn descriptions_name_the_matcher() {
        assert_eq!(
            IdentityMatcher::Command("docs-mcp".to_owned()).describe(),
            "command `docs-mcp`"
        );
        let prefix = IdentityMatcher::Url(UrlMatcher::Prefix {
            value: "https://example.com/".to_owned(),
        });
        assert_eq!(
            prefix.to_string(),
            "url starting with `https://example.com/`"
        );
        let regex = IdentityMatcher::Url(UrlMatcher::regex("^x$").unwrap());
        assert_eq!(regex.describe(), "url matching regex `^x$`");
        assert_eq!(
            ServerIdentity::Url("https://a").to_string(),
            "url `https://a`"
        );
    }
}
