//! The keyring store against a real Secret Service: gnome-keyring in a private D-Bus session
//! (`dbus-run-session`, throwaway XDG_DATA_HOME / XDG_RUNTIME_DIR / HOME), started by each
//! outer test, which runs its inner twin inside that session. Without `dbus-run-session` and
//! `gnome-keyring-daemon` the outer tests print why and pass, unless MCPCTL_REQUIRE_KEYRING=1
//! (CI, where `.ci/run` installs both).

use std::ffi::OsString;
use std::process::{Command, Output};

use mcpctl_credentials_store::{
    CODEX_KEYRING_SERVICE, CredentialStore, Deleted, Location, MCPCTL_KEYRING_SERVICE, StoreError,
    StoreKey, StoreMode,
};
use mcpctl_oauth_test_server::OAuthTestServer;
use pretty_assertions::assert_eq;

use crate::codex_interop::{
    codex_login, codex_server_status, issued, mcp_status_with, tools_of, write_config,
};
use crate::support::{
    INNER, assert_inner_passed, codex, details, home, inner_enabled, run_inner, sample,
};

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// Runs inner test `name` in a fresh session bus with gnome-keyring, unlocked or not.
fn in_keyring_session(name: &str, unlocked: bool) -> Option<Output> {
    let missing: Vec<&str> = ["dbus-run-session", "gnome-keyring-daemon"]
        .into_iter()
        .filter(|p| !on_path(p))
        .collect();
    if !missing.is_empty() {
        if std::env::var_os("MCPCTL_REQUIRE_KEYRING").is_some_and(|v| v == "1") {
            panic!(
                "MCPCTL_REQUIRE_KEYRING=1 but {} missing: apt-get install gnome-keyring dbus",
                missing.join(", ")
            );
        }
        eprintln!(
            "skipped: {} not installed (apt-get install gnome-keyring dbus)",
            missing.join(", ")
        );
        return None;
    }
    let dir = home();
    let (data, run) = (dir.path().join("data"), dir.path().join("run"));
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&run).unwrap();
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let start = if unlocked {
        "printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null"
    } else {
        "gnome-keyring-daemon --start --components=secrets >/dev/null"
    };
    let out = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &format!("{start} && exec \"$@\""), "sh"])
        .arg(std::env::current_exe().unwrap())
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(INNER, "1")
        .env("XDG_DATA_HOME", &data)
        .env("XDG_RUNTIME_DIR", &run)
        .env("HOME", dir.path())
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap();
    Some(out)
}

fn secret_tool(args: &[&str]) -> Option<String> {
    let out = Command::new("secret-tool").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn keyring_round_trip() {
    let name = "keyring::inner_keyring_round_trip";
    if let Some(out) = in_keyring_session(name, true) {
        assert_inner_passed(name, &out);
    }
}

#[test]
#[ignore = "runs inside dbus-run-session; started by keyring_round_trip"]
fn inner_keyring_round_trip() {
    if !inner_enabled() {
        return;
    }
    let home = home();
    let store = CredentialStore::new(home.path(), StoreMode::Keyring);
    let mut a = sample("a", "http://127.0.0.1:9/a");
    a.client = Some(details("secret-a"));
    assert_eq!(store.save(&a).unwrap(), Location::Keyring);
    let loaded = store.load(&a.key()).unwrap().unwrap();
    assert_eq!(loaded.location, Location::Keyring);
    assert_eq!(loaded.credentials, a);
    assert!(!home.path().join(".credentials.json").exists());

    // What another Secret Service client sees: Codex's service, account and JSON.
    if let Some(json) = secret_tool(&[
        "lookup",
        "service",
        CODEX_KEYRING_SERVICE,
        "username",
        a.key().as_str(),
    ]) {
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["url"], "http://127.0.0.1:9/a");
        assert_eq!(v["token_response"]["token_type"], "bearer");
        assert_eq!(v["token_response"]["access_token"], "access-a");
        assert!(
            !json.contains("secret-a"),
            "the client secret is in mcpctl's own item"
        );
        let target = secret_tool(&[
            "lookup",
            "service",
            CODEX_KEYRING_SERVICE,
            "username",
            a.key().as_str(),
            "target",
            "default",
        ]);
        assert!(
            target.is_some(),
            "items carry target=default, which keyring 3 (Codex) searches for"
        );
    }

    let mut a2 = a.clone();
    a2.access_token = "access-a-2".into();
    a2.client = None;
    store.save(&a2).unwrap();
    assert_eq!(store.load(&a.key()).unwrap().unwrap().credentials, a2);
    assert_eq!(
        secret_tool(&[
            "lookup",
            "service",
            MCPCTL_KEYRING_SERVICE,
            "username",
            a.key().as_str()
        ]),
        None,
        "saving without details removes them"
    );
    assert_eq!(
        store.delete(&a.key()).unwrap(),
        Deleted {
            keyring: true,
            file: false
        }
    );
    assert_eq!(store.load(&a.key()).unwrap(), None);
}

#[test]
fn auto_prefers_the_keyring_and_logout_cleans_both() {
    let name = "keyring::inner_auto_prefers_the_keyring";
    if let Some(out) = in_keyring_session(name, true) {
        assert_inner_passed(name, &out);
    }
}

