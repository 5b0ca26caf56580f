//! Coming from Claude Code, Claude Desktop or Codex: `import`, `add-json`, Claude-style `add`
//! flags, shell completions and the Codex hint (issue 11).

use std::fs;
use std::path::Path;

use pretty_assertions::assert_eq;

use crate::support::{Run, TestHome};

/// `mcpctl` in `t`, with none of the variables that move Claude's or Codex's files.
fn run(t: &TestHome, args: &[&str]) -> Run {
    let output = t
        .cmd()
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("CLAUDE_CONFIG_DIR")
        .env_remove("CODEX_HOME")
        .args(args)
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: t.redact(&String::from_utf8_lossy(&output.stdout)),
        stderr: t.redact(&String::from_utf8_lossy(&output.stderr)),
    }
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn toml(t: &TestHome) -> toml::Table {
    toml::from_str(&t.config()).unwrap()
}

/// A `~/.claude.json` as Claude Code writes it: bookkeeping keys, user servers at the top, this
/// folder's local servers under `projects`.
fn claude_json(t: &TestHome) -> String {
    let work = t.work().canonicalize().unwrap();
    format!(
        r#"{{
  "numStartups": 42,
  "installMethod": "native",
  "autoUpdates": true,
  "tipsHistory": {{"new-user-warmup": 7, "memory-command": 3}},
  "firstStartTime": "2025-06-01T10:00:00.000Z",
  "projects": {{
    "/somewhere/else": {{
      "mcpServers": {{"elsewhere": {{"type": "stdio", "command": "nope", "args": [], "env": {{}}}}}}
    }},
    {work:?}: {{
      "allowedTools": [],
      "history": [{{"display": "fix the tests", "pastedContents": {{}}}}],
      "mcpContextUris": [],
      "mcpServers": {{
        "sqlite": {{"type": "stdio", "command": "uvx", "args": ["mcp-server-sqlite", "--db-path", "/data/dev.db"], "env": {{}}}}
      }},
      "enabledMcpjsonServers": [],
      "disabledMcpjsonServers": ["slow-indexer"],
      "hasTrustDialogAccepted": true,
      "projectOnboardingSeenCount": 1
    }}
  }},
  "mcpServers": {{
    "github": {{"type": "http", "url": "https://api.githubcopilot.com/mcp/", "headers": {{"Authorization": "Bearer ${{GITHUB_PAT}}"}}}},
    "legacy-events": {{"type": "sse", "url": "https://events.example.com/sse"}},
    "filesystem": {{"type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/docs"], "env": {{}}}}
  }}
}}
"#
    )
}

/// A project's `.mcp.json` as teams check it in.
const MCP_JSON: &str = r#"{
  "mcpServers": {
    "sentry": {"type": "http", "url": "https://mcp.sentry.dev/mcp"},
    "my db": {
      "command": "node",
      "args": ["./tools/db-server.js"],
      "env": {"DATABASE_URL": "postgres://app:hunter2@localhost/app", "LOG_LEVEL": "${LOG_LEVEL:-info}"}
    },
    "slow-indexer": {"command": "indexer", "args": ["--mcp"]},
    "filesystem": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "."]}
  }
}
"#;

/// Claude Desktop's `claude_desktop_config.json`.
const DESKTOP_JSON: &str = r#"{
  "mcpServers": {
    "puppeteer": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-puppeteer"]},
    "brave-search": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-brave-search"],
      "env": {"BRAVE_API_KEY": "BSA-secret-123"}
    },
    "github": {
      "command": "docker",
      "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_secret"}
    }
  },
  "globalShortcut": "Ctrl+Space"
}
"#;

fn desktop_path(t: &TestHome) -> std::path::PathBuf {
    t.root
        .path()
        .join(".config/Claude/claude_desktop_config.json")
}

/// Claude Code's and Claude Desktop's files in the temp HOME, `.mcp.json` in the work folder.
fn claude_files(t: &TestHome) {
    write(&t.root.path().join(".claude.json"), &claude_json(t));
    write(&t.work().join(".mcp.json"), MCP_JSON);
    write(&desktop_path(t), DESKTOP_JSON);
}

fn transcript(run: &Run) -> String {
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        run.code, run.stdout, run.stderr
    )
}

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    let t = TestHome::new();
    // Completions need no config: a broken one does not stop them.
    t.write_config("[[[");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = run(&t, &["completions", shell]).ok();
        assert!(run.stdout.len() > 1000, "{shell}: {}", run.stdout);
        for name in [
            "mcpctl",
            "add-json",
            "import",
            "completions",
            "list",
            "transport",
        ] {
            assert!(run.stdout.contains(name), "{shell} lacks {name}");
        }
        assert_eq!(run.stderr, "", "{shell}");
    }
    let run = run(&t, &["completions", "tcsh"]).fails(2);
    assert!(
        run.stderr.contains("possible values: bash"),
        "{}",
        run.stderr
    );
}

