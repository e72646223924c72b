//! Checks one descriptor file: bytes → documents → entities, plus the warning that Backstage
//! drops the whole file when one of its documents fails early.

use std::borrow::Cow;

use super::compat;
use super::document::{self, ExtraSchema, Outcome};
use super::entity::Entity;
use super::placeholder::Resolve;
use super::rules::{self, FILE_DROPPED, YAML_DUPLICATE_KEY, YAML_LIMIT, YAML_SYNTAX};
use crate::config::Config;
use crate::report::Diagnostic;
use crate::yaml::{Document, ParseOptions, Span, YamlError, parse_events, parse_plain};

/// What one file holds.
#[derive(Debug, Default)]
pub struct FileCheck {
    pub entities: Vec<Entity>,
    pub diagnostics: Vec<Diagnostic>,
    /// Non-empty documents.
    pub documents: usize,
}

/// Checks the file `file` with contents `bytes`.
pub fn check(
    file: &str,
    bytes: &[u8],
    cfg: &Config,
    extra: &[ExtraSchema],
    placeholders: Option<&dyn Resolve>,
) -> FileCheck {
    let mut fc = FileCheck::default();
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() as u32;
            fc.diagnostics.push(
                Diagnostic::error(YAML_SYNTAX, format!("not valid UTF-8 (byte {})", e.valid_up_to()))
                    .in_file(file)
                    .at(line, 1)
                    .with_help("YAML files must be UTF-8 text; is this a binary file?"),
            );
            return fc;
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let opts = cfg.limits.catalog_yaml();
    // Most descriptors are plain text (see `parse_plain`): no carriage return, byte order mark,
    // tag, anchor, alias or directive, and only string keys, so none of the relaxations and
    // compatibility checks below can find anything in them.
    let plain = parse_plain(text, &opts);
    let is_plain = plain.is_some();
    let (text, docs, err) = match plain {
        Some(docs) => (Cow::Borrowed(text), docs, None),
        None => parse(text, &opts),
    };
    let text: &str = &text;
    // Where Backstage gives up on the file, if it does.
    let mut file_error: Option<Span> = None;
    if let Some(e) = &err {
        // The YAML layer does not export its error kinds; its messages are stable.
        let rule = if e.message.starts_with("duplicate key") {
            YAML_DUPLICATE_KEY
        } else if e.message.starts_with("nesting") || e.message.contains("alias expansion exceeds") {
            // paved's own limits, which Backstage does not have.
            YAML_LIMIT
        } else {
            YAML_SYNTAX
        };
        fc.diagnostics.push(
            Diagnostic::new(rule, rules::severity(rule), e.message.clone())
                .in_file(file)
                .at(e.line, e.column)
                .in_document(e.document),
        );
        file_error = Some(Span::point(e.line, e.column));
    }
    if !is_plain && let Some((line, column)) = compat::lone_cr(text) {
        fc.diagnostics.push(
            Diagnostic::error(
                YAML_SYNTAX,
                "a carriage return without a line feed does not end a line for Backstage's YAML reader",
            )
            .in_file(file)
            .at(line, column)
            .with_help("use LF or CRLF line endings"),
        );
        file_error.get_or_insert(Span::point(line, column));
    }
    if !is_plain && let Some(line) = compat::stray_bom(text) {
        fc.diagnostics.push(
            Diagnostic::error(YAML_SYNTAX, "a byte order mark inside a document (Backstage's YAML reader: Implicit map keys need to be followed by map values)")
                .in_file(file)
                .at(line, 1),
        );
        file_error.get_or_insert(Span::point(line, 1));
    }
    let compat = if !is_plain && compat::needed(text) { compat::scan(text) } else { compat::Compat::default() };
    if let Some((doc, line, column)) = compat.alias_limit {
        fc.diagnostics.push(
            Diagnostic::error(YAML_SYNTAX, "Excessive alias count indicates a resource exhaustion attack")
                .in_file(file)
                .at(line, column)
                .in_document(doc)
                .with_help("Backstage's YAML reader allows an anchor at most 100 uses (counting nested aliases)"),
        );
        file_error.get_or_insert(Span::point(line, column));
    }
    for d in docs {
        let mut root = d.root;
        if let Some(p) = compat.patches.get(&d.index) {
            compat::patch(&mut root, p);
        }
        // Whether a value ends in a block scalar (`|`, `>`): its last leaf, with the indicator
        // at or just before the leaf's start.
        let is_block_scalar = |n: &crate::yaml::Node| {
            let mut leaf = n;
            loop {
                match &leaf.value {
                    crate::yaml::Value::Map(m) => match m.entries.last() {
                        Some((_, v)) => leaf = v,
                        None => return false,
                    },
                    crate::yaml::Value::Seq(items) => match items.last() {
                        Some(v) => leaf = v,
                        None => return false,
                    },
                    _ => break,
                }
            }
            let Some(o) = offset(text, leaf.span.start.line, leaf.span.start.column) else { return false };
            text[o..].starts_with(['|', '>'])
                || text[..o]
                    .trim_end()
                    .trim_end_matches(|c: char| c.is_ascii_digit() || c == '+' || c == '-')
                    .ends_with(['|', '>'])
        };
        if !is_plain && let Some(k) = compat::flow_key(&root, &is_block_scalar) {
            fc.diagnostics.push(
                Diagnostic::error(YAML_SYNTAX, "a flow collection cannot be an implicit key here (Backstage's YAML reader: Map comment with trailing content)")
                    .in_file(file)
                    .at_span(k)
                    .in_document(d.index)
                    .with_help("write it as an explicit key (`? [a, b]`) or use a plain key"),
            );
            file_error.get_or_insert(k);
        }
        if !is_plain && let Some(k) = compat::duplicate_key(&root) {
            fc.diagnostics.push(
                Diagnostic::error(
                    YAML_DUPLICATE_KEY,
                    "Map keys must be unique (equal values in Backstage's YAML reader)",
                )
                .in_file(file)
                .at_span(k)
                .in_document(d.index),
            );
            file_error.get_or_insert(k);
        }
        match document::check(file, d.index, root, cfg, extra, placeholders, &mut fc.diagnostics) {
            Outcome::Empty => {}
            Outcome::FileLevel(span) => {
                fc.documents += 1;
                file_error.get_or_insert(span);
            }
            Outcome::Entity(e) => {
                fc.documents += 1;
                fc.entities.push(*e);
            }
        }
    }
    if let Some(at) = file_error
        && !fc.entities.is_empty()
    {
        let names: Vec<&str> = fc.entities.iter().take(5).map(|e| e.entity_ref.as_str()).collect();
        let more = if fc.entities.len() > 5 { format!(" and {} more", fc.entities.len() - 5) } else { String::new() };
        fc.diagnostics.push(
            Diagnostic::warning(
                FILE_DROPPED,
                format!(
                    "Backstage drops every entity of this file because of the error at line {}: {}{more}",
                    at.start.line,
                    names.join(", ")
                ),
            )
            .in_file(file)
            .at(at.start.line, at.start.column)
            .with_help("fix that error, or move the other entities to their own file"),
        );
    }
    fc
}

