//! Errors of reading foreign MCP configs and of writing an import.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

use crate::error::CoreError;

/// Why one server entry of a foreign config cannot become an mcpctl server.
///
/// Messages never contain env or header values (they may be secrets), only key names.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EntryProblem {
    /// A transport mcpctl has no equivalent for (`ws`, `sdk`, ...).
    #[error(
        "transport \"{kind}\" is not supported (mcpctl runs stdio, streamable HTTP and legacy SSE servers)"
    )]
    UnsupportedTransport {
        /// The `type` value.
        kind: String,
    },
    /// The entry is not a JSON object.
    #[error("expected an object with \"command\" or \"url\", found {found}")]
    NotAnObject {
        /// What it is instead (`a string`, `an array` ...).
        found: &'static str,
    },
    /// Neither `command` nor `url`.
    #[error("needs either \"command\" (a stdio server) or \"url\" (an HTTP server)")]
    NoTransport,
    /// Both `command` and `url`.
    #[error("has both \"command\" and \"url\"; a server is either stdio or HTTP")]
    BothTransports,
    /// A key holds a value of the wrong shape.
    #[error("\"{key}\": {message}")]
    Invalid {
        /// The key (`args`, `env.TOKEN`, `headers`).
        key: String,
        /// What was expected.
        message: String,
    },
}

impl EntryProblem {
    /// True when the entry is well-formed but mcpctl cannot run its transport (a limitation of
    /// mcpctl, not a mistake in the input).
    pub fn is_limitation(&self) -> bool {
        matches!(self, EntryProblem::UnsupportedTransport { .. })
    }

    pub(crate) fn invalid(key: impl Into<String>, message: impl Into<String>) -> Self {
        EntryProblem::Invalid {
            key: key.into(),
            message: message.into(),
        }
    }
}

/// Why the JSON given to `add-json` cannot become a server.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ServerJsonError {
    /// Not valid JSON.
    #[error("server JSON: not valid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// Valid JSON, but not a server mcpctl can store.
    #[error("server JSON: {0}")]
    Entry(EntryProblem),
}

impl ServerJsonError {
    /// True when the input is fine and mcpctl cannot store its transport (exit 1, not a usage
    /// error).
    pub fn is_limitation(&self) -> bool {
        matches!(self, ServerJsonError::Entry(problem) if problem.is_limitation())
    }
}

/// Everything `import` can fail with. When it fails, the user config is unchanged.
#[derive(Debug, Error)]
pub enum ImportError {
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A file is not valid JSON.
    #[error("{}:{line}:{column}: not valid JSON: {message}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// A file is JSON, but not of the expected shape.
    #[error("{}: \"{key}\": {message}", path.display())]
    Shape {
        /// The file.
        path: PathBuf,
        /// The key (`mcpServers`, `projects`).
        key: String,
        /// What was expected.
        message: String,
    },
    /// The file given does not exist.
    #[error("{} does not exist", path.display())]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// None of the files looked at exists.
    #[error(
        "found nothing to import: {}\ngive the file to read: `mcpctl import PATH`",
        looked_in(paths)
    )]
    NothingFound {
        /// Every file looked for.
        paths: Vec<PathBuf>,
    },
    /// Neither `HOME` nor a path was given, so Claude's files cannot be found.
    #[error("HOME is not set, so {what} cannot be found; give the file: `mcpctl import PATH`")]
    NoHome {
        /// What was looked for.
        what: &'static str,
    },
    /// `--only` named a server that none of the files has.
    #[error(
        "--only names '{name}', which none of the files read has{}",
        suggestion.as_ref().map(|s| format!(". Did you mean '{s}'?")).unwrap_or_else(|| format!(" (found: {})", if found.is_empty() { "none".to_string() } else { found.join(", ") }))
    )]
    UnknownOnly {
        /// The name given.
        name: String,
        /// The closest name found.
        suggestion: Option<String>,
        /// Every name found.
        found: Vec<String>,
    },
    /// Some servers cannot be written; nothing was.
    #[error(
        "nothing was written: {} of the servers to import cannot be added:\n{}",
        blocked.len(),
        blocked.iter().map(|(name, why)| format!("  {name}: {why}")).collect::<Vec<_>>().join("\n")
    )]
    Blocked {
        /// Each blocked server and why.
        blocked: Vec<(String, String)>,
    },
    /// A write failed part way; what was written before has been undone (or could not be).
    #[error("writing MCP server '{name}' failed: {source}\n{rollback}")]
    Write {
        /// The server being written.
        name: String,
        /// The writer's error.
        #[source]
        source: Box<CoreError>,
        /// What became of the servers written before it.
        rollback: String,
    },
}

fn looked_in(paths: &[PathBuf]) -> String {
    match paths {
        [] => "no file to read".to_string(),
        [one] => format!("{} does not exist", one.display()),
        many => format!(
            "none of these files exists: {}",
            many.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
