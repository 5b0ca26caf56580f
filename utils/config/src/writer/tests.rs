use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use pretty_assertions::assert_eq;
use proptest::prelude::*;

use super::*;
use crate::types::OAuthClientConfig;
use crate::types::Transport;

/// A hand-written file with comments, unknown keys and two servers.
const RICH: &str = r#"# mcpctl config
# managed by hand

model = "o3" # the model
unknown_key = { a = 1 }

# Settings of something else
[other]
keep = true   # odd spacing
# commented_out = 1

# GitHub server
[mcp_servers.github]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-github"]
enabled = false # off for now
startup_timeout_sec = 20.0

[mcp_servers.github.env]
GITHUB_TOKEN = "secret-token"

# docs server
[mcp_servers.docs]
url = "https://example.com/mcp"
x_unknown = "kept"

[projects."/home/me/work"]
trust_level = "trusted"
# end of file
"#;

fn name(s: &str) -> ServerName {
    ServerName::parse(s).unwrap()
}

fn stdio(command: &str, args: &[&str], env: &[(&str, &str)]) -> McpServerConfig {
    McpServerConfig::new(Transport::Stdio(crate::StdioTransport {
        command: command.to_string(),
        args: args.iter().map(|a| a.to_string()).collect(),
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        env_vars: Vec::new(),
        cwd: None,
    }))
}

/// A writer on `config.toml` in a fresh temporary folder, with `text` written first.
fn setup(text: Option<&str>) -> (tempfile::TempDir, ConfigWriter) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    if let Some(text) = text {
        fs::write(&path, text).unwrap();
    }
    (dir, ConfigWriter::new(path))
}

fn read(writer: &ConfigWriter) -> String {
    fs::read_to_string(writer.path()).unwrap()
}

/// Replaces the one occurrence of `from` in `text`.
fn edited(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?}");
    text.replacen(from, to, 1)
}

#[test]
fn add_goes_after_the_last_server_with_subtables() {
    let (_dir, writer) = setup(Some(RICH));
    let mut server = stdio("cmd", &["a", "b c"], &[("B", "2"), ("A", "1")]);
    server.startup_timeout = Some(Duration::from_millis(1500));
    server.tool_timeout = Some(Duration::from_secs(60));
    server.required = true;
    let outcome = writer
        .upsert_server(&name("new"), &server, UpsertMode::CreateOnly, None)
        .unwrap();
    let expected = edited(
        RICH,
        "x_unknown = \"kept\"\n",
        r#"x_unknown = "kept"

[mcp_servers.new]
command = "cmd"
args = ["a", "b c"]
required = true
startup_timeout_sec = 1.5
tool_timeout_sec = 60.0

[mcp_servers.new.env]
A = "1"
B = "2"
"#,
    );
    assert_eq!(read(&writer), expected);
    assert!(outcome.changed);
    assert!(!outcome.created_file);
    assert_eq!(outcome.version, Version::of(expected.as_bytes()));
    assert_eq!(outcome.version, writer.version().unwrap());
}

