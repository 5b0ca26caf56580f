//! The admin allowlist tried as an attacker would, against the real `mcpctl` binary.
//!
//! The adversary is a config, project or flag that keeps a server's allowed name and command
//! but makes mcpctl run something else (see SECURITY.md). A marker file is the proof that code
//! ran; a request logger on 127.0.0.1 is the proof that a request left. Every scenario first
//! proves its payload works: a control run under a requirement that allows it must fire the
//! proof. Then `tools`, `call`, `list --check` and `resources` are each attempted under the
//! real requirement, the proof must stay silent, and the status must name the refused key.

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::support::TestHome;

/// The commands each attack tries; `{s}` is the attacked server.
const COMMANDS: &[&[&str]] = &[
    &["tools", "{s}"],
    &["call", "{s}", "echo", "text=hi"],
    &["list", "--check"],
    &["resources", "{s}"],
];

/// Proxy variables would send the URL attacks' requests elsewhere than the loggers.
const PROXY_VARS: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

/// The one summary test: runs every scenario, then prints and checks the counts.
#[test]
fn every_bypass_of_the_allowlist_is_refused() {
    let mut tried = 0;
    let mut through = Vec::new();
    let mut problems = Vec::new();
    let mut skipped = Vec::new();
    for build in SCENARIOS {
        let scenario = match build() {
            Ok(scenario) => scenario,
            Err(reason) => {
                skipped.push(reason);
                continue;
            }
        };
        let outcome = scenario.play();
        tried += outcome.tried;
        through.extend(outcome.through);
        problems.extend(outcome.problems);
    }
    for reason in &skipped {
        println!("skipped: {reason}");
    }
    println!("attacks tried: {tried}, got through: {}", through.len());
    assert!(through.is_empty(), "got through:\n{}", through.join("\n"));
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(tried >= 60, "only {tried} attempts ran");
}

type Build = fn() -> Result<Scenario, String>;

const SCENARIOS: &[Build] = &[
    ld_preload_in_env,
    bash_env_in_env,
    env_key_hiding_a_name_behind_equals,
    path_in_env_with_a_fake_program,
    relative_command_with_cwd,
    node_options_on_allowed_node,
    node_eval_args_on_allowed_node,
    c_flag_sets_bash_env,
    c_flag_sets_path,
    c_flag_passes_bash_env_through,
    trusted_project_sets_path_on_users_server,
    trusted_project_passes_bash_env_through,
    url_userinfo_under_a_prefix_rule,
    url_userinfo_under_a_regex_rule,
    renamed_server,
    c_flag_replaces_the_command,
    requirement_with_a_relative_command_fails_closed,
];

/// A throwaway home with the allowed program, payloads and a marker path.
struct Lab {
    t: TestHome,
    marker: PathBuf,
    server: PathBuf,
}

impl Lab {
    fn new() -> Self {
        let t = TestHome::new();
        let root = t.root.path().to_path_buf();
        let marker = root.join("marker");
        let server = mcpctl_test_support::test_server_bin();
        let lab = Self { t, marker, server };
        // The allowed program: a bash script (so that BASH_ENV applies) running the test server.
        lab.exec(
            "bin/docs-mcp",
            &format!("#!/bin/bash\nexec {:?} \"$@\"\n", lab.server),
        );
        // A payload for BASH_ENV: bash sources it. `: >` needs no PATH.
        lab.file("payload.sh", &format!(": > {:?}\n", lab.marker));
        // The attacker's program of the same name.
        for dir in ["evil-bin", "work/evil"] {
            lab.exec(
                &format!("{dir}/docs-mcp"),
                &format!(
                    "#!/bin/sh\n: > {:?}\nexec {:?} \"$@\"\n",
                    lab.marker, lab.server
                ),
            );
        }
        lab
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.t.root.path().join(rel)
    }

    /// `self.path(rel)` as a TOML basic string.
    fn toml(&self, rel: &str) -> String {
        format!("{:?}", self.path(rel).display().to_string())
    }

    fn file(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        path
    }

