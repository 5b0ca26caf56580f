//! The stdio side of an identity: how a server is launched, and what a requirement pins of it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::risky_env::{pattern_matches, risky_env};

/// Everything that decides which program a stdio server runs: the command, its arguments, the
/// variables set (`env`) or passed through (`env_vars`), and the working folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StdioLaunch<'a> {
    /// The program: a bare name looked up on `PATH`, or a path.
    pub command: &'a str,
    /// Its arguments.
    pub args: &'a [String],
    /// Variables set for the child, with their values. Only the names are judged; values are
    /// never copied into a decision, since they may be secrets.
    pub env: &'a BTreeMap<String, String>,
    /// Names of variables passed through from mcpctl's environment.
    pub env_vars: &'a [String],
    /// The child's working folder (mcpctl's own when `None`).
    pub cwd: Option<&'a Path>,
}

impl<'a> StdioLaunch<'a> {
    /// A launch of `command` with no arguments, environment or working folder.
    pub fn command(command: &'a str) -> Self {
        const NO_ENV: &BTreeMap<String, String> = &BTreeMap::new();
        Self {
            command,
            args: &[],
            env: NO_ENV,
            env_vars: &[],
            cwd: None,
        }
    }
}

/// Whether `command` is a relative path with a folder in it (`./x`, `bin/x`, `~/x`, `$HOME/x`):
/// such a command runs a different program in every working folder, so it identifies nothing.
/// A bare name (looked up on `PATH`) and an absolute path are not relative in this sense.
pub fn is_relative_path_command(command: &str) -> bool {
    command.contains('/') && !command.starts_with('/')
}

/// What a requirement allows for a stdio server: its `command`, and optionally its arguments,
/// working folder and the risky variables it may set.
///
/// Serialises the way it is written in `requirements.toml`:
/// `{"command": "node", "args": ["/opt/docs/server.js"], "allow_env": ["NODE_ENV"]}`, keys
/// that are not set being left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandRule {
    command: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    args: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    args_prefix: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cwd: Option<PathBuf>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    allow_env: Vec<String>,
}

