//! Where Backstage's YAML parser (`yaml` v2, `parseAllDocuments` then `toJSON`) reads a text
//! differently from paved's core-schema tree, in the rare files where it can: documents under a
//! `%YAML 1.1` directive (`on`, `yes`, `0b1`, `1_000` are booleans and numbers there), explicit
//! `!!binary` values (bytes, not strings), and `toJSON`'s alias limit (an anchor's uses times its
//! own nested alias count may not exceed 100). A second, event-only pass finds them; the tree
//! is then patched in place.

use std::collections::{HashMap, HashSet};

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
    text.contains('&') || text.contains("!!") || text.contains("%YAML")
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
    // yaml v2 keeps a `%YAML` directive for the later documents of the stream too.
    let directives: Vec<(u32, bool)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("%YAML"))
        .map(|(i, l)| (i as u32 + 1, l.split_whitespace().nth(1) == Some("1.1")))
        .collect();
    let mut parser = Parser::new_from_str(text);
    let mut doc: usize = 0;
    let mut yaml11 = false;
    let mut anchors: HashMap<usize, Anchor> = HashMap::new();
    let mut stack: Vec<(usize, Vec<Shape>)> = Vec::new();
    let mut finished: Option<(usize, Shape)>;
    while let Some(Ok((ev, span))) = parser.next_event() {
        let (line, col) = (span.start.line() as u32, span.start.col() as u32 + 1);
        finished = None;
        match ev {
            Event::DocumentStart(_) => {
                yaml11 = directives.iter().rev().find(|(l, _)| *l <= line).is_some_and(|(_, v11)| *v11);
                anchors.clear();
            }
            Event::DocumentEnd => doc += 1,
            Event::Scalar(value, style, anchor, tag) => {
                let patched = match &tag {
                    Some(t) if t.is_yaml_core_schema() && t.suffix == "binary" => Some(Value::Map(Map::default())),
                    Some(t) if t.is_yaml_core_schema() && !fits_core_tag(&t.suffix, &value) => {
                        Some(Value::String(value.to_string()))
                    }
                    None if yaml11 && style == ScalarStyle::Plain => Some(resolve_11(&value)),
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

fn all_digits(b: &str, ok: fn(u8) -> bool) -> bool {
    !b.is_empty() && b.bytes().all(ok)
}

/// `yaml` v2's core-schema tests for an explicitly tagged scalar: when the text does not fit
/// the tag, yaml v2 keeps it as a string (with a warning) instead of failing.
fn fits_core_tag(suffix: &str, s: &str) -> bool {
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let digit = |c: u8| c.is_ascii_digit();
    match suffix {
        "bool" => matches!(s, "true" | "True" | "TRUE" | "false" | "False" | "FALSE"),
        "null" => matches!(s, "" | "~" | "null" | "Null" | "NULL"),
        "int" => {
            all_digits(unsigned, digit)
                || s.strip_prefix("0o").is_some_and(|o| all_digits(o, |c| (b'0'..=b'7').contains(&c)))
                || s.strip_prefix("0x").is_some_and(|h| all_digits(h, |c| c.is_ascii_hexdigit()))
        }
        "float" => {
            if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(s, ".nan" | ".NaN" | ".NAN") {
                return true;
            }
            let (mantissa, exp) = match unsigned.find(['e', 'E']) {
                Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
                None => (unsigned, None),
            };
            let mantissa_ok = match mantissa.split_once('.') {
                Some((a, b)) => {
                    (a.is_empty() && all_digits(b, digit)) || (all_digits(a, digit) && b.bytes().all(digit))
                }
                None => exp.is_some() && all_digits(mantissa, digit),
            };
            let exp_ok = exp.is_none_or(|e| all_digits(e.strip_prefix(['-', '+']).unwrap_or(e), digit));
            mantissa_ok && exp_ok
        }
        _ => true,
    }
}

/// A plain scalar under YAML 1.1, as `yaml` v2's yaml-1.1 schema reads it.
fn resolve_11(s: &str) -> Value {
    const TRUE: &[&str] = &["Y", "y", "Yes", "yes", "YES", "True", "true", "TRUE", "On", "on", "ON"];
    const FALSE: &[&str] = &["N", "n", "No", "no", "NO", "False", "false", "FALSE", "Off", "off", "OFF"];
    if TRUE.contains(&s) {
        return Value::Bool(true);
    }
    if FALSE.contains(&s) {
        return Value::Bool(false);
    }
    if matches!(s, "" | "~" | "null" | "Null" | "NULL") {
        return Value::Null;
    }
    match s {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    number_11(s).unwrap_or_else(|| Value::String(s.to_string()))
}

fn number_11(s: &str) -> Option<Value> {
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
    let first_digit = body.as_bytes().first().is_some_and(u8::is_ascii_digit);
    if first_digit && digits(body, |c| c.is_ascii_digit()) {
        return body.replace('_', "").parse::<f64>().ok().and_then(|v| num(sign * v));
    }
    // Sexagesimal (`190:20:30`, `1:30.5`), as yaml v2's intTime/floatTime read it.
    if first_digit && body.contains(':') {
        let mut parts = body.split(':');
        let first = parts.next()?;
        if !digits(first, |c| c.is_ascii_digit()) {
            return None;
        }
        let mut v: f64 = first.replace('_', "").parse().ok()?;
        let rest: Vec<&str> = parts.collect();
        for (i, p) in rest.iter().enumerate() {
            let (int, frac) = match p.split_once('.') {
                Some((a, b)) if i + 1 == rest.len() => (a, Some(b)),
                _ => (*p, None),
            };
            if int.is_empty()
                || int.len() > 2
                || !int.bytes().all(|c| c.is_ascii_digit())
                || int.parse::<u32>().ok()? > 59
            {
                return None;
            }
            v = v * 60.0 + int.parse::<f64>().ok()?;
            if let Some(f) = frac {
                if !f.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
                    return None;
                }
                v += format!("0.{}", f.replace('_', "")).parse::<f64>().unwrap_or(0.0);
            }
        }
        return num(sign * v);
    }
    // `[0-9][0-9_]*)?(\.[0-9_]*)?[eE][-+]?[0-9]+` and `([0-9][0-9_]*)?\.[0-9_]*`.
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let int_ok = int.is_empty() || (int.as_bytes()[0].is_ascii_digit() && digits(int, |c| c.is_ascii_digit()));
    let frac_ok = frac.is_none_or(|f| f.bytes().all(|c| c.is_ascii_digit() || c == b'_'));
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit())
    });
    if int_ok && frac_ok && exp_ok && (frac.is_some() || exp.is_some()) {
        let t = mantissa.replace('_', "");
        let t = if t.starts_with('.') { format!("0{t}") } else { t };
        let t = if t.ends_with('.') { format!("{t}0") } else { t };
        let text = match exp {
            Some(e) => format!("{t}e{e}"),
            None => t,
        };
        return text.parse::<f64>().ok().map(|v| Value::Float(sign * v));
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

/// Keys yaml v2 finds equal although paved's tree holds different values (`1` and `1.0`, or
/// keys that YAML 1.1 made equal): the first repeated key's span.
pub fn duplicate_key(node: &Node) -> Option<crate::yaml::Span> {
    match &node.value {
        Value::Seq(items) => items.iter().find_map(duplicate_key),
        Value::Map(m) => {
            let keys = &m.entries;
            if keys.iter().any(|(k, _)| matches!(k.value, Value::Float(_) | Value::Int(_) | Value::Bool(_))) {
                let repeated = if keys.len() <= 16 {
                    keys.iter()
                        .enumerate()
                        .find(|(i, (k, _))| keys[..*i].iter().any(|(p, _)| js_equal(&p.value, &k.value)))
                        .map(|(_, (k, _))| k.span)
                } else {
                    first_js_repeat(keys.iter().map(|(k, _)| k))
                };
                if repeated.is_some() {
                    return repeated;
                }
            }
            keys.iter().find_map(|(_, v)| duplicate_key(v))
        }
        _ => None,
    }
}

/// A flow collection (`[a, b]: v`, `{a: b}: v`) as an implicit key after an entry of a block
/// mapping, which yaml v2 refuses ("Map comment with trailing content") unless the entry before
/// ends in a block scalar (`is_block_scalar` says whether a value node is one).
/// The document's top-level mapping is exempt, as are keys after an empty value.
pub fn flow_key(root: &Node, is_block_scalar: &dyn Fn(&Node) -> bool) -> Option<crate::yaml::Span> {
    match &root.value {
        Value::Map(m) => m.entries.iter().find_map(|(_, v)| nested_flow_key(v, is_block_scalar)),
        Value::Seq(items) => items.iter().find_map(|n| nested_flow_key(n, is_block_scalar)),
        _ => None,
    }
}

fn nested_flow_key(node: &Node, is_block_scalar: &dyn Fn(&Node) -> bool) -> Option<crate::yaml::Span> {
    match &node.value {
        Value::Seq(items) => items.iter().find_map(|n| nested_flow_key(n, is_block_scalar)),
        Value::Map(m) => {
            let first = m.entries.first().map(|(k, _)| k.span.start);
            for (i, (k, _)) in m.entries.iter().enumerate().skip(1) {
                let block_entry = first.is_some_and(|f| f.column == k.span.start.column && f.line < k.span.start.line);
                let prev = &m.entries[i - 1].1;
                if block_entry
                    && matches!(k.value, Value::Seq(_) | Value::Map(_))
                    && !prev.is_null()
                    && !is_block_scalar(prev)
                {
                    return Some(k.span);
                }
            }
            m.entries.iter().find_map(|(_, v)| nested_flow_key(v, is_block_scalar))
        }
        _ => None,
    }
}

/// A line holding only a byte order mark inside a document, which yaml v2 reads as a key with
/// no value. A mark at the very start, or right after `---`, is fine.
pub fn stray_bom(text: &str) -> Option<u32> {
    if !text.contains('\u{feff}') {
        return None;
    }
    let mut prev = "";
    for (i, line) in text.lines().enumerate() {
        if i > 0 && !prev.starts_with("---") && line.starts_with('\u{feff}') && line[3..].trim().is_empty() {
            return Some(i as u32 + 1);
        }
        prev = line;
    }
    None
}

/// A carriage return that is not followed by a line feed, with a mapping entry after it on the
/// same line: yaml v2 does not break lines there, so it reads one line with two `key:`s.
pub fn lone_cr(text: &str) -> Option<(u32, u32)> {
    if !text.contains('\r') {
        return None;
    }
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let Some(cr) = line.find('\r') else { continue };
        let (before, after) = (&line[..cr], &line[cr + 1..]);
        let in_comment = before.contains(" #") || before.starts_with('#');
        let in_quotes = before.matches('"').count() % 2 == 1 || before.matches('\'').count() % 2 == 1;
        if !in_comment && !in_quotes && (after.contains(": ") || after.trim_end().ends_with(':')) {
            return Some((i as u32 + 1, before.chars().count() as u32 + 1));
        }
    }
    None
}

/// The first key [`js_equal`] to an earlier one, in linear time: a pairwise scan of a hostile
/// 100,000-key mapping would take minutes. `js_equal` is not transitive (two integers that
/// round to the same float are different keys, yet both equal that float), so integers are
/// remembered twice: exactly, against other integers, and as floats, against floats.
fn first_js_repeat<'a>(keys: impl Iterator<Item = &'a Node>) -> Option<crate::yaml::Span> {
    // -0.0 == 0.0; NaN equals nothing and is never looked up.
    let bits = |f: f64| if f == 0.0 { 0u64 } else { f.to_bits() };
    let (mut ints, mut ints_as_floats, mut floats) = (HashSet::new(), HashSet::new(), HashSet::new());
    let (mut strings, mut bools, mut null) = (HashSet::new(), [false; 2], false);
    for k in keys {
        let repeated = match &k.value {
            Value::Int(x) => {
                let f = bits(*x as f64);
                let seen = ints.contains(x) || floats.contains(&f);
                ints.insert(*x);
                ints_as_floats.insert(f);
                seen
            }
            Value::Float(y) if y.is_nan() => false,
            Value::Float(y) => {
                let f = bits(*y);
                !floats.insert(f) || ints_as_floats.contains(&f)
            }
            Value::Bool(b) => std::mem::replace(&mut bools[usize::from(*b)], true),
            Value::Null => std::mem::replace(&mut null, true),
            Value::String(s) => !strings.insert(s.as_str()),
            Value::Seq(_) | Value::Map(_) => false,
        };
        if repeated {
            return Some(k.span);
        }
    }
    None
}

fn js_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => *x as f64 == *y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Null, Value::Null) => true,
        (Value::String(x), Value::String(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_11_scalars() {
        assert_eq!(resolve_11("on"), Value::Bool(true));
        assert_eq!(resolve_11("No"), Value::Bool(false));
        assert_eq!(resolve_11("0b101"), Value::Int(5));
        assert_eq!(resolve_11("017"), Value::Int(15));
        assert_eq!(resolve_11("1_000"), Value::Int(1000));
        assert_eq!(resolve_11("190:20:30"), Value::Int(685230));
        assert_eq!(resolve_11("1.5e3"), Value::Float(1500.0));
        assert_eq!(resolve_11("+12"), Value::Int(12));
        assert_eq!(resolve_11("service"), Value::String("service".into()));
        assert_eq!(resolve_11("0o17"), Value::String("0o17".into()));
        assert_eq!(resolve_11("2001-12-14"), Value::String("2001-12-14".into()));
    }

    #[test]
    fn tags_that_do_not_fit_are_strings() {
        assert!(fits_core_tag("float", "1.5"));
        assert!(fits_core_tag("float", "1e3"));
        assert!(!fits_core_tag("float", "1"));
        assert!(fits_core_tag("int", "0x10"));
        assert!(!fits_core_tag("int", "1.5"));
        assert!(!fits_core_tag("null", "foo"));
        assert!(!fits_core_tag("bool", "yes"));
    }

    #[test]
    fn repeated_keys_in_large_mappings_as_the_pairwise_scan_finds_them() {
        let pairwise = |keys: &[Node]| {
            keys.iter()
                .enumerate()
                .find(|(i, k)| keys[..*i].iter().any(|p| js_equal(&p.value, &k.value)))
                .map(|(_, k)| k.span)
        };
        let big = 1i64 << 53;
        let pool = [
            Value::Int(1),
            Value::Float(1.0),
            Value::Int(0),
            Value::Float(-0.0),
            Value::Float(f64::NAN),
            Value::Int(big),
            Value::Int(big + 1),
            Value::Float(big as f64),
            Value::Bool(true),
            Value::Bool(false),
            Value::Null,
            Value::String("1".into()),
            Value::String("a".into()),
        ];
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..2000 {
            let n = 2 + (seed % 6) as usize;
            let keys: Vec<Node> = (0..n)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    Node::new(
                        pool[(seed % pool.len() as u64) as usize].clone(),
                        crate::yaml::Span::point(i as u32 + 1, 1),
                    )
                })
                .collect();
            assert_eq!(
                first_js_repeat(keys.iter()),
                pairwise(&keys),
                "{:?}",
                keys.iter().map(|k| &k.value).collect::<Vec<_>>()
            );
        }
        // 100,000 integer keys, then a float that JavaScript finds equal to the last integer
        // (2^53 + 1 rounds to 2^53); paved's parser keeps both.
        let mut text: String = (0..100_000).map(|i| format!("{i}: x\n")).collect();
        text.push_str("9007199254740993: y\n9007199254740992.0: z\n");
        let (docs, err) = crate::yaml::parse_documents(&text, &Default::default());
        assert!(err.is_none(), "{err:?}");
        let start = std::time::Instant::now();
        assert_eq!(duplicate_key(&docs[0].root).map(|s| s.start.line), Some(100_002));
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
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