#[test]
fn add_http_server_with_every_key_in_order() {
    let (_dir, writer) = setup(Some("[other]\nk = 1\n"));
    let mut server = McpServerConfig::new(Transport::StreamableHttp(crate::HttpTransport {
        url: "https://x.example/mcp".to_string(),
        bearer_token_env_var: Some("TOKEN".to_string()),
        http_headers: BTreeMap::from([("X-A".to_string(), "a".to_string())]),
        env_http_headers: BTreeMap::from([("X-B".to_string(), "B_VAR".to_string())]),
        http_headers_helper: Some("print-headers --json".to_string()),
        legacy_sse: true,
    }));
    server.enabled = false;
    server.default_tools_approval_mode = Some(crate::ApprovalMode::Writes);
    server.supports_parallel_tool_calls = Some(true);
    server.tools = BTreeMap::from([
        (
            "delete".to_string(),
            crate::ToolConfig {
                approval_mode: Some(crate::ApprovalMode::Prompt),
            },
        ),
        (
            "read".to_string(),
            crate::ToolConfig {
                approval_mode: Some(crate::ApprovalMode::Approve),
            },
        ),
    ]);
    server.startup_timeout = Some(Duration::from_secs(20));
    server.enabled_tools = Some(vec!["t1".to_string()]);
    server.disabled_tools = Some(vec![]);
    server.scopes = Some(vec!["read".to_string()]);
    server.oauth_resource = Some("https://x.example".to_string());
    server.oauth = Some(OAuthClientConfig {
        client_id: Some("id".to_string()),
        client_secret: Some("shh".to_string()),
        ..OAuthClientConfig::default()
    });
    writer
        .upsert_server(&name("remote"), &server, UpsertMode::CreateOnly, None)
        .unwrap();
    assert_eq!(
        read(&writer),
        r#"[other]
k = 1

[mcp_servers.remote]
url = "https://x.example/mcp"
transport = "sse"
bearer_token_env_var = "TOKEN"
http_headers_helper = "print-headers --json"
enabled = false
startup_timeout_sec = 20.0
enabled_tools = ["t1"]
disabled_tools = []
scopes = ["read"]
oauth_resource = "https://x.example"
default_tools_approval_mode = "writes"
supports_parallel_tool_calls = true

[mcp_servers.remote.http_headers]
X-A = "a"

[mcp_servers.remote.env_http_headers]
X-B = "B_VAR"

[mcp_servers.remote.oauth]
client_id = "id"
client_secret = "shh"

[mcp_servers.remote.tools.delete]
approval_mode = "prompt"

[mcp_servers.remote.tools.read]
approval_mode = "approve"
"#
    );
}

#[test]
fn add_to_missing_file_creates_private_file_and_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("home/.mcpctl/config.toml");
    let writer = ConfigWriter::new(&path);
    assert_eq!(writer.version().unwrap(), Version::of(b""));
    let outcome = writer
        .upsert_server(
            &name("x"),
            &stdio("run", &[], &[]),
            UpsertMode::CreateOnly,
            None,
        )
        .unwrap();
    assert!(outcome.changed && outcome.created_file);
    assert_eq!(read(&writer), "[mcp_servers.x]\ncommand = \"run\"\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }
}

#[cfg(unix)]
#[test]
fn existing_file_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt as _;
    let (_dir, writer) = setup(Some("a = 1\n"));
    fs::set_permissions(writer.path(), fs::Permissions::from_mode(0o640)).unwrap();
    writer
        .upsert_server(
            &name("x"),
            &stdio("run", &[], &[]),
            UpsertMode::CreateOnly,
            None,
        )
        .unwrap();
    let mode = fs::metadata(writer.path()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[cfg(unix)]
#[test]
fn writes_through_a_symlink() {
    let (dir, writer) = setup(None);
    let real = dir.path().join("dotfiles.toml");
    fs::write(&real, "a = 1\n").unwrap();
    std::os::unix::fs::symlink(&real, writer.path()).unwrap();
    writer
        .set_value(&["b".to_string()], Value::from(2), None)
        .unwrap();
    assert!(
        fs::symlink_metadata(writer.path())
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&real).unwrap(), "a = 1\nb = 2\n");
}

#[test]
fn add_to_file_without_servers_appends_table_without_parent_header() {
    let text = "# top\nmodel = \"o3\"\n\n[other] # c\nk = 1\n";
    let (_dir, writer) = setup(Some(text));
    writer
        .upsert_server(
            &name("x"),
            &stdio("run", &["-v"], &[]),
            UpsertMode::CreateOnly,
            None,
        )
        .unwrap();
    assert_eq!(
        read(&writer),
        format!("{text}\n[mcp_servers.x]\ncommand = \"run\"\nargs = [\"-v\"]\n")
    );
}

