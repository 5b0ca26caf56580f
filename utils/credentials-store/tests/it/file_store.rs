//! The file store on real files: round trips, modes, atomic rewrites, corrupt files, the side
//! entry, the lock files Codex uses.

use std::time::Duration;

use mcpctl_credentials_store::{
    CREDENTIALS_FILE, CredentialStore, Deleted, LOCK_DIR, Location, SIDE_FILE, StoreError,
    StoreKey, StoreMode,
};
use pretty_assertions::assert_eq;

use crate::support::{details, home, mode_of, sample};

#[test]
fn round_trip_then_the_file_goes_with_its_last_entry() {
    let home = home();
    let store = CredentialStore::new(home.path(), StoreMode::File);
    let mut a = sample("a", "http://127.0.0.1:9/a");
    a.client = Some(details("secret-a"));
    let b = sample("b", "http://127.0.0.1:9/b");
    assert_eq!(store.save(&a).unwrap(), Location::File);
    assert_eq!(store.save(&b).unwrap(), Location::File);

    let loaded = store.load(&a.key()).unwrap().unwrap();
    assert_eq!(loaded.location, Location::File);
    assert_eq!(loaded.credentials, a);
    assert_eq!(store.load(&b.key()).unwrap().unwrap().credentials, b);
    assert_eq!(store.load(&StoreKey::new("c", "http://x")).unwrap(), None);
    let all = store
        .load_all(&[b.key(), StoreKey::new("c", "http://x"), a.key()])
        .unwrap();
    assert_eq!(
        all.iter().map(|l| l.is_some()).collect::<Vec<_>>(),
        [true, false, true]
    );

    // Codex's file holds exactly Codex's fields; the secret is only in mcpctl's side file.
    let main = std::fs::read_to_string(home.path().join(CREDENTIALS_FILE)).unwrap();
    assert!(!main.contains("secret-a"), "{main}");
    let doc: serde_json::Value = serde_json::from_str(&main).unwrap();
    let keys: Vec<&str> = doc[a.key().as_str()]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "server_name",
            "server_url",
            "issuer",
            "client_id",
            "access_token",
            "expires_at",
            "refresh_token",
            "scopes"
        ]
    );
    let side = std::fs::read_to_string(home.path().join(SIDE_FILE)).unwrap();
    assert!(side.contains("secret-a"), "{side}");

    assert_eq!(
        store.delete(&a.key()).unwrap(),
        Deleted {
            keyring: false,
            file: true
        }
    );
    assert!(home.path().join(CREDENTIALS_FILE).exists());
    assert!(
        !home.path().join(SIDE_FILE).exists(),
        "the side file went with its last entry"
    );
    assert_eq!(store.delete(&a.key()).unwrap(), Deleted::default());
    assert!(store.delete(&b.key()).unwrap().file);
    assert!(!home.path().join(CREDENTIALS_FILE).exists());
}

#[test]
fn files_are_private_and_locked_where_codex_locks() {
    let home = home();
    let store = CredentialStore::new(home.path(), StoreMode::File);
    let mut a = sample("a", "http://127.0.0.1:9/a");
    a.client = Some(details("s"));
    store.save(&a).unwrap();
    assert_eq!(mode_of(&home.path().join(CREDENTIALS_FILE)), 0o600);
    assert_eq!(mode_of(&home.path().join(SIDE_FILE)), 0o600);
    assert!(home.path().join(LOCK_DIR).join("file-store.lock").is_file());

    // Codex's refresh lock for this credential: mcp-oauth-locks/<sha256 of the key>.lock.
    let guard = store.lock_for_refresh(&a.key()).unwrap();
    assert_eq!(
        guard.path(),
        home.path()
            .join(LOCK_DIR)
            .join(a.key().refresh_lock_file_name())
    );
    let impatient = CredentialStore::new(home.path(), StoreMode::File)
        .with_lock_timeout(Duration::from_millis(100));
    let err = impatient.lock_for_refresh(&a.key()).unwrap_err();
    assert!(matches!(err, StoreError::LockTimeout { .. }), "{err}");
    // Another credential's lock is independent.
    impatient
        .lock_for_refresh(&StoreKey::new("b", "http://b"))
        .unwrap();
    drop(guard);
    impatient.lock_for_refresh(&a.key()).unwrap();
}

