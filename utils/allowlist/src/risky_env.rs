//! Environment variables that change which program runs or what it loads.
//!
//! A requirement names a program; a variable such as `LD_PRELOAD` or `NODE_OPTIONS` turns that
//! program into another one without touching its `command`. For a server that a requirement
//! constrains, such a variable (set in `env` or passed through with `env_vars`) is refused
//! unless the requirement lists it in `allow_env`.

use serde::Serialize;

/// One entry of [`RISKY_ENV`]: a variable name (or a name prefix ending in `*`) and what it
/// lets whoever sets it do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RiskyEnv {
    /// The name, or a prefix followed by `*` (`LD_*`). Compared ignoring ASCII case, because
    /// some programs (npm) read their variables that way.
    pub pattern: &'static str,
    /// What setting it does, in a few words.
    pub effect: &'static str,
}

const fn risky(pattern: &'static str, effect: &'static str) -> RiskyEnv {
    RiskyEnv { pattern, effect }
}

/// Every variable refused for a constrained server unless its requirement has it in
/// `allow_env`. The list is documented in `SECURITY.md`; it aims at variables that make an
/// allowed program run or load code chosen by whoever wrote the config, not at every variable
/// that changes a program's behaviour.
pub const RISKY_ENV: &[RiskyEnv] = &[
    // Which program a bare `command` resolves to, and the dynamic loader.
    risky("PATH", "chooses the program a bare command name runs"),
    risky("LD_*", "makes the dynamic loader load other libraries"),
    risky("DYLD_*", "makes the macOS loader load other libraries"),
    risky("GCONV_PATH", "makes glibc load other iconv modules"),
    risky("OPENSSL_CONF", "makes OpenSSL load engines and modules"),
    risky("OPENSSL_ENGINES", "makes OpenSSL load other engines"),
    risky("OPENSSL_MODULES", "makes OpenSSL load other providers"),
    // Where programs read their start-up files from.
    risky("HOME", "moves every start-up file a program reads"),
    risky("XDG_CONFIG_HOME", "moves the configuration programs read"),
    // Shells.
    risky("BASH_ENV", "runs a script when bash starts"),
    risky("ENV", "runs a script when sh starts"),
    risky(
        "BASH_FUNC_*",
        "defines bash functions that replace commands",
    ),
    risky("SHELLOPTS", "sets bash options such as xtrace"),
    risky("BASHOPTS", "sets bash options"),
    risky("PS4", "runs commands when bash traces"),
    risky("PROMPT_COMMAND", "runs a command before each bash prompt"),
    risky(
        "ZDOTDIR",
        "makes zsh read start-up files from another folder",
    ),
    risky("SHELL", "chooses the shell a program starts"),
    risky("BROWSER", "chooses the program that opens links"),
    // Node.js and its package managers.
    risky("NODE_OPTIONS", "adds node options such as --require"),
    risky("NODE_PATH", "adds folders node loads modules from"),
    risky(
        "NODE_REPL_EXTERNAL_MODULE",
        "makes node load a module instead of its REPL",
    ),
    risky("ELECTRON_RUN_AS_NODE", "turns an Electron app into node"),
    risky(
        "NPM_CONFIG_*",
        "changes npm/npx settings such as the registry",
    ),
    // Python and its package managers.
    risky("PYTHONPATH", "adds folders Python imports from"),
    risky("PYTHONHOME", "replaces Python's standard library"),
    risky("PYTHONSTARTUP", "runs a file when Python starts"),
    risky(
        "PYTHONUSERBASE",
        "moves the user site folder (usercustomize)",
    ),
    risky(
        "PYTHONINSPECT",
        "makes Python read code from stdin after the script",
    ),
    risky("PYTHONBREAKPOINT", "makes breakpoint() call any function"),
    risky("PYTHONWARNINGS", "makes Python import warning categories"),
    risky("PYTHONEXECUTABLE", "changes the interpreter Python reports"),
    risky(
        "PYTHONPLATLIBDIR",
        "changes where Python loads modules from",
    ),
    risky("UV_*", "changes uv/uvx settings such as the package index"),
    risky("PIP_*", "changes pip settings such as the package index"),
    risky("PIPX_*", "changes pipx settings"),
    // Perl, Ruby, Lua, PHP.
    risky("PERL5OPT", "adds perl options such as -M"),
    risky("PERL5LIB", "adds folders perl loads modules from"),
    risky("PERLLIB", "adds folders perl loads modules from"),
    risky("PERL5DB", "runs code under perl -d"),
    risky("RUBYOPT", "adds ruby options such as -r"),
    risky("RUBYLIB", "adds folders ruby loads from"),
    risky("GEM_HOME", "moves the gems ruby loads"),
    risky("GEM_PATH", "adds folders ruby loads gems from"),
    risky("BUNDLE_GEMFILE", "chooses the Gemfile bundler loads"),
    risky("LUA_*", "runs code or adds module folders for lua"),
    risky("PHPRC", "chooses php.ini (auto_prepend_file)"),
    risky("PHP_INI_SCAN_DIR", "adds php.ini files"),
    // JVM and .NET.
    risky("JAVA_TOOL_OPTIONS", "adds JVM options such as -javaagent"),
    risky("_JAVA_OPTIONS", "adds JVM options such as -javaagent"),
    risky("JDK_JAVA_OPTIONS", "adds JVM options such as -javaagent"),
    risky("CLASSPATH", "adds classes the JVM loads"),
    risky(
        "DOTNET_STARTUP_HOOKS",
        "loads assemblies into a .NET program",
    ),
    risky("CORECLR_*", "loads a profiler into a .NET program"),
    // Git (run by git servers): config, hooks, helper programs.
    risky("GIT_*", "changes git config, helpers and repository"),
    // Go and Rust tool chains (`go run pkg@version`, `cargo run`).
    risky("GOFLAGS", "adds go flags such as -toolexec"),
    risky("GOPROXY", "changes where go fetches modules"),
    risky("GONOSUMDB", "turns off go checksum checks"),
    risky("GONOSUMCHECK", "turns off go checksum checks"),
    risky("GOSUMDB", "changes go checksum checks"),
    risky("GOINSECURE", "lets go fetch modules without TLS"),
    risky("GOTOOLCHAIN", "makes go download another tool chain"),
    risky("GOROOT", "replaces the go tool chain"),
    risky("GOPATH", "moves go's module cache"),
    risky("GOENV", "chooses go's configuration file"),
    risky("CARGO_*", "changes cargo settings such as runners"),
    risky("RUSTC", "replaces the Rust compiler"),
    risky(
        "RUSTC_WRAPPER",
        "wraps the Rust compiler in another program",
    ),
    risky(
        "RUSTC_WORKSPACE_WRAPPER",
        "wraps the Rust compiler in another program",
    ),
    risky("RUSTFLAGS", "adds compiler flags"),
];

