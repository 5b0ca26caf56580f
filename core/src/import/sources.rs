//! Where Claude Code, Claude Desktop and `.mcp.json` files keep MCP servers, and reading them.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::claude_json::{ConvertedServer, convert_entry, json_kind, json_message};
use super::error::{EntryProblem, ImportError};

/// A program whose MCP servers can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportSource {
    /// Claude Code: `~/.claude.json` (its user servers and this folder's local servers) and the
    /// project's `.mcp.json`.
    ClaudeCode,
    /// Claude Desktop's `claude_desktop_config.json`.
    ClaudeDesktop,
    /// A `.mcp.json` file (the form many MCP clients share).
    McpJson,
}

impl ImportSource {
    /// The name used on the command line (`claude-code`, `claude-desktop`, `mcp-json`).
    pub fn as_str(self) -> &'static str {
        match self {
            ImportSource::ClaudeCode => "claude-code",
            ImportSource::ClaudeDesktop => "claude-desktop",
            ImportSource::McpJson => "mcp-json",
        }
    }

    /// The kind of a file given by path: Claude Desktop's config by its name, Claude Code's
    /// `.claude.json` by its name or its `projects` table, anything else a `.mcp.json`.
    fn detect(path: &Path, root: &Map<String, Value>) -> Self {
        let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if file_name == DESKTOP_FILE {
            ImportSource::ClaudeDesktop
        } else if file_name == CLAUDE_JSON || root.get("projects").is_some_and(Value::is_object) {
            ImportSource::ClaudeCode
        } else {
            ImportSource::McpJson
        }
    }
}

const CLAUDE_JSON: &str = ".claude.json";
const MCP_JSON: &str = ".mcp.json";
const DESKTOP_FILE: &str = "claude_desktop_config.json";

/// Which part of which file a server came from. Claude Code's precedence, highest first:
/// local, project, user; Claude Desktop comes last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// `projects."<dir>".mcpServers` in `.claude.json`: this folder only.
    Local,
    /// A project's `.mcp.json`.
    Project,
    /// The top-level `mcpServers` of `.claude.json`.
    User,
    /// Claude Desktop's config.
    Desktop,
}

impl Scope {
    /// `local`, `project`, `user`, `desktop`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Local => "local",
            Scope::Project => "project",
            Scope::User => "user",
            Scope::Desktop => "desktop",
        }
    }
}

/// The file and scope a server came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file.
    pub file: PathBuf,
    /// The part of it.
    pub scope: Scope,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.file.display(), self.scope.as_str())
    }
}

/// Where the files are on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLocations {
    /// The working folder: its `.mcp.json` and its `projects` entry in `.claude.json`.
    pub cwd: PathBuf,
    /// Claude Code's `.claude.json` (`$CLAUDE_CONFIG_DIR/.claude.json`, else `~/.claude.json`).
    pub claude_json: Option<PathBuf>,
    /// Claude Desktop's config for this OS.
    pub claude_desktop: Option<PathBuf>,
}

impl ImportLocations {
    /// The locations for this machine, from `HOME`, `CLAUDE_CONFIG_DIR`, `XDG_CONFIG_HOME` and
    /// `APPDATA`.
    pub fn from_env(cwd: &Path) -> Self {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let home = var("HOME");
        let claude_json = var("CLAUDE_CONFIG_DIR")
            .map(|dir| cwd.join(dir).join(CLAUDE_JSON))
            .or_else(|| home.as_ref().map(|h| h.join(CLAUDE_JSON)));
        let claude_desktop = if cfg!(target_os = "macos") {
            home.map(|h| {
                h.join("Library/Application Support/Claude")
                    .join(DESKTOP_FILE)
            })
        } else if cfg!(windows) {
            var("APPDATA").map(|d| d.join("Claude").join(DESKTOP_FILE))
        } else {
            var("XDG_CONFIG_HOME")
                .or_else(|| home.map(|h| h.join(".config")))
                .map(|d| d.join("Claude").join(DESKTOP_FILE))
        };
        Self {
            cwd: cwd.to_path_buf(),
            claude_json,
            claude_desktop,
        }
    }