#[test]
fn names_with_dots_and_slashes_are_quoted() {
    let (_dir, writer) = setup(Some(""));
    for n in ["a.b", "org/x", "plain"] {
        writer
            .upsert_server(
                &name(n),
                &stdio("c", &[], &[("K", "v")]),
                UpsertMode::CreateOnly,
                None,
            )
            .unwrap();
    }
    assert_eq!(
        read(&writer),
        r#"[mcp_servers."a.b"]
command = "c"

[mcp_servers."a.b".env]
K = "v"

[mcp_servers."org/x"]
command = "c"

[mcp_servers."org/x".env]
K = "v"

[mcp_servers.plain]
command = "c"

[mcp_servers.plain.env]
K = "v"
"#
    );
    writer.remove_server(&name("org/x"), None).unwrap();
    writer
        .set_server_enabled(&name("a.b"), false, None)
        .unwrap();
    let table: toml::Table = read(&writer).parse().unwrap();
    let servers = table["mcp_servers"].as_table().unwrap();
    assert_eq!(servers.keys().collect::<Vec<_>>(), ["a.b", "plain"]);
    assert_eq!(servers["a.b"]["enabled"].as_bool(), Some(false));
}

#[test]
fn create_only_refuses_an_existing_server() {
    let (_dir, writer) = setup(Some(RICH));
    let err = writer
        .upsert_server(
            &name("github"),
            &stdio("x", &[], &[]),
            UpsertMode::CreateOnly,
            None,
        )
        .unwrap_err();
    assert!(matches!(err, WriteError::ServerExists { .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "MCP server 'github' already exists in {}; pass --replace to overwrite it",
            writer.path().display()
        )
    );
    assert_eq!(read(&writer), RICH);
}

#[test]
fn replace_keeps_position_and_comment_above() {
    let (_dir, writer) = setup(Some(RICH));
    writer
        .upsert_server(
            &name("github"),
            &stdio("docker", &["run"], &[("T", "x")]),
            UpsertMode::Replace,
            None,
        )
        .unwrap();
    let expected = edited(
        RICH,
        r#"command = "npx"
args = ["-y", "@modelcontextprotocol/server-github"]
enabled = false # off for now
startup_timeout_sec = 20.0

[mcp_servers.github.env]
GITHUB_TOKEN = "secret-token"
"#,
        r#"command = "docker"
args = ["run"]

[mcp_servers.github.env]
T = "x"
"#,
    );
    assert_eq!(read(&writer), expected);
}

#[test]
fn replace_with_same_content_changes_nothing() {
    let text = "# c\n[mcp_servers.x]\ncommand = \"run\"\n";
    let (_dir, writer) = setup(Some(text));
    let outcome = writer
        .upsert_server(
            &name("x"),
            &stdio("run", &[], &[]),
            UpsertMode::Replace,
            None,
        )
        .unwrap();
    assert!(!outcome.changed);
    assert_eq!(outcome.version, Version::of(text.as_bytes()));
}

#[test]
fn remove_drops_subtables_and_attached_comments_only() {
    let (_dir, writer) = setup(Some(RICH));
    let outcome = writer.remove_server(&name("github"), None).unwrap();
    assert!(outcome.changed);
    let expected = edited(
        RICH,
        r#"# GitHub server
[mcp_servers.github]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-github"]
enabled = false # off for now
startup_timeout_sec = 20.0

[mcp_servers.github.env]
GITHUB_TOKEN = "secret-token"

"#,
        "",
    );
    assert_eq!(read(&writer), expected);
}

#[test]
fn remove_last_server_leaves_nothing_of_implicit_parent() {
    let text =
        "a = 1\n\n# about x\n[mcp_servers.x]\ncommand = \"c\"\n\n[mcp_servers.x.env]\nK = \"v\"\n";
    let (_dir, writer) = setup(Some(text));
    writer.remove_server(&name("x"), None).unwrap();
    assert_eq!(read(&writer), "a = 1\n");
}

#[test]
fn remove_keeps_detached_comment_at_end_of_file() {
    let text = "[a]\nk = 1\n# k2 = 2\n\n# about x\n[mcp_servers.x]\ncommand = \"c\"\n";
    let (_dir, writer) = setup(Some(text));
    writer.remove_server(&name("x"), None).unwrap();
    assert_eq!(read(&writer), "[a]\nk = 1\n# k2 = 2\n");
}

#[test]
fn remove_missing_server_is_an_error() {
    let (_dir, writer) = setup(Some(RICH));
    let err = writer.remove_server(&name("nope"), None).unwrap_err();
    assert!(matches!(err, WriteError::ServerNotFound { .. }), "{err}");
    assert_eq!(read(&writer), RICH);
}

#[test]
fn enable_removes_enabled_false() {
    let (_dir, writer) = setup(Some(RICH));
    writer
        .set_server_enabled(&name("github"), true, None)
        .unwrap();
    let expected = edited(RICH, "enabled = false # off for now\n", "");
    assert_eq!(read(&writer), expected);
}

#[test]
fn enable_without_enabled_key_changes_nothing() {
    let (_dir, writer) = setup(Some(RICH));
    let outcome = writer
        .set_server_enabled(&name("docs"), true, None)
        .unwrap();
    assert!(!outcome.changed);
    assert_eq!(read(&writer), RICH);
}

#[test]
fn disable_inserts_after_transport_keys() {
    let (_dir, writer) = setup(Some(RICH));
    writer
        .set_server_enabled(&name("docs"), false, None)
        .unwrap();
    let expected = edited(
        RICH,
        "url = \"https://example.com/mcp\"\n",
        "url = \"https://example.com/mcp\"\nenabled = false\n",
    );
    assert_eq!(read(&writer), expected);
    // Already disabled: nothing to do.
    let outcome = writer
        .set_server_enabled(&name("github"), false, None)
        .unwrap();
    assert!(!outcome.changed);
}

#[test]
fn disable_replaces_enabled_true_keeping_comment() {
    let text = "[mcp_servers.x]\ncommand = \"c\"\nenabled = true # on\n";
    let (_dir, writer) = setup(Some(text));
    writer.set_server_enabled(&name("x"), false, None).unwrap();
    assert_eq!(
        read(&writer),
        "[mcp_servers.x]\ncommand = \"c\"\nenabled = false # on\n"
    );
}

#[test]
fn inline_and_dotted_servers_are_edited_in_place() {
    let text = r#"[mcp_servers]
# about b
b.command = "y"
b.args = ["1"]
c = { command = "z" } # c

[zz]
q = 1
"#;
    let (_dir, writer) = setup(Some(text));
    let server = stdio("new", &[], &[("K", "v")]);
    writer
        .upsert_server(&name("b"), &server, UpsertMode::Replace, None)
        .unwrap();
    writer
        .upsert_server(&name("c"), &server, UpsertMode::Replace, None)
        .unwrap();
    writer.set_server_enabled(&name("b"), false, None).unwrap();
    writer.set_server_enabled(&name("c"), false, None).unwrap();
    assert_eq!(
        read(&writer),
        r#"[mcp_servers]
# about b
b.command = "new"
b.enabled = false
b.env = { K = "v" }
c = { command = "new", enabled = false, env = { K = "v" } } # c

[zz]
q = 1
"#
    );
    writer.set_server_enabled(&name("c"), true, None).unwrap();
    writer.set_server_enabled(&name("b"), true, None).unwrap();
    assert_eq!(
        read(&writer),
        r#"[mcp_servers]
# about b
b.command = "new"
b.env = { K = "v" }
c = { command = "new", env = { K = "v" } } # c

[zz]
q = 1
"#
    );
    writer.remove_server(&name("b"), None).unwrap();
    writer.remove_server(&name("c"), None).unwrap();
    assert_eq!(read(&writer), "[mcp_servers]\n\n[zz]\nq = 1\n");
}

#[test]
fn root_dotted_and_inline_parent_forms() {
    let (_dir, writer) = setup(Some("mcp_servers.a.command = \"x\"\n"));
    writer
        .upsert_server(
            &name("b"),
            &stdio("y", &[], &[]),
            UpsertMode::CreateOnly,
            None,
        )
        .unwrap();
    writer.set_server_enabled(&name("a"), false, None).unwrap();
    assert_eq!(
        read(&writer),
        "mcp_servers.a.command = \"x\"\nmcp_servers.a.enabled = false\n\n[mcp_servers.b]\ncommand = \"y\"\n"
    );
    writer.remove_server(&name("a"), None).unwrap();
    assert_eq!(read(&writer), "[mcp_servers.b]\ncommand = \"y\"\n");

    let (_dir, writer) = setup(Some("mcp_servers = { a = { command = \"x\" } }\n"));
    writer
        .upsert_server(
            &name("b"),
            &stdio("y", &[], &[]),
            UpsertMode::CreateOnly,
            None,
        )
        .unwrap();
    writer.remove_server(&name("a"), None).unwrap();
    assert_eq!(read(&writer), "mcp_servers = { b = { command = \"y\" } }\n");
}

#[test]
fn non_table_keys_are_refused_by_name() {
    let (_dir, writer) = setup(Some("mcp_servers = \"oops\"\n"));
    let err = writer
        .upsert_server(
            &name("x"),
            &stdio("c", &[], &[]),
            UpsertMode::CreateOnly,
            None,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: `mcp_servers` is string, not a table; fix or remove it by hand",
            writer.path().display()
        )
    );

    let (_dir, writer) = setup(Some("[mcp_servers]\n\"a.b\" = 3\n"));
    let err = writer
        .set_server_enabled(&name("a.b"), false, None)
        .unwrap_err();
    assert!(
        matches!(&err, WriteError::NotATable { key, .. } if key == "mcp_servers.\"a.b\""),
        "{err}"
    );
    // A broken entry can still be removed.
    writer.remove_server(&name("a.b"), None).unwrap();
    assert_eq!(read(&writer), "[mcp_servers]\n");

    let (_dir, writer) = setup(Some("[[projects]]\nx = 1\n"));
    let err = writer.set_project_trusted(Path::new("/p")).unwrap_err();
    assert!(
        matches!(&err, WriteError::NotATable { key, found: "array of tables", .. } if key == "projects"),
        "{err}"
    );
}

