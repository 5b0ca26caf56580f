//! The login flow end to end against the real provider: login, use, refresh, logout, callbacks.

use pretty_assertions::assert_eq;

use super::*;

#[test]
fn login_use_list_status_relogin_and_logout() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    let login = f.run(&["login", "docs"]).ok();
    assert!(
        login.stdout.starts_with(
            "Logged in to MCP server 'docs' with a newly registered client (scopes mcp:read mcp:write; expires in 59m; refreshes automatically)"
        ),
        "{}",
        login.stdout
    );
    assert!(
        login.stderr.contains("Opened the browser"),
        "{}",
        login.stderr
    );
    let entry = f.entry();
    assert_eq!(entry["server_name"], "docs");
    assert_eq!(entry["server_url"], server.mcp_url());
    assert_eq!(entry["issuer"], server.issuer());
    assert_eq!(entry["scopes"], json!(["mcp:read", "mcp:write"]));
    let side = f.side();
    assert_eq!(side["registration"], "dcr");
    assert_eq!(side["token_endpoint_auth_method"], "none");
    assert_eq!(side["resource"], server.mcp_url());

    // The token works: a tool call through mcpctl.
    let whoami = f.run(&["call", "docs", "whoami", "--json"]).ok();
    assert!(
        whoami.stdout.contains(entry["client_id"].as_str().unwrap()),
        "{}",
        whoami.stdout
    );

    let list = f.run(&["list"]).ok();
    assert!(
        list.stdout.contains("OAuth (expires in 59m)"),
        "{}",
        list.stdout
    );
    let list_json = f.run(&["list", "--json"]).ok().json();
    assert_eq!(list_json[0]["auth_status"], "o_auth");
    assert_eq!(list_json[0]["oauth_login"]["location"], "file");

    let status = f.run(&["auth", "status", "--json"]).ok().json();
    assert_eq!(status[0]["server"], "docs");
    assert_eq!(status[0]["status"], "o_auth");
    assert_eq!(status[0]["login"]["client_id"], entry["client_id"]);
    assert_eq!(status[0]["login"]["refresh_token"], true);
    let table = f.run(&["auth", "status", "docs"]).ok();
    assert!(table.stdout.contains("file"), "{}", table.stdout);

    // PKCE S256 and the same resource on the authorization and token requests.
    let authorize = requests_to(&server, "/authorize");
    assert_eq!(authorize[0]["values"]["code_challenge_method"], "S256");
    assert_eq!(authorize[0]["values"]["resource"], server.mcp_url());
    let token = requests_to(&server, "/token");
    assert_eq!(token[0]["values"]["resource"], server.mcp_url());
    assert_eq!(token[0]["values"]["grant_type"], "authorization_code");

    // A second login reuses the registered client.
    let again = f.run(&["login", "docs"]).ok();
    assert!(
        again
            .stdout
            .contains("the client registered at the last login"),
        "{}",
        again.stdout
    );
    assert_eq!(state(&server, "registrations"), 1);

    let logout = f.run(&["logout", "docs"]).ok();
    assert_eq!(
        logout.stdout,
        "Logged out of MCP server 'docs': tokens revoked at the provider and deleted from the credentials file.\n"
    );
    assert_eq!(state(&server, "revocations"), 2);
    assert!(!f.t.home().join(".credentials.json").exists());
    let after = f.run(&["call", "docs", "whoami"]).fails(1);
    assert!(
        after
            .stderr
            .contains("needs login (HTTP 401): run `mcpctl login docs`"),
        "{}",
        after.stderr
    );
    assert_eq!(
        f.run(&["logout", "docs"]).ok().stdout,
        "MCP server 'docs' was not logged in.\n"
    );
    f.assert_no_secrets();
}