    fn exec(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.file(rel, text);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// `PATH` for mcpctl with the allowed program's folder first.
    fn path_with_bin(&self) -> String {
        format!(
            "{}:{}",
            self.path("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    /// The requirement allowing the bash script by absolute path, plus `extra` identity keys.
    fn allow_script(&self, extra: &str) -> String {
        format!(
            "[mcp_servers.docs]\nidentity = {{ command = {}{extra} }}\n",
            self.toml("bin/docs-mcp")
        )
    }

    /// The user's config for the allowed script, plus `extra` lines in its table.
    fn script_server(&self, extra: &str) -> String {
        format!(
            "[mcp_servers.docs]\ncommand = {}\n{extra}\n",
            self.toml("bin/docs-mcp")
        )
    }

    /// A trusted git project in the work folder whose `.mcpctl/config.toml` is `text`.
    fn trusted_project(&self, text: &str) {
        fs::create_dir_all(self.t.work().join(".git")).unwrap();
        self.file("work/.mcpctl/config.toml", text);
        let run = self.t.run(&["trust"]);
        assert_eq!(run.code, 0, "trust failed: {}", run.stderr);
    }
}

/// How a scenario knows an attempt got through.
enum Proof {
    /// The payload creates this file.
    Marker(PathBuf),
    /// A request reached this logger.
    Requests(Arc<Logger>),
}

impl Proof {
    fn fired(&self) -> bool {
        match self {
            Proof::Marker(path) => path.exists(),
            Proof::Requests(logger) => logger.count() > 0,
        }
    }

    fn reset(&self) {
        match self {
            Proof::Marker(path) => {
                let _ = fs::remove_file(path);
            }
            Proof::Requests(logger) => logger.reset(),
        }
    }
}

/// What the status must show, and how the refusal shows.
enum Expect {
    /// The server is listed as disabled; `get --json`'s `disabled_reason` and every attempt's
    /// output contain this text.
    Disabled(String),
    /// Every command fails (exit 1) with an error containing this text.
    FailsClosed(String),
}

struct Scenario {
    name: &'static str,
    lab: Lab,
    server: &'static str,
    /// Global flags given before the subcommand (`-c ...`).
    flags: Vec<String>,
    /// Variables set for mcpctl itself.
    env: Vec<(String, String)>,
    /// The real requirements.
    requirements: String,
    /// Requirements under which the payload must run (`None`: no requirements file).
    control: Option<String>,
    proof: Proof,
    expect: Expect,
    /// Keeps the loggers of URL scenarios alive (the one in `proof` included).
    _loggers: Vec<Arc<Logger>>,
}

struct Outcome {
    tried: usize,
    through: Vec<String>,
    problems: Vec<String>,
}

struct Output {
    code: i32,
    stdout: String,
    /// stdout then stderr.
    text: String,
}

impl Scenario {
    fn new(name: &'static str, lab: Lab, requirements: String, control: Option<String>) -> Self {
        let proof = Proof::Marker(lab.marker.clone());
        Self {
            name,
            lab,
            server: "docs",
            flags: Vec::new(),
            env: Vec::new(),
            requirements,
            control,
            proof,
            expect: Expect::Disabled(String::new()),
            _loggers: Vec::new(),
        }
    }

    fn reason(mut self, text: impl Into<String>) -> Self {
        self.expect = Expect::Disabled(text.into());
        self
    }

    fn flag(mut self, flag: String) -> Self {
        self.flags.push("-c".to_owned());
        self.flags.push(flag);
        self
    }

    fn env(mut self, key: &str, value: String) -> Self {
        self.env.push((key.to_owned(), value));
        self
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.lab.t.cmd();
        for var in PROXY_VARS {
            cmd.env_remove(var);
        }
        for (key, value) in &self.env {
            cmd.env(key, value);
        }
        let args = args.iter().map(|a| a.replace("{s}", self.server));
        let output = cmd.args(&self.flags).args(args).output().unwrap();
        let stdout = self.lab.t.redact(&String::from_utf8_lossy(&output.stdout));
        let stderr = self.lab.t.redact(&String::from_utf8_lossy(&output.stderr));
        Output {
            code: output.status.code().unwrap_or(-1),
            text: format!("{stdout}{stderr}"),
            stdout,
        }
    }

    fn write_requirements(&self, text: Option<&str>) {
        let path = self.lab.t.sys().join("requirements.toml");
        match text {
            Some(text) => fs::write(path, text).unwrap(),
            None => {
                let _ = fs::remove_file(path);
            }
        }
    }

    fn play(&self) -> Outcome {
        let mut outcome = Outcome {
            tried: 0,
            through: Vec::new(),
            problems: Vec::new(),
        };
        let name = self.name;

        // Control: the payload works when the policy allows it, so silence below means
        // the policy stopped it.
        self.write_requirements(self.control.as_deref());
        self.proof.reset();
        let control = self.run(&["list", "--check"]);
        if !self.proof.fired() {
            outcome.problems.push(format!(
                "{name}: the control run did not fire the proof, so this scenario proves \
                 nothing:\n{}",
                control.text
            ));
        }
        self.proof.reset();

        self.write_requirements(Some(&self.requirements));
        for command in COMMANDS {
            outcome.tried += 1;
            let run = self.run(command);
            let attempt =
                format!("{name}: mcpctl {}", command.join(" ")).replace("{s}", self.server);
            if self.proof.fired() {
                outcome.through.push(attempt.clone());
                self.proof.reset();
            }
            let (needle, fails) = match &self.expect {
                Expect::Disabled(needle) => (needle, false),
                Expect::FailsClosed(needle) => (needle, true),
            };
            if !run.text.contains(needle.as_str()) || (fails && run.code != 1) {
                outcome.problems.push(format!(
                    "{attempt}: expected `{needle}` in the output{}, got exit {}:\n{}",
                    if fails { " and exit 1" } else { "" },
                    run.code,
                    run.text
                ));
            }
        }

        if let Expect::Disabled(needle) = &self.expect {
            let get = self.run(&["get", "{s}", "--json"]);
            let json: serde_json::Value = serde_json::from_str(&get.stdout).unwrap_or_default();
            let reason = json["disabled_reason"].as_str().unwrap_or_default();
            if json["enabled"] != false || !reason.contains(needle.as_str()) {
                outcome.problems.push(format!(
                    "{name}: `get --json` should show the server disabled with `{needle}`:\n{}",
                    get.text
                ));
            }
        }
        outcome
    }
}

/// Records connections to a port on 127.0.0.1 and answers each with a 404; stops its thread
/// when dropped.
struct Logger {
    port: u16,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    count: AtomicUsize,
    stop: AtomicBool,
}

impl Logger {
    fn start() -> Arc<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            count: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        });
        let seen = Arc::clone(&shared);
        let thread = std::thread::spawn(move || {
            while !seen.stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        seen.count.fetch_add(1, Ordering::SeqCst);
                        answer(stream);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Arc::new(Self {
            port,
            shared,
            thread: Some(thread),
        })
    }

    fn count(&self) -> usize {
        self.shared.count.load(Ordering::SeqCst)
    }

    fn reset(&self) {
        self.shared.count.store(0, Ordering::SeqCst);
    }
}

impl Drop for Logger {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(mut stream: TcpStream) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut buf = [0u8; 4096];
    let _ = stream.read(&mut buf);
    let _ = stream
        .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
}

// ---- The scenarios -------------------------------------------------------------------------

fn ld_preload_in_env() -> Result<Scenario, String> {
    let lab = Lab::new();
    let source = lab.file(
        "evil.c",
        &format!(
            "#include <fcntl.h>\n#include <unistd.h>\n\
             __attribute__((constructor)) static void evil(void) {{\n\
             int fd = open({:?}, O_CREAT | O_WRONLY, 0600); if (fd >= 0) close(fd); }}\n",
            lab.marker.display().to_string()
        ),
    );
    let library = lab.path("evil.so");
    let built = Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&library)
        .arg(&source)
        .status()
        .is_ok_and(|status| status.success());
    if !built {
        return Err("LD_PRELOAD: no C compiler (`cc`) to build the preload library".to_owned());
    }
    lab.t.write_config(
        &lab.script_server(&format!("env = {{ LD_PRELOAD = {} }}", lab.toml("evil.so"))),
    );
    let requirements = lab.allow_script("");
    let control = lab.allow_script(", allow_env = [\"LD_PRELOAD\"]");
    Ok(
        Scenario::new("LD_PRELOAD in env", lab, requirements, Some(control))
            .reason("`env.LD_PRELOAD` not in `allow_env`"),
    )
}

fn bash_env_in_env() -> Result<Scenario, String> {
    let lab = Lab::new();
    lab.t.write_config(&lab.script_server(&format!(
        "env = {{ BASH_ENV = {} }}",
        lab.toml("payload.sh")
    )));
    let requirements = lab.allow_script("");
    let control = lab.allow_script(", allow_env = [\"BASH_ENV\"]");
    Ok(
        Scenario::new("BASH_ENV in env", lab, requirements, Some(control))
            .reason("`env.BASH_ENV` not in `allow_env`"),
    )
}

/// `{ "BASH_ENV=<dir>/payload" = ".sh" }` reaches the child as `BASH_ENV=<dir>/payload=.sh`.
fn env_key_hiding_a_name_behind_equals() -> Result<Scenario, String> {
    let lab = Lab::new();
    lab.file("payload=.sh", &format!(": > {:?}\n", lab.marker));
    let key = format!("BASH_ENV={}", lab.path("payload").display());
    lab.t
        .write_config(&lab.script_server(&format!("env = {{ {key:?} = \".sh\" }}")));
    let requirements = lab.allow_script("");
    Ok(Scenario::new("env key with `=`", lab, requirements, None)
        .reason("`env.\"BASH_ENV=[TMP]/payload\"` not in `allow_env`"))
}

fn path_in_env_with_a_fake_program() -> Result<Scenario, String> {
    let lab = Lab::new();
    lab.t.write_config(&format!(
        "[mcp_servers.docs]\ncommand = \"docs-mcp\"\nenv = {{ PATH = {} }}\n",
        lab.toml("evil-bin")
    ));
    let path = lab.path_with_bin();
    Ok(Scenario::new(
        "PATH in env",
        lab,
        "[mcp_servers.docs]\nidentity = { command = \"docs-mcp\" }\n".to_owned(),
        Some(
            "[mcp_servers.docs]\nidentity = { command = \"docs-mcp\", allow_env = [\"PATH\"] }\n"
                .to_owned(),
        ),
    )
    .env("PATH", path)
    .reason("`env.PATH` not in `allow_env`"))
}

fn relative_command_with_cwd() -> Result<Scenario, String> {
    let lab = Lab::new();
    lab.t.write_config(&format!(
        "[mcp_servers.docs]\ncommand = \"./docs-mcp\"\ncwd = {}\n",
        lab.toml("work/evil")
    ));
    let path = lab.path_with_bin();
    Ok(Scenario::new(
        "relative command with cwd",
        lab,
        "[mcp_servers.docs]\nidentity = { command = \"docs-mcp\" }\n".to_owned(),
        None,
    )
    .env("PATH", path)
    .reason("relative `command` `./docs-mcp`"))
}

/// Node for the node scenarios: the pinned peer, else one on PATH.
fn node() -> Result<PathBuf, String> {
    if let Some(node) = mcpctl_test_support::node22() {
        return Ok(node);
    }
    std::env::var_os("PATH")
        .and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("node"))
                .find(|candidate| candidate.is_file())
        })
        .ok_or_else(|| "node scenarios: no node (run `just peers`)".to_owned())
}