#[test]
#[ignore = "runs inside dbus-run-session; started by auto_prefers_the_keyring_and_logout_cleans_both"]
fn inner_auto_prefers_the_keyring() {
    if !inner_enabled() {
        return;
    }
    let home = home();
    let file = CredentialStore::new(home.path(), StoreMode::File);
    let auto = CredentialStore::new(home.path(), StoreMode::Auto);
    let a = sample("a", "http://127.0.0.1:9/a");
    let mut old = a.clone();
    old.access_token = "old".into();
    file.save(&old).unwrap();
    assert_eq!(
        auto.load(&a.key()).unwrap().unwrap().location,
        Location::File
    );

    assert_eq!(auto.save(&a).unwrap(), Location::Keyring);
    assert_eq!(
        file.load(&a.key()).unwrap(),
        None,
        "the stale file entry is gone"
    );
    let loaded = auto.load(&a.key()).unwrap().unwrap();
    assert_eq!(
        (loaded.location, loaded.credentials),
        (Location::Keyring, a.clone())
    );

    // Logged in in both places (say, by an older program): logout removes both.
    file.save(&old).unwrap();
    assert_eq!(
        auto.delete(&a.key()).unwrap(),
        Deleted {
            keyring: true,
            file: true
        }
    );
    assert_eq!(auto.load(&a.key()).unwrap(), None);
}

#[test]
fn a_locked_keyring_is_named_and_auto_falls_back() {
    let name = "keyring::inner_locked_keyring";
    if let Some(out) = in_keyring_session(name, false) {
        assert_inner_passed(name, &out);
    }
}

#[test]
#[ignore = "runs inside dbus-run-session; started by a_locked_keyring_is_named_and_auto_falls_back"]
fn inner_locked_keyring() {
    if !inner_enabled() {
        return;
    }
    let home = home();
    let a = sample("a", "http://127.0.0.1:9/a");
    let keyring = CredentialStore::new(home.path(), StoreMode::Keyring);
    let err = keyring.save(&a).unwrap_err();
    assert!(matches!(err, StoreError::KeyringLocked { .. }), "{err:?}");
    assert!(
        err.to_string().contains("gnome-keyring-daemon --unlock"),
        "{err}"
    );
    let auto = CredentialStore::new(home.path(), StoreMode::Auto);
    assert_eq!(auto.save(&a).unwrap(), Location::File);
    assert_eq!(
        auto.load(&a.key()).unwrap().unwrap().location,
        Location::File
    );
    assert!(auto.delete(&a.key()).unwrap().file);
}

#[test]
fn auto_without_any_keyring_uses_the_file() {
    let dir = home();
    let out = run_inner(
        "keyring::inner_no_keyring",
        &[
            (
                "DBUS_SESSION_BUS_ADDRESS",
                OsString::from(format!("unix:path={}", dir.path().join("no-bus").display())),
            ),
            ("XDG_RUNTIME_DIR", dir.path().into()),
        ],
    );
    assert_inner_passed("keyring::inner_no_keyring", &out);
}

#[test]
#[ignore = "run by auto_without_any_keyring_uses_the_file with no session bus"]
fn inner_no_keyring() {
    if !inner_enabled() {
        return;
    }
    let home = home();
    let auto = CredentialStore::new(home.path(), StoreMode::Auto);
    let a = sample("a", "http://127.0.0.1:9/a");
    assert_eq!(auto.save(&a).unwrap(), Location::File);
    assert_eq!(
        auto.load(&a.key()).unwrap().unwrap().location,
        Location::File
    );
    // Codex's logout fails here and leaves the tokens; ours removes them.
    assert_eq!(
        auto.delete(&a.key()).unwrap(),
        Deleted {
            keyring: false,
            file: true
        }
    );
    assert!(!home.path().join(".credentials.json").exists());

    let keyring = CredentialStore::new(home.path(), StoreMode::Keyring);
    let err = keyring.load(&a.key()).unwrap_err();
    assert!(
        matches!(err, StoreError::KeyringUnavailable { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().ends_with(
            "start a Secret Service such as gnome-keyring in this session, or set \
             mcp_oauth_credentials_store = \"file\""
        ),
        "{err}"
    );
}

#[test]
fn codex_and_mcpctl_share_logins_through_the_keyring() {
    let name = "keyring::inner_codex_keyring_interop";
    if let Some(out) = in_keyring_session(name, true) {
        assert_inner_passed(name, &out);
        let stdout = String::from_utf8_lossy(&out.stdout);
        if std::env::var_os("MCPCTL_REQUIRE_CODEX").is_some_and(|v| v == "1") {
            assert!(!stdout.contains("skipped:"), "{stdout}");
        }
    }
}

#[test]
#[ignore = "runs inside dbus-run-session; started by codex_and_mcpctl_share_logins_through_the_keyring"]
fn inner_codex_keyring_interop() {
    if !inner_enabled() {
        return;
    }
    let Some(codex) = codex() else { return };
    let Some(server) = OAuthTestServer::start_or_skip(&[]) else {
        return;
    };
    let home = home();
    let ours = issued(&server, "ours", None);
    write_config(
        home.path(),
        "keyring",
        &[("theirs", server.mcp_url()), ("ours", server.mcp_url())],
    );
    let store = CredentialStore::new(home.path(), StoreMode::Keyring);
    store.save(&ours).unwrap();

    // Codex → mcpctl.
    codex_login(&codex, home.path(), "theirs");
    assert!(
        !home.path().join(".credentials.json").exists(),
        "Codex used the keyring"
    );
    let theirs = store
        .load(&StoreKey::new("theirs", server.mcp_url()))
        .unwrap()
        .unwrap();
    assert_eq!(theirs.location, Location::Keyring);
    assert_eq!(theirs.credentials.issuer.as_deref(), Some(server.issuer()));
    assert_eq!(
        mcp_status_with(server.mcp_url(), theirs.credentials.access_token.expose()),
        200
    );

    // mcpctl → Codex: Codex connects with the token mcpctl stored.
    let status = codex_server_status(&codex, home.path());
    assert_eq!(tools_of(&status, "ours").unwrap(), ["whoami", "write_note"]);
    assert_eq!(
        tools_of(&status, "theirs").unwrap(),
        ["whoami", "write_note"]
    );
}
