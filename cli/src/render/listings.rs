//! `mcpctl resources` and `mcpctl prompts`.

use serde_json::Value;

use super::{Width, first_line, table};

fn field(item: &Value, key: &str) -> String {
    item.get(key)
        .and_then(Value::as_str)
        .unwrap_or("-")
        .to_string()
}

/// Resources, then resource templates.
pub fn resources(resources: &Value, templates: &Value, width: Width) -> String {
    let rows: Vec<Vec<String>> = resources
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            vec![
                field(r, "uri"),
                field(r, "name"),
                field(r, "mimeType"),
                first_line(&field(r, "description"), 200),
            ]
        })
        .collect();
    let mut out = if rows.is_empty() {
        "No resources.\n".to_string()
    } else {
        table(&["Uri", "Name", "Mime Type", "Description"], &rows, width)
    };
    let template_rows: Vec<Vec<String>> = templates
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            vec![
                field(t, "uriTemplate"),
                field(t, "name"),
                first_line(&field(t, "description"), 200),
            ]
        })
        .collect();
    if !template_rows.is_empty() {
        out.push('\n');
        out.push_str(&table(
            &["Uri Template", "Name", "Description"],
            &template_rows,
            width,
        ));
    }
    out
}

/// Prompts with their arguments (`[optional]`).
pub fn prompts(prompts: &Value, width: Width) -> String {
    let rows: Vec<Vec<String>> = prompts
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let args: Vec<String> = p
                .get("arguments")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|a| {
                    let n = a.get("name").and_then(Value::as_str).unwrap_or("?");
                    if a.get("required").and_then(Value::as_bool) == Some(true) {
                        n.to_string()
                    } else {
                        format!("[{n}]")
                    }
                })
                .collect();
            vec![
                field(p, "name"),
                if args.is_empty() {
                    "-".to_string()
                } else {
                    args.join(" ")
                },
                first_line(&field(p, "description"), 200),
            ]
        })
        .collect();
    if rows.is_empty() {
        return "No prompts.\n".to_string();
    }
    table(&["Prompt", "Arguments", "Description"], &rows, width)
}