/// How a requirement pins a server's arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgsRule<'a> {
    /// Any arguments (the requirement has neither `args` nor `args_prefix`).
    Any,
    /// Exactly these (`args = [...]`).
    Exact(&'a [String]),
    /// These first, then anything (`args_prefix = [...]`).
    Prefix(&'a [String]),
}

impl CommandRule {
    /// A rule that allows `command` with any arguments, any working folder and no risky
    /// variables. The parser guarantees `command` is non-empty and not a relative path.
    pub fn new(command: impl Into<String>) -> Self {
        Self {
            command: command.into(),
            args: None,
            args_prefix: None,
            cwd: None,
            allow_env: Vec::new(),
        }
    }

    /// Pins the arguments to exactly `args`.
    pub fn with_args(mut self, args: Vec<String>) -> Self {
        self.args = Some(args);
        self.args_prefix = None;
        self
    }

    /// Pins the first arguments to `prefix`; more may follow.
    pub fn with_args_prefix(mut self, prefix: Vec<String>) -> Self {
        self.args_prefix = Some(prefix);
        self.args = None;
        self
    }

    /// Pins the working folder (an absolute path).
    pub fn with_cwd(mut self, cwd: PathBuf) -> Self {
        self.cwd = Some(cwd);
        self
    }

    /// Lets the server set or pass through these risky variables (names, or prefixes ending in
    /// `*`).
    pub fn with_allow_env(mut self, names: Vec<String>) -> Self {
        self.allow_env = names;
        self
    }

    /// The allowed command.
    pub fn command(&self) -> &str {
        &self.command
    }

    /// How the arguments are pinned.
    pub fn args(&self) -> ArgsRule<'_> {
        match (&self.args, &self.args_prefix) {
            (Some(args), _) => ArgsRule::Exact(args),
            (None, Some(prefix)) => ArgsRule::Prefix(prefix),
            (None, None) => ArgsRule::Any,
        }
    }

    /// The pinned working folder, if any.
    pub fn cwd(&self) -> Option<&Path> {
        self.cwd.as_deref()
    }

    /// The risky variables this rule allows.
    pub fn allow_env(&self) -> &[String] {
        &self.allow_env
    }

    /// A short human description: ``command `node` `` plus what is pinned.
    pub fn describe(&self) -> String {
        let mut text = format!("command `{}`", self.command);
        match self.args() {
            ArgsRule::Any => {}
            ArgsRule::Exact(args) => text.push_str(&format!(" with args {}", quoted_list(args))),
            ArgsRule::Prefix(prefix) => {
                text.push_str(&format!(" with args starting {}", quoted_list(prefix)));
            }
        }
        if let Some(cwd) = &self.cwd {
            text.push_str(&format!(" in cwd `{}`", cwd.display()));
        }
        text
    }

    /// Whether the rule is about this program at all: the command strings are equal.
    pub(crate) fn names_program(&self, launch: &StdioLaunch<'_>) -> bool {
        self.command == launch.command
    }

    /// Checks everything but the command (which [`CommandRule::names_program`] compares):
    /// arguments, working folder, then variables. Returns the first problem.
    pub(crate) fn check_launch(&self, launch: &StdioLaunch<'_>) -> Result<(), LaunchProblem> {
        let args_ok = match self.args() {
            ArgsRule::Any => true,
            ArgsRule::Exact(args) => launch.args == args,
            ArgsRule::Prefix(prefix) => launch.args.starts_with(prefix),
        };
        if !args_ok {
            return Err(LaunchProblem::Args {
                allowed: match self.args() {
                    ArgsRule::Prefix(prefix) => {
                        format!("args starting {}", quoted_list(prefix))
                    }
                    ArgsRule::Exact(args) => format!("args {}", quoted_list(args)),
                    ArgsRule::Any => String::new(),
                },
            });
        }
        if let Some(expected) = &self.cwd
            && launch.cwd != Some(expected.as_path())
        {
            return Err(LaunchProblem::Cwd {
                actual: launch.cwd.map(Path::to_path_buf),
                allowed: expected.clone(),
            });
        }
        let refused: Vec<RefusedEnv> = launch
            .env
            .keys()
            .map(|name| (name, EnvSource::Env))
            .chain(
                launch
                    .env_vars
                    .iter()
                    .map(|name| (name, EnvSource::EnvVars)),
            )
            .filter_map(|(name, via)| {
                let risk = risky_env(name)?;
                let allowed = !name.contains(['=', '\0'])
                    && self
                        .allow_env
                        .iter()
                        .any(|pattern| pattern_matches(pattern, name));
                (!allowed).then(|| RefusedEnv {
                    name: name.clone(),
                    via,
                    effect: risk.effect,
                })
            })
            .collect();
        if !refused.is_empty() {
            return Err(LaunchProblem::Env(refused));
        }
        Ok(())
    }
}

/// Why a launch whose command matches a rule is still refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LaunchProblem {
    Args {
        allowed: String,
    },
    Cwd {
        actual: Option<PathBuf>,
        allowed: PathBuf,
    },
    Env(Vec<RefusedEnv>),
}

/// A risky variable a server sets or passes through without the requirement's leave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedEnv {
    /// The variable name as configured.
    pub name: String,
    /// Whether it is set (`env`) or passed through (`env_vars`).
    pub via: EnvSource,
    /// What it does, from [`crate::RISKY_ENV`].
    pub effect: &'static str,
}

impl RefusedEnv {
    /// Where the variable is configured: `` `env.LD_PRELOAD` `` or
    /// `` `env_vars` entry `LD_PRELOAD` ``.
    pub fn key(&self) -> String {
        match self.via {
            EnvSource::Env => format!(
                "`{}`",
                mcpctl_keypath::key_path_to_string(&["env".to_owned(), self.name.clone()])
            ),
            EnvSource::EnvVars => format!("`env_vars` entry `{}`", self.name.escape_debug()),
        }
    }
}

impl fmt::Display for RefusedEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.key(), self.effect)
    }
}

