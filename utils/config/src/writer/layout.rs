//! Layout: the document as toml_edit prints it, to keep comments in place across removals.

use super::*;

/// One step of a path to a table: a key, and the element index for arrays of tables.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Segment {
    pub(super) key: String,
    pub(super) index: Option<usize>,
}

/// One printed unit: a table header, or a `key = value` line in a table's body.
#[derive(Debug, Clone)]
pub(super) struct Unit {
    /// The table whose header this is, or whose body holds the line.
    pub(super) table: Vec<Segment>,
    /// The (dotted) key of a body line; empty for a header.
    pub(super) body: Vec<String>,
    pub(super) is_header: bool,
    /// The whitespace and comments printed before the unit.
    pub(super) prefix: Option<String>,
}

impl Unit {
    pub(super) fn keys(&self) -> impl Iterator<Item = &str> {
        self.table
            .iter()
            .map(|s| s.key.as_str())
            .chain(self.body.iter().map(String::as_str))
    }

    pub(super) fn path_len(&self) -> usize {
        self.table.len() + self.body.len()
    }

    pub(super) fn starts_with(&self, prefix: &[String]) -> bool {
        self.path_len() >= prefix.len() && self.keys().zip(prefix).all(|(a, b)| a == b)
    }
}

/// The units of `doc` in the order toml_edit prints them: tables sorted by position (ties in
/// visiting order), each header followed by its body lines.
pub(super) fn layout(doc: &DocumentMut) -> Vec<Unit> {
    let mut tables = Vec::new();
    let mut last_position = 0;
    collect_tables(
        doc.as_table(),
        &mut Vec::new(),
        &mut last_position,
        &mut tables,
    );
    tables.sort_by_key(|(position, path, _)| (!path.is_empty(), *position));
    let mut units = Vec::new();
    for (_, path, table) in tables {
        let is_array_element = path.last().is_some_and(|s| s.index.is_some());
        let values = table.get_values();
        let visible = is_array_element || !(table.is_implicit() && values.is_empty());
        if !path.is_empty() && visible {
            units.push(Unit {
                table: path.clone(),
                body: Vec::new(),
                is_header: true,
                prefix: raw_prefix(table.decor()),
            });
        }
        for (keys, _) in values {
            units.push(Unit {
                table: path.clone(),
                body: keys.iter().map(|k| k.get().to_string()).collect(),
                is_header: false,
                prefix: keys.last().and_then(|k| raw_prefix(k.leaf_decor())),
            });
        }
    }
    units
}

