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

/// `mcpctl prompts get`: each message as `[role]` and its content; text as text (escaped),
/// other content named with its type (images, audio, embedded resources and links).
pub fn prompt_messages(result: &Value) -> String {
    let mut text = String::new();
    if let Some(description) = result.get("description").and_then(Value::as_str) {
        text.push_str(&format!("{}\n\n", super::text_block(description)));
    }
    let messages = result.get("messages").and_then(Value::as_array);
    for (i, message) in messages.into_iter().flatten().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        let role = message.get("role").and_then(Value::as_str).unwrap_or("?");
        text.push_str(&format!("[{}]\n", super::one_line(role)));
        let content = message.get("content").unwrap_or(&Value::Null);
        let kind = content.get("type").and_then(Value::as_str).unwrap_or("?");
        match kind {
            "text" => {
                let body = content.get("text").and_then(Value::as_str).unwrap_or("");
                text.push_str(&super::text_block(body));
                text.push('\n');
            }
            "resource" => {
                let resource = content.get("resource").unwrap_or(&Value::Null);
                let uri = resource.get("uri").and_then(Value::as_str).unwrap_or("?");
                text.push_str(&format!("(resource {})\n", super::one_line(uri)));
                if let Some(body) = resource.get("text").and_then(Value::as_str) {
                    text.push_str(&super::text_block(body));
                    text.push('\n');
                }
            }
            "resource_link" => {
                let uri = content.get("uri").and_then(Value::as_str).unwrap_or("?");
                text.push_str(&format!("(link {})\n", super::one_line(uri)));
            }
            other => {
                let mime = content
                    .get("mimeType")
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                text.push_str(&format!(
                    "({} {}; use --json to get it)\n",
                    super::one_line(other),
                    super::one_line(mime)
                ));
            }
        }
    }
    text
}
