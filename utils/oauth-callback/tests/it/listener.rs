//! The listener's rules, one real request at a time.

use std::time::Duration;

use mcpctl_oauth_callback::{
    BindScope, CallbackConfig, CallbackError, CallbackEvent, CallbackListener, Rejection,
    WaitOptions,
};
use pretty_assertions::assert_eq;
use tokio::sync::mpsc;

const STATE: &str = "state-abc";

async fn get(url: &str) -> (u16, String) {
    let res = reqwest::get(url).await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn options(timeout: Duration) -> (WaitOptions, mpsc::UnboundedReceiver<CallbackEvent>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let opts = WaitOptions {
        timeout,
        pasted: None,
        events: Some(tx),
    };
    (opts, rx)
}

#[tokio::test]
async fn forged_and_stray_requests_do_not_end_the_login() {
    let listener = CallbackListener::bind(&CallbackConfig::default())
        .await
        .unwrap();
    assert_eq!(listener.scope(), BindScope::Loopback);
    let redirect = listener.redirect_uri().to_owned();
    let port = listener.local_addrs()[0].port();
    assert_eq!(redirect, format!("http://127.0.0.1:{port}/callback"));
    let (opts, mut events) = options(Duration::from_secs(20));
    let waiting =
        tokio::spawn(async move { listener.wait(STATE, opts, std::future::pending()).await });

    let base = format!("http://127.0.0.1:{port}");
    assert_eq!(
        get(&format!("{base}/other?code=c&state={STATE}")).await.0,
        404
    );
    assert_eq!(get(&format!("{base}/callback?code=c")).await.0, 400);
    let (status, page) = get(&format!("{base}/callback?code=c&state=forged")).await;
    assert_eq!(status, 400);
    assert!(page.contains("still waiting"), "{page}");
    assert_eq!(
        get(&format!("{base}/callback?error=access_denied&state=forged"))
            .await
            .0,
        400
    );
    assert_eq!(get(&format!("{base}/callback?state={STATE}")).await.0, 400);
    let post = reqwest::Client::new()
        .post(format!("{redirect}?code=c&state={STATE}"))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status().as_u16(), 405);
    assert!(!waiting.is_finished(), "none of those ended the login");

    let (status, page) = get(&format!(
        "{redirect}?code=the-code&state={STATE}&iss=http%3A%2F%2Fas.test"
    ))
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("Login complete"), "{page}");
    assert!(!page.contains("the-code"), "the page never shows the code");
    let response = waiting.await.unwrap().unwrap();
    assert_eq!(response.code.expose(), "the-code");
    assert_eq!(response.state, STATE);
    assert_eq!(response.iss.as_deref(), Some("http://as.test"));

    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        seen.push(event);
    }
    assert_eq!(
        seen,
        [
            CallbackEvent::Rejected(Rejection::WrongPath {
                path: "/other".into()
            }),
            CallbackEvent::Rejected(Rejection::MissingState),
            CallbackEvent::Rejected(Rejection::WrongState),
            CallbackEvent::Rejected(Rejection::WrongState),
            CallbackEvent::Rejected(Rejection::MissingCode),
            CallbackEvent::Rejected(Rejection::MethodNotAllowed {
                method: "POST".into()
            }),
        ]
    );
    // The listener is closed: a replayed callback finds nobody.
    assert!(
        reqwest::get(format!("{redirect}?code=the-code&state={STATE}"))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_provider_error_ends_the_login() {
    let listener = CallbackListener::bind(&CallbackConfig::default())
        .await
        .unwrap();
    let redirect = listener.redirect_uri().to_owned();
    let waiting = tokio::spawn(async move {
        listener
            .wait(STATE, WaitOptions::default(), std::future::pending())
            .await
    });
    let (status, page) = get(&format!(
        "{redirect}?error=access_denied&error_description=The+user+said+%3Cno%3E&state={STATE}"
    ))
    .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Login failed") && page.contains("&lt;no&gt;"),
        "{page}"
    );
    let err = waiting.await.unwrap().unwrap_err();
    assert_eq!(
        err.to_string(),
        "the authorization server refused the login: access_denied (The user said <no>)"
    );
    assert!(matches!(err, CallbackError::Denied { ref error, .. } if error == "access_denied"));
}