    /// The project's `.mcp.json`: in the working folder, else at the root of its repository
    /// (the nearest folder holding `.git`).
    fn project_mcp_json(&self) -> PathBuf {
        let here = self.cwd.join(MCP_JSON);
        if here.is_file() {
            return here;
        }
        repo_root(&self.cwd).map_or(here, |root| root.join(MCP_JSON))
    }
}

fn repo_root(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// One server entry found in a file, converted or not.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundServer {
    /// Its name in the file.
    pub name: String,
    /// Where it was found.
    pub origin: Origin,
    /// The converted server, or why it cannot be converted.
    pub server: Result<ConvertedServer, EntryProblem>,
}

/// What reading the sources gave: the files read and every entry, highest precedence first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FoundServers {
    /// The files that were read.
    pub files: Vec<PathBuf>,
    /// Every entry, highest precedence first.
    pub servers: Vec<FoundServer>,
}

/// Reads the files of `from` (every source when `None`), or only `path` when given.
pub fn read_sources(
    from: Option<ImportSource>,
    path: Option<&Path>,
    locations: &ImportLocations,
) -> Result<FoundServers, ImportError> {
    let mut found = FoundServers::default();
    if let Some(path) = path {
        let path = crate::input::absolute_dir(&locations.cwd, path);
        let path = if path.is_dir() {
            path.join(match from {
                Some(ImportSource::ClaudeCode) => CLAUDE_JSON,
                Some(ImportSource::ClaudeDesktop) => DESKTOP_FILE,
                _ => MCP_JSON,
            })
        } else {
            path
        };
        let root = read_json(&path)?.ok_or_else(|| ImportError::Missing { path: path.clone() })?;
        let kind = from.unwrap_or_else(|| ImportSource::detect(&path, &root));
        read_file(kind, &path, &root, locations, &mut found)?;
        return Ok(found);
    }

    let sources: &[ImportSource] = match from {
        Some(ImportSource::ClaudeCode) => &[ImportSource::ClaudeCode],
        Some(ImportSource::ClaudeDesktop) => &[ImportSource::ClaudeDesktop],
        Some(ImportSource::McpJson) => &[ImportSource::McpJson],
        None => &[ImportSource::ClaudeCode, ImportSource::ClaudeDesktop],
    };
    let mut looked = Vec::new();
    for source in sources {
        // Claude Code reads two files: `.claude.json` (local and user scopes) and the
        // project's `.mcp.json` (project scope), which sits between them in precedence.
        let files: Vec<(ImportSource, PathBuf)> = match source {
            ImportSource::ClaudeCode => {
                let claude_json = locations.claude_json.clone().ok_or(ImportError::NoHome {
                    what: "~/.claude.json",
                })?;
                vec![
                    (ImportSource::ClaudeCode, claude_json),
                    (ImportSource::McpJson, locations.project_mcp_json()),
                ]
            }
            ImportSource::ClaudeDesktop => match &locations.claude_desktop {
                Some(file) => vec![(ImportSource::ClaudeDesktop, file.clone())],
                None if from.is_none() => Vec::new(),
                None => {
                    return Err(ImportError::NoHome {
                        what: "Claude Desktop's config",
                    });
                }
            },
            ImportSource::McpJson => vec![(ImportSource::McpJson, locations.project_mcp_json())],
        };
        for (kind, file) in files {
            looked.push(file.clone());
            if let Some(root) = read_json(&file)? {
                read_file(kind, &file, &root, locations, &mut found)?;
            }
        }
    }
    if found.files.is_empty() {
        return Err(ImportError::NothingFound { paths: looked });
    }
    found.servers.sort_by_key(|s| s.origin.scope);
    Ok(found)
}

/// The JSON object in `path`, or `None` when the file does not exist.
fn read_json(path: &Path) -> Result<Option<Map<String, Value>>, ImportError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ImportError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let value: Value = serde_json::from_str(&text).map_err(|err| ImportError::Json {
        path: path.to_path_buf(),
        line: err.line(),
        column: err.column(),
        message: json_message(&err),
    })?;
    match value {
        Value::Object(root) => Ok(Some(root)),
        other => Err(ImportError::Shape {
            path: path.to_path_buf(),
            key: "(top level)".to_string(),
            message: format!("expected an object, found {}", json_kind(&other)),
        }),
    }
}