#[test]
fn a_corrupt_file_is_an_error_and_is_never_replaced() {
    let home = home();
    let path = home.path().join(CREDENTIALS_FILE);
    std::fs::write(&path, "{\"a|0\": {\"server_name\": ").unwrap();
    let store = CredentialStore::new(home.path(), StoreMode::File);
    let a = sample("a", "http://127.0.0.1:9/a");

    let err = store.load(&a.key()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: not a valid credentials file (EOF while parsing a value at line 1 column 24); \
             mcpctl leaves it untouched: fix it, or move it away and log in again",
            path.display()
        )
    );
    assert!(matches!(
        store.save(&a).unwrap_err(),
        StoreError::CorruptFile { .. }
    ));
    assert!(matches!(
        store.delete(&a.key()).unwrap_err(),
        StoreError::CorruptFile { .. }
    ));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{\"a|0\": {\"server_name\": "
    );

    // An empty file is not silently taken for "no credentials" either.
    std::fs::write(&path, "").unwrap();
    assert!(matches!(
        store.save(&a).unwrap_err(),
        StoreError::CorruptFile { .. }
    ));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
}

#[test]
fn a_bad_entry_spoils_only_itself() {
    let home = home();
    let path = home.path().join(CREDENTIALS_FILE);
    let a = sample("a", "http://127.0.0.1:9/a");
    let bad = serde_json::json!({ a.key().as_str(): { "server_name": 3 } });
    std::fs::write(&path, bad.to_string()).unwrap();
    let store = CredentialStore::new(home.path(), StoreMode::File);
    let err = store.load(&a.key()).unwrap_err();
    assert!(matches!(err, StoreError::CorruptEntry { .. }), "{err}");
    assert!(err.to_string().contains(a.key().as_str()), "{err}");

    let b = sample("b", "http://127.0.0.1:9/b");
    store.save(&b).unwrap();
    assert_eq!(store.load(&b.key()).unwrap().unwrap().credentials, b);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        doc[a.key().as_str()],
        serde_json::json!({ "server_name": 3 }),
        "kept verbatim"
    );
}

#[test]
fn rewrites_are_atomic_for_readers() {
    let home = home();
    let store = CredentialStore::new(home.path(), StoreMode::File);
    let first = sample("s0", "http://127.0.0.1:9/0");
    store.save(&first).unwrap();
    let path = home.path().join(CREDENTIALS_FILE);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // A reader that does not take the lock (as an older Codex does) must still never see a
    // half-written file.
    let reader = {
        let (path, stop) = (path, stop.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let text = std::fs::read_to_string(&path).unwrap();
                serde_json::from_str::<serde_json::Value>(&text)
                    .unwrap_or_else(|e| panic!("a reader saw a partial file ({e}): {text}"));
                reads += 1;
            }
            reads
        })
    };
    for i in 1..60 {
        let mut c = sample(&format!("s{i}"), &format!("http://127.0.0.1:9/{i}"));
        c.scopes = vec!["x".repeat(i * 10)];
        store.save(&c).unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
    let names: Vec<String> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != LOCK_DIR)
        .collect();
    assert_eq!(
        names,
        [CREDENTIALS_FILE],
        "no temporary files are left behind"
    );
}

#[test]
fn client_details_follow_their_client_only() {
    let home = home();
    let store = CredentialStore::new(home.path(), StoreMode::File);
    let mut a = sample("a", "http://127.0.0.1:9/a");
    a.client = Some(details("secret-a"));
    store.save(&a).unwrap();

    // Codex logs in again with a newly registered client and rewrites its entry (dropping
    // anything it does not know): the old client's secret must not be applied to it.
    let path = home.path().join(CREDENTIALS_FILE);
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    doc[a.key().as_str()]["client_id"] = "a-new-client".into();
    std::fs::write(&path, doc.to_string()).unwrap();
    let loaded = store.load(&a.key()).unwrap().unwrap().credentials;
    assert_eq!(loaded.client_id, "a-new-client");
    assert_eq!(loaded.client, None);

    // Saving without details removes the stale ones.
    store.save(&loaded).unwrap();
    assert!(!home.path().join(SIDE_FILE).exists());
}

#[test]
fn secrets_never_show_in_debug_output() {
    let mut a = sample("a", "http://127.0.0.1:9/a");
    a.client = Some(details("secret-a"));
    let debug = format!("{a:?}");
    for secret in ["access-a", "refresh-a", "secret-a"] {
        assert!(!debug.contains(secret), "{debug}");
    }
}
