use std::fmt;

use serde::{Serialize, Serializer};

use crate::launch::{CommandRule, LaunchProblem, StdioLaunch};
use crate::url_rule::UrlMatcher;

/// How a configured server is launched or reached: the identity a requirement is checked
/// against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerIdentity<'a> {
    /// A stdio server, identified by its whole launch: command, args, env, env_vars, cwd.
    Stdio(StdioLaunch<'a>),
    /// A streamable HTTP server, identified by its `url`.
    Url(&'a str),
}

impl fmt::Display for ServerIdentity<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stdio(launch) => write!(f, "command `{}`", launch.command),
            Self::Url(url) => write!(f, "url `{url}`"),
        }
    }
}

/// One identity a requirement allows for a server name.
///
/// Serialises the way it is written in `requirements.toml`:
/// `{"command": "docs-mcp", "args": [...], ...}` or
/// `{"url": {"match": "prefix", "value": "https://example.com/"}}`.
#[derive(Debug, Clone)]
pub enum IdentityMatcher {
    /// The server's launch must satisfy this rule.
    Command(CommandRule),
    /// The server's `url` must satisfy this matcher.
    Url(UrlMatcher),
}

/// How an identity compares with a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IdentityFit {
    /// Everything matches.
    Match,
    /// Another program or URL (or the other transport): this rule is not about the server.
    Other,
    /// The same command, but the launch changes what runs.
    Launch(LaunchProblem),
}

impl IdentityMatcher {
    /// Whether `identity` satisfies this matcher. A command matcher never matches a URL and
    /// vice versa.
    pub fn matches(&self, identity: &ServerIdentity<'_>) -> bool {
        self.fit(identity) == IdentityFit::Match
    }

    pub(crate) fn fit(&self, identity: &ServerIdentity<'_>) -> IdentityFit {
        match (self, identity) {
            (Self::Command(rule), ServerIdentity::Stdio(launch)) => {
                if !rule.names_program(launch) {
                    return IdentityFit::Other;
                }
                match rule.check_launch(launch) {
                    Ok(()) => IdentityFit::Match,
                    Err(problem) => IdentityFit::Launch(problem),
                }
            }
            (Self::Url(matcher), ServerIdentity::Url(actual)) if matcher.matches(actual) => {
                IdentityFit::Match
            }
            _ => IdentityFit::Other,
        }
    }

    /// A short human description, e.g. ``url starting with `https://example.com/` ``.
    pub fn describe(&self) -> String {
        match self {
            Self::Command(rule) => rule.describe(),
            Self::Url(matcher) => matcher.describe(),
        }
    }
}

impl fmt::Display for IdentityMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Serialize for IdentityMatcher {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct UrlIdentity<'a> {
            url: &'a UrlMatcher,
        }
        match self {
            Self::Command(rule) => rule.serialize(serializer),
            Self::Url(url) => UrlIdentity { url }.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_matches_exactly_and_never_a_url() {
        let matcher = IdentityMatcher::Command(CommandRule::new("docs-mcp"));
        let launch = |command| ServerIdentity::Stdio(StdioLaunch::command(command));
        assert!(matcher.matches(&launch("docs-mcp")));
        assert!(!matcher.matches(&launch("docs-mcp2")));
        assert!(!matcher.matches(&launch("/usr/bin/docs-mcp")));
        assert!(!matcher.matches(&ServerIdentity::Url("docs-mcp")));
        let url = IdentityMatcher::Url(UrlMatcher::exact("https://a.test/").unwrap());
        assert!(!url.matches(&launch("https://a.test/")));
        assert!(url.matches(&ServerIdentity::Url("https://a.test")));
    }

    #[test]
    fn descriptions_name_the_matcher() {
        assert_eq!(
            IdentityMatcher::Command(CommandRule::new("docs-mcp")).describe(),
            "command `docs-mcp`"
        );
        let prefix = IdentityMatcher::Url(UrlMatcher::prefix("https://example.com/").unwrap());
        assert_eq!(
            prefix.to_string(),
            "url starting with `https://example.com/`"
        );
        assert_eq!(
            ServerIdentity::Url("https://a").to_string(),
            "url `https://a`"
        );
        assert_eq!(
            ServerIdentity::Stdio(StdioLaunch::command("x")).to_string(),
            "command `x`"
        );
    }

    #[test]
    fn json_mirrors_the_toml() {
        let rule = CommandRule::new("node")
            .with_args(vec!["/s.js".into()])
            .with_allow_env(vec!["PATH".into()]);
        assert_eq!(
            serde_json::to_value(IdentityMatcher::Command(rule)).unwrap(),
            serde_json::json!({"command": "node", "args": ["/s.js"], "allow_env": ["PATH"]})
        );
        assert_eq!(
            serde_json::to_value(IdentityMatcher::Command(CommandRule::new("d"))).unwrap(),
            serde_json::json!({"command": "d"})
        );
    }
}