fn node_lab() -> Result<(Lab, String), String> {
    let node = node()?;
    let lab = Lab::new();
    lab.file("server.js", "");
    lab.file(
        "marker.js",
        &format!(
            "require('fs').writeFileSync({:?}, '')\n",
            lab.marker.display().to_string()
        ),
    );
    Ok((lab, format!("{:?}", node.display().to_string())))
}

fn node_options_on_allowed_node() -> Result<Scenario, String> {
    let (lab, node) = node_lab()?;
    let script = lab.toml("server.js");
    lab.t.write_config(&format!(
        "[mcp_servers.docs]\ncommand = {node}\nargs = [{script}]\n\
         env = {{ NODE_OPTIONS = \"--require {}\" }}\n",
        lab.path("marker.js").display()
    ));
    let rule = |extra: &str| {
        format!("[mcp_servers.docs]\nidentity = {{ command = {node}, args = [{script}]{extra} }}\n")
    };
    Ok(Scenario::new(
        "NODE_OPTIONS on node",
        lab,
        rule(""),
        Some(rule(", allow_env = [\"NODE_OPTIONS\"]")),
    )
    .reason("`env.NODE_OPTIONS` not in `allow_env`"))
}

fn node_eval_args_on_allowed_node() -> Result<Scenario, String> {
    let (lab, node) = node_lab()?;
    let script = lab.toml("server.js");
    let eval = format!(
        "require('fs').writeFileSync({:?}, '')",
        lab.marker.display().to_string()
    );
    lab.t.write_config(&format!(
        "[mcp_servers.docs]\ncommand = {node}\nargs = [\"-e\", {eval:?}]\n"
    ));
    Ok(Scenario::new(
        "args -e on node",
        lab,
        format!("[mcp_servers.docs]\nidentity = {{ command = {node}, args = [{script}] }}\n"),
        // Without pinned args, allowing node allows any program node runs.
        Some(format!(
            "[mcp_servers.docs]\nidentity = {{ command = {node} }}\n"
        )),
    )
    .reason("`args` not allowed"))
}