pub(super) fn collect_tables<'t>(
    table: &'t Table,
    path: &mut Vec<Segment>,
    last_position: &mut isize,
    out: &mut Vec<(isize, Vec<Segment>, &'t Table)>,
) {
    if !table.is_dotted() {
        if let Some(position) = table.position() {
            *last_position = position;
        }
        out.push((*last_position, path.clone(), table));
    }
    for (key, item) in table.iter() {
        match item {
            Item::Table(child) => {
                path.push(Segment {
                    key: key.to_string(),
                    index: None,
                });
                collect_tables(child, path, last_position, out);
                path.pop();
            }
            Item::ArrayOfTables(array) => {
                for (index, child) in array.iter().enumerate() {
                    path.push(Segment {
                        key: key.to_string(),
                        index: Some(index),
                    });
                    collect_tables(child, path, last_position, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
}

pub(super) fn raw_prefix(decor: &Decor) -> Option<String> {
    decor.prefix().and_then(|p| p.as_str()).map(str::to_string)
}

/// Comments to move onto the unit printed after a removed run (`None`: the end of the file).
///
/// Empty text means the run opened the file: the new first unit loses its leading blank lines.
pub(super) struct Carry {
    pub(super) target: Option<Unit>,
    /// The detached text, including the blank lines that separated it from the removed unit.
    pub(super) full: String,
    /// The same without its trailing blank lines.
    pub(super) trimmed: String,
}

/// For each run of consecutive removed units, the comments above its first unit that are
/// separated from it by a blank line: they belong to what precedes the run, so they are kept.
///
/// Runs that follow an `owned` unit are part of the same entity and carry nothing; with
/// `skip_first_run` the first run carries nothing either (its prefix is restored by the caller).
pub(super) fn plan_carries(
    units: &[Unit],
    removed: impl Fn(&Unit) -> bool,
    owned: impl Fn(&Unit) -> bool,
    skip_first_run: bool,
) -> Vec<Carry> {
    let mut carries = Vec::new();
    let mut first_run = true;
    let mut i = 0;
    while i < units.len() {
        if !removed(&units[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < units.len() && removed(&units[i]) {
            i += 1;
        }
        let skip = (skip_first_run && first_run) || (start > 0 && owned(&units[start - 1]));
        first_run = false;
        if skip {
            continue;
        }
        match units[start].prefix.as_deref().and_then(detached) {
            Some((full, trimmed)) => carries.push(Carry {
                target: units.get(i).cloned(),
                full,
                trimmed,
            }),
            // Nothing to keep, but what now opens the file should not start with blank lines.
            None if start == 0 => carries.push(Carry {
                target: units.get(i).cloned(),
                full: String::new(),
                trimmed: String::new(),
            }),
            None => {}
        }
    }
    carries
}

/// Splits a prefix into the comment block directly above the unit (no blank line between) and
/// the rest; returns the rest (with and without trailing blank lines) when it holds a comment.
pub(super) fn detached(prefix: &str) -> Option<(String, String)> {
    let lines: Vec<&str> = prefix.split_inclusive('\n').collect();
    let mut cut = lines.len();
    // A last line without a newline is the indentation of the unit itself.
    if lines.last().is_some_and(|l| !l.ends_with('\n')) {
        cut -= 1;
    }
    while cut > 0 && lines[cut - 1].trim_start().starts_with('#') {
        cut -= 1;
    }
    let full = lines[..cut].concat();
    if !full.contains('#') {
        return None;
    }
    let mut end = cut;
    while end > 0 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    Some((full, lines[..end].concat()))
}

/// Keeps the text after the last table (comments, commented-out settings) where it was when new
/// tables are appended at the end: toml_edit would print them after it.
pub(super) fn keep_trailing_text_last(doc: &mut DocumentMut, headers_before: &[Vec<Segment>]) {
    let trailing = doc.trailing().as_str().unwrap_or_default().to_string();
    if trailing.trim().is_empty() {
        return;
    }
    let units = layout(doc);
    let first_new = units
        .iter()
        .filter(|u| u.is_header)
        .rev()
        .take_while(|u| !headers_before.contains(&u.table))
        .last()
        .cloned();
    let Some(unit) = first_new else {
        return;
    };
    // The appended table normally opens with a blank line; keep exactly one after the text.
    let separator = if trailing.ends_with("\n\n") {
        ""
    } else if trailing.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    with_unit_decor(doc.as_table_mut(), &unit, |decor| {
        decor.set_prefix(format!("{trailing}{separator}"));
    });
    doc.set_trailing("");
}

pub(super) fn apply_carries(doc: &mut DocumentMut, carries: Vec<Carry>) {
    for carry in carries {
        let join = |old: &str| {
            if carry.full.is_empty() {
                let blank = old
                    .split_inclusive('\n')
                    .take_while(|l| l.ends_with('\n') && l.trim().is_empty())
                    .map(str::len)
                    .sum::<usize>();
                return old[blank..].to_string();
            }
            // Keep one blank line between the carried comments and what follows.
            let old_starts_blank = old
                .split_inclusive('\n')
                .next()
                .is_some_and(|l| l.ends_with('\n') && l.trim().is_empty());
            if old_starts_blank || old.is_empty() && carry.target.is_none() {
                format!("{}{old}", carry.trimmed)
            } else {
                format!("{}{old}", carry.full)
            }
        };
        match &carry.target {
            None => {
                let old = doc.trailing().as_str().unwrap_or_default().to_string();
                doc.set_trailing(join(&old));
            }
            Some(unit) => {
                let default = if unit.is_header { "\n" } else { "" };
                with_unit_decor(doc.as_table_mut(), unit, |decor| {
                    let old = decor
                        .prefix()
                        .and_then(|p| p.as_str())
                        .unwrap_or(default)
                        .to_string();
                    decor.set_prefix(join(&old));
                });
            }
        }
    }
}

/// Runs `f` on the decor holding `unit`'s prefix, if the unit still exists.
pub(super) fn with_unit_decor(root: &mut Table, unit: &Unit, f: impl FnOnce(&mut Decor)) {
    let mut table = root;
    for segment in &unit.table {
        let next = match (table.get_mut(&segment.key), segment.index) {
            (Some(Item::Table(t)), None) => Some(t),
            (Some(Item::ArrayOfTables(array)), Some(index)) => array.get_mut(index),
            _ => None,
        };
        let Some(next) = next else {
            return;
        };
        table = next;
    }
    if unit.is_header {
        f(table.decor_mut());
        return;
    }
    let Some((last, dotted)) = unit.body.split_last() else {
        return;
    };
    for key in dotted {
        let Some(next) = table.get_mut(key).and_then(Item::as_table_mut) else {
            return;
        };
        table = next;
    }
    if let Some(mut key) = table.key_mut(last) {
        f(key.leaf_decor_mut());
    }
}

pub(super) fn max_position(table: &Table) -> Option<isize> {
    fold_positions(table, &|a: isize, b: isize| a.max(b))
}

pub(super) fn min_position(table: &Table) -> Option<isize> {
    fold_positions(table, &|a: isize, b: isize| a.min(b))
}

pub(super) fn fold_positions(table: &Table, pick: &dyn Fn(isize, isize) -> isize) -> Option<isize> {
    let mut best = table.position();
    let mut consider = |p: Option<isize>| {
        if let Some(p) = p {
            best = Some(best.map_or(p, |b| pick(b, p)));
        }
    };
    for (_, item) in table.iter() {
        match item {
            Item::Table(child) => consider(fold_positions(child, pick)),
            Item::ArrayOfTables(array) => {
                for child in array.iter() {
                    consider(fold_positions(child, pick));
                }
            }
            _ => {}
        }
    }
    best
}
