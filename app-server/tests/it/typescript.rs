//! `mcpctl app-server generate-ts`: the output compiles under the pinned TypeScript's
//! `tsc --strict --noEmit`, a client written against it type-checks, and a wrong use does not.
//! Skipped when the peers are missing, unless MCPCTL_REQUIRE_PEERS=1 or CI=true.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mcpctl_test_support::{TestHome, peers_dir};

/// Fails the test under CI instead of skipping it.
pub fn skip(why: &str) {
    let required = std::env::var("MCPCTL_REQUIRE_PEERS").as_deref() == Ok("1")
        || std::env::var("CI").as_deref() == Ok("true");
    assert!(!required, "peers are required here (CI) but {why}");
    eprintln!("skipped: {why}");
}

/// The checkout's root (where `testing/peers` is).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tsc(dir: &Path, files: &[&str]) -> Output {
    Command::new(peers_dir().join(".bin/tsc"))
        .args([
            "--strict",
            "--noEmit",
            "--target",
            "es2022",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
        ])
        .args(files)
        .current_dir(dir)
        .output()
        .unwrap()
}

const CLIENT: &str = r#"
import type {
  ClientRequest, ClientRequestResults, JsonRpcRequest, RequestId, InitializeResponse,
  ServerNotification, ServerRequest, v2,
} from "./index";
import type { ListMcpServerStatusResponse } from "./v2/ListMcpServerStatusResponse";
import type { McpServerStatus } from "./v2/McpServerStatus";

const id: RequestId = 1;
const request: JsonRpcRequest = { id, method: "mcpServerStatus/list", params: { limit: 5 } };
const init: InitializeResponse = {
  userAgent: "mcpctl/0", codexHome: "/h", platformFamily: "unix", platformOs: "linux",
};
function names(list: ListMcpServerStatusResponse): string[] {
  return list.data.map((s: McpServerStatus) => `${s.name}:${s.authStatus}:${s.runtimeStatus ?? "none"}`);
}
const edit: v2.ConfigValueWriteParams = { keyPath: "features.x", value: true, mergeStrategy: "upsert" };
function describe(source: v2.ConfigLayerSource): string {
  switch (source.type) {
    case "project": return source.dotCodexFolder;
    case "sessionFlags": return "flags";
    default: return source.file;
  }
}
const typed: ClientRequest = { method: "config/read", id: "r1", params: { includeLayers: true } };
const bare: ClientRequest = { method: "configRequirements/read", id: 2 };
function resultOf<M extends ClientRequest["method"]>(_m: M, raw: unknown): ClientRequestResults[M] {
  return raw as ClientRequestResults[M];
}
const servers: string[] = resultOf("mcpServerStatus/list", { data: [] }).data.map((s) => s.name);
function onServer(message: ServerNotification | ServerRequest): string {
  switch (message.method) {
    case "mcpServer/startupStatus/updated": return message.params.status;
    case "mcpServer/elicitation/request": return message.params.serverName;
    default: return message.method;
  }
}
export { request, init, names, edit, describe, typed, bare, servers, onServer };
"#;

/// Each line must fail to compile on its own.
const WRONG: &[(&str, &str)] = &[
    (
        "bad_enum.ts",
        "import type { McpAuthStatus } from \"./v2/McpAuthStatus\";\nexport const a: McpAuthStatus = \"loggedInMaybe\";\n",
    ),
    (
        "bad_missing.ts",
        "import type { InitializeResponse } from \"./InitializeResponse\";\nexport const r: InitializeResponse = { userAgent: \"x\" };\n",
    ),
    (
        "bad_null.ts",
        "import type { McpServerStatus } from \"./v2/McpServerStatus\";\nexport const n = (s: McpServerStatus): string => s.toolsError;\n",
    ),
    (
        "bad_method.ts",
        "import type { ClientRequest } from \"./ClientRequest\";\nexport const r: ClientRequest = { method: \"no/such\", id: 1 };\n",
    ),
    (
        "bad_params.ts",
        "import type { ClientRequest } from \"./ClientRequest\";\nexport const r: ClientRequest = { method: \"thread/resume\", id: 1, params: { threadId: 7 } };\n",
    ),
];

#[test]
fn generated_typescript_compiles_strict_and_types_a_client() {
    if !peers_dir().join(".bin/tsc").is_file() || !peers_dir().join(".bin/prettier").is_file() {
        return skip("typescript/prettier peers are not installed (run `just peers`)");
    }
    let t = TestHome::new();
    let out = t.path().join("ts");
    // From the checkout, so that --prettier finds the pinned one in testing/peers.
    let run = t
        .mcpctl()
        .args(["app-server", "generate-ts", "--prettier", "--out"])
        .arg(&out)
        .current_dir(repo_root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("formatted them with"), "{stdout}");
    // prettier's style: semicolons between fields.
    let status = std::fs::read_to_string(out.join("v2/McpServerStatus.ts")).unwrap();
    assert!(status.contains("  name: string;\n"), "{status}");

    std::fs::write(out.join("client.ts"), CLIENT).unwrap();
    let ok = tsc(&out, &["index.ts", "v2/index.ts", "client.ts"]);
    assert!(
        ok.status.success(),
        "tsc rejected the generated files or the client:\n{}{}",
        String::from_utf8_lossy(&ok.stdout),
        String::from_utf8_lossy(&ok.stderr)
    );
    for (file, text) in WRONG {
        std::fs::write(out.join(file), text).unwrap();
        let bad = tsc(&out, &[file]);
        let said = String::from_utf8_lossy(&bad.stdout);
        assert!(!bad.status.success(), "tsc accepted {file}:\n{text}");
        assert!(said.contains("error TS"), "{file}: {said}");
    }
}