#[test]
fn conflict_refuses_and_leaves_file_alone() {
    let (_dir, writer) = setup(Some(RICH));
    let before = writer.version().unwrap();
    fs::write(writer.path(), format!("{RICH}\n# edited\n")).unwrap();
    let changed = read(&writer);
    let err = writer
        .remove_server(&name("docs"), Some(&before))
        .unwrap_err();
    let WriteError::Conflict {
        expected, actual, ..
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!(expected, &before);
    assert_eq!(actual, &Version::of(changed.as_bytes()));
    assert_eq!(read(&writer), changed);

    let current = writer.version().unwrap();
    let outcome = writer.remove_server(&name("docs"), Some(&current)).unwrap();
    assert!(outcome.changed);
    assert_eq!(outcome.version, writer.version().unwrap());
}

#[test]
fn malformed_file_is_refused_with_location() {
    let text = "a = 1\n[t]\nabc = @\n";
    let (_dir, writer) = setup(Some(text));
    let err = writer
        .upsert_server(
            &name("x"),
            &stdio("c", &[], &[]),
            UpsertMode::CreateOnly,
            None,
        )
        .unwrap_err();
    let message = err.to_string();
    let location = format!("{}:3:7: ", writer.path().display());
    assert!(message.starts_with(&location), "{message}");
    assert!(message.ends_with("\nabc = @\n      ^"), "{message}");
    assert_eq!(read(&writer), text);
}

#[test]
fn a_held_lock_names_its_holder_and_times_out() {
    let (_dir, writer) = setup(None);
    let holder = lock(writer.path(), Duration::from_secs(1), None).unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&seen);
    let waiting = writer
        .clone()
        .with_lock_timeout(Duration::from_millis(1500))
        .with_wait_notice(std::sync::Arc::new(move |m: &str| {
            log.lock().unwrap().push(m.to_string())
        }));
    let started = std::time::Instant::now();
    let err = waiting
        .set_value(&["a".to_string()], Value::from(1), None)
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    let message = err.to_string();
    let me = format!("mcpctl (pid {})", std::process::id());
    assert!(
        message.contains(&format!("waiting for {me} to release")),
        "{message}"
    );
    assert!(message.contains("config.toml.lock"), "{message}");
    let notices = seen.lock().unwrap().clone();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].starts_with(&format!("waiting for {me} to release")),
        "{notices:?}"
    );
    drop(holder);
    waiting
        .set_value(&["a".to_string()], Value::from(1), None)
        .unwrap();
    assert_eq!(read(&writer), "a = 1\n");
}