/// The entry of [`RISKY_ENV`] that `name` falls under, if any.
///
/// A name containing `=` or a NUL byte is always risky: the part before `=` is what the
/// child sees as the variable name (`"LD_PRELOAD=/x.so"` sets `LD_PRELOAD`), so such a key
/// cannot be judged by its text.
pub fn risky_env(name: &str) -> Option<&'static RiskyEnv> {
    const MALFORMED: RiskyEnv = risky(
        "*=*",
        "is not a plain variable name: the text before `=` names the variable the program sees",
    );
    if name.contains(['=', '\0']) {
        return Some(&MALFORMED);
    }
    RISKY_ENV
        .iter()
        .find(|entry| pattern_matches(entry.pattern, name))
}

/// Whether `name` matches `pattern` (an exact name, or a prefix ending in `*`), ignoring
/// ASCII case.
pub(crate) fn pattern_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix)),
        None => pattern.eq_ignore_ascii_case(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_list_is_covered() {
        for name in [
            "PATH",
            "LD_PRELOAD",
            "LD_LIBRARY_PATH",
            "LD_AUDIT",
            "DYLD_INSERT_LIBRARIES",
            "BASH_ENV",
            "ENV",
            "NODE_OPTIONS",
            "NODE_PATH",
            "PYTHONPATH",
            "PYTHONHOME",
            "PYTHONSTARTUP",
            "PERL5OPT",
            "PERL5LIB",
            "RUBYOPT",
            "RUBYLIB",
            "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS",
        ] {
            assert!(risky_env(name).is_some(), "{name}");
        }
    }

    #[test]
    fn others_with_the_same_effect() {
        for name in [
            "BASH_FUNC_ls%%",
            "npm_config_registry",
            "NPM_CONFIG_USERCONFIG",
            "UV_INDEX_URL",
            "PIP_EXTRA_INDEX_URL",
            "GIT_CONFIG_COUNT",
            "GIT_SSH_COMMAND",
            "HOME",
            "PYTHONUSERBASE",
            "ELECTRON_RUN_AS_NODE",
            "DOTNET_STARTUP_HOOKS",
            "GOFLAGS",
            "LUA_INIT",
        ] {
            assert!(risky_env(name).is_some(), "{name}");
        }
    }

    #[test]
    fn ordinary_variables_pass() {
        for name in [
            "GITHUB_TOKEN",
            "NODE_ENV",
            "PYTHONUNBUFFERED",
            "PYTHONIOENCODING",
            "API_KEY",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "LANG",
            "DEBUG",
            "LOG_LEVEL",
            "PATHS",
            "MY_PATH",
            "ENVIRONMENT",
        ] {
            assert_eq!(risky_env(name), None, "{name}");
        }
    }

    #[test]
    fn case_is_ignored() {
        assert!(risky_env("ld_preload").is_some());
        assert!(risky_env("Path").is_some());
        assert!(risky_env("node_options").is_some());
    }

    #[test]
    fn a_name_with_equals_or_nul_is_always_risky() {
        // The child would see `LD_PRELOAD=/x.so:=v`, i.e. LD_PRELOAD.
        assert_eq!(risky_env("LD_PRELOAD=/x.so:").unwrap().pattern, "*=*");
        assert!(risky_env("SAFE=1").is_some());
        assert!(risky_env("A\0B").is_some());
    }

    /// SECURITY.md's table is the documentation of this list; it must name every entry.
    #[test]
    fn security_md_names_every_entry() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../SECURITY.md");
        let text = std::fs::read_to_string(&path).unwrap();
        let missing: Vec<&str> = RISKY_ENV
            .iter()
            .map(|entry| entry.pattern)
            .filter(|pattern| !text.contains(&format!("`{pattern}`")))
            .collect();
        assert!(
            missing.is_empty(),
            "{} does not name {missing:?}",
            path.display()
        );
    }

    #[test]
    fn prefix_patterns_need_the_whole_prefix() {
        assert!(pattern_matches("LD_*", "LD_"));
        assert!(!pattern_matches("LD_*", "LD"));
        assert!(!pattern_matches("LD_*", "OLD_X"));
        assert!(pattern_matches("PATH", "path"));
        assert!(!pattern_matches("PATH", "PATH2"));
        // Non-ASCII never panics on a char boundary.
        assert!(!pattern_matches("LD_*", "é"));
    }
}
