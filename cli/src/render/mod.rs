//! Human tables and JSON for every command's output. Rendering only: nothing here reads files,
//! starts servers or decides policy.

pub mod call;
pub mod check;
pub mod config;
pub mod import;
pub mod listings;
pub mod servers;
pub mod tools;

use std::borrow::Cow;
use std::fmt::Write as _;

/// How wide tables may be: the terminal's width, or unlimited (`--wide`, a pipe, `--json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Width(pub Option<usize>);

impl Width {
    /// No limit.
    pub const UNLIMITED: Width = Width(None);

    /// The terminal's width when stdout is one (or `COLUMNS`), unless `wide` is set.
    pub fn detect(wide: bool) -> Self {
        use std::io::IsTerminal as _;
        if wide || !std::io::stdout().is_terminal() {
            return Width::UNLIMITED;
        }
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|c| *c > 0)
            .or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)));
        Width(columns)
    }
}

/// A cell shorter than this is never cut to make a table fit.
const MIN_CELL: usize = 8;

/// Left-aligned columns separated by two spaces; trailing spaces trimmed. Cells are escaped
/// (no control characters reach the terminal) and, when `width` is limited, the widest columns
/// are cut with `…` until each line fits.
pub fn table(header: &[&str], rows: &[Vec<String>], width: Width) -> String {
    let header: Vec<String> = header.iter().map(|h| (*h).to_string()).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|c| one_line(c).into_owned()).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    if let Width(Some(max)) = width {
        shrink(&mut widths, max);
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            let cell = cut(cell, w);
            line.push_str(&cell);
            let pad = w.saturating_sub(cell.chars().count()) + 2;
            line.extend(std::iter::repeat_n(' ', pad));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Narrows the widest columns until the sum (with two-space gaps) fits in `max`.
fn shrink(widths: &mut [usize], max: usize) {
    let gaps = widths.len().saturating_sub(1) * 2;
    loop {
        let total: usize = widths.iter().sum::<usize>() + gaps;
        if total <= max {
            return;
        }
        let Some((i, w)) = widths
            .iter()
            .copied()
            .enumerate()
            .max_by_key(|(_, w)| *w)
            .filter(|(_, w)| *w > MIN_CELL)
        else {
            return;
        };
        let excess = total - max;
        let second = widths
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, w)| *w)
            .max()
            .unwrap_or(0);
        // Cut the widest column down to the next widest (or just enough), one step at a time.
        let step = excess.min(w.saturating_sub(second.max(MIN_CELL)).max(1));
        if let Some(slot) = widths.get_mut(i) {
            *slot = w.saturating_sub(step).max(MIN_CELL);
        }
    }
}

/// `text` cut to `width` characters, ending with `…` when cut.
pub fn cut(text: &str, width: usize) -> Cow<'_, str> {
    if text.chars().count() <= width {
        return Cow::Borrowed(text);
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    Cow::Owned(cut)
}

/// Text from a server or a file made safe for one table cell: control characters (C0, DEL and
/// C1, including ESC, CR and LF) are shown as escapes, so a server cannot move the cursor, clear
/// the screen, write the clipboard or fake a table row.
pub fn one_line(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// Like [`one_line`], but keeps `\n` and `\t`: for blocks printed as text (tool results).
pub fn text_block(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        let control = c.is_control();
        control && !(keep_newlines && (c == '\n' || c == '\t'))
    };
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c => {
                    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
                }
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The first line of `text`, escaped and cut to `max` characters.
pub fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    cut(&one_line(line), max).into_owned()
}

/// `-` for an empty string.
pub fn dash(s: &str) -> String {
    if s.is_empty() {
        "-".to_string()
    } else {
        s.to_string()
    }
}

/// Pretty JSON; `--json` output is exact (no escaping beyond JSON's own).
pub fn json_text(value: &impl serde::Serialize) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(value)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(one_line("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(one_line("row\nfake"), "row\\nfake");
        assert_eq!(one_line("osc\u{9d}52"), "osc\\u{9d}52");
        assert_eq!(text_block("line\n\ttab\x07"), "line\n\ttab\\u{7}");
        assert!(matches!(one_line("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn tables_fit_the_width_and_never_panic_on_long_cells() {
        let long = "x".repeat(70_000);
        let rows = vec![vec!["a".to_string(), long.clone()]];
        let wide = table(&["Name", "Value"], &rows, Width::UNLIMITED);
        assert!(wide.contains(&long));
        let narrow = table(&["Name", "Value"], &rows, Width(Some(40)));
        for line in narrow.lines() {
            assert!(line.chars().count() <= 40, "{line}");
        }
        assert!(narrow.contains('…'));
    }

    #[test]
    fn columns_are_aligned() {
        let rows = vec![
            vec!["a".to_string(), "1".to_string()],
            vec!["long".to_string(), "2".to_string()],
        ];
        assert_eq!(
            table(&["N", "V"], &rows, Width::UNLIMITED),
            "N     V\na     1\nlong  2\n"
        );
    }
}
