//! Project trust that doesn't spread and is bound to what was trusted (issue 13 §2). Each
//! attack runs the real binary; a marker file proves whether a project's server ran.

use std::fs;
use std::path::{Path, PathBuf};

use mcpctl_test_support::{Marker, Run};

use crate::support::TestHome;

/// A project folder `rel` under `work/` whose `.mcpctl/config.toml` defines a server `name`
/// that writes `marker` when it starts. `git` makes it a repository root.
fn project(t: &TestHome, rel: &str, name: &str, marker: &Marker, git: bool) -> PathBuf {
    let root = t.work().join(rel);
    fs::create_dir_all(root.join(".mcpctl")).unwrap();
    if git {
        fs::create_dir_all(root.join(".git")).unwrap();
    }
    let script = marker.write_script(t.path(), &format!("{name}-mcp"), 1);
    fs::write(
        root.join(".mcpctl/config.toml"),
        format!(
            "[mcp_servers.{name}]\ncommand = {:?}\n",
            script.display().to_string()
        ),
    )
    .unwrap();
    root
}

/// `mcpctl args…` run in `dir`.
fn run_in(t: &TestHome, dir: &Path, args: &[&str]) -> Run {
    let output = t.mcpctl().current_dir(dir).args(args).output().unwrap();
    Run::new(t, &output)
}

/// Tries to start every server the folder `dir` sees; true when `marker` shows one ran.
fn starts(t: &TestHome, dir: &Path, marker: &Marker) -> bool {
    run_in(t, dir, &["list", "--check"]);
    let ran = marker.ran();
    let _ = fs::remove_file(marker.path());
    ran
}

#[test]
fn trust_from_a_subfolder_trusts_the_project_and_nothing_below_it() {
    let t = TestHome::new();
    let top = t.marker("top");
    let nested = t.marker("nested");
    let package = t.marker("package");
    let root = project(&t, "repo", "top", &top, true);
    let sub = root.join("src/deep");
    fs::create_dir_all(&sub).unwrap();
    // A nested repository and a package's own .mcpctl/ inside the trusted project.
    let vendor = project(&t, "repo/vendor/evil", "nested", &nested, true);
    let pkg = project(&t, "repo/node_modules/pkg", "package", &package, false);

    assert!(!starts(&t, &sub, &top), "ran before trust");
    let run = run_in(&t, &sub, &["trust"]).ok();
    assert!(
        run.stdout.contains("Trusted [TMP]/work/repo as it is now: its [TMP]/work/repo/.mcpctl/config.toml will be read."),
        "{}",
        run.stdout
    );
    assert!(starts(&t, &sub, &top), "the trusted project did not start");
    assert!(
        !starts(&t, &vendor, &nested),
        "trust spread to a nested repository"
    );
    assert!(
        !starts(&t, &pkg, &package),
        "trust spread to node_modules/pkg"
    );
    assert!(
        !starts(&t, &vendor.join(".."), &nested),
        "trust spread to a nested repository (from its parent)"
    );
}

