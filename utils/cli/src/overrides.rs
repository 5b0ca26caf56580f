use crate::error::OverrideError;
use mcpctl_keypath::parse_key_path;

/// The config-override flags every mcpctl front end accepts, for `#[command(flatten)]`.
///
/// They are global, so they may appear before or after a subcommand. Because of a clap
/// limitation (clap-rs/clap#1570), when the same flag is given both before and after the
/// subcommand only the occurrences after it are kept; put all of them on one side.
#[derive(clap::Args, Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigOverrides {
    /// Override a config value for this run only (repeatable)
    ///
    /// KEY is a dotted path; quote segments that contain dots, as in
    /// mcp_servers."a.b".enabled=false. VALUE is read as TOML (true, 3, ["a"], { a = 1 },
    /// "text") and taken as a plain string when it is not valid TOML. Later overrides win.
    #[arg(short = 'c', long = "config", value_name = "key=value", global = true)]
    pub raw: Vec<String>,

    /// Enable a feature for this run (repeatable)
    ///
    /// The same as -c features.FEATURE=true. Applied after all -c overrides.
    #[arg(long = "enable", value_name = "FEATURE", global = true)]
    pub enable: Vec<String>,

    /// Disable a feature for this run (repeatable)
    ///
    /// The same as -c features.FEATURE=false. Applied after all -c overrides and --enable.
    #[arg(long = "disable", value_name = "FEATURE", global = true)]
    pub disable: Vec<String>,
}

/// One parsed override: set `key_path` to `value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// What the user typed: the `-c` argument, or `--enable X` / `--disable X`. For messages
    /// that point back at the command line.
    pub raw: String,
    /// The key path, one element per segment, quotes removed.
    pub key_path: Vec<String>,
    /// The value, parsed as TOML or taken as a literal string.
    pub value: toml::Value,
}

impl ConfigOverrides {
    /// Parses every override, in the order they apply: all `-c` arguments in command-line
    /// order, then `--enable` features, then `--disable` features (so disabling wins when a
    /// feature is named by both). Stops at the first invalid argument.
    pub fn parse(&self) -> Result<Vec<Override>, OverrideError> {
        let mut overrides =
            Vec::with_capacity(self.raw.len() + self.enable.len() + self.disable.len());
        for raw in &self.raw {
            overrides.push(parse_override(raw)?);
        }
        for (flag, names, value) in [
            ("--enable", &self.enable, true),
            ("--disable", &self.disable, false),
        ] {
            for name in names {
                overrides.push(feature_override(flag, name, value)?);
            }
        }
        Ok(overrides)
    }

    /// Whether no override flag was given.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty() && self.enable.is_empty() && self.disable.is_empty()
    }
}

/// Parses one `-c` argument, `key=value`.
///
/// The key ends at the first `=` outside quotes. The value is trimmed and parsed as a TOML
/// value; when that fails it is kept as a literal string, as Codex does (`-c model=o3` sets
/// the string `"o3"`).
pub fn parse_override(raw: &str) -> Result<Override, OverrideError> {
    let Some((key, value)) = split_at_unquoted_equals(raw) else {
        return Err(OverrideError::MissingEquals {
            raw: raw.to_owned(),
        });
    };
    let key_path = parse_key_path(key).map_err(|source| OverrideError::InvalidKey {
        raw: raw.to_owned(),
        source,
    })?;
    let value = value.trim();
    let value = value
        .parse::<toml::Value>()
        .unwrap_or_else(|_| toml::Value::String(value.to_owned()));
    Ok(Override {
        raw: raw.to_owned(),
        key_path,
        value,
    })
}

fn feature_override(
    flag: &'static str,
    name: &str,
    value: bool,
) -> Result<Override, OverrideError> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return Err(OverrideError::InvalidFeature {
            flag,
            name: name.to_owned(),
        });
    }
    Ok(Override {
        raw: format!("{flag} {name}"),
        key_path: vec!["features".to_owned(), name.to_owned()],
        value: toml::Value::Boolean(value),
    })
}

