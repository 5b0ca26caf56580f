//! What an import would do to the user config, and doing it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use mcpctl_config::{
    LayerSource, LayerStack, McpServerConfig, ServerName, UpsertMode, build_config,
};

use super::error::{EntryProblem, ImportError};
use super::names::{map_server_name, unique_name};
use super::sources::{ImportLocations, ImportSource, Origin, read_sources};
use crate::ops::AddRequest;
use crate::workspace::Workspace;

/// What to import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRequest {
    /// Where from; every source when `None` (or the kind of `path`, detected).
    pub from: Option<ImportSource>,
    /// One file (or a folder holding it) to read instead of the usual locations.
    pub path: Option<PathBuf>,
    /// Only these servers (by their name in the file or their mcpctl name); all when empty.
    pub only: Vec<String>,
    /// Replace servers that already exist in the user config.
    pub replace: bool,
}

/// What the import would do with one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportAction {
    /// It is new: it will be added.
    Add,
    /// A user-config server of that name exists and `replace` was asked for.
    Replace,
    /// The user config already holds exactly this server: nothing to do.
    Unchanged,
    /// A user-config server of that name exists and differs; `replace` was not asked for.
    Exists,
    /// A server of that name is defined in a file mcpctl does not write.
    NotUserDefined {
        /// That file.
        file: PathBuf,
        /// Its kind (`system`, `project`, `managed`).
        kind: &'static str,
    },
}

impl ImportAction {
    /// Why the server cannot be written, when it cannot.
    pub fn blocked_because(&self, target: &Path) -> Option<String> {
        match self {
            ImportAction::Add | ImportAction::Replace | ImportAction::Unchanged => None,
            ImportAction::Exists => Some(format!(
                "already exists in {} and differs; pass --replace to overwrite it, or leave it out with --only",
                target.display()
            )),
            ImportAction::NotUserDefined { file, kind } => Some(format!(
                "a server of that name is defined in {} ({kind} config), which mcpctl does not write; leave it out with --only",
                file.display()
            )),
        }
    }
}

/// One server the import would write (or cannot).
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedServer {
    /// Its mcpctl name.
    pub name: ServerName,
    /// Its name in the file it came from.
    pub source_name: String,
    /// Where it came from.
    pub origin: Origin,
    /// Its configuration.
    pub config: McpServerConfig,
    /// What the import does with it.
    pub action: ImportAction,
    /// What changed on the way (renamed, env passed through, keys dropped ...).
    pub notes: Vec<String>,
}

/// A server entry the import leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedServer {
    /// Its name in the file.
    pub source_name: String,
    /// Where it came from.
    pub origin: Origin,
    /// Why it is left out.
    pub reason: SkipReason,
}

/// Why an entry is left out of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A source of higher precedence defines the same name (Claude uses that one).
    Shadowed {
        /// Where the definition that wins is.
        by: Origin,
    },
    /// The entry cannot become an mcpctl server.
    Unusable(EntryProblem),
    /// No valid mcpctl name could be made from its name.
    BadName(String),
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Shadowed { by } => write!(f, "shadowed by the same name in {by}"),
            SkipReason::Unusable(problem) => problem.fmt(f),
            SkipReason::BadName(why) => f.write_str(why),
        }
    }
}

/// Everything an import would do; [`Workspace::write_import`] does it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    /// The files read.
    pub files: Vec<PathBuf>,
    /// The file that would be written (the user config).
    pub target: PathBuf,
    /// Servers to write (or that cannot be), in precedence order.
    pub servers: Vec<PlannedServer>,
    /// Entries left out, and why.
    pub skipped: Vec<SkippedServer>,
    /// Entries left out because `--only` did not name them.
    pub not_selected: usize,
}

impl ImportPlan {
    /// The servers that cannot be written, with the reason; `write_import` refuses while any
    /// is left.
    pub fn blocked(&self) -> Vec<(String, String)> {
        self.servers
            .iter()
            .filter_map(|s| {
                s.action
                    .blocked_because(&self.target)
                    .map(|why| (s.name.to_string(), why))
            })
            .collect()
    }

    /// The servers `write_import` would write.
    pub fn to_write(&self) -> impl Iterator<Item = &PlannedServer> {
        self.servers
            .iter()
            .filter(|s| matches!(s.action, ImportAction::Add | ImportAction::Replace))
    }
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    /// The file written.
    pub path: PathBuf,
    /// Servers added.
    pub added: Vec<ServerName>,
    /// Servers replaced.
    pub replaced: Vec<ServerName>,
    /// Warnings of the edits (the policy disables a server, a higher layer overrides a key).
    pub warnings: Vec<String>,
}

