//! Text-level edits of existing YAML files: set a value at a path, or append to a list,
//! changing only the lines involved so comments, key order and formatting elsewhere survive.
//!
//! The file is parsed with [`crate::yaml`] for spans; new text is written in block style
//! ([`super::emit`]) at the indentation of its siblings; a flow list (`[a, b]`) gets the new
//! item before its `]`. Flow mappings that are not empty cannot be extended in place and are
//! refused.

use serde_json::Value as Json;

use super::emit;
use crate::yaml::{Node, ParseOptions, Pos, Value, parse_documents};

/// Why an edit could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EditError(pub String);

fn fail<T>(msg: impl Into<String>) -> Result<T, EditError> {
    Err(EditError(msg.into()))
}

/// Byte offsets of line starts, to turn spans into offsets.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    /// The byte offset of a 1-based line and character column.
    fn offset(&self, p: Pos) -> usize {
        let Some(&start) = self.starts.get((p.line as usize).saturating_sub(1)) else { return self.text.len() };
        let line = &self.text[start..];
        let col = (p.column as usize).saturating_sub(1);
        start + line.char_indices().nth(col).map_or(line.len(), |(i, _)| i)
    }

    /// Just past the newline of the line holding the last non-blank character before `off`.
    fn end_of_content_line(&self, off: usize) -> usize {
        let before = self.text[..off].trim_end();
        let last = before.len();
        match self.text[last..].find('\n') {
            Some(i) => last + i + 1,
            None => self.text.len(),
        }
    }
}

/// The end of the last leaf in `node`.
fn deep_end(node: &Node) -> Pos {
    match &node.value {
        Value::Map(m) if !m.is_empty() && !is_flow_at(node) => {
            m.entries.last().map_or(node.span.end, |(_, v)| deep_end(v))
        }
        Value::Seq(s) if !s.is_empty() && !is_flow_at(node) => s.last().map_or(node.span.end, deep_end),
        _ => node.span.end,
    }
}

fn is_flow_at(node: &Node) -> bool {
    node.span.start == node.span.end
}

fn is_flow(lines: &Lines, node: &Node) -> bool {
    matches!(lines.text[lines.offset(node.span.start)..].chars().next(), Some('{' | '['))
}

/// Sets `path` (mapping keys from the document root) to `value` in document `doc`, creating
/// missing mappings. An empty text, or one holding only comments, gets the whole path.
pub fn set(text: &str, doc: usize, path: &[&str], value: &Json) -> Result<String, EditError> {
    let (docs, err) = parse_documents(text, &ParseOptions::default());
    if let Some(e) = err {
        return fail(format!("cannot edit: the file is not valid YAML ({e})"));
    }
    let lines = Lines::new(text);
    let Some(d) = docs.get(doc) else {
        if docs.is_empty() && doc == 0 {
            return Ok(append_text(text, &emit::block(&emit::nest(path, value), 0)));
        }
        return fail(format!("the file has no document {doc}"));
    };
    if d.root.is_null() && doc + 1 == docs.len() {
        return Ok(append_text(text, &emit::block(&emit::nest(path, value), 0)));
    }
    let mut node = &d.root;
    for (i, key) in path.iter().enumerate() {
        let here = path[..i].join(".");
        let Some(map) = node.as_map() else {
            return fail(format!("`{here}` is not a mapping"));
        };
        if is_flow(&lines, node) && !map.is_empty() {
            return fail(format!("`{here}` is a flow mapping ({{...}}); paved edits block mappings only"));
        }
        match map.entry(key) {
            Some((k, v)) if i + 1 == path.len() => return Ok(replace_value(&lines, k, v, value)),
            Some((k, v)) if v.is_null() || (v.as_map().is_some_and(|m| m.is_empty())) => {
                return Ok(replace_value(&lines, k, v, &emit::nest(&path[i + 1..], value)));
            }
            Some((_, v)) => node = v,
            None => {
                let indent = map.entries.first().map_or(0, |(k, _)| k.span.start.column as usize - 1);
                let at = lines.end_of_content_line(lines.offset(deep_end(node)));
                let entry = emit::entry(key, &emit::nest(&path[i + 1..], value), indent);
                return Ok(insert_line(text, at, &entry));
            }
        }
    }
    fail("an empty path cannot be set")
}