#[test]
fn an_edit_is_redone_when_the_file_changes_under_it() {
    let (_dir, writer) = setup(Some("a = 1\n"));
    let path = writer.path().to_path_buf();
    let calls = std::sync::atomic::AtomicU32::new(0);
    // The first time the edit runs, another program (no lock) rewrites the file.
    let outcome = writer
        .edit(None, |doc| {
            if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                fs::write(&path, "a = 1\nfrom_codex = true\n").unwrap();
            }
            doc["mine"] = toml_edit::value(true);
            Ok(())
        })
        .unwrap();
    assert!(outcome.changed);
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(read(&writer), "a = 1\nfrom_codex = true\nmine = true\n");
}

#[test]
fn invalid_utf8_is_refused_with_location() {
    let (_dir, writer) = setup(None);
    fs::write(writer.path(), b"a = 1\nb = \"\xff\"\n").unwrap();
    let message = writer
        .remove_server(&name("x"), None)
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with(&format!("{}:2:6: not valid UTF-8", writer.path().display())),
        "{message}"
    );
}

#[test]
fn errors_never_show_secret_values() {
    let (_dir, writer) = setup(Some(RICH));
    let server = stdio("c", &[], &[("TOKEN", "hunter2")]);
    let err = writer
        .upsert_server(&name("github"), &server, UpsertMode::CreateOnly, None)
        .unwrap_err();
    assert!(!err.to_string().contains("hunter2"));
    assert!(!format!("{err:?}").contains("secret-token"));
}

