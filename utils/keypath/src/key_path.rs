use std::iter::Peekable;
use std::str::CharIndices;

/// Why a dotted key path such as `mcp_servers."a.b".enabled` could not be parsed.
///
/// Columns are 1-based character positions within the key text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyPathError {
    /// Nothing before the `=`.
    #[error("the key is empty")]
    Empty,
    /// A segment with nothing in it, from a leading, trailing or doubled `.` or an empty quoted
    /// segment.
    #[error("segment {index} of the key is empty (look for a leading, trailing or doubled `.`)")]
    EmptySegment {
        /// 1-based index of the empty segment.
        index: usize,
    },
    /// A character that may not appear outside quotes.
    #[error(
        "unexpected character '{found}' at column {column}; unquoted segments may contain only \
         letters, digits and `_ - : @ /`, so quote the segment (`\"a.b\"` or `'a.b'`)"
    )]
    UnexpectedChar {
        /// The offending character.
        found: char,
        /// Its 1-based column.
        column: usize,
    },
    /// A quote that is never closed.
    #[error("the quote opened at column {column} is not closed")]
    UnterminatedQuote {
        /// 1-based column of the opening quote.
        column: usize,
    },
    /// A backslash escape that TOML basic strings do not define.
    #[error(
        "invalid escape at column {column} in a double-quoted segment; use \\\\, \\\", \\n, \\t, \
         \\uXXXX, or single quotes for text without escapes"
    )]
    InvalidEscape {
        /// 1-based column of the backslash.
        column: usize,
    },
}

/// Parses a dotted key path as written after `-c`, e.g. `mcp_servers."a.b".enabled`.
///
/// Segments are separated by `.` (whitespace around it is ignored). An unquoted segment may
/// contain ASCII letters, digits, `_`, `-` and the server-name characters `:`, `@` and `/`.
/// Anything else, including `.`, needs quotes: `"..."` with TOML basic-string escapes, or
/// `'...'` taken literally. Empty segments are errors.
pub fn parse_key_path(text: &str) -> Result<Vec<String>, KeyPathError> {
    if text.trim().is_empty() {
        return Err(KeyPathError::Empty);
    }
    let mut chars = text.char_indices().peekable();
    let mut segments = Vec::new();
    loop {
        skip_whitespace(&mut chars);
        let index = segments.len() + 1;
        let segment = match chars.peek().copied() {
            None | Some((_, '.')) => return Err(KeyPathError::EmptySegment { index }),
            Some((offset, quote @ ('"' | '\''))) => {
                chars.next();
                read_quoted(&mut chars, quote, offset, text)?
            }
            Some((_, c)) if is_bare_char(c) => {
                let mut segment = String::new();
                while let Some(&(_, c)) = chars.peek() {
                    if !is_bare_char(c) {
                        break;
                    }
                    segment.push(c);
                    chars.next();
                }
                segment
            }
            Some((offset, found)) => {
                return Err(KeyPathError::UnexpectedChar {
                    found,
                    column: column(text, offset),
                });
            }
        };
        if segment.is_empty() {
            return Err(KeyPathError::EmptySegment { index });
        }
        segments.push(segment);
        skip_whitespace(&mut chars);
        match chars.next() {
            None => return Ok(segments),
            Some((_, '.')) => {}
            Some((offset, found)) => {
                return Err(KeyPathError::UnexpectedChar {
                    found,
                    column: column(text, offset),
                });
            }
        }
    }
}

/// Formats a key path so that [`parse_key_path`] and TOML both read it back unchanged:
/// segments that are valid TOML bare keys (`A-Z a-z 0-9 _ -`) are written as they are, others
/// in double quotes with escapes (`mcp_servers."a.b".enabled`).
pub fn key_path_to_string(path: &[String]) -> String {
    let mut out = String::new();
    for (i, segment) in path.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        if !segment.is_empty() && segment.chars().all(is_toml_bare_char) {
            out.push_str(segment);
        } else {
            push_quoted(&mut out, segment);
        }
    }
    out
}

fn is_toml_bare_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn is_bare_char(c: char) -> bool {
    is_toml_bare_char(c) || matches!(c, ':' | '@' | '/')
}

