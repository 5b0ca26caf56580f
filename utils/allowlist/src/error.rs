use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a requirements file a problem was found: the file and, when the parser knows it,
/// the 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    path: PathBuf,
    line_column: Option<(usize, usize)>,
}

impl SourceLocation {
    /// A location covering the whole file, for problems the parser cannot pin to a position.
    pub fn file(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            line_column: None,
        }
    }

    /// The location of byte `offset` in `text`, the contents of the file at `path`.
    pub fn at_offset(path: &Path, text: &str, offset: usize) -> Self {
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = before[line_start..].chars().count() + 1;
        Self {
            path: path.to_path_buf(),
            line_column: Some((line, column)),
        }
    }

    /// The requirements file the location points into.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The 1-based line, when known.
    pub fn line(&self) -> Option<usize> {
        self.line_column.map(|(line, _)| line)
    }

    /// The 1-based column (in characters), when known.
    pub fn column(&self) -> Option<usize> {
        self.line_column.map(|(_, column)| column)
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line_column {
            Some((line, column)) => write!(f, "{}:{line}:{column}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// Why a requirements file could not be used.
///
/// Requirements are an admin policy, so every variant means "fail closed": callers refuse to
/// run rather than guess what the administrator meant.
#[derive(Debug, thiserror::Error)]
pub enum AllowlistError {
    /// The file exists but could not be read (permissions, not UTF-8, a directory, ...).
    #[error(
        "cannot read requirements file {}: {source}; mcpctl enforces this file and refuses to run \
         without it, so make it readable by this user (or ask the administrator who owns it)",
        path.display()
    )]
    Read {
        /// The requirements file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The file is not valid TOML.
    #[error(
        "{location}: requirements file is not valid TOML: {message}; fix the syntax at this position"
    )]
    Syntax {
        /// Where the parser stopped.
        location: SourceLocation,
        /// The parser's description of the problem.
        message: String,
    },

    /// The file is valid TOML but a key under `mcp_servers` or `mcp_server_allowlist` has a
    /// shape or value mcpctl does not accept.
    #[error("{location}: invalid `{key_path}` in requirements: {problem}; expected {expected}")]
    Invalid {
        /// Where the offending key or value is.
        location: SourceLocation,
        /// Dotted key path of the offending item, e.g. `mcp_servers.docs.identity.url.match`.
        key_path: String,
        /// What is wrong with it.
        problem: String,
        /// What would be accepted in its place.
        expected: String,
    },
}

impl AllowlistError {
    /// The requirements file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::Read { path, .. } => path,
            Self::Syntax { location, .. } | Self::Invalid { location, .. } => location.path(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_maps_to_line_and_character_column() {
        let text = "a = 1\nb = \"é\" x\n";
        let offset = text.find('x').unwrap();
        let location = SourceLocation::at_offset(Path::new("/etc/r.toml"), text, offset);
        assert_eq!(location.line(), Some(2));
        assert_eq!(location.column(), Some(9));
        assert_eq!(location.to_string(), "/etc/r.toml:2:9");
    }

    #[test]
    fn file_location_has_no_position() {
        let location = SourceLocation::file(Path::new("r.toml"));
        assert_eq!(location.line(), None);
        assert_eq!(location.to_string(), "r.toml");
    }

    #[test]
    fn read_error_names_path_and_remedy() {
        let error = AllowlistError::Read {
            path: PathBuf::from("/etc/codex/requirements.toml"),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        };
        let message = error.to_string();
        assert!(
            message.contains("/etc/codex/requirements.toml"),
            "{message}"
        );
        assert!(message.contains("make it readable"), "{message}");
        assert_eq!(error.path(), Path::new("/etc/codex/requirements.toml"));
    }
}