#[test]
fn checked_in_typescript_compiles_strict() {
    if !peers_dir().join(".bin/tsc").is_file() {
        return skip("the typescript peer is not installed (run `just peers`)");
    }
    let dir = repo_root().join("app-server-protocol/schema/typescript");
    let out = tsc(&dir, &["index.ts", "v2/index.ts"]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn prettier_missing_is_a_clear_error() {
    let t = TestHome::new();
    let out = t.path().join("ts");
    let run = t
        .mcpctl()
        .args(["app-server", "generate-ts", "--prettier", "--out"])
        .arg(&out)
        .env("PATH", t.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no prettier found"), "{stderr}");
    assert!(stderr.contains("leave out --prettier"), "{stderr}");
    assert!(
        !out.exists(),
        "nothing is written when --prettier cannot work"
    );
}

/// Our declarations that a Codex client (typed with the pinned Codex CLI's `generate-ts`)
/// accepts as is: what we answer fits Codex's type.
const OURS_FIT_CODEX: &[&str] = &[
    "ConfigWriteResponse",
    "InitializeResponse",
    "McpAuthStatus",
    "McpServerConnectionStatus",
    "McpServerOauthLoginCompletedNotification",
    "McpServerOauthLoginResponse",
    "McpServerStartupState",
    "McpServerToolCallResponse",
    "WriteStatus",
    "ConfigLayer",
    "ConfigLayerMetadata",
    "ConfigLayerSource",
];

/// What a Codex client sends (Codex's type) fits our declaration.
const CODEX_FITS_OURS: &[&str] = &[
    "ClientInfo",
    "ConfigBatchWriteParams",
    "ConfigEdit",
    "ConfigReadParams",
    "ConfigValueWriteParams",
    "InitializeParams",
    "ListMcpServerStatusParams",
    "McpResourceReadParams",
    "McpServerElicitationRequestResponse",
    "McpServerToolCallParams",
    "ThreadResumeParams",
    "ThreadStartParams",
];

fn module(root: &Path, side: &str, name: &str) -> String {
    if root
        .join(side)
        .join("v2")
        .join(format!("{name}.ts"))
        .is_file()
    {
        format!("./{side}/v2/{name}")
    } else {
        format!("./{side}/{name}")
    }
}

#[test]
fn declarations_fit_codex_declarations() {
    let codex = peers_dir().join(".bin/codex");
    if !peers_dir().join(".bin/tsc").is_file() || !codex.is_file() {
        return skip("the typescript or Codex CLI peer is not installed (run `just peers`)");
    }
    let t = TestHome::new();
    let root = t.path().join("cmp");
    let status = Command::new(&codex)
        .args(["app-server", "generate-ts", "--out"])
        .arg(root.join("codex"))
        .env("CODEX_HOME", t.path())
        .status()
        .unwrap();
    assert!(status.success());
    let run = t
        .mcpctl()
        .args(["app-server", "generate-ts", "--out"])
        .arg(root.join("ours"))
        .output()
        .unwrap();
    assert!(run.status.success());
    let mut text = String::new();
    for (list, ours_to_codex) in [(OURS_FIT_CODEX, true), (CODEX_FITS_OURS, false)] {
        for name in list {
            let (ours, theirs) = (module(&root, "ours", name), module(&root, "codex", name));
            let (from, to) = if ours_to_codex {
                ("O", "C")
            } else {
                ("C", "O")
            };
            text.push_str(&format!(
                "import type {{ {name} as O_{name} }} from \"{ours}\";\nimport type {{ {name} as C_{name} }} from \"{theirs}\";\nexport const f_{name} = (x: {from}_{name}): {to}_{name} => x;\n"
            ));
        }
    }
    std::fs::write(root.join("fit.ts"), &text).unwrap();
    let out = tsc(&root, &["fit.ts"]);
    assert!(
        out.status.success(),
        "our TypeScript no longer fits Codex's:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // And it can fail: Codex's `McpServerStatus` has fields ours lacks (pluginId, toolListMeta).
    let bad = format!(
        "import type {{ McpServerStatus as O }} from \"{}\";\nimport type {{ McpServerStatus as C }} from \"{}\";\nexport const f = (x: O): C => x;\n",
        module(&root, "ours", "McpServerStatus"),
        module(&root, "codex", "McpServerStatus")
    );
    std::fs::write(root.join("unfit.ts"), bad).unwrap();
    assert!(!tsc(&root, &["unfit.ts"]).status.success());
}
