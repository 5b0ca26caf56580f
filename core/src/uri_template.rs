//! Filling a resource template (RFC 6570) from `KEY=VALUE` pairs, for `mcpctl read`.
//!
//! Covers the expressions resource templates use: `{var}`, `{+var}`, `{#var}`, `{/var}`,
//! `{.var}`, `{;var}`, `{?a,b}` and `{&a}`, with several variables per expression. Values are
//! strings; `{var}` percent-encodes everything but unreserved characters, `{+var}` and
//! `{#var}` keep reserved ones.

use crate::error::CoreError;

/// The URI `template` gives with `values`; a variable a path-like expression needs but no pair
/// gives is an error naming it, query forms (`{?x}`) just leave it out.
pub fn expand_uri_template(template: &str, pairs: &[String]) -> Result<String, CoreError> {
    let bad = |message: String| CoreError::InvalidTemplate {
        template: template.to_string(),
        message,
    };
    let mut values: Vec<(&str, &str)> = Vec::new();
    for pair in pairs {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| bad(format!("expected KEY=VALUE, got '{pair}'")))?;
        values.push((key, value));
    }
    let lookup = |name: &str| {
        values
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    };
    let mut out = String::new();
    let mut rest = template;
    let mut used = Vec::new();
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| bad("a '{' is never closed".to_string()))?;
        let expression = &after[..close];
        rest = &after[close + 1..];
        let (operator, names) = match expression.chars().next() {
            Some(c @ ('+' | '#' | '/' | '.' | ';' | '?' | '&')) => (Some(c), &expression[1..]),
            _ => (None, expression),
        };
        let (first, separator, named, reserved, optional) = match operator {
            None => ("", ",", false, false, false),
            Some('+') => ("", ",", false, true, false),
            Some('#') => ("#", ",", false, true, false),
            Some('/') => ("/", "/", false, false, false),
            Some('.') => (".", ".", false, false, false),
            Some(';') => (";", ";", true, false, true),
            Some('?') => ("?", "&", true, false, true),
            _ => ("&", "&", true, false, true),
        };
        let mut parts = Vec::new();
        for name in names.split(',').map(|n| n.trim_end_matches('*')) {
            let name = name.split(':').next().unwrap_or(name);
            match lookup(name) {
                Some(value) => {
                    used.push(name);
                    let value = encode(value, reserved);
                    parts.push(if named {
                        format!("{name}={value}")
                    } else {
                        value
                    });
                }
                None if optional => {}
                None => {
                    return Err(bad(format!("no value for '{name}': add {name}=VALUE")));
                }
            }
        }
        if !parts.is_empty() {
            out.push_str(first);
            out.push_str(&parts.join(separator));
        }
    }
    out.push_str(rest);
    if let Some((unused, _)) = values.iter().find(|(k, _)| !used.contains(k)) {
        return Err(bad(format!("the template has no variable '{unused}'")));
    }
    Ok(out)
}

fn encode(value: &str, keep_reserved: bool) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        let c = char::from(byte);
        let unreserved = c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
        let reserved = matches!(
            c,
            ':' | '/'
                | '?'
                | '#'
                | '['
                | ']'
                | '@'
                | '!'
                | '$'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | '+'
                | ','
                | ';'
                | '='
        );
        if unreserved || (keep_reserved && reserved) {
            out.push(c);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn templates_are_filled() {
        let fill = |t: &str, p: &[&str]| expand_uri_template(t, &pairs(p)).unwrap();
        assert_eq!(
            fill("test://static/resource/{id}", &["id=42"]),
            "test://static/resource/42"
        );
        assert_eq!(fill("file:///{+path}", &["path=a/b c"]), "file:///a/b%20c");
        assert_eq!(fill("x://{a}{/b}", &["a=1", "b=x/y"]), "x://1/x%2Fy");
        assert_eq!(fill("x://s{?q,n}", &["q=hi there"]), "x://s?q=hi%20there");
        assert_eq!(fill("x://plain", &[]), "x://plain");
    }

    #[test]
    fn missing_and_unknown_variables_are_named() {
        let err = expand_uri_template("x://{id}", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("no value for 'id': add id=VALUE"), "{err}");
        let err = expand_uri_template("x://{id}", &pairs(&["id=1", "idd=2"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("no variable 'idd'"), "{err}");
    }
}