#[test]
fn expiry_refresh_with_rotation_and_two_processes_at_once() {
    let Some(server) = OAuthTestServer::start_or_skip(&["--access-ttl", "2"]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    f.run(&["login", "docs"]).ok();
    let first = f.entry();
    std::thread::sleep(Duration::from_millis(2300));
    assert!(f.run(&["list"]).ok().stdout.contains("OAuth (expired)"));
    f.run(&["call", "docs", "whoami"]).ok();
    let second = f.entry();
    assert_eq!(state(&server, "refreshes"), 1);
    assert_ne!(second["refresh_token"], first["refresh_token"], "rotated");
    assert_ne!(second["access_token"], first["access_token"]);
    let refresh = requests_to(&server, "/token")
        .into_iter()
        .find(|r| r["values"]["grant_type"] == "refresh_token")
        .unwrap();
    assert_eq!(refresh["values"]["resource"], server.mcp_url());

    // Two processes with an expired token at once: one refresh, both succeed.
    std::thread::sleep(Duration::from_millis(2300));
    let spawn = || f.cmd().args(["call", "docs", "whoami"]).output().unwrap();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap(), b.join().unwrap())
    });
    f.record(&a).ok();
    f.record(&b).ok();
    assert_eq!(state(&server, "refreshes"), 2);
    assert_eq!(state(&server, "rejected_refreshes"), 0);
    f.assert_no_secrets();
}

