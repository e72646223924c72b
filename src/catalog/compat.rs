//! Where Backstage's YAML parser (`yaml` v2, `parseAllDocuments` then `toJSON`) reads a text
//! differently from paved's core-schema tree, in the rare files where it can: documents under a
//! `%YAML 1.1` directive (`on`, `yes`, `0b1`, `1_000` are booleans and numbers there), explicit
//! `!!binary` values (bytes, not strings), and `toJSON`'s alias limit (an anchor's uses times its
//! own nested alias count may not exceed 100). A second, event-only pass finds them; the tree
//! is then patched in place.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::yaml::{Map, Node, Value};

/// `yaml` v2's default `maxAliasCount`.
const MAX_ALIAS_COUNT: u64 = 100;

/// What the second pass found.
#[derive(Debug, Default)]
pub struct Compat {
    /// Per document index: scalar start (line, column) → the value Backstage sees.
    pub patches: HashMap<usize, HashMap<(u32, u32), Value>>,
    /// The alias where `toJSON` gives up: (document, line, column).
    pub alias_limit: Option<(usize, u32, u32)>,
}

/// Whether `text` could hold anything this module handles; most files skip the second pass.
pub fn needed(text: &str) -> bool {
    text.contains('&') || text.contains("!!binary") || text.contains("%YAML")
}

enum Shape {
    Leaf,
    Alias(usize),
    Coll(Vec<Shape>),
}

struct Anchor {
    shape: std::rc::Rc<Shape>,
    count: u64,
    alias_count: u64,
}

fn alias_count(shape: &Shape, anchors: &HashMap<usize, Anchor>) -> u64 {
    match shape {
        Shape::Leaf => 1,
        Shape::Alias(id) => anchors.get(id).map_or(0, |a| a.count * a.alias_count),
        Shape::Coll(items) => items.iter().map(|s| alias_count(s, anchors)).max().unwrap_or(0),
    }
}

/// Runs the second pass. Parse errors are the first pass's business and end this one quietly.
pub fn scan(text: &str) -> Compat {
    let mut out = Compat::default();
    let yaml11_lines: Vec<u32> =
        text.lines().enumerate().filter(|(_, l)| l.starts_with("%YAML 1.1")).map(|(i, _)| i as u32 + 1).collect();
    let mut parser = Parser::new_from_str(text);
    let mut doc: usize = 0;
    let mut prev_end: u32 = 0;
    let mut yaml11 = false;
    let mut anchors: HashMap<usize, Anchor> = HashMap::new();
    let mut stack: Vec<(usize, Vec<Shape>)> = Vec::new();
    let mut finished: Option<(usize, Shape)>;
    while let Some(Ok((ev, span))) = parser.next_event() {
        let (line, col) = (span.start.line() as u32, span.start.col() as u32 + 1);
        finished = None;
        match ev {
            Event::DocumentStart(_) => {
                yaml11 = yaml11_lines.iter().any(|&l| l > prev_end && l <= line);
                anchors.clear();
            }
            Event::DocumentEnd => {
                prev_end = span.end.line() as u32;
                doc += 1;
            }
            Event::Scalar(value, style, anchor, tag) => {
                let patched = match &tag {
                    Some(t) if t.is_yaml_core_schema() && t.suffix == "binary" => Some(Value::Map(Map::default())),
                    None if yaml11 && style == ScalarStyle::Plain => resolve_11(&value),
                    _ => None,
                };
                if let Some(v) = patched {
                    out.patches.entry(doc).or_default().insert((line, col), v);
                }
                finished = Some((anchor, Shape::Leaf));
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => stack.push((anchor, Vec::new())),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, items)) = stack.pop() {
                    finished = Some((anchor, Shape::Coll(items)));
                }
            }
            Event::Alias(id) => {
                if let Some(a) = anchors.get(&id) {
                    let shape = a.shape.clone();
                    let computed = if a.alias_count == 0 { alias_count(&shape, &anchors) } else { a.alias_count };
                    if let Some(a) = anchors.get_mut(&id) {
                        a.count += 1;
                        a.alias_count = computed;
                        if a.count * a.alias_count > MAX_ALIAS_COUNT && out.alias_limit.is_none() {
                            out.alias_limit = Some((doc, line, col));
                        }
                    }
                }
                if let Some((_, items)) = stack.last_mut() {
                    items.push(Shape::Alias(id));
                }
            }
            _ => {}
        }
        if let Some((anchor, shape)) = finished {
            let shape = std::rc::Rc::new(shape);
            if anchor > 0 {
                anchors.insert(anchor, Anchor { shape: shape.clone(), count: 1, alias_count: 0 });
            }
            if let Some((_, items)) = stack.last_mut() {
                // Only anchored subtrees are ever measured; keep the rest cheap.
                items.push(match std::rc::Rc::try_unwrap(shape) {
                    Ok(s) => s,
                    Err(rc) => clone_shape(&rc),
                });
            }
        }
    }
    out
}

fn clone_shape(s: &Shape) -> Shape {
    match s {
        Shape::Leaf => Shape::Leaf,
        Shape::Alias(id) => Shape::Alias(*id),
        Shape::Coll(items) => Shape::Coll(items.iter().map(clone_shape).collect()),
    }
}