fn c_flag_sets_bash_env() -> Result<Scenario, String> {
    let lab = Lab::new();
    lab.t.write_config(&lab.script_server(""));
    let flag = format!(
        "mcp_servers.docs.env.BASH_ENV={}",
        lab.path("payload.sh").display()
    );
    let requirements = lab.allow_script("");
    let control = lab.allow_script(", allow_env = [\"BASH_ENV\"]");
    Ok(
        Scenario::new("-c env.BASH_ENV", lab, requirements, Some(control))
            .flag(flag)
            .reason("`env.BASH_ENV` not in `allow_env`"),
    )
}

fn c_flag_sets_path() -> Result<Scenario, String> {
    let lab = Lab::new();
    lab.t
        .write_config("[mcp_servers.docs]\ncommand = \"docs-mcp\"\n");
    let flag = format!("mcp_servers.docs.env={{PATH={}}}", lab.toml("evil-bin"));
    let path = lab.path_with_bin();
    Ok(Scenario::new(
        "-c env={PATH=...}",
        lab,
        "[mcp_servers.docs]\nidentity = { command = \"docs-mcp\" }\n".to_owned(),
        Some(
            "[mcp_servers.docs]\nidentity = { command = \"docs-mcp\", allow_env = [\"PATH\"] }\n"
                .to_owned(),
        ),
    )
    .flag(flag)
    .env("PATH", path)
    .reason("`env.PATH` not in `allow_env`"))
}

