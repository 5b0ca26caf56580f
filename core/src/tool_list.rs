//! The tools `mcpctl tools` shows: every tool of every server, with its qualified name,
//! annotations and filter status, from live connections or from the tools cache.

use serde_json::Value;

use crate::approval::ApprovalPolicy;
use crate::connections::{ServerConnection, filtered_reason};
use crate::policy::EffectiveServer;
use crate::tool_names::qualify_tool_names;

/// One tool of one server, as listings show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolEntry {
    /// The server's name.
    pub server: String,
    /// The tool's name as the server gave it.
    pub name: String,
    /// The qualified name agents see (`mcp__<server>__<tool>`).
    pub qualified: String,
    /// The tool's description (may be empty).
    pub description: String,
    /// `annotations.readOnlyHint` is true.
    pub read_only: bool,
    /// `annotations.destructiveHint` is true.
    pub destructive: bool,
    /// The config key that hides it, when one does.
    pub filtered_by: Option<String>,
    /// Whether a call runs, asks or is refused, and which setting decided.
    pub approval: mcpctl_approval_presets::Decision,
    /// The whole tool as the server described it.
    pub tool: Value,
}

/// Every tool of every ready connection, with its qualified name and filter status.
pub fn tool_entries(connections: &[ServerConnection], policy: &ApprovalPolicy) -> Vec<ToolEntry> {
    let listed: Vec<(EffectiveServer, Vec<Value>)> = connections
        .iter()
        .map(|c| {
            let tools = c
                .tools
                .iter()
                .filter_map(|t| serde_json::to_value(t).ok())
                .collect();
            (c.server.clone(), tools)
        })
        .collect();
    listed_tool_entries(&listed, policy)
}

/// Tool entries from tools as JSON (live or from the cache), per server.
pub fn listed_tool_entries(
    listed: &[(EffectiveServer, Vec<Value>)],
    policy: &ApprovalPolicy,
) -> Vec<ToolEntry> {
    let tool_name = |tool: &Value| {
        tool.get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let names = qualify_tool_names(listed.iter().flat_map(|(server, tools)| {
        tools.iter().map(move |t| {
            (
                server.name().as_str(),
                t.get("name").and_then(Value::as_str).unwrap_or(""),
            )
        })
    }));
    let mut entries = Vec::new();
    for (server, tools) in listed {
        for value in tools {
            let hint = |key: &str| {
                value.pointer(&format!("/annotations/{key}")) == Some(&Value::Bool(true))
            };
            let name = tool_name(value);
            let server_name = server.name().to_string();
            entries.push(ToolEntry {
                qualified: names
                    .get(&(server_name.clone(), name.clone()))
                    .cloned()
                    .unwrap_or_default(),
                description: value
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                read_only: hint("readOnlyHint"),
                destructive: hint("destructiveHint"),
                filtered_by: filtered_reason(server, &name),
                approval: policy.decide(server.config(), value),
                server: server_name,
                name,
                tool: value.clone(),
            });
        }
    }
    entries
}

/// Keeps the tools matching `query` (a fuzzy match of server, name and description), best first.
pub fn rank_tools(entries: Vec<ToolEntry>, query: &str) -> Vec<ToolEntry> {
    let haystacks: Vec<String> = entries
        .iter()
        .map(|e| format!("{} {} {}", e.server, e.name, e.description))
        .collect();
    let ranked = mcpctl_fuzzy_match::rank(query, haystacks.iter().map(String::as_str));
    ranked
        .into_iter()
        .filter(|(_, score)| *score > 0)
        .filter_map(|(text, _)| haystacks.iter().position(|h| h == text))
        .filter_map(|i| entries.get(i).cloned())
        .collect()
}

/// One argument of a tool, from its input schema, as `tools <server> <tool>` shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ToolArgument {
    /// The property name.
    pub name: String,
    /// Its JSON type(s), `any` when the schema gives none (`array of string` for typed arrays).
    pub kind: String,
    /// Listed in `required`.
    pub required: bool,
    /// Its `default`, if any.
    pub default: Option<Value>,
    /// Its `enum` choices (or those of its items), if any.
    pub choices: Vec<Value>,
    /// Its description (may be empty).
    pub description: String,
}

/// The arguments a tool takes, in schema order, required ones first.
pub fn tool_arguments(tool: &Value) -> Vec<ToolArgument> {
    let schema = tool.get("inputSchema").unwrap_or(&Value::Null);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let kind_of = |property: &Value| -> String {
        let types = match property.get("type") {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        if types.is_empty() {
            return "any".to_string();
        }
        let mut kind = types.join(" | ");
        if types.iter().any(|t| t == "array")
            && let Some(item) = property.pointer("/items/type").and_then(Value::as_str)
        {
            kind = kind.replace("array", &format!("array of {item}"));
        }
        kind
    };
    let mut arguments: Vec<ToolArgument> = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, property)| ToolArgument {
            name: name.clone(),
            kind: kind_of(property),
            required: required.contains(&name.as_str()),
            default: property.get("default").cloned(),
            choices: property
                .get("enum")
                .or_else(|| property.pointer("/items/enum"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            description: property
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        })
        .collect();
    arguments.sort_by_key(|a| !a.required);
    arguments
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arguments_come_from_the_schema_required_first() {
        let tool = json!({"name": "t", "inputSchema": {
            "type": "object",
            "properties": {
                "limit": {"type": "integer", "default": 10, "description": "How many"},
                "paths": {"type": "array", "items": {"type": "string"}},
                "mode": {"type": "string", "enum": ["a", "b"]},
                "query": {"type": "string"}
            },
            "required": ["query"]
        }});
        let args = tool_arguments(&tool);
        assert_eq!(args[0].name, "query");
        assert!(args[0].required);
        let paths = args.iter().find(|a| a.name == "paths").unwrap();
        assert_eq!(paths.kind, "array of string");
        let limit = args.iter().find(|a| a.name == "limit").unwrap();
        assert_eq!(limit.default, Some(json!(10)));
        assert_eq!(limit.description, "How many");
        let mode = args.iter().find(|a| a.name == "mode").unwrap();
        assert_eq!(mode.choices, vec![json!("a"), json!("b")]);
    }
}