#[test]
fn project_trust_and_generic_values() {
    let (_dir, writer) = setup(Some(RICH));
    writer.set_project_trusted(Path::new("/x/y")).unwrap();
    let again = writer.set_project_trusted(Path::new("/x/y")).unwrap();
    assert!(!again.changed);
    let expected = edited(
        RICH,
        "# end of file\n",
        "# end of file\n\n[projects.\"/x/y\"]\ntrust_level = \"trusted\"\n",
    );
    assert_eq!(read(&writer), expected);

    let key = |parts: &[&str]| parts.iter().map(|p| p.to_string()).collect::<Vec<_>>();
    writer
        .set_value(&key(&["model"]), Value::from("gpt-5"), None)
        .unwrap();
    writer
        .set_value(&key(&["features", "web", "on"]), Value::from(true), None)
        .unwrap();
    writer
        .set_value(&key(&["unknown_key", "b"]), Value::from(2), None)
        .unwrap();
    writer
        .set_value(
            &key(&["mcp_servers", "docs", "enabled"]),
            Value::from(false),
            None,
        )
        .unwrap();
    let expected = edited(
        &expected,
        "model = \"o3\" # the model",
        "model = \"gpt-5\" # the model",
    );
    let expected = edited(&expected, "{ a = 1 }", "{ a = 1, b = 2 }");
    let expected = edited(
        &expected,
        "x_unknown = \"kept\"\n",
        "x_unknown = \"kept\"\nenabled = false\n",
    );
    let expected = format!("{expected}\n[features.web]\non = true\n");
    assert_eq!(read(&writer), expected);

    writer
        .remove_value(&key(&["features", "web", "on"]), None)
        .unwrap();
    writer
        .remove_value(&key(&["unknown_key", "b"]), None)
        .unwrap();
    writer
        .remove_value(&key(&["mcp_servers", "docs", "enabled"]), None)
        .unwrap();
    writer.remove_value(&key(&["model"]), None).unwrap();
    let missing = writer.remove_value(&key(&["no", "such"]), None).unwrap();
    assert!(!missing.changed);
    let expected = edited(
        RICH,
        "# end of file\n",
        "# end of file\n\n[projects.\"/x/y\"]\ntrust_level = \"trusted\"\n",
    );
    // The header comment sat above `model`, separated by a blank line, so it stays.
    let expected = edited(&expected, "model = \"o3\" # the model\n", "");
    assert_eq!(read(&writer), expected);

    let err = writer.set_value(&[], Value::from(1), None).unwrap_err();
    assert!(matches!(err, WriteError::Invalid { .. }));
}

