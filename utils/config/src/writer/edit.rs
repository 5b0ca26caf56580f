//! Setting and removing values by key path, keeping decor.

use super::*;

/// Replaces `item` by `value`, keeping the old value's surrounding whitespace and comment.
pub(super) fn replace_keeping_decor(item: &mut Item, mut value: Value) {
    if let Item::Value(old) = item {
        *value.decor_mut() = old.decor().clone();
    }
    *item = Item::Value(value);
}

/// Whether two values are equal as data (so rewriting one by the other would only reformat).
pub(super) fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(a), Value::String(b)) => a.value() == b.value(),
        (Value::Integer(a), Value::Integer(b)) => a.value() == b.value(),
        (Value::Float(a), Value::Float(b)) => a.value().to_bits() == b.value().to_bits(),
        (Value::Boolean(a), Value::Boolean(b)) => a.value() == b.value(),
        _ => false,
    }
}

/// A table reached while walking a key path: a standard or dotted table, or an inline one.
pub(super) enum Container<'a> {
    Table(&'a mut Table),
    Inline(&'a mut InlineTable),
}

pub(super) fn set_value(
    doc: &mut DocumentMut,
    key_path: &[String],
    value: Value,
    path: &Path,
) -> Result<(), WriteError> {
    let Some((last, parents)) = key_path.split_last() else {
        return Err(empty_key_path(path));
    };
    let doc_max = max_position(doc.as_table());
    // Position for tables created on the way: after the last table of the deepest existing
    // ancestor (see `add_server`).
    let mut new_position = None;
    let mut current = Container::Table(doc.as_table_mut());
    for (depth, key) in parents.iter().enumerate() {
        let here = &key_path[..=depth];
        current = match current {
            Container::Table(table) => {
                if !table.contains_key(key) {
                    let position = *new_position.get_or_insert_with(|| {
                        max_position(table).unwrap_or(doc_max.map_or(0, |p| p + 1))
                    });
                    let mut created = Table::new();
                    created.set_implicit(true);
                    created.set_position(Some(position));
                    table.insert(key, Item::Table(created));
                }
                match table.get_mut(key) {
                    Some(Item::Table(t)) => Container::Table(t),
                    Some(Item::Value(Value::InlineTable(t))) => Container::Inline(t),
                    Some(other) => return Err(not_a_table(here, other, path)),
                    None => return Ok(()),
                }
            }
            Container::Inline(table) => {
                if !table.contains_key(key) {
                    table.insert(key.as_str(), Value::InlineTable(InlineTable::new()));
                }
                match table.get_mut(key) {
                    Some(Value::InlineTable(t)) => Container::Inline(t),
                    Some(other) => {
                        return Err(not_a_table(here, &Item::Value(other.clone()), path));
                    }
                    None => return Ok(()),
                }
            }
        };
    }
    match current {
        Container::Table(table) => {
            if let Some(item) = table.get_mut(last) {
                if !item.as_value().is_some_and(|old| same_value(old, &value)) {
                    replace_keeping_decor(item, value);
                }
            } else {
                if table.is_implicit() && !table.is_dotted() {
                    if table.position().is_none() {
                        table.set_position(min_position(table));
                    }
                    table.set_implicit(false);
                }
                table.insert(last, Item::Value(value));
            }
        }
        Container::Inline(table) => {
            if let Some(old) = table.get_mut(last) {
                if !same_value(old, &value) {
                    let decor = old.decor().clone();
                    *old = value;
                    *old.decor_mut() = decor;
                }
            } else {
                append_inline(table, last, value);
            }
        }
    }
    Ok(())
}

/// Appends to an inline table, moving the space before `}` from the old last value to the new
/// one so the rest of the table keeps its layout.
pub(super) fn append_inline(table: &mut InlineTable, key: &str, mut value: Value) {
    let last_key = table.iter().last().map(|(k, _)| k.to_string());
    if let Some(previous) = last_key.and_then(|k| table.get_mut(&k))
        && let Some(suffix) = previous.decor().suffix().cloned()
    {
        previous.decor_mut().set_suffix("");
        value.decor_mut().set_suffix(suffix);
    }
    table.insert(key, value);
}

/// Removes the key at `key_path` and everything under it, keeping comments that sat above it
/// but were separated from it by a blank line (they belong to what comes before).
pub(super) fn remove_path(doc: &mut DocumentMut, key_path: &[String]) -> bool {
    let Some((last, parents)) = key_path.split_last() else {
        return false;
    };
    let units = layout(doc);
    let carries = plan_carries(
        &units,
        |u| u.starts_with(key_path),
        |u| u.starts_with(key_path),
        false,
    );
    let mut current = Container::Table(doc.as_table_mut());
    for key in parents {
        current = match current {
            Container::Table(table) => match table.get_mut(key) {
                Some(Item::Table(t)) => Container::Table(t),
                Some(Item::Value(Value::InlineTable(t))) => Container::Inline(t),
                _ => return false,
            },
            Container::Inline(table) => match table.get_mut(key) {
                Some(Value::InlineTable(t)) => Container::Inline(t),
                _ => return false,
            },
        };
    }
    let removed = match current {
        Container::Table(table) => table.remove(last).is_some(),
        Container::Inline(table) => {
            let was_last = table.iter().last().is_some_and(|(k, _)| k == last.as_str());
            match table.remove(last) {
                Some(removed) => {
                    // The space before `}` moves to the new last value.
                    let new_last = table.iter().last().map(|(k, _)| k.to_string());
                    if was_last
                        && let Some(previous) = new_last.and_then(|k| table.get_mut(&k))
                        && let Some(suffix) = removed.decor().suffix()
                    {
                        previous.decor_mut().set_suffix(suffix.clone());
                    }
                    true
                }
                None => false,
            }
        }
    };
    if removed {
        apply_carries(doc, carries);
    }
    removed
}

/// Removes the standard tables above `key_path` that hold nothing any more, deepest first.
pub(super) fn prune_empty_tables(doc: &mut DocumentMut, key_path: &[String]) {
    for len in (1..key_path.len()).rev() {
        let ancestor = &key_path[..len];
        let mut table = doc.as_table();
        let mut empty = true;
        for key in ancestor {
            match table.get(key) {
                Some(Item::Table(t)) => table = t,
                _ => {
                    empty = false;
                    break;
                }
            }
        }
        if !(empty && table.is_empty()) {
            return;
        }
        remove_path(doc, ancestor);
    }
}