#[test]
fn a_rejected_refresh_ends_the_login_and_says_so() {
    let Some(server) = OAuthTestServer::start_or_skip(&["--access-ttl", "1"]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    f.run(&["login", "docs"]).ok();
    // Another client spent the refresh token (a leaked copy, a buggy process): it is rejected.
    let mut all = f.credentials();
    let (key, entry) = all.as_object_mut().unwrap().iter_mut().next().unwrap();
    let key = key.clone();
    entry["refresh_token"] = json!("spent-elsewhere");
    std::fs::write(f.t.home().join(".credentials.json"), all.to_string()).unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    let run = f.run(&["call", "docs", "whoami"]).fails(1);
    assert!(
        run.stderr.contains(
            "the OAuth login of MCP server 'docs' has ended (the provider rejected its refresh token"
        ) && run.stderr.contains("run `mcpctl login docs`"),
        "{}",
        run.stderr
    );
    let ended = f.credentials()[&key].clone();
    assert_eq!(ended["refresh_token"], Value::Null);
    assert_eq!(ended["expires_at"], 0);
    assert!(f.run(&["list"]).ok().stdout.contains("Not logged in"));
    // The client survives for the next login.
    let again = f.run(&["login", "docs"]).ok();
    assert!(
        again.stdout.contains("registered at the last login"),
        "{}",
        again.stdout
    );
    f.assert_no_secrets();
}

#[test]
fn a_confidential_client_keeps_its_secret_for_refresh() {
    let Some(server) =
        OAuthTestServer::start_or_skip(&["--confidential", "basic", "--access-ttl", "1"])
    else {
        return;
    };
    let ready = server.ready().clone();
    let client_id = ready.client_id.unwrap();
    let secret = ready.client_secret.unwrap();
    let f = Fixture::with_server(
        server.mcp_url(),
        &format!(
            "[mcp_servers.docs.oauth]\nclient_id = \"{client_id}\"\nclient_secret_env_var = \"DOCS_SECRET\"\n"
        ),
    );
    f.secrets.lock().unwrap().push(secret.clone());
    let env = [("DOCS_SECRET", secret.as_str())];
    let missing = f.run(&["login", "docs"]).fails(1);
    assert!(
        missing.stderr.contains(
            "environment variable $DOCS_SECRET (named by oauth.client_secret_env_var) is not set"
        ),
        "{}",
        missing.stderr
    );
    let login = f.run_with(&["login", "docs"], &env).ok();
    assert!(
        login.stdout.contains("with the configured client"),
        "{}",
        login.stdout
    );
    std::thread::sleep(Duration::from_millis(1200));
    // rmcp alone would forget the secret after loading stored credentials (rust-sdk#784).
    f.run(&["call", "docs", "whoami"]).ok();
    // One refresh before connecting; on a loaded machine the refreshed token (1 s) may expire
    // before the call reaches the server, and the 401 refreshes once more.
    let refreshes = state(&server, "refreshes");
    assert!((1..=2).contains(&refreshes), "{refreshes} refreshes");
    for request in requests_to(&server, "/token") {
        assert_eq!(request["authorization_scheme"], "Basic", "{request}");
        assert_eq!(request["status"], 200, "{request}");
    }
    f.assert_no_secrets();
}

#[test]
fn provider_denial_fails_and_keeps_the_stored_login() {
    let Some(server) = OAuthTestServer::start_or_skip(&["--deny"]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    // A login stored before (by another run): a failed login must leave it as it was.
    let issued = server.issue_tokens(None, Some("mcp:read"), None).unwrap();
    f.secrets.lock().unwrap().push(issued.access_token.clone());
    let key = key_of("docs", server.mcp_url());
    let stored = json!({ key: {
        "server_name": "docs", "server_url": server.mcp_url(), "client_id": issued.client_id,
        "access_token": issued.access_token, "expires_at": null, "refresh_token": null,
        "scopes": ["mcp:read"]
    }})
    .to_string();
    std::fs::write(f.t.home().join(".credentials.json"), &stored).unwrap();
    let run = f.run(&["login", "docs"]).fails(1);
    assert!(
        run.stderr.contains(
            "error: cannot log in to MCP server 'docs': the authorization server refused the login: access_denied (The test provider was told to deny this login)"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(read(&f.t.home().join(".credentials.json")), stored);
    f.assert_no_secrets();
}

/// The store key Codex and mcpctl compute for a server.
fn key_of(name: &str, url: &str) -> String {
    use sha2::{Digest as _, Sha256};
    let payload = format!(r#"{{"type":"http","url":{},"headers":{{}}}}"#, json!(url));
    let hex: String = Sha256::digest(payload.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{name}|{}", &hex[..16])
}

#[test]
fn forged_callbacks_are_refused_and_the_code_cannot_be_replayed() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    let log = f.t.path().join("wrapper.jsonl");
    let wrapper = browser_wrapper(
        f.t.path(),
        r#"
  const state = auth.searchParams.get("state");
  let r = await fetch(cb.origin + "/not-the-callback?code=x&state=" + state); note("wrong path", r.status);
  r = await fetch(cb.href + "?code=forged&state=wrong"); note("wrong state", r.status);
  r = await fetch(cb.href + "?error=access_denied&state=wrong"); note("forged error", r.status);
  r = await fetch(cb.href + "?code=forged"); note("no state", r.status);
"#,
    );
    let run = f.run_with(
        &["login", "docs"],
        &[
            ("BROWSER", wrapper.to_str().unwrap()),
            ("WRAPPER_LOG", log.to_str().unwrap()),
        ],
    );
    let run = run.ok();
    let notes: Vec<(String, u64)> = wrapper_log(&log)
        .iter()
        .filter(|e| !e["what"].as_str().unwrap_or("").starts_with("hop"))
        .map(|e| {
            (
                e["what"].as_str().unwrap().to_owned(),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        notes,
        vec![
            ("wrong path".to_owned(), 404),
            ("wrong state".to_owned(), 400),
            ("forged error".to_owned(), 400),
            ("no state".to_owned(), 400),
        ]
    );
    assert!(
        run.stderr.contains(
            "ignored a request to the OAuth callback (a callback whose state is not this login's)"
        ),
        "{}",
        run.stderr
    );
    // The real callback, sent again after the login: nothing listens any more.
    let callback = wrapper_log(&log)
        .iter()
        .filter_map(|e| e["what"].as_str().map(str::to_owned))
        .find(|w| w == "hop /callback");
    assert!(callback.is_some());
    let redirect = requests_to(&server, "/authorize")[0]["values"]["redirect_uri"]
        .as_str()
        .unwrap()
        .to_owned();
    let replay = std::net::TcpStream::connect(url_of(&redirect).socket_addrs(|| None).unwrap()[0]);
    assert!(
        replay.is_err(),
        "the callback listener is closed after the login"
    );
    // And at the provider a used code is refused: only one code exchange happened.
    assert_eq!(state(&server, "codes"), 1);
    assert_eq!(
        requests_to(&server, "/token")
            .iter()
            .filter(|r| r["values"]["grant_type"] == "authorization_code")
            .count(),
        1
    );
    f.assert_no_secrets();
}

#[test]
fn callback_url_of_another_host_is_sent_exactly_and_binds_every_interface() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let port = free_port();
    let callback = format!("http://mcpctl-callback.test:{port}/oauth/done");
    let f = Fixture::new(&format!(
        "mcp_oauth_callback_url = \"{callback}\"\nmcp_oauth_callback_port = {port}\n\n[mcp_servers.docs]\nurl = \"{}\"\n",
        server.mcp_url()
    ));
    assert_eq!(
        f.run(&["callback-url", "docs"]).ok().stdout,
        format!("{callback}\n")
    );
    let log = f.t.path().join("wrapper.jsonl");
    // The ingress: the browser reaches mcpctl-callback.test through this machine.
    let wrapper = browser_wrapper(f.t.path(), "");
    let run = f
        .run_with(
            &["login", "docs"],
            &[
                ("BROWSER", wrapper.to_str().unwrap()),
                ("WRAPPER_LOG", log.to_str().unwrap()),
                ("MAP_HOST", "mcpctl-callback.test=127.0.0.1"),
            ],
        )
        .ok();
    assert!(
        run.stderr.contains(&format!(
            "warning: the OAuth callback listener for {callback} is bound to every network interface (0.0.0.0)"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(
        requests_to(&server, "/authorize")[0]["values"]["redirect_uri"],
        callback
    );
    let register = requests_to(&server, "/register");
    assert_eq!(register[0]["values"]["redirect_uris"], json!([callback]));
    assert_eq!(register[0]["values"]["application_type"], "web");
    f.assert_no_secrets();
}

#[test]
fn a_fixed_callback_port() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let port = free_port();
    let f = Fixture::new(&format!(
        "mcp_oauth_callback_port = {port}\n\n[mcp_servers.docs]\nurl = \"{}\"\n",
        server.mcp_url()
    ));
    let expected = format!("http://127.0.0.1:{port}/callback");
    assert_eq!(
        f.run(&["callback-url", "docs"]).ok().stdout,
        format!("{expected}\n")
    );
    f.run(&["login", "docs"]).ok();
    assert_eq!(
        requests_to(&server, "/authorize")[0]["values"]["redirect_uri"],
        expected
    );
    // The port is taken by another program: one sentence, nothing stored.
    let f2 = Fixture::new(&format!(
        "mcp_oauth_callback_port = {port}\n\n[mcp_servers.docs]\nurl = \"{}\"\n",
        server.mcp_url()
    ));
    let _taken = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let busy = f2.run(&["login", "docs"]).fails(1);
    assert!(
        busy.stderr.contains(&format!(
            "cannot listen for the OAuth callback on 127.0.0.1:{port}: the port is already in use; stop the program using it, or choose another port with mcp_oauth_callback_port"
        )),
        "{}",
        busy.stderr
    );
    assert!(!f2.t.home().join(".credentials.json").exists());
    f.assert_no_secrets();
}

#[test]
fn no_browser_prints_the_url_and_takes_the_pasted_callback() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let f = Fixture::with_server(server.mcp_url(), "");
    let mut child = f
        .cmd()
        .args(["login", "docs", "--no-browser", "--timeout", "20"])
        .env_remove("BROWSER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read stderr until the URL shows, then play the browser without reaching the listener.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut url = String::new();
    let mut seen = String::new();
    while url.is_empty() {
        let mut line = String::new();
        assert!(
            std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() > 0,
            "{seen}"
        );
        seen.push_str(&line);
        if line.trim_start().starts_with("http") {
            url = line.trim().to_owned();
        }
    }
    // The provider answers with a redirect to the callback; its Location is what a user
    // would copy from the address bar.
    let location = redirect_location(&url);
    use std::io::Write as _;
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "not a url").unwrap();
    stdin.flush().unwrap();
    // Wait for the complaint before pasting the real URL: both lines in one read could be
    // taken together, and then the first would never be judged.
    while !seen.contains("that is not the callback URL of this login") {
        let mut line = String::new();
        assert!(
            std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() > 0,
            "{seen}"
        );
        seen.push_str(&line);
    }
    writeln!(stdin, "{location}").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    let mut output = output;
    output.stderr = format!("{seen}{rest}").into_bytes();
    let run = f.record(&output).ok();
    assert!(
        run.stderr.contains("open this URL in a browser"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("that is not the callback URL of this login"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.starts_with("Logged in to MCP server 'docs'"));
    f.secrets.lock().unwrap().push(
        url_of(&location)
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .into_owned(),
    );
    f.assert_no_secrets();
}
