//! Configuration layers: parsing one file with source spans, and merging a stack of them.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde::Serialize;
use toml::{Table, Value};

use crate::error::ConfigError;
use crate::keypath::KeyPath;
use crate::writer::Version;

/// Where a layer comes from, lowest precedence first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "path", rename_all = "snake_case")]
pub enum LayerSource {
    /// Values built into mcpctl.
    Defaults,
    /// `/etc/mcpctl/config.toml` (or the relocated system folder).
    System(PathBuf),
    /// `$MCPCTL_HOME/config.toml`.
    User(PathBuf),
    /// A trusted project's `.mcpctl/config.toml`.
    Project(PathBuf),
    /// A managed config file that users cannot override.
    Managed(PathBuf),
    /// One `-c key=value` (or `--enable`/`--disable`) flag, as typed (`-c a.b=1`).
    Override(String),
}

impl LayerSource {
    /// The file of this layer, if it is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            LayerSource::System(p)
            | LayerSource::User(p)
            | LayerSource::Project(p)
            | LayerSource::Managed(p) => Some(p),
            LayerSource::Defaults | LayerSource::Override(_) => None,
        }
    }

    /// A short word for the kind of layer (`system`, `user`, `project`, `managed`, `-c`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            LayerSource::Defaults => "default",
            LayerSource::System(_) => "system",
            LayerSource::User(_) => "user",
            LayerSource::Project(_) => "project",
            LayerSource::Managed(_) => "managed",
            LayerSource::Override(_) => "override",
        }
    }
}

impl fmt::Display for LayerSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayerSource::Defaults => f.write_str("built-in default"),
            LayerSource::Override(raw) => f.write_str(raw),
            other => match other.path() {
                Some(path) => write!(f, "{}", path.display()),
                None => Ok(()),
            },
        }
    }
}

/// A file position, 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The layer the position is in.
    pub source: LayerSource,
    /// 1-based line (0 when not known).
    pub line: usize,
    /// 1-based column (0 when not known).
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.source)
        } else {
            write!(f, "{}:{}:{}", self.source, self.line, self.column)
        }
    }
}

/// One parsed layer: its values and where each key sits in its text.
#[derive(Debug, Clone)]
pub struct Layer {
    source: LayerSource,
    table: Table,
    spans: BTreeMap<KeyPath, Range<usize>>,
    text: Arc<str>,
    /// The digest of `text`, computed on first use (clones made after that share the work).
    version: OnceLock<Version>,
}

impl Layer {
    /// Parses the TOML `text` of a layer; syntax errors carry `path:line:column` and a snippet.
    pub fn parse(source: LayerSource, text: &str) -> Result<Self, ConfigError> {
        let doc = toml_edit::Document::parse(text.to_string())
            .map_err(|err| syntax_error(&source, text, err.span(), err.message()))?;
        let mut spans = BTreeMap::new();
        let table = convert_table(doc.as_table(), &mut Vec::new(), &mut spans);
        Ok(Self {
            source,
            table,
            spans,
            text: Arc::from(text),
            version: OnceLock::new(),
        })
    }

    /// Reads and parses a file; a missing file is `Ok(None)`. A file that another user could
    /// have written (or whose folder they can write) is refused.
    pub fn load(source: LayerSource) -> Result<Option<Self>, ConfigError> {
        let Some(path) = source.path() else {
            return Ok(None);
        };
        // As ssh's StrictModes: a file (or its folder) that another user can write could make
        // mcpctl run that user's programs as you.
        mcpctl_private_file::check_private(path)?;
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(source, &text).map(Some),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(ConfigError::Read {
                path: path.to_path_buf(),
                source: err,
            }),
        }
    }

    /// A layer holding one value at `key_path` (used for `-c` overrides and defaults).
    pub fn single(source: LayerSource, key_path: &[String], value: Value) -> Self {
        let mut table = Table::new();
        insert_path(&mut table, key_path, value);
        Self {
            source,
            table,
            spans: BTreeMap::new(),
            text: Arc::from(""),
            version: OnceLock::new(),
        }
    }

    /// A layer made of values built in code (no text, no spans).
    pub fn from_table(source: LayerSource, table: Table) -> Self {
        Self {
            source,
            table,
            spans: BTreeMap::new(),
            text: Arc::from(""),
            version: OnceLock::new(),
        }
    }

    /// Where this layer comes from.
    pub fn source(&self) -> &LayerSource {
        &self.source
    }

    /// The layer's values.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The version (content digest) of the text this layer was parsed from: what a writer's
    /// `expected_version` is compared against while the file is unchanged. Computed once.
    pub fn version(&self) -> &Version {
        self.version
            .get_or_init(|| Version::of(self.text.as_bytes()))
    }

    /// The 1-based position of `key_path`'s value in this layer, if it was read from a file.
    pub fn locate(&self, key_path: &[String]) -> Option<Location> {
        let span = self.spans.get(key_path)?;
        let (line, column) = line_column(&self.text, span.start);
        Some(Location {
            source: self.source.clone(),
            line,
            column,
        })
    }
}