fn read_file(
    kind: ImportSource,
    path: &Path,
    root: &Map<String, Value>,
    locations: &ImportLocations,
    found: &mut FoundServers,
) -> Result<(), ImportError> {
    found.files.push(path.to_path_buf());
    let base_dir = path.parent().unwrap_or(Path::new("/"));
    let mut add = |servers: &Map<String, Value>, scope: Scope, disabled: &[String]| {
        for (name, entry) in servers {
            let mut server = convert_entry(entry, base_dir);
            if let Ok(converted) = &mut server
                && disabled.contains(name)
                && converted.config.enabled
            {
                converted.config.enabled = false;
                converted
                    .notes
                    .push("added disabled: it is disabled in Claude Code for this folder".into());
            }
            found.servers.push(FoundServer {
                name: name.clone(),
                origin: Origin {
                    file: path.to_path_buf(),
                    scope,
                },
                server,
            });
        }
    };
    match kind {
        ImportSource::ClaudeCode => {
            let project = project_entry(path, root, &locations.cwd)?;
            let disabled = project
                .map(|p| names(p, "disabledMcpServers"))
                .unwrap_or_default();
            if let Some(project) = project
                && let Some(servers) = servers_of(path, project, "projects.<dir>.mcpServers")?
            {
                add(servers, Scope::Local, &disabled);
            }
            // `disabledMcpServers` is per folder; user servers apply everywhere, so it is
            // honoured only for this folder's local servers.
            if let Some(servers) = servers_of(path, root, "mcpServers")? {
                add(servers, Scope::User, &[]);
            }
        }
        ImportSource::ClaudeDesktop => {
            if let Some(servers) = servers_of(path, root, "mcpServers")? {
                add(servers, Scope::Desktop, &[]);
            }
        }
        ImportSource::McpJson => {
            // Claude Code records `.mcp.json` servers the user turned down in `.claude.json`.
            let disabled = locations
                .claude_json
                .as_deref()
                .and_then(|file| {
                    read_json(file)
                        .ok()
                        .flatten()
                        .map(|root| (file.to_path_buf(), root))
                })
                .and_then(|(file, root)| {
                    project_entry(&file, &root, &locations.cwd)
                        .ok()
                        .flatten()
                        .map(|p| names(p, "disabledMcpjsonServers"))
                })
                .unwrap_or_default();
            if let Some(servers) = servers_of(path, root, "mcpServers")? {
                add(servers, Scope::Project, &disabled);
            }
        }
    }
    Ok(())
}

/// `projects."<dir>"` of `.claude.json` for the working folder, or for its repository root.
fn project_entry<'a>(
    path: &Path,
    root: &'a Map<String, Value>,
    cwd: &Path,
) -> Result<Option<&'a Map<String, Value>>, ImportError> {
    let Some(projects) = root.get("projects") else {
        return Ok(None);
    };
    let Value::Object(projects) = projects else {
        return Err(ImportError::Shape {
            path: path.to_path_buf(),
            key: "projects".to_string(),
            message: format!("expected an object, found {}", json_kind(projects)),
        });
    };
    let mut candidates = vec![cwd.to_path_buf()];
    candidates.extend(cwd.canonicalize().ok());
    if let Some(root) = repo_root(cwd) {
        candidates.extend(root.canonicalize().ok());
        candidates.push(root);
    }
    Ok(candidates
        .iter()
        .find_map(|dir| projects.get(dir.to_str()?).and_then(Value::as_object)))
}

/// The `mcpServers` object of `table`, if it has one.
fn servers_of<'a>(
    path: &Path,
    table: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a Map<String, Value>>, ImportError> {
    match table.get("mcpServers") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(servers)) => Ok(Some(servers)),
        Some(other) => Err(ImportError::Shape {
            path: path.to_path_buf(),
            key: key.to_string(),
            message: format!("expected an object of servers, found {}", json_kind(other)),
        }),
    }
}

/// A list of names (`disabledMcpServers`); anything else counts as empty.
fn names(table: &Map<String, Value>, key: &str) -> Vec<String> {
    table
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
