//! The names the gateway gives backend tools and prompts: `<server>__<name>`, by the same
//! sanitising, 64-character and uniqueness rule as the qualified names agents see elsewhere
//! (`mcpctl_core::prefix_tool_names`).

use std::collections::BTreeMap;

/// Exposed name to `(server, name)`, and back.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameMap {
    to_backend: BTreeMap<String, (String, String)>,
    to_exposed: BTreeMap<(String, String), String>,
}

impl NameMap {
    /// Names for every `(server, name)` pair.
    pub(crate) fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let to_exposed = mcpctl_core::prefix_tool_names("", pairs);
        let to_backend = to_exposed
            .iter()
            .map(|(pair, name)| (name.clone(), pair.clone()))
            .collect();
        Self {
            to_backend,
            to_exposed,
        }
    }

    /// The backend server and name behind an exposed name.
    pub(crate) fn backend(&self, exposed: &str) -> Option<&(String, String)> {
        self.to_backend.get(exposed)
    }

    /// The exposed name of a backend's tool or prompt.
    pub(crate) fn exposed(&self, server: &str, name: &str) -> Option<&str> {
        self.to_exposed
            .get(&(server.to_string(), name.to_string()))
            .map(String::as_str)
    }

    /// Every exposed name, for did-you-mean.
    pub(crate) fn exposed_names(&self) -> impl Iterator<Item = &str> {
        self.to_backend.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitised_unique_and_reversible() {
        let long = "t".repeat(100);
        let map = NameMap::new([("docs", "search"), ("a.b", "x y"), ("s", long.as_str())]);
        assert_eq!(map.exposed("docs", "search"), Some("docs__search"));
        assert_eq!(map.exposed("a.b", "x y"), Some("a_b__x_y"));
        let cut = map.exposed("s", &long).unwrap();
        assert_eq!(cut.len(), 64);
        assert_eq!(map.backend(cut), Some(&("s".to_string(), long.clone())));
        assert_eq!(map.backend("nope"), None);
    }
}
