//! Logins that cannot work, and every provider fault, each as one sentence.

use pretty_assertions::assert_eq;

use super::*;

#[test]
fn logins_that_cannot_work_are_refused_before_anything_is_sent() {
    let f = Fixture::new(
        r#"
[mcp_servers.local]
command = "some-mcp"

[mcp_servers.plain]
url = "http://mcp.example.com/mcp"

[mcp_servers.gh]
url = "https://api.githubcopilot.com/mcp/"

[mcp_servers.token]
url = "https://mcp.example.com/mcp"
bearer_token_env_var = "TOKEN"
"#,
    );
    let cases = [
        (
            "local",
            "error: MCP server 'local' is a stdio server (a local command); OAuth login is only for HTTP servers (--url)\n",
        ),
        (
            "plain",
            "error: MCP server 'plain' is reached over plain http:// at http://mcp.example.com/mcp; OAuth tokens would travel unencrypted, so mcpctl logs in only to https:// servers (or http:// on this machine)\n",
        ),
        (
            "gh",
            "error: GitHub's MCP server does not offer OAuth login to clients like mcpctl; create a personal access token (https://github.com/settings/personal-access-tokens), export it, and use it: `mcpctl add gh --url https://api.githubcopilot.com/mcp/ --bearer-token-env-var GITHUB_PAT --replace`\n",
        ),
        (
            "token",
            "error: MCP server 'token' sends a bearer token from $TOKEN (bearer_token_env_var); remove that key to log in with OAuth instead\n",
        ),
        ("nope", "error: No MCP server named 'nope'.\n"),
    ];
    for (name, expected) in cases {
        let run = f.run(&["login", name]).fails(1);
        assert_eq!(run.stderr, expected, "{name}");
    }
}

#[test]
fn a_corrupt_credentials_file_or_a_missing_keyring_fail_before_the_network() {
    let mock = MockHttp::start();
    let f = Fixture::with_server(&mock.url("/mcp"), "");
    let path = f.t.home().join(".credentials.json");
    std::fs::write(&path, "{not json").unwrap();
    let run = f.run(&["login", "docs"]).fails(1);
    assert!(
        run.stderr
            .contains(".credentials.json: not a valid credentials file")
            && run.stderr.contains("mcpctl leaves it untouched"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&path), "{not json");
    assert!(mock.requests().is_empty(), "nothing was sent");

    let k = Fixture::new("");
    k.t.write_config(&format!(
        "mcp_oauth_credentials_store = \"keyring\"\n[mcp_servers.docs]\nurl = \"{}\"\n",
        mock.url("/mcp")
    ));
    let run = k.run_with(
        &["login", "docs"],
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")],
    );
    let run = run.fails(1);
    assert!(
        run.stderr.contains("no OS keyring is available")
            && run
                .stderr
                .contains("mcp_oauth_credentials_store = \"file\""),
        "{}",
        run.stderr
    );
    assert!(mock.requests().is_empty(), "nothing was sent");
}

/// A scripted OAuth server on the mock: 401 with `resource_metadata`, its metadata, a
/// registration endpoint, and `token` as the token endpoint's answer. The browser script
/// skips `/authorize` and goes straight to the callback with a code.
fn scripted_provider(mock: &MockHttp, token: Reply) {
    let base = mock.base_url();
    mock.route(
        "POST",
        "/mcp",
        Reply::unauthorized(&format!(
            r#"Bearer resource_metadata="{base}/.well-known/oauth-protected-resource/mcp""#
        )),
    );
    mock.route(
        "GET",
        "/.well-known/oauth-protected-resource/mcp",
        Reply::json(&json!({"resource": format!("{base}/mcp"), "authorization_servers": [base]})),
    );
    mock.route(
        "GET",
        "/.well-known/oauth-authorization-server",
        Reply::json(&json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "registration_endpoint": format!("{base}/register"),
            "code_challenge_methods_supported": ["S256"],
        })),
    );
    mock.route(
        "POST",
        "/register",
        json_reply(
            201,
            &json!({"client_id": "scripted-client", "redirect_uris": []}),
        ),
    );
    mock.route("POST", "/token", token);
}

#[test]
fn a_token_endpoint_that_answers_html_or_500_is_one_sentence() {
    for (reply, expected) in [
        (
            html_reply(500, "<html>oops</html>"),
            "did not answer the code exchange with an OAuth token response (HTTP 500, text/html); the provider may be down or misconfigured, try again later",
        ),
        (
            html_reply(200, "<html>login page</html>"),
            "did not answer the code exchange with an OAuth token response (HTTP 200, text/html)",
        ),
        (
            json_reply(
                400,
                &json!({"error": "invalid_grant", "error_description": "bad code"}),
            ),
            "refused the code exchange: invalid_grant",
        ),
    ] {
        let mock = MockHttp::start();
        scripted_provider(&mock, reply);
        let f = Fixture::with_server(&mock.url("/mcp"), "");
        let wrapper = browser_wrapper(
            f.t.path(),
            r#"
  const back = new URL(cb.href);
  back.searchParams.set("code", "scripted-code-123");
  back.searchParams.set("state", auth.searchParams.get("state"));
  const r = await fetch(back); note("callback", r.status); process.exit(0);
"#,
        );
        let log = f.t.path().join("wrapper.jsonl");
        let run = f
            .run_with(
                &["login", "docs"],
                &[
                    ("BROWSER", wrapper.to_str().unwrap()),
                    ("WRAPPER_LOG", log.to_str().unwrap()),
                ],
            )
            .fails(1);
        assert!(
            run.stderr.contains(&format!(
                "error: cannot log in to MCP server 'docs': the token endpoint {}",
                mock.url("/token")
            )) && run.stderr.contains(expected),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("scripted-code-123"));
        assert!(!f.t.home().join(".credentials.json").exists());
    }
}

