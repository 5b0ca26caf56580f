//! Approval decisions in `mcpctl tools` (issue 9): each tool's decision and the setting that
//! made it, and an administrator's cap that no user setting can raise.

use crate::support::TestHome;

fn server(extra: &str) -> String {
    let bin = mcpctl_test_support::test_server_bin();
    format!(
        "[mcp_servers.t]\ncommand = {:?}\n{extra}\n",
        bin.display().to_string()
    )
}

fn approvals(t: &TestHome, extra: &[&str]) -> Vec<(String, String, String, String)> {
    let mut args = extra.to_vec();
    args.extend(["tools", "t", "--json"]);
    let json = t.run(&args).ok().json();
    json["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| {
            let approval = &tool["approval"];
            (
                tool["name"].as_str().unwrap().to_string(),
                approval["outcome"].as_str().unwrap().to_string(),
                approval["mode"].as_str().unwrap().to_string(),
                approval["decided_by"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn decision_of<'a>(
    rows: &'a [(String, String, String, String)],
    tool: &str,
) -> (&'a str, &'a str, &'a str) {
    let row = rows.iter().find(|r| r.0 == tool).unwrap();
    (&row.1, &row.2, &row.3)
}

#[test]
fn tools_show_the_decision_and_who_made_it() {
    let t = TestHome::new();
    t.write_config(&format!(
        "approval_preset = \"ask\"\n{}",
        server("default_tools_approval_mode = \"writes\"\n[mcp_servers.t.tools.echo]\napproval_mode = \"approve\"\n")
    ));
    let rows = approvals(&t, &[]);
    assert_eq!(decision_of(&rows, "echo"), ("run", "approve", "tool_mode"));
    // No annotations: not read-only, so `writes` asks.
    assert_eq!(decision_of(&rows, "add"), ("ask", "writes", "server_mode"));

    let table = t.run(&["tools", "t", "--wide"]).ok().stdout;
    let echo = table
        .lines()
        .find(|l| l.starts_with("t  ") && l.contains(" echo "))
        .unwrap();
    assert!(echo.contains("run (approve, tool)"), "{table}");
    assert!(
        table.lines().next().unwrap().contains("Approval"),
        "{table}"
    );

    // The preset decides where neither the tool nor the server says anything.
    t.write_config(&format!(
        "approval_preset = \"full-access\"\n{}",
        server("")
    ));
    let rows = approvals(&t, &[]);
    assert_eq!(decision_of(&rows, "add"), ("run", "approve", "preset"));
    // Without any setting the built-in `auto` asks for a tool with no hints (it may be
    // destructive and open-world).
    t.write_config(&server(""));
    let rows = approvals(&t, &[]);
    assert_eq!(decision_of(&rows, "add"), ("ask", "auto", "default"));
}

#[test]
fn an_admin_cap_holds_against_every_user_setting() {
    let t = TestHome::new();
    t.write_sys(
        "requirements.toml",
        "allowed_approval_modes = [\"prompt\", \"writes\"]\n",
    );
    t.write_config(&format!(
        "approval_preset = \"full-access\"\n{}",
        server("default_tools_approval_mode = \"approve\"\n[mcp_servers.t.tools.echo]\napproval_mode = \"approve\"\n")
    ));
    let rows = approvals(&t, &[]);
    assert!(!rows.is_empty());
    for (tool, outcome, mode, by) in &rows {
        assert_eq!(
            (outcome.as_str(), mode.as_str(), by.as_str()),
            ("ask", "writes", "admin_cap"),
            "{tool}"
        );
    }
    // `-c` is a user layer too.
    let rows = approvals(
        &t,
        &["-c", "mcp_servers.t.tools.add.approval_mode=\"approve\""],
    );
    assert_eq!(decision_of(&rows, "add"), ("ask", "writes", "admin_cap"));
}

#[test]
fn a_malformed_cap_fails_closed_with_its_location() {
    let t = TestHome::new();
    t.write_sys(
        "requirements.toml",
        "# admin\nallowed_approval_modes = [\"prompt\", \"always\"]\n",
    );
    t.write_config(&server(""));
    let run = t.run(&["tools", "t"]).fails(1);
    assert!(
        run.stderr
            .contains("requirements.toml:2:37: invalid `allowed_approval_modes` in requirements: 'always' is not a valid approval mode"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}