/// Where a server's variable comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvSource {
    /// Set with a value in the server's `env` table.
    Env,
    /// Passed through from mcpctl's environment by `env_vars`.
    EnvVars,
}

fn quoted_list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|item| format!("{item:?}")).collect();
    format!("[{}]", inner.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    struct Owned {
        command: String,
        args: Vec<String>,
        env: BTreeMap<String, String>,
        env_vars: Vec<String>,
        cwd: Option<PathBuf>,
    }

    impl Owned {
        fn new(command: &str) -> Self {
            Self {
                command: command.to_owned(),
                args: Vec::new(),
                env: BTreeMap::new(),
                env_vars: Vec::new(),
                cwd: None,
            }
        }
        fn launch(&self) -> StdioLaunch<'_> {
            StdioLaunch {
                command: &self.command,
                args: &self.args,
                env: &self.env,
                env_vars: &self.env_vars,
                cwd: self.cwd.as_deref(),
            }
        }
    }

    #[test]
    fn relative_path_commands() {
        for command in ["./x", "bin/x", "../x", "~/x", "$HOME/x", "a/"] {
            assert!(is_relative_path_command(command), "{command}");
        }
        for command in ["x", "/usr/bin/x", "node", "$VAR"] {
            assert!(!is_relative_path_command(command), "{command}");
        }
    }

    /// Each case: a launch change an attacker made, and whether the plain rule
    /// `command = "node"` (allowing nothing risky) still lets it through.
    #[test]
    fn table_of_launch_changes_under_a_plain_rule() {
        let rule = CommandRule::new("node");
        type Edit = fn(&mut Owned);
        let cases: &[(&str, Edit, bool)] = &[
            ("unchanged", |_| {}, true),
            (
                "ordinary env",
                |o| {
                    o.env.insert("API_KEY".into(), "s".into());
                },
                true,
            ),
            (
                "LD_PRELOAD in env",
                |o| {
                    o.env.insert("LD_PRELOAD".into(), "/tmp/x.so".into());
                },
                false,
            ),
            (
                "BASH_ENV in env",
                |o| {
                    o.env.insert("BASH_ENV".into(), "/tmp/x".into());
                },
                false,
            ),
            (
                "NODE_OPTIONS in env",
                |o| {
                    o.env.insert("NODE_OPTIONS".into(), "--require x".into());
                },
                false,
            ),
            (
                "PATH in env",
                |o| {
                    o.env.insert("PATH".into(), "/tmp/fake".into());
                },
                false,
            ),
            (
                "LD_PRELOAD hidden behind =",
                |o| {
                    o.env.insert("LD_PRELOAD=/tmp/x.so:".into(), "y".into());
                },
                false,
            ),
            (
                "lower-case npm config",
                |o| {
                    o.env
                        .insert("npm_config_registry".into(), "http://evil".into());
                },
                false,
            ),
            (
                "LD_PRELOAD through env_vars",
                |o| o.env_vars.push("LD_PRELOAD".into()),
                false,
            ),
            (
                "PYTHONPATH through env_vars",
                |o| o.env_vars.push("PYTHONPATH".into()),
                false,
            ),
            (
                "ordinary env_vars",
                |o| o.env_vars.push("GITHUB_TOKEN".into()),
                true,
            ),
            (
                "-e args, nothing pinned",
                |o| o.args = strings(&["-e", "evil()"]),
                true,
            ),
            (
                "a cwd, nothing pinned",
                |o| o.cwd = Some("/tmp".into()),
                true,
            ),
        ];
        for (label, edit, allowed) in cases {
            let mut owned = Owned::new("node");
            edit(&mut owned);
            assert_eq!(
                rule.check_launch(&owned.launch()).is_ok(),
                *allowed,
                "{label}"
            );
        }
    }

    #[test]
    fn allow_env_lets_named_variables_through() {
        let rule = CommandRule::new("node").with_allow_env(strings(&["PATH", "LD_*"]));
        let mut owned = Owned::new("node");
        owned.env.insert("PATH".into(), "/opt/bin".into());
        owned
            .env
            .insert("ld_library_path".into(), "/opt/lib".into());
        owned.env_vars.push("LD_PRELOAD".into());
        assert_eq!(rule.check_launch(&owned.launch()), Ok(()));
        owned.env.insert("NODE_OPTIONS".into(), "x".into());
        owned.env.insert("LD_PRELOAD=/x.so".into(), "x".into());
        let Err(LaunchProblem::Env(refused)) = rule.check_launch(&owned.launch()) else {
            panic!("NODE_OPTIONS was allowed");
        };
        let names: Vec<&str> = refused.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["LD_PRELOAD=/x.so", "NODE_OPTIONS"]);
    }

    #[test]
    fn exact_args() {
        let rule = CommandRule::new("node").with_args(strings(&["/opt/s.js"]));
        let mut owned = Owned::new("node");
        owned.args = strings(&["/opt/s.js"]);
        assert_eq!(rule.check_launch(&owned.launch()), Ok(()));
        for args in [
            &[][..],
            &["/opt/s.js", "--x"],
            &["-e", "x"],
            &["--require", "m", "/opt/s.js"],
        ] {
            owned.args = strings(args);
            assert_eq!(
                rule.check_launch(&owned.launch()),
                Err(LaunchProblem::Args {
                    allowed: "args [\"/opt/s.js\"]".into()
                }),
                "{args:?}"
            );
        }
        let none = CommandRule::new("x").with_args(Vec::new());
        assert_eq!(none.check_launch(&Owned::new("x").launch()), Ok(()));
    }

    #[test]
    fn args_prefix() {
        let rule = CommandRule::new("npx").with_args_prefix(strings(&["-y", "@scope/server"]));
        let mut owned = Owned::new("npx");
        owned.args = strings(&["-y", "@scope/server", "/data"]);
        assert_eq!(rule.check_launch(&owned.launch()), Ok(()));
        owned.args = strings(&["-y", "@scope/server"]);
        assert_eq!(rule.check_launch(&owned.launch()), Ok(()));
        for args in [
            &["-y"][..],
            &["@scope/server"],
            &["-y", "evil", "@scope/server"],
        ] {
            owned.args = strings(args);
            assert!(rule.check_launch(&owned.launch()).is_err(), "{args:?}");
        }
    }

    #[test]
    fn pinned_cwd() {
        let rule = CommandRule::new("x").with_cwd("/opt/x".into());
        let mut owned = Owned::new("x");
        for (cwd, ok) in [
            (Some("/opt/x"), true),
            (Some("/opt/x/"), true),
            (Some("/opt/./x"), true),
            (Some("/opt/x/.."), false),
            (Some("/opt/y"), false),
            (Some("opt/x"), false),
            (None, false),
        ] {
            owned.cwd = cwd.map(PathBuf::from);
            assert_eq!(rule.check_launch(&owned.launch()).is_ok(), ok, "{cwd:?}");
        }
    }

    #[test]
    fn descriptions_show_what_is_pinned() {
        assert_eq!(CommandRule::new("d").describe(), "command `d`");
        assert_eq!(
            CommandRule::new("node")
                .with_args(strings(&["/s.js"]))
                .with_cwd("/opt".into())
                .describe(),
            "command `node` with args [\"/s.js\"] in cwd `/opt`"
        );
        assert_eq!(
            CommandRule::new("npx")
                .with_args_prefix(strings(&["-y"]))
                .describe(),
            "command `npx` with args starting [\"-y\"]"
        );
    }

    #[test]
    fn refused_env_names_the_key() {
        let env = RefusedEnv {
            name: "LD_PRELOAD".into(),
            via: EnvSource::Env,
            effect: "x",
        };
        assert_eq!(env.to_string(), "`env.LD_PRELOAD` (x)");
        let odd = RefusedEnv {
            name: "A=B".into(),
            via: EnvSource::Env,
            effect: "y",
        };
        assert_eq!(odd.to_string(), "`env.\"A=B\"` (y)");
        let passed = RefusedEnv {
            name: "PATH".into(),
            via: EnvSource::EnvVars,
            effect: "z",
        };
        assert_eq!(passed.to_string(), "`env_vars` entry `PATH` (z)");
    }
}