#[test]
fn garbage_metadata_is_one_sentence() {
    let mock = MockHttp::start();
    let base = mock.base_url();
    mock.route(
        "POST",
        "/mcp",
        Reply::unauthorized(&format!(r#"Bearer resource_metadata="{base}/meta""#)),
    );
    mock.route("GET", "/meta", html_reply(200, "<html>not metadata</html>"));
    let f = Fixture::with_server(&mock.url("/mcp"), "");
    let run = f.run(&["login", "docs"]).fails(1);
    assert!(
        run.stderr.starts_with(&format!(
            "error: cannot log in to MCP server 'docs': {base}/meta does not serve valid OAuth metadata (text/html: expected value at line 1 column 1)"
        )),
        "{}",
        run.stderr
    );
    // A server that needs no login at all.
    let open = MockHttp::start();
    open.route(
        "POST",
        "/mcp",
        Reply::json(&json!({"jsonrpc": "2.0", "id": 0, "result": {}})),
    );
    let g = Fixture::with_server(&open.url("/mcp"), "");
    let run = g.run(&["login", "docs"]).fails(1);
    assert!(
        run.stderr.contains("does not offer an OAuth login: it answered HTTP 200 without credentials and publishes no OAuth metadata"),
        "{}",
        run.stderr
    );
}

#[test]
fn add_on_a_terminal_only_offers_the_login() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let f = Fixture::new("");
    // Not a terminal: `add` says how to log in and does not start it.
    let run = f.run(&["add", "docs", "--url", server.mcp_url()]).ok();
    assert!(
        run.stderr
            .contains("note: MCP server 'docs' asks for an OAuth login: run `mcpctl login docs`"),
        "{}",
        run.stderr
    );
    assert_eq!(state(&server, "codes"), 0);
    let quiet = f
        .run(&["add", "docs2", "--url", server.mcp_url(), "--no-login"])
        .ok();
    assert!(!quiet.stderr.contains("login"), "{}", quiet.stderr);
    let gh = f
        .run(&["add", "gh", "--url", "https://api.githubcopilot.com/mcp/"])
        .ok();
    assert!(
        gh.stderr
            .contains("note: GitHub's MCP server does not offer OAuth login"),
        "{}",
        gh.stderr
    );
    let secret = f
        .run(&[
            "add",
            "pre",
            "--url",
            server.mcp_url(),
            "--oauth-client-id",
            "abc",
            "--oauth-client-secret-env-var",
            "PRE_SECRET",
            "--no-login",
        ])
        .ok();
    assert!(!secret.stderr.contains("plain text"), "{}", secret.stderr);
    assert!(
        f.t.config().contains(
            "[mcp_servers.pre.oauth]\nclient_id = \"abc\"\nclient_secret_env_var = \"PRE_SECRET\"\n"
        ),
        "{}",
        f.t.config()
    );
    let stdio = f.run(&["add", "x", "--no-login", "--", "cmd"]).fails(2);
    assert!(
        stdio
            .stderr
            .contains("'--no-login' cannot be used with a stdio server"),
        "{}",
        stdio.stderr
    );
}

#[test]
fn a_step_up_asks_for_the_union_of_scopes_once() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    f.run(&["login", "docs", "--scopes", "mcp:read"]).ok();
    assert_eq!(f.entry()["scopes"], json!(["mcp:read"]));
    let run = f.run(&["call", "docs", "write_note", "text=hi"]).ok();
    assert!(run.stdout.contains("noted: hi"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("asks for more access (insufficient_scope)"),
        "{}",
        run.stderr
    );
    let authorize = requests_to(&server, "/authorize");
    assert_eq!(authorize.len(), 2);
    assert_eq!(authorize[1]["values"]["scope"], "mcp:read mcp:write");
    assert_eq!(f.entry()["scopes"], json!(["mcp:read", "mcp:write"]));
    f.assert_no_secrets();
}

#[test]
fn a_browser_that_cannot_be_opened_prints_the_url() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    let run = f
        .run_with(
            &["login", "docs", "--timeout", "1"],
            &[("BROWSER", "/nonexistent/browser")],
        )
        .fails(1);
    assert!(
        run.stderr.contains("Could not open a browser ("),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("/authorize?response_type=code"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("no OAuth callback arrived within 1s; run the login again (with a longer --timeout if you need more time)"),
        "{}",
        run.stderr
    );
}