/// Parses a text that is not plain, first relaxing the few constructs paved's parser refuses and Backstage's
/// (`yaml` v2) accepts: a tag its value does not fit (a string there), a tab after `:`, a raw
/// NUL, a lone surrogate escape. Each relaxation keeps every character's line and column.
fn parse<'t>(text: &'t str, opts: &ParseOptions) -> (Cow<'t, str>, Vec<Document>, Option<YamlError>) {
    let mut text = Cow::Borrowed(text);
    for _ in 0..64 {
        let (docs, err) = parse_events(&text, opts);
        let Some(e) = &err else { return (text, docs, err) };
        match relax(&text, e) {
            Some(t) => text = Cow::Owned(t),
            None => return (text, docs, err),
        }
    }
    let (docs, err) = parse_events(&text, opts);
    (text, docs, err)
}

fn relax(text: &str, e: &YamlError) -> Option<String> {
    let at = offset(text, e.line, e.column);
    if e.message.contains("is not a valid !!") {
        let at = at?;
        let rest = text.get(at..)?.strip_prefix("!!")?;
        let len = 2 + rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
        if len >= 5 {
            let mut t = text.to_string();
            t.replace_range(at..at + len, &format!("{:<len$}", "!!str"));
            return Some(t);
        }
    }
    if e.message.contains("valid YAML whitespace") {
        // The error points at the tab or just after it.
        let at = at?;
        let tab = if text.get(at..)?.starts_with('\t') { at } else { text.get(..at)?.strip_suffix('\t')?.len() };
        let mut t = text.to_string();
        t.replace_range(tab..tab + 1, " ");
        return Some(t);
    }
    if text.contains('\0') {
        return Some(text.replace('\0', "\u{fffd}"));
    }
    if e.message.contains("Unicode character escape") {
        let t = lone_surrogates(text);
        return (t != text).then_some(t);
    }
    None
}

/// `\uD800`..`\uDFFF` escapes (which JavaScript keeps and paved's parser refuses) become
/// `\uFFFD`, the same length.
fn lone_surrogates(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("\\u") {
        out.push_str(&rest[..i]);
        let esc = rest.get(i..i + 6).unwrap_or(&rest[i..]);
        let hex = esc.get(2..).and_then(|h| u32::from_str_radix(h, 16).ok());
        if esc.len() == 6 && hex.is_some_and(|h| (0xD800..=0xDFFF).contains(&h)) {
            out.push_str("\\uFFFD");
        } else {
            out.push_str(esc);
        }
        rest = &rest[i + esc.len()..];
    }
    out.push_str(rest);
    out
}

/// The byte offset of a 1-based line and character column.
fn offset(text: &str, line: u32, column: u32) -> Option<usize> {
    let start = if line <= 1 { 0 } else { text.match_indices('\n').nth(line as usize - 2).map(|(i, _)| i + 1)? };
    let col = column.checked_sub(1)? as usize;
    text[start..].char_indices().nth(col).map(|(i, _)| start + i).or((col == 0).then_some(start))
}
