//! Which scopes a login asks for.

use crate::oauth::metadata::AuthServerMetadata;

/// Where the requested scopes came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeSource {
    /// The login's own list (`--scopes`, or a step-up's union).
    Requested,
    /// The server's `scopes` key in the config.
    Config,
    /// The `scope` of the server's `WWW-Authenticate` challenge.
    Challenge,
    /// The protected-resource metadata's `scopes_supported`.
    ResourceMetadata,
    /// Nowhere: the `scope` parameter is left out.
    None,
}

/// The scopes to request, first match wins: `requested`, then `config`, then the challenge's
/// `scope`, then the protected-resource metadata's `scopes_supported` (never the authorization
/// server's list, which describes every resource it serves). `offline_access` is added when
/// the authorization server lists it (for a refresh token), and only then.
pub fn select_scopes(
    requested: Option<&[String]>,
    config: Option<&[String]>,
    challenge: Option<&str>,
    resource_scopes: Option<&[String]>,
    metadata: &AuthServerMetadata,
) -> (Vec<String>, ScopeSource) {
    let challenge: Option<Vec<String>> = challenge
        .map(|s| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .filter(|s| !s.is_empty());
    let (mut scopes, source) = if let Some(s) = requested {
        (s.to_vec(), ScopeSource::Requested)
    } else if let Some(s) = config {
        (s.to_vec(), ScopeSource::Config)
    } else if let Some(s) = challenge {
        (s, ScopeSource::Challenge)
    } else if let Some(s) = resource_scopes.filter(|s| !s.is_empty()) {
        (s.to_vec(), ScopeSource::ResourceMetadata)
    } else {
        (Vec::new(), ScopeSource::None)
    };
    let mut seen = std::collections::HashSet::new();
    scopes.retain(|s| !s.is_empty() && seen.insert(s.clone()));
    if !scopes.is_empty()
        && metadata.lists_scope("offline_access")
        && !scopes.iter().any(|s| s == "offline_access")
    {
        scopes.push("offline_access".to_owned());
    }
    (scopes, source)
}

/// The union of `current` and `required` (space-separated), in order, without repeats: what a
/// step-up asks for after a `403 insufficient_scope`.
pub fn union_scopes(current: &[String], required: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for scope in current
        .iter()
        .map(String::as_str)
        .chain(required.split_whitespace())
    {
        if !out.iter().any(|s| s == scope) {
            out.push(scope.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn precedence_is_flag_config_challenge_resource() {
        let md = AuthServerMetadata {
            scopes_supported: Some(v(&["as:all"])),
            ..AuthServerMetadata::default()
        };
        let prm = v(&["prm"]);
        let cfg = v(&["cfg"]);
        let flag = v(&["flag"]);
        let pick = |f: Option<&[String]>, c: Option<&[String]>, ch: Option<&str>| {
            select_scopes(f, c, ch, Some(&prm), &md)
        };
        assert_eq!(
            pick(Some(&flag), Some(&cfg), Some("ch")),
            (v(&["flag"]), ScopeSource::Requested)
        );
        assert_eq!(
            pick(None, Some(&cfg), Some("ch")),
            (v(&["cfg"]), ScopeSource::Config)
        );
        assert_eq!(
            pick(None, None, Some("a b a")),
            (v(&["a", "b"]), ScopeSource::Challenge)
        );
        assert_eq!(
            pick(None, None, Some(" ")),
            (v(&["prm"]), ScopeSource::ResourceMetadata)
        );
        // The authorization server's own list is never used.
        assert_eq!(
            select_scopes(None, None, None, None, &md),
            (vec![], ScopeSource::None)
        );
    }

    #[test]
    fn offline_access_only_when_listed_and_something_is_asked() {
        let listed = AuthServerMetadata {
            scopes_supported: Some(v(&["mcp:basic", "offline_access"])),
            ..AuthServerMetadata::default()
        };
        let prm = v(&["mcp:basic"]);
        assert_eq!(
            select_scopes(None, None, None, Some(&prm), &listed).0,
            v(&["mcp:basic", "offline_access"])
        );
        assert_eq!(select_scopes(None, None, None, None, &listed).0, v(&[]));
        let unlisted = AuthServerMetadata::default();
        assert_eq!(
            select_scopes(None, None, None, Some(&prm), &unlisted).0,
            v(&["mcp:basic"])
        );
    }

    #[test]
    fn step_up_asks_for_the_union() {
        assert_eq!(union_scopes(&v(&["a", "b"]), "b c"), v(&["a", "b", "c"]));
    }
}
