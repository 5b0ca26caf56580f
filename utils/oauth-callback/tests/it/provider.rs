//! A whole authorization round trip against the OAuth test provider: the browser script opens
//! the authorization URL, follows the provider's redirect to the listener, and the code it
//! delivers is exchanged for a token that the protected MCP server accepts.

use base64::Engine as _;
use mcpctl_oauth_callback::{CallbackConfig, CallbackError, CallbackListener, WaitOptions};
use mcpctl_oauth_test_server::{OAuthTestServer, browser_env, browser_script};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use sha2::Digest as _;

struct Client {
    http: reqwest::Client,
    metadata: Value,
    client_id: String,
}

impl Client {
    /// Discovery from the protected resource, then dynamic registration for `redirect_uri`.
    async fn register(server: &OAuthTestServer, redirect_uri: &str) -> Self {
        let http = reqwest::Client::new();
        let prm: Value = http
            .get(server.ready().resource_metadata_url.clone().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let issuer = prm["authorization_servers"][0].as_str().unwrap();
        let metadata: Value = http
            .get(format!("{issuer}/.well-known/oauth-authorization-server"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let registered: Value = http
            .post(metadata["registration_endpoint"].as_str().unwrap())
            .json(&json!({
                "client_name": "mcpctl callback test",
                "redirect_uris": [redirect_uri],
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "none",
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Self {
            http,
            client_id: registered["client_id"].as_str().unwrap().to_owned(),
            metadata,
        }
    }

    fn authorization_url(
        &self,
        redirect_uri: &str,
        state: &str,
        challenge: &str,
        resource: &str,
    ) -> String {
        let mut url =
            url::Url::parse(self.metadata["authorization_endpoint"].as_str().unwrap()).unwrap();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("scope", "mcp:read")
            .append_pair("resource", resource);
        url.to_string()
    }

    async fn exchange(
        &self,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
        resource: &str,
    ) -> (u16, Value) {
        let res = self
            .http
            .post(self.metadata["token_endpoint"].as_str().unwrap())
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("code_verifier", verifier),
                ("redirect_uri", redirect_uri),
                ("client_id", self.client_id.as_str()),
                ("resource", resource),
            ])
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    }
}

fn pkce() -> (String, String) {
    let verifier = format!(
        "verifier-{}-{:x}",
        std::process::id(),
        std::time::SystemTime::now()
            .elapsed()
            .map(|d| d.as_nanos())
            .unwrap_or(7)
    )
    .repeat(2);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

async fn open_browser(url: &str) -> bool {
    tokio::process::Command::new(browser_script())
        .arg(url)
        .envs(browser_env())
        .status()
        .await
        .unwrap()
        .success()
}

async fn mcp_status(url: &str, token: &str) -> u16 {
    reqwest::Client::new()
        .post(url)
        .bearer_auth(token)
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn authorize_redirect_listener_token() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let listener = CallbackListener::bind(&CallbackConfig::default())
        .await
        .unwrap();
    let redirect = listener.redirect_uri().to_owned();
    let client = Client::register(&server, &redirect).await;
    let (verifier, challenge) = pkce();
    let state = "login-state-1";
    let url = client.authorization_url(&redirect, state, &challenge, server.mcp_url());

    let (response, browsed) = tokio::join!(
        listener.wait(state, WaitOptions::default(), std::future::pending()),
        open_browser(&url)
    );
    assert!(browsed, "the browser script reached a 2xx page");
    let response = response.unwrap();
    assert_eq!(
        response.iss.as_deref(),
        Some(server.issuer()),
        "RFC 9207 iss"
    );

    let (status, tokens) = client
        .exchange(
            response.code.expose(),
            &verifier,
            &redirect,
            server.mcp_url(),
        )
        .await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["scope"], "mcp:read");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    assert_eq!(mcp_status(server.mcp_url(), &access).await, 200);

    // A replayed code is refused, and what it was exchanged for is revoked.
    let (status, replay) = client
        .exchange(
            response.code.expose(),
            &verifier,
            &redirect,
            server.mcp_url(),
        )
        .await;
    assert_eq!(
        (status, replay["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(mcp_status(server.mcp_url(), &access).await, 401);

    // The provider saw the listener's exact redirect URI and the resource, and no secret values.
    let authorize = server
        .requests()
        .into_iter()
        .find(|r| r["path"] == "/authorize")
        .unwrap();
    assert_eq!(authorize["values"]["redirect_uri"], redirect.as_str());
    assert_eq!(authorize["values"]["resource"], server.mcp_url());
    assert_eq!(authorize["status"], 302);
}

#[tokio::test]
async fn a_denied_login_ends_with_the_providers_error() {
    let Some(server) = OAuthTestServer::start_or_skip(&["--deny"]) else {
        return;
    };
    let listener = CallbackListener::bind(&CallbackConfig::default())
        .await
        .unwrap();
    let redirect = listener.redirect_uri().to_owned();
    let client = Client::register(&server, &redirect).await;
    let (_, challenge) = pkce();
    let url = client.authorization_url(&redirect, "st", &challenge, server.mcp_url());
    let (response, _) = tokio::join!(
        listener.wait("st", WaitOptions::default(), std::future::pending()),
        open_browser(&url)
    );
    match response.unwrap_err() {
        CallbackError::Denied {
            error, description, ..
        } => {
            assert_eq!(error, "access_denied");
            assert!(description.is_some());
        }
        other => panic!("expected a denial, got {other}"),
    }
}

#[tokio::test]
async fn the_confidential_client_must_use_its_registered_auth_method() {
    let Some(server) = OAuthTestServer::start_or_skip(&["--confidential", "basic"]) else {
        return;
    };
    let ready = server.ready().clone();
    let (id, secret) = (ready.client_id.unwrap(), ready.client_secret.unwrap());
    assert_eq!(
        ready.token_endpoint_auth_method.as_deref(),
        Some("client_secret_basic")
    );
    let tokens = server.issue_tokens(Some(&id), None, None).unwrap();
    let refresh = tokens.refresh_token.unwrap();
    let token_url = format!("{}/token", server.issuer());
    let http = reqwest::Client::new();
    let post = http
        .post(&token_url)
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
            ("client_id", id.as_str()),
            ("client_secret", secret.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        post.status().as_u16(),
        401,
        "client_secret_post refused for a basic client"
    );
    let basic = http
        .post(&token_url)
        .basic_auth(&id, Some(&secret))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status().as_u16(), 200);
    let rotated: Value = basic.json().await.unwrap();
    assert_ne!(
        rotated["refresh_token"].as_str().unwrap(),
        refresh,
        "refresh tokens rotate"
    );
    // The spent refresh token is refused.
    let again = http
        .post(&token_url)
        .basic_auth(&id, Some(&secret))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 400);
    assert_eq!(server.state().unwrap()["rejected_refreshes"], 1);
}

#[tokio::test]
async fn the_provider_challenges_steps_up_and_revokes() {
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let http = reqwest::Client::new();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}});
    let unauthenticated = http
        .post(server.mcp_url())
        .json(&init)
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status().as_u16(), 401);
    let challenge = unauthenticated.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    let prm = server.ready().resource_metadata_url.clone().unwrap();
    assert!(
        challenge.contains(&format!("resource_metadata=\"{prm}\"")),
        "{challenge}"
    );

    let tokens = server.issue_tokens(None, Some("mcp:read"), None).unwrap();
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "write_note", "arguments": {"text": "hi"}}});
    let forbidden = http
        .post(server.mcp_url())
        .bearer_auth(&tokens.access_token)
        .header("accept", "application/json, text/event-stream")
        .json(&call)
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status().as_u16(), 403);
    let header = forbidden.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        header.starts_with("Bearer error=\"insufficient_scope\", scope=\"mcp:read mcp:write\""),
        "{header}"
    );

    let revoked = http
        .post(format!("{}/revoke", server.issuer()))
        .form(&[
            ("token", tokens.access_token.as_str()),
            ("client_id", tokens.client_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status().as_u16(), 200);
    assert_eq!(
        mcp_status(server.mcp_url(), &tokens.access_token).await,
        401
    );
    assert_eq!(server.state().unwrap()["revocations"], 1);
}

#[tokio::test]
async fn without_prm_the_provider_is_a_2025_03_26_server() {
    let Some(server) = OAuthTestServer::start_or_skip(&["--no-prm", "--no-iss"]) else {
        return;
    };
    assert_eq!(server.ready().resource_metadata_url, None);
    let http = reqwest::Client::new();
    let res = http
        .post(server.mcp_url())
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    let challenge = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!challenge.contains("resource_metadata"), "{challenge}");
    // The authorization server shares the MCP server's origin; there is no PRM document.
    let origin = server.mcp_url().trim_end_matches("/mcp");
    assert_eq!(server.issuer(), origin);
    let prm = http
        .get(format!("{origin}/.well-known/oauth-protected-resource/mcp"))
        .send()
        .await
        .unwrap();
    assert_eq!(prm.status().as_u16(), 404);
    let metadata: Value = http
        .get(format!("{origin}/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        metadata["authorization_endpoint"],
        format!("{origin}/authorize")
    );
    assert_eq!(
        metadata["authorization_response_iss_parameter_supported"],
        false
    );
}
