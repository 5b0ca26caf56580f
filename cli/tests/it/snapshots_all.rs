//! Snapshots of every command's `--help` and of every user-facing error, so that a changed or
//! doubled message shows up as a diff in review.

use crate::support::TestHome;

/// Every subcommand as listed by `mcpctl --help` (help itself excluded).
fn subcommands(t: &TestHome) -> Vec<Vec<String>> {
    let help = t.run(&["--help"]).ok().stdout;
    let mut commands = Vec::new();
    let mut in_commands = false;
    for line in help.lines() {
        if line == "Commands:" {
            in_commands = true;
            continue;
        }
        if in_commands {
            let Some(name) = line.split_whitespace().next() else {
                break;
            };
            if !line.starts_with("  ") {
                break;
            }
            if name != "help" {
                commands.push(vec![name.to_string()]);
            }
        }
    }
    commands.extend([
        vec!["features".into(), "list".into()],
        vec!["config".into(), "explain".into()],
        vec!["config".into(), "schema".into()],
        vec!["config".into(), "paths".into()],
    ]);
    commands
}

#[test]
fn help_of_every_command() {
    let t = TestHome::new();
    let top = t.run(&["--help"]).ok();
    insta::assert_snapshot!("help", top.stdout);
    let commands = subcommands(&t);
    assert!(commands.len() >= 17, "{commands:?}");
    for command in commands {
        let mut args: Vec<&str> = command.iter().map(String::as_str).collect();
        args.push("--help");
        let run = t.run(&args).ok();
        insta::assert_snapshot!(format!("help_{}", command.join("_")), run.stdout);
    }
}

/// One error per case: the message exactly once, with its exit code, nothing on stdout.
#[test]
fn every_user_facing_error() {
    let t = TestHome::new();
    let bin = mcpctl_test_support::test_server_bin();
    t.write_config(&format!(
        "[mcp_servers.ok]\ncommand = {:?}\n\n[mcp_servers.off]\ncommand = \"x\"\nenabled = false\n\n[mcp_servers.crash]\ncommand = {:?}\nargs = [\"--crash-on-start\"]\n",
        bin.display().to_string(),
        bin.display().to_string()
    ));
    let cases: &[(&str, &[&str], i32)] = &[
        ("unknown_server", &["get", "okk"], 1),
        ("remove_unknown", &["remove", "nope"], 1),
        ("disabled_server", &["tools", "off"], 1),
        ("unknown_tool", &["call", "ok", "ecoh"], 1),
        ("bad_tool_arguments", &["call", "ok", "add", "a=x"], 1),
        ("failed_server", &["call", "crash", "echo"], 1),
        ("add_existing", &["add", "ok", "--", "cmd"], 1),
        ("bad_override", &["-c", "novalue", "list"], 2),
        ("bad_url", &["add", "w", "--url", "ftp://x"], 2),
        (
            "bad_timeout",
            &["add", "w", "--startup-timeout", "1e20", "--", "cmd"],
            2,
        ),
        ("bad_key_value", &["call", "ok", "echo", "text"], 2),
        ("bad_explain_key", &["config", "explain", "a..b"], 2),
        (
            "template_value_missing",
            &["read", "ok", "test://echo/{text}"],
            1,
        ),
    ];
    for (name, args, code) in cases {
        let run = t.run(args).fails(*code);
        assert_eq!(run.stdout, "", "{name}: stdout must be empty");
        assert!(run.stderr.starts_with("error: "), "{name}: {}", run.stderr);
        let first = run.stderr.lines().next().unwrap_or_default();
        let message = first.trim_start_matches("error: ");
        // A doubled message: the same sentence twice on the first line.
        if let Some(half) = message.get(..message.len() / 2) {
            assert!(
                half.len() < 12 || !message[message.len() / 2..].contains(half),
                "{name}: doubled: {first}"
            );
        }
        insta::assert_snapshot!(format!("error_{name}"), stable(&run.stderr));
    }
}

#[test]
fn broken_files_are_errors_with_their_location_once() {
    let t = TestHome::new();
    t.write_config("[mcp_servers.x]\ncommand = \"a\"\nargs = [1]\n");
    let run = t.run(&["list"]).fails(1);
    insta::assert_snapshot!("error_wrong_type", run.stderr);
    t.write_config("[mcp_servers.x\ncommand = \"a\"\n");
    let run = t.run(&["list"]).fails(1);
    insta::assert_snapshot!("error_bad_toml", run.stderr);
    t.write_config("");
    t.write_sys(
        "requirements.toml",
        "[mcp_servers.docs]\nidentity = { cmd = \"x\" }\n",
    );
    let run = t.run(&["list"]).fails(1);
    assert_eq!(
        run.stderr.matches("identity.cmd").count(),
        1,
        "printed more than once: {}",
        run.stderr
    );
    insta::assert_snapshot!("error_bad_requirements", run.stderr);
}

/// Process ids change from run to run.
fn stable(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("pid ") {
        out.push_str(&rest[..i + 4]);
        rest = &rest[i + 4..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 {
            out.push_str("[PID]");
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}