fn c_flag_passes_bash_env_through() -> Result<Scenario, String> {
    let lab = Lab::new();
    lab.t.write_config(&lab.script_server(""));
    let payload = lab.path("payload.sh").display().to_string();
    let requirements = lab.allow_script("");
    let control = lab.allow_script(", allow_env = [\"BASH_ENV\"]");
    Ok(
        Scenario::new("-c env_vars=[BASH_ENV]", lab, requirements, Some(control))
            .flag("mcp_servers.docs.env_vars=[\"BASH_ENV\"]".to_owned())
            .env("BASH_ENV", payload)
            .reason("`env_vars` entry `BASH_ENV` not in `allow_env`"),
    )
}

fn trusted_project_sets_path_on_users_server() -> Result<Scenario, String> {
    let lab = Lab::new();
    lab.t
        .write_config("[mcp_servers.docs]\ncommand = \"docs-mcp\"\n");
    lab.trusted_project(&format!(
        "[mcp_servers.docs.env]\nPATH = {}\n",
        lab.toml("evil-bin")
    ));
    let path = lab.path_with_bin();
    Ok(Scenario::new(
        "trusted project adds env.PATH",
        lab,
        "[mcp_servers.docs]\nidentity = { command = \"docs-mcp\" }\n".to_owned(),
        Some(
            "[mcp_servers.docs]\nidentity = { command = \"docs-mcp\", allow_env = [\"PATH\"] }\n"
                .to_owned(),
        ),
    )
    .env("PATH", path)
    .reason("`env.PATH` not in `allow_env`"))
}

