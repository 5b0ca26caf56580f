//! Dotted key paths such as `mcp_servers."a.b".args`.

/// A key path: one string per table level.
pub type KeyPath = Vec<String>;

/// Renders a key path the way a user would type it, quoting segments that need it.
pub fn display_key_path(path: &[String]) -> String {
    path.iter()
        .map(|segment| {
            let bare = !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if bare {
                segment.clone()
            } else {
                format!("{segment:?}")
            }
        })
        .collect::<Vec<_>>()
        .join(".")
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