/// Splits at the first `=` that is not inside a quoted key segment, so
/// `mcp_servers."a=b".enabled=true` splits after `enabled`.
fn split_at_unquoted_equals(raw: &str) -> Option<(&str, &str)> {
    let mut quote = None;
    let mut escaped = false;
    for (offset, c) in raw.char_indices() {
        match (quote, c) {
            (Some('"'), _) if escaped => escaped = false,
            (Some('"'), '\\') => escaped = true,
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '=') => return Some((&raw[..offset], &raw[offset + 1..])),
            (None, _) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use clap::{Parser, Subcommand};
    use toml::Value;

    use super::*;
    use mcpctl_keypath::KeyPathError;

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        overrides: ConfigOverrides,
        #[command(subcommand)]
        command: Option<Command>,
    }

    #[derive(Subcommand, Debug)]
    enum Command {
        List,
    }

    fn single(raw: &str) -> Override {
        parse_override(raw).unwrap()
    }

    fn key(segments: &[&str]) -> Vec<String> {
        segments.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn values_are_parsed_as_toml() {
        assert_eq!(single("a.b=true").value, Value::Boolean(true));
        assert_eq!(single("a=3").value, Value::Integer(3));
        assert_eq!(single("a=1.5").value, Value::Float(1.5));
        assert_eq!(
            single("a=[ \"x\", \"y\" ]").value,
            Value::Array(vec![Value::String("x".into()), Value::String("y".into())])
        );
        let table = single("a={ b = 1 }").value;
        assert_eq!(table.get("b"), Some(&Value::Integer(1)));
        assert_eq!(single("a=\"quoted\"").value, Value::String("quoted".into()));
    }

    #[test]
    fn invalid_toml_values_are_literal_strings() {
        assert_eq!(single("model=o3").value, Value::String("o3".into()));
        assert_eq!(
            single("url=https://x.test/a?b=c").value,
            Value::String("https://x.test/a?b=c".into())
        );
        assert_eq!(single("a=").value, Value::String(String::new()));
        assert_eq!(single("a=1\nb=2").value, Value::String("1\nb=2".into()));
    }

    #[test]
    fn key_and_value_are_trimmed_and_raw_is_kept() {
        let parsed = single(" mcp_servers.docs.enabled = false ");
        assert_eq!(parsed.key_path, key(&["mcp_servers", "docs", "enabled"]));
        assert_eq!(parsed.value, Value::Boolean(false));
        assert_eq!(parsed.raw, " mcp_servers.docs.enabled = false ");
    }

    #[test]
    fn equals_inside_quotes_belongs_to_the_key() {
        let parsed = single("mcp_servers.\"a=b\".enabled=true");
        assert_eq!(parsed.key_path, key(&["mcp_servers", "a=b", "enabled"]));
        assert_eq!(parsed.value, Value::Boolean(true));
        let quoted_dot = single("mcp_servers.'a.b'.enabled=false");
        assert_eq!(quoted_dot.key_path, key(&["mcp_servers", "a.b", "enabled"]));
    }

    #[test]
    fn missing_equals_is_an_error_naming_the_form() {
        let error = parse_override("mcp_servers.docs.enabled").unwrap_err();
        assert_eq!(
            error,
            OverrideError::MissingEquals {
                raw: "mcp_servers.docs.enabled".into()
            }
        );
        assert_eq!(
            error.to_string(),
            "invalid config override '-c mcp_servers.docs.enabled': missing '='; expected the \
             form `-c key=value`, e.g. `-c mcp_servers.docs.enabled=false`"
        );
    }

    #[test]
    fn bad_keys_are_errors_naming_the_raw_text() {
        let error = parse_override("mcp_servers..enabled=true").unwrap_err();
        assert_eq!(
            error,
            OverrideError::InvalidKey {
                raw: "mcp_servers..enabled=true".into(),
                source: KeyPathError::EmptySegment { index: 2 },
            }
        );
        let message = error.to_string();
        assert!(
            message
                .starts_with("invalid config override '-c mcp_servers..enabled=true': segment 2"),
            "{message}"
        );
        assert!(
            message.contains("expected the form `-c key=value`"),
            "{message}"
        );
        assert_eq!(
            parse_override("=true").unwrap_err(),
            OverrideError::InvalidKey {
                raw: "=true".into(),
                source: KeyPathError::Empty
            }
        );
    }

    #[test]
    fn flags_parse_in_order_with_features_last() {
        let cli = Cli::try_parse_from([
            "mcpctl",
            "list",
            "--disable",
            "old",
            "-c",
            "a=1",
            "--enable",
            "new_ui",
            "--config",
            "b=x y",
        ])
        .unwrap();
        assert!(matches!(cli.command, Some(Command::List)));
        let overrides = cli.overrides.parse().unwrap();
        let summary: Vec<(String, Vec<String>, Value)> = overrides
            .into_iter()
            .map(|o| (o.raw, o.key_path, o.value))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("a=1".into(), key(&["a"]), Value::Integer(1)),
                ("b=x y".into(), key(&["b"]), Value::String("x y".into())),
                (
                    "--enable new_ui".into(),
                    key(&["features", "new_ui"]),
                    Value::Boolean(true)
                ),
                (
                    "--disable old".into(),
                    key(&["features", "old"]),
                    Value::Boolean(false)
                ),
            ]
        );
    }

    #[test]
    fn flags_are_accepted_before_the_subcommand() {
        let cli = Cli::try_parse_from(["mcpctl", "-c", "a=1", "--enable", "x", "list"]).unwrap();
        assert_eq!(cli.overrides.raw, vec!["a=1".to_owned()]);
        assert_eq!(cli.overrides.enable, vec!["x".to_owned()]);
    }

    #[test]
    fn same_flag_on_both_sides_of_a_subcommand_keeps_only_the_later_side() {
        // clap-rs/clap#1570: documents a clap limitation the front end must live with (or
        // reject); if clap fixes it, this test fails and the doc on `ConfigOverrides` should
        // be updated.
        let cli = Cli::try_parse_from(["mcpctl", "-c", "a=1", "list", "-c", "b=2"]).unwrap();
        assert_eq!(cli.overrides.raw, vec!["b=2".to_owned()]);
    }

    #[test]
    fn invalid_feature_names_are_errors() {
        let overrides = ConfigOverrides {
            enable: vec!["a.b".into()],
            ..ConfigOverrides::default()
        };
        let error = overrides.parse().unwrap_err();
        assert_eq!(
            error,
            OverrideError::InvalidFeature {
                flag: "--enable",
                name: "a.b".into()
            }
        );
        assert_eq!(
            error.to_string(),
            "invalid feature name 'a.b' for --enable: feature names may contain only letters, \
             digits, `_` and `-`; expected e.g. `--enable rmcp_client`"
        );
    }

    #[test]
    fn no_flags_means_no_overrides() {
        let cli = Cli::try_parse_from(["mcpctl"]).unwrap();
        assert!(cli.overrides.is_empty());
        assert_eq!(cli.overrides.parse().unwrap(), Vec::new());
    }

    #[test]
    fn help_describes_the_flags() {
        use clap::CommandFactory;

        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("-c, --config <key=value>"), "{help}");
        assert!(help.contains("--enable <FEATURE>"), "{help}");
        assert!(help.contains("features.FEATURE=false"), "{help}");
        assert!(help.contains("taken as a plain string"), "{help}");
    }
}

#[cfg(test)]
mod properties {
    //! Property tests of `-c key=value` (issue 14 §2): any text parses or fails with a message
    //! that names what was given; `just fuzz` runs more cases (`PROPTEST_CASES`).
    use proptest::prelude::*;

    fn cases() -> ProptestConfig {
        ProptestConfig::with_cases(
            std::env::var("PROPTEST_CASES")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(256),
        )
    }

    proptest! {
        #![proptest_config(cases())]

        #[test]
        fn any_text_parses_or_explains(raw in any::<String>()) {
            if let Err(error) = super::parse_override(&raw) {
                prop_assert!(!error.to_string().is_empty());
            }
        }

        #[test]
        fn override_shaped_text_parses_or_explains(
            key in "[a-z_\\.\"]{0,20}",
            value in prop_oneof![
                Just("true".to_string()),
                Just("1e300".to_string()),
                Just("[\"a\"".to_string()),
                Just("{ a = 1 }".to_string()),
                "[ -~]{0,30}",
            ],
        ) {
            let raw = format!("{key}={value}");
            if let Err(error) = super::parse_override(&raw) {
                prop_assert!(!error.to_string().is_empty());
            }
        }
    }
}