#[test]
fn import_dry_run_shows_what_would_be_added() {
    let t = TestHome::new();
    claude_files(&t);
    let run = run(&t, &["import"]).ok();
    insta::assert_snapshot!(transcript(&run));
    assert!(!t.config_path().exists(), "a dry run writes nothing");
    for secret in ["hunter2", "BSA-secret-123", "ghp_secret"] {
        assert!(!run.stdout.contains(secret), "{secret} leaked");
    }
    let shown = run_ok(&t, &["import", "--show-secrets"]);
    assert!(shown.contains("BSA-secret-123"), "{shown}");
}

fn run_ok(t: &TestHome, args: &[&str]) -> String {
    run(t, args).ok().stdout
}

#[test]
fn import_write_adds_every_server_and_keeps_secrets_in_env() {
    let t = TestHome::new();
    claude_files(&t);
    t.write_config("# mine\nmodel = \"o3\"\n");
    let written = run(&t, &["import", "--write"]).ok();
    assert!(
        written.stdout.ends_with(
            "Added 9 MCP servers (sqlite, sentry, my-db, slow-indexer, filesystem, github, legacy-events, puppeteer, brave-search) in ~/home/config.toml.\n"
        ),
        "{}",
        written.stdout
    );
    let config = t.config();
    assert!(config.starts_with("# mine\nmodel = \"o3\"\n"), "{config}");
    let table = toml(&t);
    let servers = table["mcp_servers"].as_table().unwrap();
    assert_eq!(servers.len(), 9);
    assert_eq!(servers["legacy-events"]["transport"].as_str(), Some("sse"));
    let db = &servers["my-db"];
    assert_eq!(
        db["env"]["DATABASE_URL"].as_str(),
        Some("postgres://app:hunter2@localhost/app")
    );
    assert_eq!(
        db["env_vars"].as_array().unwrap()[0].as_str(),
        Some("LOG_LEVEL")
    );
    assert!(
        db.get("cwd").is_none(),
        "no cwd is invented for .mcp.json servers"
    );
    assert_eq!(servers["slow-indexer"]["enabled"].as_bool(), Some(false));
    assert_eq!(
        servers["github"]["bearer_token_env_var"].as_str(),
        Some("GITHUB_PAT")
    );
    assert_eq!(
        servers["brave-search"]["env"]["BRAVE_API_KEY"].as_str(),
        Some("BSA-secret-123")
    );
    // The project's filesystem (higher precedence) won over the user one.
    assert_eq!(
        servers["filesystem"]["args"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_str(),
        Some(".")
    );
    let list = run_ok(&t, &["list"]);
    assert!(list.contains("DATABASE_URL=*****"), "{list}");
    assert!(!list.contains("hunter2"), "{list}");

    // Importing again finds everything in place: nothing to do, nothing written.
    let before = t.config();
    let again = run_ok(&t, &["import"]);
    assert!(
        again.ends_with("Nothing to import: the user config already has these servers.\n"),
        "{again}"
    );
    run(&t, &["import", "--write"]).ok();
    assert_eq!(t.config(), before);
}

#[test]
fn import_write_is_all_or_nothing() {
    let t = TestHome::new();
    claude_files(&t);
    let original = "[mcp_servers.github]\ncommand = \"my-own-github\"\n";
    t.write_config(original);
    let dry = run(&t, &["import", "--from", "claude-code"]).ok();
    assert!(
        dry.stdout
            .contains("github         http       https://api.githubcopilot.com/mcp/"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout
            .contains("exists: differs (--replace to overwrite)"),
        "{}",
        dry.stdout
    );
    let refused = run(&t, &["import", "--from", "claude-code", "--write"]).fails(1);
    insta::assert_snapshot!(transcript(&refused));
    assert_eq!(t.config(), original);

    // A server an administrator defines cannot be replaced from the user config at all.
    t.write_sys(
        "config.toml",
        "[mcp_servers.sentry]\nurl = \"https://sentry.internal/mcp\"\n",
    );
    let blocked = run(
        &t,
        &["import", "--from", "claude-code", "--write", "--replace"],
    )
    .fails(1);
    assert!(
        blocked.stderr.contains(
            "sentry: a server of that name is defined in [TMP]/sys/config.toml (system config), which mcpctl does not write"
        ),
        "{}",
        blocked.stderr
    );
    assert!(!blocked.stderr.contains("github:"), "{}", blocked.stderr);
    assert_eq!(t.config(), original);

    // Leaving it out with --only, and replacing github, goes through.
    let run = run(
        &t,
        &[
            "import",
            "--from",
            "claude-code",
            "--only",
            "github,my db,sqlite",
            "--write",
            "--replace",
        ],
    )
    .ok();
    assert!(
        run.stdout.ends_with(
            "Added 2 MCP servers (sqlite, my-db), replaced 1 (github) in ~/home/config.toml.\n"
        ),
        "{}",
        run.stdout
    );
    let servers = toml(&t)["mcp_servers"].as_table().unwrap().clone();
    assert_eq!(
        servers.keys().collect::<Vec<_>>(),
        ["github", "my-db", "sqlite"]
    );
    assert_eq!(
        servers["github"]["url"].as_str(),
        Some("https://api.githubcopilot.com/mcp/")
    );
}

#[test]
fn import_reads_one_source_or_one_file() {
    let t = TestHome::new();
    claude_files(&t);
    let desktop = run_ok(&t, &["import", "--from", "claude-desktop"]);
    assert!(
        desktop.contains(
            "Found 3 MCP server entries in one file:\n  ~/.config/Claude/claude_desktop_config.json\n"
        ),
        "{desktop}"
    );
    assert!(
        desktop.contains("github        stdio      docker run"),
        "{desktop}"
    );

    let project = run_ok(&t, &["import", "--from", "mcp-json"]);
    assert!(
        project.contains("Found 4 MCP server entries in one file:\n  ~/work/.mcp.json\n"),
        "{project}"
    );

    // A file given by path: its kind comes from its name (or --from).
    let elsewhere = t.root.path().join("exports/claude_desktop_config.json");
    write(&elsewhere, DESKTOP_JSON);
    let by_name = run_ok(&t, &["import", elsewhere.to_str().unwrap()]);
    assert!(by_name.contains("(desktop)"), "{by_name}");
    let folder = t.root.path().join("other-project");
    write(&folder.join(".mcp.json"), MCP_JSON);
    let by_folder = run_ok(&t, &["import", "../other-project"]);
    assert!(
        by_folder.contains("~/other-project/.mcp.json (project)"),
        "{by_folder}"
    );

    // `CLAUDE_CONFIG_DIR` moves `.claude.json`, as it does for Claude Code.
    let moved = t.root.path().join("claude-dir");
    fs::create_dir_all(&moved).unwrap();
    fs::rename(
        t.root.path().join(".claude.json"),
        moved.join(".claude.json"),
    )
    .unwrap();
    let output = t
        .cmd()
        .env_remove("XDG_CONFIG_HOME")
        .env("CLAUDE_CONFIG_DIR", &moved)
        .args(["import", "--from", "claude-code"])
        .output()
        .unwrap();
    let stdout = t.redact(&String::from_utf8_lossy(&output.stdout));
    assert!(
        stdout.contains("~/claude-dir/.claude.json (user)"),
        "{stdout}"
    );
}

#[test]
fn import_errors_leave_the_config_unchanged() {
    let t = TestHome::new();
    let original = "[mcp_servers.keep]\ncommand = \"keep\"\n";
    t.write_config(original);
    let mut out = String::new();
    let mut case = |label: &str, args: &[&str], code: i32| {
        let run = run(&t, args).fails(code);
        assert_eq!(run.stdout, "", "{label}: errors print nothing on stdout");
        out.push_str(&format!("## {label} (exit {code})\n{}\n", run.stderr));
        assert_eq!(t.config(), original, "{label}");
    };
    case("nothing to read", &["import"], 1);
    case("no .mcp.json", &["import", "--from", "mcp-json"], 1);
    case("missing file", &["import", "nope.json"], 1);
    write(
        &t.work().join(".mcp.json"),
        "{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\",}\n  }\n}\n",
    );
    case("malformed JSON", &["import", "--from", "mcp-json"], 1);
    write(&t.work().join(".mcp.json"), "{\"mcpServers\": [\"a\"]}");
    case(
        "mcpServers not an object",
        &["import", "--from", "mcp-json", "--write"],
        1,
    );
    write(&t.work().join(".mcp.json"), MCP_JSON);
    case(
        "unknown --only",
        &["import", "--from", "mcp-json", "--only", "sentyr"],
        1,
    );
    case("bad --from", &["import", "--from", "cursor"], 2);
    insta::assert_snapshot!(out);
}

#[test]
fn add_json_converts_claude_code_json() {
    let t = TestHome::new();
    let stdio = run(
        &t,
        &[
            "add-json",
            "docs",
            r#"{"type":"stdio","command":"npx","args":["-y","docs-mcp"],"env":{"API_KEY":"s3cret","HOME_DIR":"${HOME_DIR}"}}"#,
        ],
    )
    .ok();
    let http = run(
        &t,
        &[
            "add-json",
            "web",
            r#"{"type":"http","url":"https://example.com/mcp","headers":{"Authorization":"Bearer ${WEB_TOKEN}","X-Key":"${WEB_KEY}","X-Team":"blue"}}"#,
            "--required",
        ],
    )
    .ok();
    // `type` left out: `url` says HTTP.
    let untyped = run(
        &t,
        &[
            "add-json",
            "plain",
            r#"{"url":"http://127.0.0.1:9/mcp"}"#,
            "--disabled",
        ],
    )
    .ok();
    insta::assert_snapshot!(format!(
        "{}{}{}--- config.toml\n{}",
        transcript(&stdio),
        transcript(&http),
        transcript(&untyped),
        t.config()
    ));
    let get = run_ok(&t, &["get", "docs"]);
    assert!(get.contains("env: API_KEY=*****"), "{get}");
    assert!(!get.contains("s3cret"), "{get}");
}

#[test]
fn add_json_checks_like_add() {
    let t = TestHome::new();
    run(&t, &["add-json", "docs", r#"{"command":"one"}"#]).ok();
    let original = t.config();
    let mut out = String::new();
    let mut case = |label: &str, args: &[&str], code: i32| {
        let run = run(&t, args).fails(code);
        assert_eq!(run.stdout, "", "{label}");
        out.push_str(&format!("## {label} (exit {code})\n{}\n", run.stderr));
        assert_eq!(t.config(), original, "{label}");
    };
    case("exists", &["add-json", "docs", r#"{"command":"two"}"#], 1);
    case("not JSON", &["add-json", "x", r#"{"command": "x",}"#], 2);
    case(
        "args not an array",
        &["add-json", "x", r#"{"command":"x","args":"a b"}"#],
        2,
    );
    case(
        "command and url",
        &["add-json", "x", r#"{"command":"x","url":"http://h/mcp"}"#],
        2,
    );
    case("neither", &["add-json", "x", r#"{"env":{"A":"1"}}"#], 2);
    case(
        "bad url",
        &["add-json", "x", r#"{"type":"http","url":"notaurl"}"#],
        2,
    );
    case(
        "websocket",
        &["add-json", "x", r#"{"type":"ws","url":"ws://h"}"#],
        1,
    );
    case(
        "bad name",
        &["add-json", "my server", r#"{"command":"x"}"#],
        2,
    );
    case(
        "env value not a string",
        &["add-json", "x", r#"{"command":"x","env":{"PORT":3000}}"#],
        2,
    );
    insta::assert_snapshot!(out);

    run(
        &t,
        &["add-json", "docs", r#"{"command":"two"}"#, "--replace"],
    )
    .ok();
    assert_eq!(
        toml(&t)["mcp_servers"]["docs"]["command"].as_str(),
        Some("two")
    );
}

#[test]
fn add_takes_claude_style_flags() {
    let t = TestHome::new();
    // A command without `--`; flags after it are its own.
    run(
        &t,
        &[
            "add",
            "-e",
            "API_KEY=abc",
            "echo1",
            "echo",
            "hi",
            "--env",
            "A=1",
        ],
    )
    .ok();
    // `--` still works, and so does `--transport stdio`.
    run(
        &t,
        &["add", "--transport", "stdio", "echo2", "--", "echo", "-n"],
    )
    .ok();
    // `--transport http`: the value after the name is the URL; flags may follow it.
    let http = run(
        &t,
        &[
            "add",
            "--transport",
            "http",
            "web",
            "https://example.com/mcp",
            "-H",
            "Authorization: Bearer ${WEB_TOKEN}",
            "--header",
            "X-Team: blue",
            "-H",
            "X-Org=acme:1",
        ],
    )
    .ok();
    let servers = toml(&t)["mcp_servers"].as_table().unwrap().clone();
    let echo1 = &servers["echo1"];
    assert_eq!(echo1["command"].as_str(), Some("echo"));
    assert_eq!(
        echo1["args"].as_array().unwrap().len(),
        3,
        "hi --env A=1 belong to echo"
    );
    assert_eq!(echo1["env"]["API_KEY"].as_str(), Some("abc"));
    assert_eq!(
        servers["echo2"]["args"].as_array().unwrap()[0].as_str(),
        Some("-n")
    );
    let web = &servers["web"];
    assert_eq!(web["url"].as_str(), Some("https://example.com/mcp"));
    assert_eq!(web["bearer_token_env_var"].as_str(), Some("WEB_TOKEN"));
    assert_eq!(web["http_headers"]["X-Team"].as_str(), Some("blue"));
    assert_eq!(web["http_headers"]["X-Org"].as_str(), Some("acme:1"));
    assert_eq!(
        http.stderr,
        "note: header Authorization: the bearer token is read from $WEB_TOKEN when connecting (bearer_token_env_var)\n"
    );
}

#[test]
fn add_oauth_client_secret_warns_and_is_masked() {
    let t = TestHome::new();
    let run = run(
        &t,
        &[
            "add",
            "web",
            "--url",
            "https://example.com/mcp",
            "--oauth-client-id",
            "mcpctl",
            "--oauth-client-secret",
            "sup3rsecret",
        ],
    )
    .ok();
    assert_eq!(
        run.stderr,
        "warning: --oauth-client-secret is stored in plain text in [TMP]/home/config.toml; anyone who can read that file can read the secret\n"
    );
    let table = toml(&t);
    let oauth = &table["mcp_servers"]["web"]["oauth"];
    assert_eq!(oauth["client_secret"].as_str(), Some("sup3rsecret"));
    let get = run_ok(&t, &["get", "web"]);
    assert!(get.contains("client_secret=*****"), "{get}");
    assert!(!get.contains("sup3rsecret"), "{get}");
}

#[test]
fn add_usage_errors_name_the_flag_and_write_nothing() {
    let t = TestHome::new();
    let mut out = String::new();
    let mut case = |label: &str, args: &[&str], code: i32| {
        let run = run(&t, args).fails(code);
        assert_eq!(run.stdout, "", "{label}");
        out.push_str(&format!("## {label} (exit {code})\n{}\n", run.stderr));
        assert!(!t.config_path().exists(), "{label}");
    };
    case(
        "http without a URL",
        &["add", "--transport", "http", "web"],
        2,
    );
    case(
        "a second value after the URL",
        &[
            "add",
            "--transport",
            "http",
            "web",
            "https://h/mcp",
            "extra",
        ],
        2,
    );
    case("a URL as the command", &["add", "web", "https://h/mcp"], 2);
    case(
        "header on a stdio server",
        &["add", "x", "-H", "X: 1", "echo"],
        2,
    );
    case(
        "env on an HTTP server",
        &[
            "add",
            "--transport",
            "http",
            "web",
            "https://h/mcp",
            "-e",
            "A=1",
        ],
        2,
    );
    case(
        "--url with --transport stdio",
        &[
            "add",
            "--transport",
            "stdio",
            "--url",
            "https://h/mcp",
            "web",
        ],
        2,
    );
    case(
        "bad URL",
        &["add", "--transport", "http", "web", "notaurl"],
        2,
    );
    case(
        "header without a separator",
        &[
            "add",
            "--transport",
            "http",
            "web",
            "https://h/mcp",
            "-H",
            "sk-123",
        ],
        2,
    );
    case(
        "two bearer tokens",
        &[
            "add",
            "--transport",
            "http",
            "web",
            "https://h/mcp",
            "--bearer-token-env-var",
            "A",
            "-H",
            "Authorization: Bearer ${B}",
        ],
        2,
    );
    insta::assert_snapshot!(out);
}

#[test]
fn codex_users_get_a_hint_on_list() {
    let t = TestHome::new();
    write(
        &t.root.path().join(".codex/config.toml"),
        "model = \"o3\"\n[mcp_servers.docs]\ncommand = \"docs\"\n[mcp_servers.web]\nurl = \"https://h/mcp\"\n",
    );
    let list = |unset_home: bool| {
        let mut cmd = t.cmd();
        cmd.env_remove("CODEX_HOME");
        if unset_home {
            cmd.env_remove("MCPCTL_HOME");
        }
        let output = cmd.arg("list").output().unwrap();
        assert!(output.status.success());
        t.redact(&String::from_utf8_lossy(&output.stderr))
    };
    assert_eq!(
        list(true),
        "note: Codex's config ~/.codex/config.toml has 2 MCP servers; to use it with mcpctl: export MCPCTL_HOME=~/.codex\n"
    );
    // Not when MCPCTL_HOME is set, nor once mcpctl has a config of its own.
    assert_eq!(list(false), "");
    write(&t.root.path().join(".mcpctl/config.toml"), "");
    assert_eq!(list(true), "");
}