impl Workspace {
    /// Reads the sources and works out what importing them would do. Reads only: nothing is
    /// written, nothing is started.
    pub fn plan_import(
        &self,
        request: &ImportRequest,
        locations: &ImportLocations,
    ) -> Result<ImportPlan, ImportError> {
        let found = read_sources(request.from, request.path.as_deref(), locations)?;
        let mapped_base = |name: &str| map_server_name(name).ok().map(|n| n.to_string());

        for wanted in &request.only {
            let known = found
                .servers
                .iter()
                .any(|s| s.name == *wanted || mapped_base(&s.name).as_deref() == Some(wanted));
            if !known {
                let names: Vec<String> = found.servers.iter().map(|s| s.name.clone()).collect();
                return Err(ImportError::UnknownOnly {
                    name: wanted.clone(),
                    suggestion: mcpctl_fuzzy_match::did_you_mean(
                        wanted,
                        names.iter().map(String::as_str),
                    )
                    .map(str::to_string),
                    found: names,
                });
            }
        }

        let mut plan = ImportPlan {
            files: found.files,
            target: self.paths().user_config(),
            servers: Vec::new(),
            skipped: Vec::new(),
            not_selected: 0,
        };
        let mut seen: BTreeMap<String, Origin> = BTreeMap::new();
        let mut taken: BTreeSet<String> = BTreeSet::new();
        for entry in found.servers {
            let selected = request.only.is_empty()
                || request.only.iter().any(|wanted| {
                    *wanted == entry.name || mapped_base(&entry.name).as_deref() == Some(wanted)
                });
            // Claude uses the definition of the highest scope; the others are shadowed.
            if let Some(winner) = seen.get(&entry.name) {
                if selected {
                    plan.skipped.push(SkippedServer {
                        reason: SkipReason::Shadowed { by: winner.clone() },
                        source_name: entry.name,
                        origin: entry.origin,
                    });
                }
                continue;
            }
            seen.insert(entry.name.clone(), entry.origin.clone());
            if !selected {
                plan.not_selected += 1;
                continue;
            }
            let converted = match entry.server {
                Ok(converted) => converted,
                Err(problem) => {
                    plan.skipped.push(SkippedServer {
                        source_name: entry.name,
                        origin: entry.origin,
                        reason: SkipReason::Unusable(problem),
                    });
                    continue;
                }
            };
            let name = match map_server_name(&entry.name).and_then(|n| unique_name(&n, &taken)) {
                Ok(name) => name,
                Err(err) => {
                    plan.skipped.push(SkippedServer {
                        source_name: entry.name,
                        origin: entry.origin,
                        reason: SkipReason::BadName(err.to_string()),
                    });
                    continue;
                }
            };
            taken.insert(name.to_string());
            let mut notes = Vec::new();
            if name.as_str() != entry.name {
                notes.push(rename_note(&entry.name, &name));
            }
            notes.extend(converted.notes);
            let action = self.import_action(&name, &converted.config, request.replace);
            plan.servers.push(PlannedServer {
                name,
                source_name: entry.name,
                origin: entry.origin,
                config: converted.config,
                action,
                notes,
            });
        }
        Ok(plan)
    }

    fn import_action(
        &self,
        name: &ServerName,
        config: &McpServerConfig,
        replace: bool,
    ) -> ImportAction {
        let Some(existing) = self.servers().get(name.as_str()) else {
            return ImportAction::Add;
        };
        match existing.source() {
            LayerSource::User(_) if existing.config() == config => ImportAction::Unchanged,
            LayerSource::User(_) if replace => ImportAction::Replace,
            LayerSource::User(_) => ImportAction::Exists,
            other => ImportAction::NotUserDefined {
                file: other.path().map(Path::to_path_buf).unwrap_or_default(),
                kind: other.kind(),
            },
        }
    }

    /// Writes a plan made by [`Workspace::plan_import`] through the config writer: every server
    /// or none. It refuses before writing anything while any server is blocked; should a write
    /// fail part way, the servers written before it are removed again (and replaced ones
    /// restored).
    pub fn write_import(&self, plan: &ImportPlan) -> Result<ImportOutcome, ImportError> {
        let blocked = plan.blocked();
        if !blocked.is_empty() {
            return Err(ImportError::Blocked { blocked });
        }
        let previous = self.user_layer_servers();
        let mut outcome = ImportOutcome {
            path: plan.target.clone(),
            added: Vec::new(),
            replaced: Vec::new(),
            warnings: Vec::new(),
        };
        for server in plan.to_write() {
            let replace = server.action == ImportAction::Replace;
            let request = AddRequest {
                name: server.name.clone(),
                config: server.config.clone(),
                replace,
            };
            match self.add_server(request) {
                Ok(edit) => {
                    outcome.path = edit.path;
                    outcome.warnings.extend(edit.warnings);
                    if replace {
                        outcome.replaced.push(server.name.clone());
                    } else {
                        outcome.added.push(server.name.clone());
                    }
                }
                Err(source) => {
                    let rollback = self.undo_import(&outcome, &previous);
                    return Err(ImportError::Write {
                        name: server.name.to_string(),
                        source: Box::new(source),
                        rollback,
                    });
                }
            }
        }
        Ok(outcome)
    }

