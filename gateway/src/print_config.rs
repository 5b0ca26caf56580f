//! `mcpctl serve --print-config claude|codex|cursor`: the snippet that adds the gateway to a
//! client, with this executable's absolute path and, when set, `MCPCTL_HOME`.

use std::path::Path;

use serde_json::json;

/// The clients a snippet can be printed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintTarget {
    /// Claude Code: a `.mcp.json` / `claude mcp add-json` entry.
    Claude,
    /// Codex: a `[mcp_servers.mcpctl]` table for `~/.codex/config.toml`.
    Codex,
    /// Cursor: an entry for `~/.cursor/mcp.json`.
    Cursor,
}

/// The snippet, ending with a newline. `home` is `MCPCTL_HOME` when it is set.
pub fn print_config(target: PrintTarget, exe: &Path, home: Option<&Path>) -> String {
    let exe = exe.display().to_string();
    let home = home.map(|h| h.display().to_string());
    match target {
        PrintTarget::Codex => {
            let mut text = format!(
                "# Add to ~/.codex/config.toml (or run: codex mcp add mcpctl -- {} serve)\n[mcp_servers.mcpctl]\ncommand = {}\nargs = [\"serve\"]\n",
                shell_word(&exe),
                toml_string(&exe)
            );
            if let Some(home) = &home {
                text.push_str(&format!(
                    "env = {{ MCPCTL_HOME = {} }}\n",
                    toml_string(home)
                ));
            }
            text
        }
        PrintTarget::Claude | PrintTarget::Cursor => {
            let mut server = json!({"command": exe, "args": ["serve"]});
            if target == PrintTarget::Claude {
                server["type"] = json!("stdio");
            }
            if let Some(home) = &home {
                server["env"] = json!({"MCPCTL_HOME": home});
            }
            let where_ = match target {
                PrintTarget::Claude => {
                    "Add to .mcp.json (or pass the inner object to `claude mcp add-json mcpctl`)"
                }
                _ => "Add to ~/.cursor/mcp.json",
            };
            let body = json!({"mcpServers": {"mcpctl": server}});
            format!(
                "// {where_}\n{}\n",
                serde_json::to_string_pretty(&body).unwrap_or_default()
            )
        }
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    toml_edit::Value::from(text).to_string().trim().to_string()
}

/// A word for a POSIX shell: quoted when it holds anything but plain characters.
fn shell_word(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codex_snippet_is_a_server_table_codex_and_mcpctl_can_read() {
        let text = print_config(
            PrintTarget::Codex,
            Path::new("/opt/my tools/mcpctl"),
            Some(Path::new("/home/u/.mcpctl")),
        );
        assert_eq!(
            text,
            "# Add to ~/.codex/config.toml (or run: codex mcp add mcpctl -- '/opt/my tools/mcpctl' serve)\n[mcp_servers.mcpctl]\ncommand = \"/opt/my tools/mcpctl\"\nargs = [\"serve\"]\nenv = { MCPCTL_HOME = \"/home/u/.mcpctl\" }\n"
        );
        let body: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
        let parsed: toml::Table = body.parse().unwrap();
        assert_eq!(
            parsed["mcp_servers"]["mcpctl"]["args"][0].as_str(),
            Some("serve")
        );
    }

    #[test]
    fn json_snippets_hold_the_command_and_home() {
        for target in [PrintTarget::Claude, PrintTarget::Cursor] {
            let text = print_config(target, Path::new("/usr/bin/mcpctl"), None);
            let json: serde_json::Value =
                serde_json::from_str(text.split_once('\n').unwrap().1).unwrap();
            let server = &json["mcpServers"]["mcpctl"];
            assert_eq!(server["command"], "/usr/bin/mcpctl");
            assert_eq!(server["args"], json!(["serve"]));
            assert!(server.get("env").is_none());
            assert_eq!(server.get("type").is_some(), target == PrintTarget::Claude);
        }
    }
}
