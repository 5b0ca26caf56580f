//! Dotted key paths such as `mcp_servers."a.b".args`.

/// A key path: one string per table level.
pub type KeyPath = Vec<String>;

/// Renders a key path the way a user would type it, quoting segments that need it.
pub fn display_key_path(path: &[String]) -> String {
    mcpctl_keypath::key_path_to_string(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        let path = vec![
            "mcp_servers".to_string(),
            "a.b".to_string(),
            "args".to_string(),
        ];
        assert_eq!(display_key_path(&path), "mcp_servers.\"a.b\".args");
    }
}
