//! Helpers: sample credentials, homes outside /tmp, and running one of this binary's ignored
//! "inner" tests in a child process (another process, or another D-Bus session).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mcpctl_credentials_store::{ClientDetails, Secret, StoredCredentials};

/// Set for inner tests; without it they return at once (so `--include-ignored` is harmless).
pub const INNER: &str = "MCPCTL_CREDS_INNER";

pub fn inner_enabled() -> bool {
    std::env::var_os(INNER).is_some_and(|v| v == "1")
}

pub fn sample(name: &str, url: &str) -> StoredCredentials {
    StoredCredentials {
        server_name: name.into(),
        server_url: url.into(),
        issuer: Some("http://127.0.0.1:1".into()),
        client_id: format!("client-{name}"),
        access_token: Secret::new(format!("access-{name}")),
        expires_at: Some(4_102_444_800_000),
        refresh_token: Some(Secret::new(format!("refresh-{name}"))),
        scopes: vec!["mcp:read".into()],
        client: None,
    }
}

pub fn details(secret: &str) -> ClientDetails {
    ClientDetails {
        client_secret: Some(Secret::new(secret)),
        token_endpoint_auth_method: Some("client_secret_basic".into()),
        token_endpoint: Some("http://127.0.0.1:1/token".into()),
        revocation_endpoint: Some("http://127.0.0.1:1/revoke".into()),
        resource: Some("http://127.0.0.1:2/mcp".into()),
        redirect_uri: Some("http://127.0.0.1:3/callback".into()),
        registration: Some("dcr".into()),
        ..ClientDetails::default()
    }
}

/// A throwaway home under cargo's target tmp folder (Codex warns about homes under /tmp).
pub fn home() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

/// Runs the ignored test `name` of this binary in a child process with `envs`.
pub fn run_inner(name: &str, envs: &[(&str, OsString)]) -> Output {
    let mut cmd = inner_command(name);
    cmd.env(INNER, "1");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

pub fn inner_command(name: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        name,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    cmd
}

/// Asserts that an inner run passed and really ran its test (libtest says `1 passed`).
pub fn assert_inner_passed(name: &str, out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "inner test {name} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
}

/// The Codex CLI: `$MCPCTL_CODEX_BIN`, else the pinned npm peer. `None` prints why (and fails
/// under `MCPCTL_REQUIRE_CODEX=1`, as CI sets).
pub fn codex() -> Option<PathBuf> {
    let found = std::env::var_os("MCPCTL_CODEX_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            let dir = mcpctl_test_support::peers_dir().join("@openai");
            std::fs::read_dir(dir).ok()?.flatten().find_map(|e| {
                let vendor = e.path().join("vendor");
                std::fs::read_dir(vendor).ok()?.flatten().find_map(|t| {
                    let bin = t.path().join("bin/codex");
                    bin.is_file().then_some(bin)
                })
            })
        })
        .filter(|p| p.is_file());
    if found.is_none() {
        if std::env::var_os("MCPCTL_REQUIRE_CODEX").is_some_and(|v| v == "1") {
            panic!("MCPCTL_REQUIRE_CODEX=1 but no Codex binary: run `just peers`");
        }
        eprintln!("skipped: no Codex binary (set MCPCTL_CODEX_BIN or run `just peers`)");
    }
    found
}

pub fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
