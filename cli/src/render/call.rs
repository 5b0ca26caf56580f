//! `mcpctl call` and `mcpctl read`: text as text, structured content as JSON, and a line for
//! each saved file.

use std::fmt::Write as _;

use mcpctl_core::{CallOutput, ContentItem};

use super::{one_line, text_block};

/// The printable form of a tool result.
pub fn result(output: &CallOutput) -> anyhow::Result<String> {
    let mut out = String::new();
    if output.is_error {
        out.push_str("The tool reported an error:\n");
    }
    out.push_str(&items(&output.items));
    if let Some(structured) = &output.structured {
        out.push_str(&serde_json::to_string_pretty(structured)?);
        out.push('\n');
    }
    Ok(out)
}

/// The printable form of content items.
pub fn items(items: &[ContentItem]) -> String {
    let mut out = String::new();
    for item in items {
        match item {
            ContentItem::Text(text) => {
                out.push_str(&text_block(text));
                if !text.ends_with('\n') {
                    out.push('\n');
                }
            }
            ContentItem::Saved {
                kind,
                mime,
                bytes,
                path,
            } => {
                let _ = writeln!(
                    out,
                    "[{kind} {}, {bytes} bytes, saved to {}]",
                    one_line(mime),
                    path.display()
                );
            }
            ContentItem::ResourceLink { uri, name } => {
                let _ = writeln!(
                    out,
                    "[resource link {} ({})]",
                    one_line(uri),
                    one_line(name)
                );
            }
            ContentItem::Other { kind, value } => {
                let _ = writeln!(
                    out,
                    "[{} content: {}]",
                    one_line(kind),
                    one_line(&value.to_string())
                );
            }
        }
    }
    out
}
