//! `serve --tool-search`: instead of every tool, the gateway lists `search_tools` and
//! `call_tool` (and the tools pinned with `gateway_pinned_tools`), so an agent with hundreds of
//! tools spends little context. The ranking is a plain word match, deterministic.

use rmcp::model::Tool;
use serde_json::{Value, json};

/// The search tool's name.
pub(crate) const SEARCH: &str = "search_tools";
/// The call tool's name.
pub(crate) const CALL: &str = "call_tool";
/// Results when the query gives no `limit`.
const DEFAULT_LIMIT: usize = 10;

/// The two tools the gateway lists in tool-search mode.
pub(crate) fn meta_tools() -> Vec<Tool> {
    let tool = |value: Value| serde_json::from_value::<Tool>(value).ok();
    [
        tool(json!({
            "name": SEARCH,
            "description": "Find tools of the MCP servers behind this gateway by words of their name and description. Returns each match's name, description and input schema; call one with call_tool.",
            "inputSchema": {"type": "object", "properties": {
                "query": {"type": "string", "description": "Words to look for."},
                "limit": {"type": "integer", "minimum": 1, "maximum": 100, "description": "At most this many results (default 10)."}
            }, "required": ["query"]},
            "annotations": {"readOnlyHint": true, "openWorldHint": false}
        })),
        tool(json!({
            "name": CALL,
            "description": "Call a tool found with search_tools, by its name, with its arguments.",
            "inputSchema": {"type": "object", "properties": {
                "name": {"type": "string", "description": "The tool's name as search_tools gave it."},
                "arguments": {"type": "object", "description": "The tool's arguments."}
            }, "required": ["name"]}
        })),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The tools that best match `query`, best first: each query word found in the name counts 3,
/// in the description 1; ties keep name order. Tools matching no word are left out.
pub(crate) fn rank<'a>(tools: &'a [Tool], query: &str, limit: Option<usize>) -> Vec<&'a Tool> {
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut scored: Vec<(usize, &Tool)> = tools
        .iter()
        .filter_map(|tool| {
            let name = tool.name.to_lowercase();
            let description = tool
                .description
                .as_deref()
                .unwrap_or_default()
                .to_lowercase();
            let score: usize = words
                .iter()
                .map(|w| {
                    3 * usize::from(name.contains(w.as_str()))
                        + usize::from(description.contains(w.as_str()))
                })
                .sum();
            (score > 0).then_some((score, tool))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    scored
        .into_iter()
        .take(limit.unwrap_or(DEFAULT_LIMIT).clamp(1, 100))
        .map(|(_, tool)| tool)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(name: &str, description: &str) -> Tool {
        serde_json::from_value(
            json!({"name": name, "description": description, "inputSchema": {"type": "object"}}),
        )
        .unwrap()
    }

    #[test]
    fn names_weigh_more_than_descriptions_and_order_is_stable() {
        let tools = vec![
            tool("fs__read_file", "Read a file from disk"),
            tool("fs__write_file", "Write a file"),
            tool("web__fetch", "Fetch a URL and read the page"),
            tool("git__log", "Show commits"),
        ];
        let names =
            |found: Vec<&Tool>| found.iter().map(|t| t.name.to_string()).collect::<Vec<_>>();
        assert_eq!(
            names(rank(&tools, "read", None)),
            vec!["fs__read_file", "web__fetch"]
        );
        assert_eq!(
            names(rank(&tools, "FILE write", Some(1))),
            vec!["fs__write_file"]
        );
        assert!(rank(&tools, "nothing-matches-xyz", None).is_empty());
        assert_eq!(meta_tools().len(), 2);
    }
}