#[test]
fn trusting_a_parent_folder_does_not_trust_a_later_clone_under_it() {
    let t = TestHome::new();
    let src = t.work().join("src");
    fs::create_dir_all(&src).unwrap();
    run_in(&t, &src, &["trust"]).ok();
    let marker = t.marker("clone");
    let clone = project(&t, "src/clone", "clone", &marker, true);
    assert!(
        !starts(&t, &clone, &marker),
        "trust of ~/src spread to a clone"
    );
    let run = run_in(&t, &clone, &["list"]);
    assert!(
        run.stderr.contains("is not trusted; run `mcpctl trust"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_project_changed_after_trust_is_not_read_until_trusted_again() {
    let t = TestHome::new();
    let marker = t.marker("proj");
    let root = project(&t, "repo", "proj", &marker, true);
    run_in(&t, &root, &["trust"]).ok();
    assert!(starts(&t, &root, &marker));

    // The attacker edits the approved config: a new argument and a secret env value.
    let config = root.join(".mcpctl/config.toml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(
        &config,
        format!("{text}args = [\"--evil\"]\nenv = {{ TOKEN = \"s3cret-value\" }}\n"),
    )
    .unwrap();
    assert!(!starts(&t, &root, &marker), "a changed project ran");
    let run = run_in(&t, &root, &["list"]);
    assert!(
        run.stderr.contains("note: ignoring [TMP]/work/repo/.mcpctl/config.toml because it changed since you trusted [TMP]/work/repo (mcp_servers.proj.args: added, mcp_servers.proj.env.TOKEN: added); review it with `mcpctl trust --show`"),
        "{}",
        run.stderr
    );
    let show = run_in(&t, &root, &["trust", "--show"]).ok();
    assert_eq!(
        show.stdout,
        "[TMP]/work/repo: trusted, but its config changed since, so it is not read:\n  mcp_servers.proj.args: added\n  mcp_servers.proj.env.TOKEN: added\nReview [TMP]/work/repo/.mcpctl/config.toml, then run `mcpctl trust [TMP]/work/repo` to use it.\n"
    );
    for run in [&run, &show] {
        assert!(!run.stdout.contains("s3cret") && !run.stderr.contains("s3cret"));
    }
    let records = fs::read_to_string(t.home().join("trusted_projects.json")).unwrap();
    assert!(!records.contains("s3cret"), "{records}");

    // Deleted and re-created with other content: still not read.
    fs::remove_dir_all(&root).unwrap();
    let other = t.marker("other");
    project(&t, "repo", "proj2", &other, true);
    assert!(!starts(&t, &root, &other), "a re-created project ran");

    // Trusting again approves the new version.
    run_in(&t, &root, &["trust"]).ok();
    assert!(starts(&t, &root, &other));
    let show = run_in(&t, &root, &["trust", "--show"]).ok();
    assert_eq!(show.stdout, "[TMP]/work/repo: trusted, unchanged since.\n");
}

#[test]
fn untrust_stops_reading_the_project() {
    let t = TestHome::new();
    let marker = t.marker("proj");
    let root = project(&t, "repo", "proj", &marker, true);
    run_in(&t, &root.join(".mcpctl"), &["trust"]).ok();
    assert!(starts(&t, &root, &marker));
    let run = run_in(&t, &root, &["untrust"]).ok();
    assert_eq!(
        run.stdout,
        "No longer trusted: [TMP]/work/repo; its .mcpctl/config.toml is not read.\n"
    );
    assert!(!starts(&t, &root, &marker));
    assert!(!t.config().contains("trust_level"), "{}", t.config());
    let run = run_in(&t, &root, &["untrust"]).ok();
    assert!(run.stdout.starts_with("Was not trusted"), "{}", run.stdout);
    let show = run_in(&t, &root, &["trust", "--show"]).ok();
    assert!(show.stdout.contains("not trusted"), "{}", show.stdout);
}

#[test]
fn codex_trust_without_a_record_still_works_and_relative_keys_are_refused() {
    let t = TestHome::new();
    let marker = t.marker("proj");
    let root = project(&t, "repo", "proj", &marker, true);
    t.write_config(&format!(
        "[projects.{:?}]\ntrust_level = \"trusted\"\n",
        root.display().to_string()
    ));
    assert!(starts(&t, &root, &marker), "Codex's trust is not honoured");
    let show = run_in(&t, &root, &["trust", "--show"]).ok();
    assert!(
        show.stdout
            .contains("trusted (by Codex or an older mcpctl)"),
        "{}",
        show.stdout
    );

    t.write_config("[projects.\".\"]\ntrust_level = \"trusted\"\n");
    let run = run_in(&t, &root, &["list", "--check"]).fails(1);
    assert!(
        run.stderr.contains("[TMP]/home/config.toml:1:1")
            || run.stderr.contains("[TMP]/home/config.toml:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("a project folder must be an absolute path"),
        "{}",
        run.stderr
    );
    assert!(!marker.ran(), "a relative trust key ran the project");
}
