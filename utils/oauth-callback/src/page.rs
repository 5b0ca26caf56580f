//! The small HTML pages the browser shows. They never contain the code or a token.

pub(crate) fn success() -> String {
    page(
        "Login complete",
        "mcpctl received the authorization. You can close this window and return to the terminal.",
    )
}

pub(crate) fn denied(error: &str, description: Option<&str>) -> String {
    let detail = match description {
        Some(d) if !d.is_empty() => format!("{}: {}", escape(error), escape(d)),
        _ => escape(error),
    };
    page(
        "Login failed",
        &format!(
            "The authorization server refused the login ({detail}). You can close this window."
        ),
    )
}

pub(crate) fn rejected(reason: &str) -> String {
    page(
        "Not this login's callback",
        &format!(
            "mcpctl ignored this request: {}. The login is still waiting.",
            escape(reason)
        ),
    )
}

// `body` is already escaped.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>mcpctl: {title}</title></head>\n\
         <body style=\"font-family: sans-serif; margin: 3em\"><h1>{title}</h1><p>{body}</p></body></html>\n"
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_text_is_escaped() {
        let html = denied("access_denied", Some("<script>x</script>"));
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
    }
}