#[tokio::test]
async fn the_deadline_and_cancellation_end_the_wait() {
    let listener = CallbackListener::bind(&CallbackConfig::default())
        .await
        .unwrap();
    let opts = WaitOptions {
        timeout: Duration::from_millis(200),
        ..WaitOptions::default()
    };
    let err = listener
        .wait(STATE, opts, std::future::pending())
        .await
        .unwrap_err();
    assert!(matches!(err, CallbackError::TimedOut { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("no OAuth callback arrived within 0s"),
        "{err}"
    );

    let listener = CallbackListener::bind(&CallbackConfig::default())
        .await
        .unwrap();
    let (cancel_tx, cancel_rx) = tokio::sync::oneshot::channel::<()>();
    let waiting = tokio::spawn(async move {
        listener
            .wait(STATE, WaitOptions::default(), async {
                let _ = cancel_rx.await;
            })
            .await
    });
    cancel_tx.send(()).unwrap();
    let err = waiting.await.unwrap().unwrap_err();
    assert!(matches!(err, CallbackError::Cancelled), "{err}");
}

#[tokio::test]
async fn a_fixed_port_is_used_and_a_taken_one_is_a_clear_error() {
    // Find a free port, then hold it.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = CallbackListener::bind(&CallbackConfig {
        port: Some(port),
        callback_url: None,
    })
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot listen for the OAuth callback on 127.0.0.1:{port}: the port is already in use; \
             stop the program using it, or choose another port with mcp_oauth_callback_port"
        )
    );
    drop(taken);
    let listener = CallbackListener::bind(&CallbackConfig {
        port: Some(port),
        callback_url: None,
    })
    .await
    .unwrap();
    assert_eq!(
        listener.redirect_uri(),
        format!("http://127.0.0.1:{port}/callback")
    );
    assert_eq!(listener.local_addrs()[0].port(), port);
}

#[tokio::test]
async fn an_exact_callback_url_is_sent_as_is_and_its_path_served() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let url = format!("http://localhost:{port}/oauth/done?app=mcpctl");
    let listener = CallbackListener::bind(&CallbackConfig {
        port: None,
        callback_url: Some(url.clone()),
    })
    .await
    .unwrap();
    assert_eq!(listener.redirect_uri(), url);
    assert_eq!(listener.path(), "/oauth/done");
    assert_eq!(listener.scope(), BindScope::Loopback);
    assert!(listener.local_addrs().iter().all(|a| a.ip().is_loopback()));
    let waiting = tokio::spawn(async move {
        listener
            .wait(STATE, WaitOptions::default(), std::future::pending())
            .await
    });
    assert_eq!(
        get(&format!(
            "http://127.0.0.1:{port}/callback?code=c&state={STATE}"
        ))
        .await
        .0,
        404
    );
    let (status, _) = get(&format!(
        "http://127.0.0.1:{port}/oauth/done?app=mcpctl&code=c&state={STATE}"
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(waiting.await.unwrap().unwrap().code.expose(), "c");
}

#[tokio::test]
async fn a_pasted_callback_url_passes_the_same_rules() {
    let listener = CallbackListener::bind(&CallbackConfig::default())
        .await
        .unwrap();
    let redirect = listener.redirect_uri().to_owned();
    let (paste_tx, paste_rx) = mpsc::channel(4);
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let opts = WaitOptions {
        timeout: Duration::from_secs(20),
        pasted: Some(paste_rx),
        events: Some(events_tx),
    };
    let waiting =
        tokio::spawn(async move { listener.wait(STATE, opts, std::future::pending()).await });
    paste_tx.send("what is this".into()).await.unwrap();
    paste_tx
        .send(format!("{redirect}?code=c&state=stale"))
        .await
        .unwrap();
    paste_tx
        .send(format!("{redirect}?code=pasted-code&state={STATE}\n"))
        .await
        .unwrap();
    let response = waiting.await.unwrap().unwrap();
    assert_eq!(response.code.expose(), "pasted-code");
    assert!(matches!(
        events.recv().await,
        Some(CallbackEvent::PastedRejected(Rejection::NotAUrl { .. }))
    ));
    assert_eq!(
        events.recv().await,
        Some(CallbackEvent::PastedRejected(Rejection::WrongState))
    );
}