#[test]
fn set_value_creates_server_override_table() {
    let (_dir, writer) = setup(Some("[other]\nk = 1\n"));
    let key = ["mcp_servers", "x", "enabled"].map(String::from);
    writer.set_value(&key, Value::from(false), None).unwrap();
    assert_eq!(
        read(&writer),
        "[other]\nk = 1\n\n[mcp_servers.x]\nenabled = false\n"
    );
}

#[test]
fn written_server_round_trips() {
    let (_dir, writer) = setup(None);
    let mut server = stdio("npx", &["-y", "pkg"], &[("A.B", "1"), ("C", "x\"y")]);
    if let Transport::Stdio(crate::StdioTransport { env_vars, cwd, .. }) = &mut server.transport {
        *env_vars = vec!["HOME".to_string()];
        *cwd = Some(PathBuf::from("/tmp/w d"));
    }
    server.tool_timeout = Some(Duration::from_millis(100));
    server.scopes = Some(vec!["a b".to_string()]);
    writer
        .upsert_server(&name("a.b/c"), &server, UpsertMode::CreateOnly, None)
        .unwrap();
    let written: toml::Table = toml::from_str(&read(&writer)).unwrap();
    let expected: toml::Table = toml::from_str(
        r#"mcp_servers = { "a.b/c" = { command = "npx", args = ["-y", "pkg"], env_vars = ["HOME"], cwd = "/tmp/w d", tool_timeout_sec = 0.1, scopes = ["a b"], env = { "A.B" = "1", C = 'x"y' } } }"#,
    )
    .unwrap();
    assert_eq!(written, expected);
}

