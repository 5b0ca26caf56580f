//! The client's rules against real local servers: a redirect to another origin is not followed
//! (so custom headers never reach it), one within the origin is, and no Referer is sent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

type Seen = Arc<Mutex<Vec<(String, Option<String>, Option<String>)>>>;

/// A server that logs (path, x-api-key, referer) and redirects `/away` to `target`.
async fn serve(target: Option<String>) -> (SocketAddr, Seen) {
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    let handler = move |uri: axum::http::Uri, headers: HeaderMap| {
        let log = Arc::clone(&log);
        let target = target.clone();
        async move {
            let get = |name: &str| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            log.lock()
                .unwrap()
                .push((uri.path().to_string(), get("x-api-key"), get("referer")));
            match (uri.path(), target) {
                ("/away", Some(target)) => {
                    (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, target)]).into_response()
                }
                ("/here", _) => (
                    StatusCode::TEMPORARY_REDIRECT,
                    [(header::LOCATION, "/final?x=1".to_string())],
                )
                    .into_response(),
                _ => (StatusCode::OK, "ok").into_response(),
            }
        }
    };
    let app = Router::new().fallback(get(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, seen)
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed() {
    let (other, other_seen) = serve(None).await;
    let (first, _) = serve(Some(format!("http://{other}/steal"))).await;
    let client = mcpctl_http_client::builder().no_proxy().build().unwrap();
    let response = client
        .get(format!("http://{first}/away?api_key=s3cr3t"))
        .header("x-api-key", "s3cr3t")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
    assert!(
        other_seen.lock().unwrap().is_empty(),
        "the other origin got a request"
    );
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_without_a_referer() {
    let (addr, seen) = serve(None).await;
    let client = mcpctl_http_client::builder().no_proxy().build().unwrap();
    let response = client
        .get(format!("http://{addr}/here?api_key=s3cr3t"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].0, "/final");
    assert_eq!(seen[1].2, None, "a Referer was sent: {:?}", seen[1]);
}
