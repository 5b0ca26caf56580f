//! A callback URL on another host binds every interface. Tests bind loopback only, so this one
//! runs in a private network namespace (`unshare -n`, as root in CI) where "every interface" is
//! just that namespace's loopback.

use std::process::Command;

use mcpctl_oauth_callback::{BindScope, CallbackConfig, CallbackListener, WaitOptions};
use pretty_assertions::assert_eq;

const INNER: &str = "MCPCTL_CALLBACK_NETNS";

#[test]
fn a_non_local_callback_host_binds_all_interfaces() {
    let probe = Command::new("unshare").args(["-n", "true"]).status();
    if !probe.is_ok_and(|s| s.success()) {
        if std::env::var_os("MCPCTL_REQUIRE_PEERS").is_some_and(|v| v == "1") {
            panic!("MCPCTL_REQUIRE_PEERS=1 but `unshare -n` is unavailable (it needs root)");
        }
        eprintln!(
            "skipped: `unshare -n` is unavailable (needs root); cannot isolate a 0.0.0.0 bind"
        );
        return;
    }
    let out = Command::new("unshare")
        .args(["-n", "sh", "-c", "ip link set lo up && exec \"$@\"", "sh"])
        .arg(std::env::current_exe().unwrap())
        .args([
            "namespace::inner_non_local_host",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(INNER, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
#[ignore = "runs in a private network namespace; started by a_non_local_callback_host_binds_all_interfaces"]
async fn inner_non_local_host() {
    if std::env::var_os(INNER).is_none() {
        return;
    }
    let url = "https://dev.example.test/mcp/oauth-callback";
    let listener = CallbackListener::bind(&CallbackConfig {
        port: Some(18_765),
        callback_url: Some(url.into()),
    })
    .await
    .unwrap();
    assert_eq!(listener.scope(), BindScope::AllInterfaces);
    assert_eq!(listener.redirect_uri(), url, "sent exactly as configured");
    assert_eq!(listener.local_addrs()[0].to_string(), "0.0.0.0:18765");
    let waiting = tokio::spawn(async move {
        listener
            .wait("s", WaitOptions::default(), std::future::pending())
            .await
    });
    // The ingress forwards https://dev.example.test/... to this port.
    let res = reqwest::get("http://127.0.0.1:18765/mcp/oauth-callback?code=fwd&state=s")
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(waiting.await.unwrap().unwrap().code.expose(), "fwd");
}