#[test]
fn version_display_and_parse() {
    let version = Version::of(b"");
    assert_eq!(
        version.to_string(),
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(version.as_str().parse::<Version>().unwrap(), version);
    let upper = version.as_str().replace("e3b0", "E3B0");
    assert_eq!(upper.parse::<Version>().unwrap(), version);
    assert!("sha256:abc".parse::<Version>().is_err());
    assert!(
        "md5:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            .parse::<Version>()
            .is_err()
    );
}

#[test]
fn concurrent_threads_keep_every_server() {
    let (_dir, writer) = setup(Some("# shared\n"));
    let barrier = Arc::new(Barrier::new(50));
    let handles: Vec<_> = (0..50)
        .map(|i| {
            let writer = writer.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                writer
                    .upsert_server(
                        &name(&format!("s{i}")),
                        &stdio("c", &[], &[]),
                        UpsertMode::CreateOnly,
                        None,
                    )
                    .unwrap();
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let table: toml::Table = read(&writer).parse().unwrap();
    assert_eq!(table["mcp_servers"].as_table().unwrap().len(), 50);
    assert!(read(&writer).starts_with("# shared\n"));
}

const CHILD_ENV: &str = "MCPCTL_WRITER_TEST_CHILD";

/// Run by `concurrent_processes_keep_every_server` in child processes; not a test.
#[test]
#[ignore = "helper: run in child processes by concurrent_processes_keep_every_server"]
fn child_process_adds_one_server() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (path, server) = spec.split_once('|').unwrap();
    ConfigWriter::new(path)
        .upsert_server(
            &name(server),
            &stdio("c", &[], &[]),
            UpsertMode::CreateOnly,
            None,
        )
        .unwrap();
}

#[test]
fn concurrent_processes_keep_every_server() {
    let (_dir, writer) = setup(None);
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..100)
        .map(|i| {
            std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "writer::tests::child_process_adds_one_server",
                    "--ignored",
                    "--test-threads=1",
                    "--quiet",
                ])
                .env(CHILD_ENV, format!("{}|p{i}", writer.path().display()))
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let table: toml::Table = read(&writer).parse().unwrap();
    let servers = table["mcp_servers"].as_table().unwrap();
    assert_eq!(servers.len(), 100);
    assert!(servers.contains_key("p0") && servers.contains_key("p99"));
}

/// The seed of the property test: every part of it but the servers it adds must survive.
const SEED_HEAD: &str = r#"# header comment block
# second line

top = 1 # top comment

# other table comment
[other]
a = "x"   # spaced
# trailing other comment
"#;

const SEED_KEEP: &str = r#"
# the server never touched
[mcp_servers.keep]
command = "keep"
args = ["--x"] # why

[mcp_servers.keep.env]
K = "v"
"#;

#[derive(Debug, Clone)]
enum Op {
    Add {
        name: &'static str,
        replace: bool,
        enabled: bool,
    },
    Remove(&'static str),
    Enable(&'static str, bool),
}

fn op() -> impl Strategy<Value = Op> {
    let names = prop::sample::select(vec!["a", "b.c", "org/x", "n-1", "z@1"]);
    prop_oneof![
        (names.clone(), any::<bool>(), any::<bool>()).prop_map(|(name, replace, enabled)| {
            Op::Add {
                name,
                replace,
                enabled,
            }
        }),
        names.clone().prop_map(Op::Remove),
        (names, any::<bool>()).prop_map(|(name, on)| Op::Enable(name, on)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_edits_touch_only_their_servers(ops in prop::collection::vec(op(), 1..12)) {
        let seed = format!("{SEED_HEAD}{SEED_KEEP}");
        let (_dir, writer) = setup(Some(&seed));
        let mut model: BTreeMap<&str, bool> = BTreeMap::new();
        for op in &ops {
            match *op {
                Op::Add { name: n, replace, enabled } => {
                    let mut server = stdio("c", &["x"], &[("E", "1")]);
                    server.enabled = enabled;
                    let mode = if replace { UpsertMode::Replace } else { UpsertMode::CreateOnly };
                    let result = writer.upsert_server(&name(n), &server, mode, None);
                    if model.contains_key(n) && !replace {
                        prop_assert!(
                            matches!(result, Err(WriteError::ServerExists { .. })),
                            "{:?}",
                            result
                        );
                    } else {
                        prop_assert!(result.is_ok(), "{:?}", result);
                        model.insert(n, enabled);
                    }
                }
                Op::Remove(n) => {
                    let result = writer.remove_server(&name(n), None);
                    if model.remove(n).is_some() {
                        prop_assert!(result.is_ok(), "{:?}", result);
                    } else {
                        prop_assert!(
                            matches!(result, Err(WriteError::ServerNotFound { .. })),
                            "{:?}",
                            result
                        );
                    }
                }
                Op::Enable(n, on) => {
                    let result = writer.set_server_enabled(&name(n), on, None);
                    if let Some(enabled) = model.get_mut(n) {
                        prop_assert!(result.is_ok(), "{:?}", result);
                        *enabled = on;
                    } else {
                        prop_assert!(
                            matches!(result, Err(WriteError::ServerNotFound { .. })),
                            "{:?}",
                            result
                        );
                    }
                }
            }
            let text = read(&writer);
            let table: toml::Table = text.parse().map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert!(text.starts_with(SEED_HEAD), "{}", text);
            prop_assert!(text.contains(SEED_KEEP), "{}", text);
            let servers = table["mcp_servers"].as_table().unwrap();
            let found: BTreeMap<&str, bool> = servers
                .iter()
                .filter(|(k, _)| *k != "keep")
                .map(|(k, v)| (k.as_str(), v.get("enabled").and_then(toml::Value::as_bool).unwrap_or(true)))
                .collect();
            prop_assert_eq!(&found, &model);
            prop_assert_eq!(servers.keys().filter(|k| *k == "keep").count(), 1);
        }
        let names: BTreeSet<&str> = model.keys().copied().collect();
        prop_assert!(names.len() <= 5);
    }
}