fn push_quoted(out: &mut String, segment: &str) {
    out.push('"');
    for c in segment.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn skip_whitespace(chars: &mut Peekable<CharIndices<'_>>) {
    while chars.next_if(|&(_, c)| c == ' ' || c == '\t').is_some() {}
}

fn read_quoted(
    chars: &mut Peekable<CharIndices<'_>>,
    quote: char,
    open_offset: usize,
    text: &str,
) -> Result<String, KeyPathError> {
    let mut segment = String::new();
    while let Some((offset, c)) = chars.next() {
        match c {
            c if c == quote => return Ok(segment),
            '\\' if quote == '"' => {
                let invalid = || KeyPathError::InvalidEscape {
                    column: column(text, offset),
                };
                let escaped = match chars.next().map(|(_, c)| c) {
                    Some('"') => '"',
                    Some('\\') => '\\',
                    Some('b') => '\u{8}',
                    Some('f') => '\u{c}',
                    Some('n') => '\n',
                    Some('r') => '\r',
                    Some('t') => '\t',
                    Some(kind @ ('u' | 'U')) => {
                        let digits = if kind == 'u' { 4 } else { 8 };
                        let hex: String = (0..digits)
                            .filter_map(|_| chars.next())
                            .map(|(_, c)| c)
                            .collect();
                        u32::from_str_radix(&hex, 16)
                            .ok()
                            .filter(|_| hex.len() == digits)
                            .and_then(char::from_u32)
                            .ok_or_else(invalid)?
                    }
                    _ => return Err(invalid()),
                };
                segment.push(escaped);
            }
            c => segment.push(c),
        }
    }
    Err(KeyPathError::UnterminatedQuote {
        column: column(text, open_offset),
    })
}

/// The 1-based character column of byte `offset` in `text`, for messages.
fn column(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(offset, |before| before.chars().count())
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(segments: &[&str]) -> Vec<String> {
        segments.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn bare_segments() {
        assert_eq!(
            parse_key_path("mcp_servers.docs.enabled"),
            Ok(path(&["mcp_servers", "docs", "enabled"]))
        );
        assert_eq!(
            parse_key_path("mcp_servers.team:docs@v2/x-y.url"),
            Ok(path(&["mcp_servers", "team:docs@v2/x-y", "url"]))
        );
        assert_eq!(
            parse_key_path(" features . rmcp_client "),
            Ok(path(&["features", "rmcp_client"]))
        );
    }

    #[test]
    fn quoted_segments_may_contain_dots() {
        assert_eq!(
            parse_key_path("mcp_servers.\"a.b\".enabled"),
            Ok(path(&["mcp_servers", "a.b", "enabled"]))
        );
        assert_eq!(
            parse_key_path("mcp_servers.'a.b\\c'.enabled"),
            Ok(path(&["mcp_servers", "a.b\\c", "enabled"]))
        );
        assert_eq!(
            parse_key_path("x.\"say \\\"hi\\\" \\u00e9\""),
            Ok(path(&["x", "say \"hi\" é"]))
        );
    }

    #[test]
    fn empty_segments_are_errors() {
        assert_eq!(parse_key_path(""), Err(KeyPathError::Empty));
        assert_eq!(
            parse_key_path("a..b"),
            Err(KeyPathError::EmptySegment { index: 2 })
        );
        assert_eq!(
            parse_key_path(".a"),
            Err(KeyPathError::EmptySegment { index: 1 })
        );
        assert_eq!(
            parse_key_path("a."),
            Err(KeyPathError::EmptySegment { index: 2 })
        );
        assert_eq!(
            parse_key_path("a.\"\""),
            Err(KeyPathError::EmptySegment { index: 2 })
        );
        assert_eq!(
            KeyPathError::EmptySegment { index: 2 }.to_string(),
            "segment 2 of the key is empty (look for a leading, trailing or doubled `.`)"
        );
    }

    #[test]
    fn invalid_characters_and_quotes_are_errors() {
        assert_eq!(
            parse_key_path("a.b c"),
            Err(KeyPathError::UnexpectedChar {
                found: 'c',
                column: 5
            })
        );
        assert_eq!(
            parse_key_path("a.b!"),
            Err(KeyPathError::UnexpectedChar {
                found: '!',
                column: 4
            })
        );
        assert_eq!(
            parse_key_path("a.\"b"),
            Err(KeyPathError::UnterminatedQuote { column: 3 })
        );
        assert_eq!(
            parse_key_path("a.\"b\"c"),
            Err(KeyPathError::UnexpectedChar {
                found: 'c',
                column: 6
            })
        );
        assert_eq!(
            parse_key_path("a.\"b\\q\""),
            Err(KeyPathError::InvalidEscape { column: 5 })
        );
        let message = KeyPathError::UnexpectedChar {
            found: '!',
            column: 4,
        }
        .to_string();
        assert!(message.contains("quote the segment"), "{message}");
    }

    #[test]
    fn to_string_quotes_only_when_needed() {
        assert_eq!(
            key_path_to_string(&path(&["mcp_servers", "docs", "enabled"])),
            "mcp_servers.docs.enabled"
        );
        assert_eq!(
            key_path_to_string(&path(&["mcp_servers", "a.b", "team/x", ""])),
            "mcp_servers.\"a.b\".\"team/x\".\"\""
        );
        assert_eq!(
            key_path_to_string(&path(&["q\"\\\n\u{1}"])),
            "\"q\\\"\\\\\\n\\u0001\""
        );
    }

    #[test]
    fn to_string_round_trips_through_the_parser() {
        for segments in [
            path(&["mcp_servers", "a.b", "enabled"]),
            path(&["x", "say \"hi\"", "back\\slash", "tab\there", "é"]),
            path(&["mcp_servers", "team:docs@v2/x", "args"]),
        ] {
            let text = key_path_to_string(&segments);
            assert_eq!(parse_key_path(&text), Ok(segments), "{text}");
        }
    }

    #[test]
    fn to_string_output_is_a_valid_toml_key() {
        let segments = path(&["mcp_servers", "a.b", "team/x"]);
        let text = format!("{} = 1", key_path_to_string(&segments));
        let table: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(table["mcp_servers"]["a.b"]["team/x"].as_integer(), Some(1));
    }
}
