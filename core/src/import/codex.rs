//! Noticing a Codex user: `~/.codex/config.toml` exists while mcpctl has no config of its own.

use std::path::{Path, PathBuf};

use mcpctl_config::HOME_ENV;

/// Codex's config file, found while mcpctl's own config does not exist yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodexHint {
    /// Codex's home folder (`$CODEX_HOME`, default `~/.codex`).
    pub codex_home: PathBuf,
    /// Its `config.toml`.
    pub config: PathBuf,
    /// How many `[mcp_servers.*]` it has; `None` when it could not be read as TOML.
    pub servers: Option<usize>,
}

/// A hint for someone who uses Codex and runs mcpctl for the first time: `MCPCTL_HOME` is not
/// set, mcpctl's `user_config` does not exist, and Codex's `config.toml` does.
pub fn codex_hint(user_config: &Path) -> Option<CodexHint> {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if set(HOME_ENV).is_some() || user_config.exists() {
        return None;
    }
    let codex_home = set("CODEX_HOME")
        .map(PathBuf::from)
        .or_else(|| set("HOME").map(|home| PathBuf::from(home).join(".codex")))?;
    codex_hint_in(&codex_home)
}

/// The hint for a Codex home folder, when its `config.toml` exists.
fn codex_hint_in(codex_home: &Path) -> Option<CodexHint> {
    let config = codex_home.join("config.toml");
    let text = std::fs::read_to_string(&config).ok()?;
    let servers = text.parse::<toml::Table>().ok().map(|table| {
        table
            .get("mcp_servers")
            .and_then(toml::Value::as_table)
            .map_or(0, toml::Table::len)
    });
    Some(CodexHint {
        codex_home: codex_home.to_path_buf(),
        config,
        servers,
    })
}

#[allow(clippy::disallowed_methods)]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_codex_servers() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(codex_hint_in(dir.path()), None);
        std::fs::write(
            dir.path().join("config.toml"),
            "model = \"o3\"\n[mcp_servers.a]\ncommand = \"a\"\n[mcp_servers.b]\nurl = \"http://h\"\n",
        )
        .unwrap();
        assert_eq!(codex_hint_in(dir.path()).unwrap().servers, Some(2));
        std::fs::write(dir.path().join("config.toml"), "[[[").unwrap();
        assert_eq!(codex_hint_in(dir.path()).unwrap().servers, None);
    }
}
