//! A server's content and where it sits in a document.

use super::*;

/// The top-level table holding one sub-table per MCP server.
pub(super) const SERVERS: &str = "mcp_servers";

/// Keys that describe how a server is reached; `enabled = false` is inserted after the last one.
pub(super) const TRANSPORT_KEYS: [&str; 7] = [
    "command",
    "args",
    "env_vars",
    "cwd",
    "url",
    "transport",
    "bearer_token_env_var",
];

// ---------------------------------------------------------------------------------------------
// Server content.

/// A server's keys in the order they are written, plus its maps written as sub-tables.
pub(super) struct ServerContent {
    pub(super) values: Vec<(&'static str, Value)>,
    pub(super) maps: Vec<(&'static str, Vec<(String, Value)>)>,
    /// `[mcp_servers.<name>.tools.<tool>]` tables, by tool name.
    pub(super) tools: Vec<(String, Vec<(String, Value)>)>,
}

impl ServerContent {
    /// The keys of a server as the raw format ([`crate::raw::RawServer`]) writes them, in its
    /// field order: values first, then its tables, then `[tools.<tool>]`.
    pub(super) fn new(
        name: &ServerName,
        server: &McpServerConfig,
        path: &Path,
    ) -> Result<Self, WriteError> {
        let invalid = |key: &str, reason: String| WriteError::Invalid {
            key: display_key_path(&[SERVERS.to_string(), name.to_string(), key.to_string()]),
            reason,
            path: path.to_path_buf(),
        };
        let raw = crate::convert::raw_server(server)
            .map_err(|err| invalid(err.key, err.message.to_string()))?;
        let json = serde_json::to_value(&raw).map_err(|err| invalid("", err.to_string()))?;
        let fields = crate::raw::field_names::<crate::raw::RawServer>();
        let mut values: Vec<(&'static str, Value)> = Vec::new();
        let mut maps: Vec<(&'static str, Vec<(String, Value)>)> = Vec::new();
        let mut tools = Vec::new();
        for (key, value) in json.as_object().into_iter().flatten() {
            let Some(key) = fields.iter().copied().find(|field| field == key) else {
                continue;
            };
            match value {
                serde_json::Value::Object(entries) if key == "tools" => {
                    for (tool, settings) in entries {
                        let settings = settings
                            .as_object()
                            .into_iter()
                            .flatten()
                            .map(|(k, v)| (k.clone(), edit_value(v)))
                            .collect();
                        tools.push((tool.clone(), settings));
                    }
                }
                serde_json::Value::Object(entries) => maps.push((
                    key,
                    entries
                        .iter()
                        .map(|(k, v)| (k.clone(), edit_value(v)))
                        .collect(),
                )),
                other => values.push((key, edit_value(other))),
            }
        }
        Ok(Self {
            values,
            maps,
            tools,
        })
    }

    /// The first key written, whose line carries the comment above a dotted-key server.
    pub(super) fn first_key(&self) -> Option<&'static str> {
        self.values.first().map(|(k, _)| *k)
    }

    /// Fills a `[mcp_servers.<name>]` table; maps become sub-tables at `position` so they are
    /// printed right after the server's own header.
    pub(super) fn fill_table(&self, table: &mut Table, position: Option<isize>) {
        for (key, value) in &self.values {
            table.insert(key, Item::Value(value.clone()));
        }
        for (key, entries) in &self.maps {
            let mut sub = Table::new();
            sub.set_position(position);
            for (k, v) in entries {
                sub.insert(k, Item::Value(v.clone()));
            }
            table.insert(key, Item::Table(sub));
        }
        if !self.tools.is_empty() {
            // Implicit, so only `[mcp_servers.<name>.tools.<tool>]` headers are written.
            let mut tools = Table::new();
            tools.set_implicit(true);
            tools.set_position(position);
            for (tool, entries) in &self.tools {
                let mut sub = Table::new();
                sub.set_position(position);
                for (k, v) in entries {
                    sub.insert(k, Item::Value(v.clone()));
                }
                tools.insert(tool, Item::Table(sub));
            }
            table.insert("tools", Item::Table(tools));
        }
    }

    /// Fills a dotted-key server (`x.command = ...`): maps become inline tables so the server
    /// stays on consecutive lines where it was.
    pub(super) fn fill_dotted(&self, table: &mut Table) {
        for (key, value) in &self.values {
            table.insert(key, Item::Value(value.clone()));
        }
        for (key, entries) in &self.maps {
            table.insert(key, Item::Value(Value::InlineTable(inline(entries))));
        }
        if let Some(tools) = self.inline_tools() {
            table.insert("tools", Item::Value(Value::InlineTable(tools)));
        }
    }

    /// The `tools` tables as one inline table of inline tables, when there are any.
    fn inline_tools(&self) -> Option<InlineTable> {
        (!self.tools.is_empty()).then(|| {
            let mut tools = InlineTable::new();
            for (tool, entries) in &self.tools {
                tools.insert(tool.as_str(), Value::InlineTable(inline(entries)));
            }
            tools
        })
    }

    /// The server as one inline table (`x = { command = ... }`).
    pub(super) fn to_inline(&self) -> InlineTable {
        let mut table = InlineTable::new();
        for (key, value) in &self.values {
            table.insert(*key, value.clone());
        }
        for (key, entries) in &self.maps {
            table.insert(*key, Value::InlineTable(inline(entries)));
        }
        if let Some(tools) = self.inline_tools() {
            table.insert("tools", Value::InlineTable(tools));
        }
        table
    }
}

/// A JSON value of a serialised raw type as a TOML value (the raw types hold strings, booleans,
/// numbers and arrays of them).
fn edit_value(value: &serde_json::Value) -> Value {
    match value {
        serde_json::Value::String(text) => Value::from(text.as_str()),
        serde_json::Value::Bool(on) => Value::from(*on),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => Value::from(i),
            _ => Value::from(n.as_f64().unwrap_or_default()),
        },
        serde_json::Value::Array(items) => Value::Array(items.iter().map(edit_value).collect()),
        serde_json::Value::Object(entries) => Value::InlineTable(
            entries
                .iter()
                .map(|(k, v)| (k.as_str(), edit_value(v)))
                .collect(),
        ),
        serde_json::Value::Null => Value::from(""),
    }
}

pub(super) fn inline(entries: &[(String, Value)]) -> InlineTable {
    let mut table = InlineTable::new();
    for (k, v) in entries {
        table.insert(k.as_str(), v.clone());
    }
    table
}

pub(super) fn server_path(name: &ServerName) -> Vec<String> {
    vec![SERVERS.to_string(), name.to_string()]
}

// ---------------------------------------------------------------------------------------------
// Document edits.

/// Where a server is defined.
pub(super) enum ServerForm {
    /// `[mcp_servers.x]` (or only implied by `[mcp_servers.x.env]`).
    Header,
    /// `x.command = ...` inside `[mcp_servers]` (or `mcp_servers.x.command = ...`).
    Dotted,
    /// `x = { ... }`, or anything inside an inline `mcp_servers = { ... }`.
    Inline,
    /// Something that is not a table at all (`x = "..."`); it can only be removed.
    Invalid(&'static str),
}

pub(super) fn not_a_table(key: &[String], item: &Item, path: &Path) -> WriteError {
    WriteError::NotATable {
        key: display_key_path(key),
        found: item.type_name(),
        path: path.to_path_buf(),
    }
}

/// How `name` is defined, or `None` when it is not; errors when `mcp_servers` is not a table.
pub(super) fn server_form(
    doc: &DocumentMut,
    name: &ServerName,
    path: &Path,
) -> Result<Option<ServerForm>, WriteError> {
    let servers_key = [SERVERS.to_string()];
    let item = match doc.get(SERVERS) {
        None => return Ok(None),
        Some(Item::Table(servers)) => servers.get(name.as_str()),
        Some(Item::Value(Value::InlineTable(servers))) => {
            return Ok(servers.get(name.as_str()).map(|value| match value {
                Value::InlineTable(_) => ServerForm::Inline,
                other => ServerForm::Invalid(other.type_name()),
            }));
        }
        Some(other) => return Err(not_a_table(&servers_key, other, path)),
    };
    Ok(item.map(|item| match item {
        Item::Table(t) if t.is_dotted() => ServerForm::Dotted,
        Item::Table(_) => ServerForm::Header,
        Item::Value(Value::InlineTable(_)) => ServerForm::Inline,
        other => ServerForm::Invalid(other.type_name()),
    }))
}

/// Like [`server_form`], but a missing server is an error.
pub(super) fn find_server(
    doc: &DocumentMut,
    name: &ServerName,
    path: &Path,
) -> Result<ServerForm, WriteError> {
    server_form(doc, name, path)?.ok_or_else(|| WriteError::ServerNotFound {
        name: name.clone(),
        path: path.to_path_buf(),
    })
}

pub(super) fn upsert_server(
    doc: &mut DocumentMut,
    name: &ServerName,
    content: &ServerContent,
    mode: UpsertMode,
    path: &Path,
) -> Result<(), WriteError> {
    let key = server_path(name);
    let form = server_form(doc, name, path)?;
    if form.is_some() && mode == UpsertMode::CreateOnly {
        return Err(WriteError::ServerExists {
            name: name.clone(),
            path: path.to_path_buf(),
        });
    }
    match form {
        None => add_server(doc, name, content),
        Some(ServerForm::Invalid(found)) => {
            return Err(WriteError::NotATable {
                key: display_key_path(&key),
                found,
                path: path.to_path_buf(),
            });
        }
        Some(ServerForm::Header) => {
            let units = layout(doc);
            // The server's own body and the sub-tables right after it are replaced; comments
            // before sub-tables defined elsewhere in the file are kept.
            let carries = plan_carries(
                &units,
                |u| u.starts_with(&key) && !(u.is_header && u.path_len() == key.len()),
                |u| u.starts_with(&key),
                false,
            );
            if let Some(table) = server_table_mut(doc, name) {
                if table.position().is_none() {
                    table.set_position(min_position(table));
                }
                table.set_implicit(false);
                table.clear();
                let position = table.position();
                content.fill_table(table, position);
            }
            apply_carries(doc, carries);
        }
        Some(ServerForm::Dotted) => {
            let units = layout(doc);
            let first_prefix = units
                .iter()
                .find(|u| !u.is_header && u.starts_with(&key))
                .and_then(|u| u.prefix.clone());
            // The first run is where the new content goes; its comments are restored below.
            let carries = plan_carries(
                &units,
                |u| u.starts_with(&key),
                |u| u.starts_with(&key),
                true,
            );
            if let Some(table) = server_table_mut(doc, name) {
                table.clear();
                content.fill_dotted(table);
                if let (Some(prefix), Some(first)) = (first_prefix, content.first_key())
                    && let Some(mut first) = table.key_mut(first)
                {
                    first.leaf_decor_mut().set_prefix(prefix);
                }
            }
            apply_carries(doc, carries);
        }
        Some(ServerForm::Inline) => {
            let new = Value::InlineTable(content.to_inline());
            match doc.get_mut(SERVERS) {
                Some(Item::Table(servers)) => {
                    if let Some(item) = servers.get_mut(name.as_str()) {
                        replace_keeping_decor(item, new);
                    }
                }
                Some(Item::Value(Value::InlineTable(servers))) => {
                    if let Some(value) = servers.get_mut(name.as_str()) {
                        let decor = value.decor().clone();
                        *value = new;
                        *value.decor_mut() = decor;
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Adds a server that does not exist yet.
pub(super) fn add_server(doc: &mut DocumentMut, name: &ServerName, content: &ServerContent) {
    let doc_max = max_position(doc.as_table());
    let root = doc.as_table_mut();
    if !root.contains_key(SERVERS) {
        // Implicit, so only `[mcp_servers.<name>]` headers are written, never `[mcp_servers]`.
        let mut servers = Table::new();
        servers.set_implicit(true);
        root.insert(SERVERS, Item::Table(servers));
    }
    match root.get_mut(SERVERS) {
        Some(Item::Table(servers)) => {
            // Right after the last table under `mcp_servers`: the new table is visited after
            // all of them, so sharing that position sorts it behind them. Without any, it goes
            // to the end of the file.
            let position = max_position(servers).unwrap_or(doc_max.map_or(0, |p| p + 1));
            let mut table = Table::new();
            table.set_position(Some(position));
            content.fill_table(&mut table, Some(position));
            servers.insert(name.as_str(), Item::Table(table));
        }
        Some(Item::Value(Value::InlineTable(servers))) => {
            servers.insert(name.as_str(), Value::InlineTable(content.to_inline()));
        }
        _ => {}
    }
}

pub(super) fn server_table_mut<'a>(
    doc: &'a mut DocumentMut,
    name: &ServerName,
) -> Option<&'a mut Table> {
    doc.get_mut(SERVERS)?
        .as_table_mut()?
        .get_mut(name.as_str())?
        .as_table_mut()
}

pub(super) fn set_server_enabled(
    doc: &mut DocumentMut,
    name: &ServerName,
    enabled: bool,
    path: &Path,
) -> Result<(), WriteError> {
    let key = server_path(name);
    let form = find_server(doc, name, path)?;
    let is_false = |item: Option<&Item>| item.and_then(Item::as_bool) == Some(false);
    match form {
        ServerForm::Invalid(found) => {
            return Err(WriteError::NotATable {
                key: display_key_path(&key),
                found,
                path: path.to_path_buf(),
            });
        }
        ServerForm::Header | ServerForm::Dotted => {
            let Some(table) = server_table_mut(doc, name) else {
                return Ok(());
            };
            if enabled {
                if is_false(table.get("enabled")) {
                    let mut enabled_key = key;
                    enabled_key.push("enabled".to_string());
                    remove_path(doc, &enabled_key);
                }
            } else if let Some(item) = table.get_mut("enabled") {
                if !is_false(Some(item)) {
                    replace_keeping_decor(item, Value::from(false));
                }
            } else {
                if table.is_implicit() && !table.is_dotted() {
                    // Giving an implied table a key makes its header appear: before its first
                    // sub-table.
                    if table.position().is_none() {
                        table.set_position(min_position(table));
                    }
                    table.set_implicit(false);
                }
                insert_after_transport(table, Item::Value(Value::from(false)));
            }
        }
        ServerForm::Inline => {
            let item = match doc.get_mut(SERVERS) {
                Some(Item::Table(servers)) => servers.get_mut(name.as_str()),
                _ => None,
            };
            let server = match item {
                Some(Item::Value(Value::InlineTable(server))) => Some(server),
                Some(_) => None,
                None => match doc.get_mut(SERVERS) {
                    Some(Item::Value(Value::InlineTable(servers))) => servers
                        .get_mut(name.as_str())
                        .and_then(Value::as_inline_table_mut),
                    _ => None,
                },
            };
            let Some(server) = server else {
                return Ok(());
            };
            let current = server.get("enabled").and_then(Value::as_bool);
            if enabled {
                if current == Some(false) {
                    server.remove("enabled");
                    // The server's own inline table is rewritten in the default layout so no
                    // stray separators or spaces are left behind.
                    server.fmt();
                }
            } else if current != Some(false) {
                if let Some(value) = server.get_mut("enabled") {
                    let decor = value.decor().clone();
                    *value = Value::from(false);
                    *value.decor_mut() = decor;
                } else {
                    insert_inline_after_transport(server, Value::from(false));
                    server.fmt();
                }
            }
        }
    }
    Ok(())
}

/// Inserts `enabled` after the last transport key of `table` (at the end when it has none),
/// leaving every other entry's formatting alone.
pub(super) fn insert_after_transport(table: &mut Table, item: Item) {
    let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
    // toml_edit only appends, so the entries after the insertion point are moved behind it.
    let tail: Vec<_> = keys[after_transport_keys(&keys)..]
        .iter()
        .filter_map(|k| table.remove_entry(k))
        .collect();
    table.insert("enabled", item);
    for (key, item) in tail {
        table.insert_formatted(&key, item);
    }
}

/// The index just after the last transport key in `keys` (`keys.len()` when there is none).
pub(super) fn after_transport_keys(keys: &[String]) -> usize {
    keys.iter()
        .rposition(|k| TRANSPORT_KEYS.contains(&k.as_str()))
        .map_or(keys.len(), |i| i + 1)
}

/// [`insert_after_transport`] for servers written as inline tables.
pub(super) fn insert_inline_after_transport(table: &mut InlineTable, value: Value) {
    let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
    let tail: Vec<_> = keys[after_transport_keys(&keys)..]
        .iter()
        .filter_map(|k| table.remove_entry(k))
        .collect();
    table.insert("enabled", value);
    for (key, value) in tail {
        table.insert_formatted(&key, value);
    }
}