/// Builds the error for text that is not valid TOML.
pub(crate) fn syntax_error(
    source: &LayerSource,
    text: &str,
    span: Option<Range<usize>>,
    message: &str,
) -> ConfigError {
    let offset = span.map(|s| s.start).unwrap_or(0).min(text.len());
    let (line, column) = line_column(text, offset);
    let source_line = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let source_line = crate::snippet::masked_line(text, line, source_line);
    let caret = format!("{}^", " ".repeat(column.saturating_sub(1)));
    ConfigError::Syntax {
        location: format!("{source}:{line}:{column}"),
        message: message.trim().to_string(),
        snippet: format!(
            "  {line} | {source_line}\n  {} | {caret}",
            " ".repeat(digits(line))
        ),
    }
}

fn digits(n: usize) -> usize {
    n.to_string().len()
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before
        .get(line_start..)
        .map(|s| s.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}

fn insert_path(table: &mut Table, key_path: &[String], value: Value) {
    let Some((last, parents)) = key_path.split_last() else {
        return;
    };
    let mut current = table;
    for key in parents {
        let entry = current
            .entry(key.clone())
            .or_insert_with(|| Value::Table(Table::new()));
        if !entry.is_table() {
            *entry = Value::Table(Table::new());
        }
        let Value::Table(next) = entry else {
            return;
        };
        current = next;
    }
    current.insert(last.clone(), value);
}

fn convert_table(
    table: &toml_edit::Table,
    path: &mut Vec<String>,
    spans: &mut BTreeMap<KeyPath, Range<usize>>,
) -> Table {
    let mut out = Table::new();
    for (key, item) in table.iter() {
        path.push(key.to_string());
        let span = table
            .key(key)
            .and_then(|k| k.span())
            .or_else(|| item.span());
        if let Some(span) = span {
            spans.insert(path.clone(), span);
        }
        if let Some(value) = convert_item(item, path, spans) {
            out.insert(key.to_string(), value);
        }
        path.pop();
    }
    out
}

fn convert_item(
    item: &toml_edit::Item,
    path: &mut Vec<String>,
    spans: &mut BTreeMap<KeyPath, Range<usize>>,
) -> Option<Value> {
    match item {
        toml_edit::Item::None => None,
        toml_edit::Item::Value(value) => Some(convert_value(value, path, spans)),
        toml_edit::Item::Table(table) => Some(Value::Table(convert_table(table, path, spans))),
        toml_edit::Item::ArrayOfTables(array) => Some(Value::Array(
            array
                .iter()
                .map(|t| Value::Table(convert_table(t, path, spans)))
                .collect(),
        )),
    }
}

fn convert_value(
    value: &toml_edit::Value,
    path: &mut Vec<String>,
    spans: &mut BTreeMap<KeyPath, Range<usize>>,
) -> Value {
    match value {
        toml_edit::Value::String(s) => Value::String(s.value().clone()),
        toml_edit::Value::Integer(i) => Value::Integer(*i.value()),
        toml_edit::Value::Float(f) => Value::Float(*f.value()),
        toml_edit::Value::Boolean(b) => Value::Boolean(*b.value()),
        toml_edit::Value::Datetime(d) => Value::Datetime(*d.value()),
        toml_edit::Value::Array(array) => Value::Array(
            array
                .iter()
                .map(|v| convert_value(v, path, spans))
                .collect(),
        ),
        toml_edit::Value::InlineTable(inline) => {
            let mut out = Table::new();
            for (key, v) in inline.iter() {
                path.push(key.to_string());
                let span = inline.key(key).and_then(|k| k.span()).or_else(|| v.span());
                if let Some(span) = span {
                    spans.insert(path.clone(), span);
                }
                out.insert(key.to_string(), convert_value(v, path, spans));
                path.pop();
            }
            Value::Table(out)
        }
    }
}

/// The merged view of all layers, remembering which layer set each value.
#[derive(Debug, Clone, Default)]
pub struct LayerStack {
    layers: Vec<Layer>,
    merged: Table,
    origin: BTreeMap<KeyPath, usize>,
}

impl LayerStack {
    /// Merges `layers`, lowest precedence first: tables merge key by key recursively; scalars
    /// and arrays replace.
    pub fn new(layers: Vec<Layer>) -> Self {
        let mut merged = Table::new();
        let mut origin = BTreeMap::new();
        for (index, layer) in layers.iter().enumerate() {
            merge_into(
                &mut merged,
                &layer.table,
                &mut Vec::new(),
                index,
                &mut origin,
            );
        }
        Self {
            layers,
            merged,
            origin,
        }
    }

    /// The layers, lowest precedence first.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The merged values.
    pub fn merged(&self) -> &Table {
        &self.merged
    }

    /// The merged value at `key_path`, if any.
    pub fn get(&self, key_path: &[String]) -> Option<&Value> {
        let (first, rest) = key_path.split_first()?;
        let mut value = self.merged.get(first)?;
        for key in rest {
            value = value.as_table()?.get(key)?;
        }
        Some(value)
    }

    /// The layer that set the value at `key_path`: for a table, the highest layer that set
    /// any value inside it.
    pub fn origin(&self, key_path: &[String]) -> Option<&Layer> {
        if let Some(index) = self.origin.get(key_path) {
            return self.layers.get(*index);
        }
        self.origin
            .iter()
            .filter(|(path, _)| path.starts_with(key_path))
            .map(|(_, index)| *index)
            .max()
            .and_then(|index| self.layers.get(index))
    }

    /// Every leaf key path under `prefix` (all of them for an empty prefix) with the layer that
    /// set it, in key order.
    pub fn leaves(&self, prefix: &[String]) -> Vec<(&KeyPath, &Layer)> {
        self.origin
            .iter()
            .filter(|(path, _)| path.starts_with(prefix))
            .filter_map(|(path, index)| self.layers.get(*index).map(|layer| (path, layer)))
            .collect()
    }

    /// Where the value at `key_path` was written, for error messages.
    pub fn locate(&self, key_path: &[String]) -> Option<Location> {
        let layer = self.origin(key_path)?;
        layer.locate(key_path).or_else(|| {
            Some(Location {
                source: layer.source.clone(),
                line: 0,
                column: 0,
            })
        })
    }
}

fn merge_into(
    base: &mut Table,
    upper: &Table,
    path: &mut Vec<String>,
    index: usize,
    origin: &mut BTreeMap<KeyPath, usize>,
) {
    for (key, value) in upper {
        path.push(key.clone());
        match (base.get_mut(key), value) {
            (Some(Value::Table(base_table)), Value::Table(upper_table)) => {
                merge_into(base_table, upper_table, path, index, origin);
            }
            _ => {
                origin.retain(|p, _| !p.starts_with(path.as_slice()));
                record_leaves(value, path, index, origin);
                base.insert(key.clone(), value.clone());
            }
        }
        path.pop();
    }
}

fn record_leaves(
    value: &Value,
    path: &mut Vec<String>,
    index: usize,
    origin: &mut BTreeMap<KeyPath, usize>,
) {
    match value {
        Value::Table(table) if !table.is_empty() => {
            for (key, inner) in table {
                path.push(key.clone());
                record_leaves(inner, path, index, origin);
                path.pop();
            }
        }
        _ => {
            origin.insert(path.clone(), index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn kp(s: &str) -> Vec<String> {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn syntax_error_names_line_column_and_shows_line() {
        let err = Layer::parse(
            LayerSource::User(PathBuf::from("/h/config.toml")),
            "a = 1\n[mcp_servers.x]\ncommand = = 2\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("/h/config.toml:3:11: "), "{err}");
        assert!(err.contains("3 | command = = 2"), "{err}");
        assert!(err.contains("|           ^"), "{err}");
    }

    #[test]
    fn merge_tables_recursively_and_replace_scalars_and_arrays() {
        let low = Layer::parse(
            LayerSource::System(PathBuf::from("/sys.toml")),
            "[mcp_servers.a]\ncommand = \"x\"\nargs = [\"1\", \"2\"]\n[mcp_servers.a.env]\nA = \"1\"\n",
        )
        .unwrap();
        let high = Layer::parse(
            LayerSource::User(PathBuf::from("/user.toml")),
            "[mcp_servers.a]\nargs = [\"3\"]\n[mcp_servers.a.env]\nB = \"2\"\n",
        )
        .unwrap();
        let stack = LayerStack::new(vec![low, high]);
        let a = stack.get(&kp("mcp_servers.a")).unwrap().as_table().unwrap();
        assert_eq!(a["command"].as_str(), Some("x"));
        assert_eq!(a["args"].as_array().unwrap().len(), 1);
        assert_eq!(a["env"].as_table().unwrap().len(), 2);
        assert_eq!(
            stack
                .origin(&kp("mcp_servers.a.args"))
                .unwrap()
                .source()
                .kind(),
            "user"
        );
        assert_eq!(
            stack
                .origin(&kp("mcp_servers.a.command"))
                .unwrap()
                .source()
                .kind(),
            "system"
        );
        let loc = stack.locate(&kp("mcp_servers.a.args")).unwrap();
        assert_eq!(loc.to_string(), "/user.toml:2:1");
    }

    #[test]
    fn scalar_replacing_table_drops_inner_origins() {
        let low = Layer::parse(LayerSource::Defaults, "[f]\na = true\n").unwrap();
        let high = Layer::single(
            LayerSource::Override("f=1".into()),
            &kp("f"),
            Value::Integer(1),
        );
        let stack = LayerStack::new(vec![low, high]);
        assert_eq!(stack.leaves(&[]).len(), 1);
        assert_eq!(stack.origin(&kp("f")).unwrap().source().kind(), "override");
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("ab\ncé d", 7), (2, 4));
    }
}