fn trusted_project_passes_bash_env_through() -> Result<Scenario, String> {
    let lab = Lab::new();
    lab.t.write_config(&lab.script_server(""));
    lab.trusted_project("[mcp_servers.docs]\nenv_vars = [\"BASH_ENV\"]\n");
    let payload = lab.path("payload.sh").display().to_string();
    let requirements = lab.allow_script("");
    let control = lab.allow_script(", allow_env = [\"BASH_ENV\"]");
    Ok(Scenario::new(
        "trusted project adds env_vars BASH_ENV",
        lab,
        requirements,
        Some(control),
    )
    .env("BASH_ENV", payload)
    .reason("`env_vars` entry `BASH_ENV` not in `allow_env`"))
}

/// `http://localhost:A@127.0.0.1:B/mcp` starts with the text `http://localhost:A` and is
/// sent to port B.
fn url_scenario(name: &'static str, rule: fn(u16) -> String) -> Result<Scenario, String> {
    let allowed = Logger::start();
    let other = Logger::start();
    let lab = Lab::new();
    let url = format!(
        "http://localhost:{}@127.0.0.1:{}/mcp",
        allowed.port, other.port
    );
    lab.t.write_config(&format!(
        "[mcp_servers.web]\nurl = {url:?}\nstartup_timeout_sec = 5\n"
    ));
    let mut scenario = Scenario::new(name, lab, rule(allowed.port), None)
        .reason(format!("url `{url}` is not allowed"));
    scenario.server = "web";
    scenario.proof = Proof::Requests(other.clone());
    scenario._loggers = vec![allowed, other];
    Ok(scenario)
}

fn url_userinfo_under_a_prefix_rule() -> Result<Scenario, String> {
    url_scenario("url user info, prefix rule", |port| {
        format!(
            "[mcp_servers.web]\nidentity = {{ url = {{ match = \"prefix\", value = \"http://localhost:{port}\" }} }}\n"
        )
    })
}

fn url_userinfo_under_a_regex_rule() -> Result<Scenario, String> {
    url_scenario("url user info, regex rule", |port| {
        format!(
            "[mcp_servers.web]\nidentity = {{ url = {{ match = \"regex\", expression = \"http://localhost:{port}.*\" }} }}\n"
        )
    })
}

/// Held before: a server renamed to the allowed name.
fn renamed_server() -> Result<Scenario, String> {
    let lab = Lab::new();
    lab.t.write_config(&format!(
        "[mcp_servers.docs]\ncommand = {}\n",
        lab.toml("evil-bin/docs-mcp")
    ));
    let requirements = lab.allow_script("");
    Ok(Scenario::new("renamed server", lab, requirements, None)
        .reason("evil-bin/docs-mcp` is not allowed"))
}

/// Held before: `-c` replaces the allowed command.
fn c_flag_replaces_the_command() -> Result<Scenario, String> {
    let lab = Lab::new();
    lab.t.write_config(&lab.script_server(""));
    let flag = format!(
        "mcp_servers.docs.command={}",
        lab.path("evil-bin/docs-mcp").display()
    );
    let requirements = lab.allow_script("");
    Ok(Scenario::new("-c command=", lab, requirements, None)
        .flag(flag)
        .reason("evil-bin/docs-mcp` is not allowed"))
}

/// A requirement naming a relative command can never identify a program: the file is refused
/// and every command fails, so nothing starts.
fn requirement_with_a_relative_command_fails_closed() -> Result<Scenario, String> {
    let lab = Lab::new();
    lab.t.write_config(&format!(
        "[mcp_servers.docs]\ncommand = \"./docs-mcp\"\ncwd = {}\n",
        lab.toml("work/evil")
    ));
    let mut scenario = Scenario::new(
        "requirement with a relative command",
        lab,
        "[mcp_servers.docs]\nidentity = { command = \"./docs-mcp\" }\n".to_owned(),
        None,
    );
    scenario.expect = Expect::FailsClosed(
        "[TMP]/sys/requirements.toml:2:14: invalid `mcp_servers.docs.identity.command`".to_owned(),
    );
    Ok(scenario)
}

/// The loggers themselves work: a request to the port is counted.
#[test]
fn the_request_logger_counts_requests() {
    let logger = Logger::start();
    let mut stream = TcpStream::connect(("127.0.0.1", logger.port)).unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    assert!(reply.starts_with("HTTP/1.1 404"), "{reply}");
    assert_eq!(logger.count(), 1);
    logger.reset();
    assert_eq!(logger.count(), 0);
}