/// Appends `value` to the list at `path` in document `doc` (created when absent).
pub fn append(text: &str, doc: usize, path: &[&str], value: &Json) -> Result<String, EditError> {
    let (docs, _) = parse_documents(text, &ParseOptions::default());
    let list = docs.get(doc).and_then(|d| path.iter().try_fold(&d.root, |n, k| n.get(k)));
    let Some(list) = list.filter(|n| !n.is_null()) else {
        return set(text, doc, path, &Json::Array(vec![value.clone()]));
    };
    let lines = Lines::new(text);
    let Some(items) = list.as_seq() else {
        return fail(format!("`{}` is not a list", path.join(".")));
    };
    if items.is_empty() {
        return set(text, doc, path, &Json::Array(vec![value.clone()]));
    }
    if is_flow(&lines, list) {
        return append_flow(text, lines.offset(list.span.start), value)
            .ok_or_else(|| EditError(format!("`{}`: cannot find the end of the flow list", path.join("."))));
    }
    let indent = dash_column(&lines, &items[0]);
    let at = lines.end_of_content_line(lines.offset(deep_end(list)));
    Ok(insert_line(text, at, &emit::block(&Json::Array(vec![value.clone()]), indent)))
}

/// Adds `value` as the last item of the flow list (`[a, b]`) opening at byte `open`, keeping
/// the list's style; `None` when its closing bracket cannot be found.
fn append_flow(text: &str, open: usize, value: &Json) -> Option<String> {
    let close = flow_end(text, open)?;
    let item = match value {
        // Flow indicators end a plain scalar inside `[...]`.
        Json::String(s) if s.contains([',', '[', ']', '{', '}']) => serde_json::to_string(s).ok()?,
        other => emit::inline(other)?,
    };
    let before = text[open + 1..close].trim_end();
    let at = open + 1 + before.len();
    let sep = if before.trim_start().is_empty() || before.ends_with(',') { " " } else { ", " };
    Some(format!("{}{sep}{item}{}", &text[..at], &text[at..]))
}

/// The byte offset of the `]` closing the flow collection that opens at `open`, skipping
/// quoted strings, nested collections and comments.
fn flow_end(text: &str, open: usize) -> Option<usize> {
    let b = text.as_bytes();
    let (mut depth, mut i) = (0usize, open);
    while i < b.len() {
        match b[i] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return (b[i] == b']').then_some(i);
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' => {
                i += 1;
                while i < b.len() && !(b[i] == b'\'' && b.get(i + 1) != Some(&b'\'')) {
                    i += if b[i] == b'\'' { 2 } else { 1 };
                }
            }
            b'#' if i > 0 && b[i - 1].is_ascii_whitespace() => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The column (0-based) of the `-` that introduces a block list item.
fn dash_column(lines: &Lines, item: &Node) -> usize {
    let off = lines.offset(item.span.start);
    let line_start = lines.text[..off].rfind('\n').map_or(0, |i| i + 1);
    let before = &lines.text[line_start..off];
    before.rfind('-').map_or(0, |i| before[..i].chars().count())
}

/// Replaces the value of key `k` (currently `v`).
fn replace_value(lines: &Lines, k: &Node, v: &Node, value: &Json) -> String {
    let text = lines.text;
    let key_end = lines.offset(k.span.end);
    let colon = text[key_end..].find(':').map_or(key_end, |i| key_end + i + 1);
    let line_end = text[colon..].find('\n').map_or(text.len(), |i| colon + i);
    let indent = k.span.start.column as usize - 1;
    let on_key_line = v.is_null() || is_flow(lines, v) || !matches!(v.value, Value::Map(_) | Value::Seq(_));
    let new_inline = emit::inline(value);
    if on_key_line {
        let (a, b) = if v.is_null() { (colon, colon) } else { (lines.offset(v.span.start), lines.offset(v.span.end)) };
        // A flow collection's span may not reach its closing bracket.
        let b = if is_flow(lines, v) { flow_end(text, a).map_or(b, |e| e + 1) } else { b };
        return match new_inline {
            // Same line, same place: only the value's characters change.
            Some(s) if v.is_null() => format!("{} {s}{}", &text[..a], &text[b..]),
            Some(s) => format!("{}{s}{}", &text[..a], &text[b..]),
            None => {
                let rest = text[b.max(colon)..line_end].trim();
                let comment = if rest.starts_with('#') { format!(" {rest}") } else { String::new() };
                let block = emit::block(value, indent + 2);
                format!("{}{comment}\n{}{}", &text[..colon], block.trim_end_matches('\n'), &text[line_end..])
            }
        };
    }
    // A block collection: its lines give way to the new value; the key line (and a comment
    // on it) stays.
    let end = lines.end_of_content_line(lines.offset(deep_end(v)));
    match new_inline {
        Some(s) => format!("{} {s}{}\n{}", &text[..colon], &text[colon..line_end], &text[end..]),
        None => format!("{}\n{}{}", &text[..line_end], emit::block(value, indent + 2), &text[end..]),
    }
}

fn insert_line(text: &str, at: usize, block: &str) -> String {
    let mut out = String::with_capacity(text.len() + block.len() + 1);
    out.push_str(&text[..at]);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(block);
    out.push_str(&text[at..]);
    out
}

fn append_text(text: &str, block: &str) -> String {
    insert_line(text, text.len(), block)
}

#[cfg(test)]
mod tests;