    /// The servers as the user config alone defines them (no other layer merged in), to put
    /// back a replaced server exactly as the user file had it.
    fn user_layer_servers(&self) -> BTreeMap<ServerName, McpServerConfig> {
        self.loaded()
            .stack
            .layers()
            .iter()
            .find(|layer| matches!(layer.source(), LayerSource::User(_)))
            .and_then(|layer| build_config(&LayerStack::new(vec![layer.clone()])).ok())
            .map(|(config, _)| {
                config
                    .mcp_servers
                    .into_iter()
                    .map(|(name, entry)| (name, entry.config))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Removes the servers an interrupted import added and puts back the ones it replaced;
    /// says what became of the file.
    fn undo_import(
        &self,
        done: &ImportOutcome,
        previous: &BTreeMap<ServerName, McpServerConfig>,
    ) -> String {
        if done.added.is_empty() && done.replaced.is_empty() {
            return format!("nothing was written to {}", done.path.display());
        }
        let writer = self.writer();
        let mut left = Vec::new();
        for name in &done.added {
            if writer.remove_server(name, None).is_err() {
                left.push(name.to_string());
            }
        }
        for name in &done.replaced {
            let restored = previous.get(name).is_some_and(|config| {
                writer
                    .upsert_server(name, config, UpsertMode::Replace, None)
                    .is_ok()
            });
            if !restored {
                left.push(name.to_string());
            }
        }
        if left.is_empty() && done.replaced.is_empty() {
            format!(
                "the servers added before it were taken out again; {} holds what it held before",
                done.path.display()
            )
        } else if left.is_empty() {
            format!(
                "the servers written before it were taken out again, and the replaced ones written back as they were (comments inside their tables may be lost) in {}",
                done.path.display()
            )
        } else {
            format!(
                "{} still holds these imported servers, which could not be taken out: {}",
                done.path.display(),
                left.join(", ")
            )
        }
    }
}

fn rename_note(source_name: &str, name: &ServerName) -> String {
    let base = map_server_name(source_name).ok();
    if base.as_ref() == Some(name) {
        format!(
            "renamed from {source_name:?}: mcpctl names use letters, digits and - _ : @ / . only"
        )
    } else {
        format!("renamed from {source_name:?}: another imported server already took that name")
    }
}

#[allow(clippy::disallowed_methods)]
#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::LoadOptions;
    use mcpctl_config::Paths;
    use pretty_assertions::assert_eq;

    const ORIGINAL: &str = "# mine\nmodel = \"o3\"\n\n[mcp_servers.a]\ncommand = \"old\"\nargs = [\"x\"]\n\n[mcp_servers.a.env]\nK = \"v\"\n";

    fn setup() -> (tempfile::TempDir, Workspace, ImportLocations) {
        let dir = tempfile::tempdir().unwrap();
        let (home, work) = (dir.path().join("home"), dir.path().join("work"));
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&work).unwrap();
        std::fs::write(home.join("config.toml"), ORIGINAL).unwrap();
        std::fs::write(
            work.join(".mcp.json"),
            r#"{"mcpServers": {"a": {"command": "new"}, "b c": {"command": "b"}, "b-c": {"url": "http://127.0.0.1:1/mcp"}}}"#,
        )
        .unwrap();
        let workspace = Workspace::load(LoadOptions {
            cwd: work.clone(),
            paths: Paths::new(home, dir.path().join("sys")),
            overrides: Vec::new(),
            notice: None,
        })
        .unwrap();
        let locations = ImportLocations {
            cwd: work,
            claude_json: None,
            claude_desktop: None,
        };
        (dir, workspace, locations)
    }

    fn request(replace: bool) -> ImportRequest {
        ImportRequest {
            from: Some(ImportSource::McpJson),
            replace,
            ..ImportRequest::default()
        }
    }

    #[test]
    fn names_that_collide_after_mapping_get_a_number() {
        let (_dir, workspace, locations) = setup();
        let plan = workspace.plan_import(&request(false), &locations).unwrap();
        let names: Vec<(&str, &str)> = plan
            .servers
            .iter()
            .map(|s| (s.source_name.as_str(), s.name.as_str()))
            .collect();
        assert_eq!(names, [("a", "a"), ("b c", "b-c"), ("b-c", "b-c-2")]);
        assert_eq!(plan.servers[0].action, ImportAction::Exists);
        assert!(plan.servers[2].notes[0].contains("another imported server"));
        assert!(matches!(
            workspace.write_import(&plan),
            Err(ImportError::Blocked { .. })
        ));
    }

    #[test]
    fn an_interrupted_import_is_undone() {
        let (dir, workspace, locations) = setup();
        let plan = workspace.plan_import(&request(true), &locations).unwrap();
        let outcome = workspace.write_import(&plan).unwrap();
        assert_eq!(outcome.added.len(), 2);
        assert_eq!(outcome.replaced.len(), 1);
        let config = dir.path().join("home/config.toml");
        assert_ne!(std::fs::read_to_string(&config).unwrap(), ORIGINAL);
        // As if the next write had failed: everything written so far is taken back out.
        let said = workspace.undo_import(&outcome, &workspace.user_layer_servers());
        assert!(said.contains("written back"), "{said}");
        assert_eq!(std::fs::read_to_string(&config).unwrap(), ORIGINAL);
    }
}