/// A plain scalar under YAML 1.1 (`yaml` v2's yaml-1.1 schema), when it is not a string there.
fn resolve_11(s: &str) -> Option<Value> {
    const TRUE: &[&str] = &["Y", "y", "Yes", "yes", "YES", "True", "true", "TRUE", "On", "on", "ON"];
    const FALSE: &[&str] = &["N", "n", "No", "no", "NO", "False", "false", "FALSE", "Off", "off", "OFF"];
    if TRUE.contains(&s) {
        return Some(Value::Bool(true));
    }
    if FALSE.contains(&s) {
        return Some(Value::Bool(false));
    }
    if matches!(s, "" | "~" | "null" | "Null" | "NULL") {
        return Some(Value::Null);
    }
    let (sign, body) = match s.strip_prefix('-') {
        Some(b) => (-1.0, b),
        None => (1.0, s.strip_prefix('+').unwrap_or(s)),
    };
    let digits = |b: &str, ok: fn(u8) -> bool| !b.is_empty() && b.bytes().all(|c| ok(c) || c == b'_');
    let num = |v: f64| Some(if v.fract() == 0.0 && v.abs() < 9e15 { Value::Int(v as i64) } else { Value::Float(v) });
    let radix = |b: &str, r: u32| i64::from_str_radix(&b.replace('_', ""), r).ok().map(|v| sign * v as f64);
    if let Some(b) = body.strip_prefix("0b") {
        return if digits(b, |c| c == b'0' || c == b'1') { radix(b, 2).and_then(num) } else { None };
    }
    if let Some(b) = body.strip_prefix("0x") {
        return if digits(b, |c| c.is_ascii_hexdigit()) { radix(b, 16).and_then(num) } else { None };
    }
    if body.len() > 1 && body.starts_with('0') && digits(&body[1..], |c| (b'0'..=b'7').contains(&c)) {
        return radix(&body[1..], 8).and_then(num);
    }
    if body.as_bytes().first().is_some_and(u8::is_ascii_digit) && digits(body, |c| c.is_ascii_digit()) {
        return body.replace('_', "").parse::<f64>().ok().and_then(|v| num(sign * v));
    }
    // Sexagesimal (`190:20:30`), as yaml v2's intTime/floatTime read it.
    if body.contains(':') && body.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        let mut parts = body.split(':');
        let first = parts.next()?;
        if !digits(first, |c| c.is_ascii_digit()) {
            return None;
        }
        let mut v: f64 = first.replace('_', "").parse().ok()?;
        let rest: Vec<&str> = parts.collect();
        for (i, p) in rest.iter().enumerate() {
            let last = i + 1 == rest.len();
            let (int, frac) =
                if last { p.split_once('.').map_or((*p, None), |(a, b)| (a, Some(b))) } else { (*p, None) };
            if int.is_empty()
                || int.len() > 2
                || !int.bytes().all(|c| c.is_ascii_digit())
                || int.parse::<u32>().ok()? > 59
            {
                return None;
            }
            v = v * 60.0 + int.parse::<f64>().ok()?;
            if let Some(f) = frac {
                if !digits(f, |c| c.is_ascii_digit()) && !f.is_empty() {
                    return None;
                }
                v += format!("0.{}", f.replace('_', "")).parse::<f64>().unwrap_or(0.0);
            }
        }
        return num(sign * v);
    }
    // Floats with underscores, which the core schema reads as strings.
    if s.contains('_') {
        let t = body.replace('_', "");
        if t.bytes().any(|c| c.is_ascii_digit())
            && t.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'-' | b'+'))
        {
            return t.parse::<f64>().ok().map(|v| Value::Float(sign * v));
        }
    }
    None
}

/// Applies the patches of one document to its tree (keys included).
pub fn patch(node: &mut Node, patches: &HashMap<(u32, u32), Value>) {
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| patch(n, patches)),
        Value::Map(m) => {
            for (k, v) in &mut m.entries {
                patch(k, patches);
                patch(v, patches);
            }
        }
        _ => {
            if let Some(v) = patches.get(&(node.span.start.line, node.span.start.column)) {
                node.value = v.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_11_scalars() {
        assert_eq!(resolve_11("on"), Some(Value::Bool(true)));
        assert_eq!(resolve_11("No"), Some(Value::Bool(false)));
        assert_eq!(resolve_11("0b101"), Some(Value::Int(5)));
        assert_eq!(resolve_11("017"), Some(Value::Int(15)));
        assert_eq!(resolve_11("1_000"), Some(Value::Int(1000)));
        assert_eq!(resolve_11("190:20:30"), Some(Value::Int(685230)));
        assert_eq!(resolve_11("service"), None);
        assert_eq!(resolve_11("0o17"), None);
    }

    #[test]
    fn counts_aliases_like_yaml_v2() {
        let uses = |n: usize| format!("a: &a x\nb: [{}]\n", vec!["*a"; n].join(", "));
        assert!(scan(&uses(99)).alias_limit.is_none());
        assert!(scan(&uses(100)).alias_limit.is_some());
        let c = scan("%YAML 1.1\n---\nt: on\n");
        assert_eq!(c.patches[&0][&(3, 4)], Value::Bool(true));
        let c = scan("t: !!binary aGVsbG8=\n");
        assert_eq!(c.patches[&0].len(), 1);
    }
}
