//! A quick check of a document against a kind's JSON Schema, straight on the YAML tree.
//!
//! Converting every entity to JSON for the `jsonschema` crate cost more than parsing it. Nearly
//! every document is valid, and proving that needs only the few keywords the built-in schemas
//! use. This interpreter answers [`Verdict::Valid`] only when the document certainly satisfies
//! the schema; anything it is not sure about (a keyword it does not know, a pattern, a float
//! where an integer is expected) is [`Verdict::Unsure`], and the caller then asks `jsonschema`,
//! which stays the only source of diagnostics. So a gap here costs time, never a finding.

use serde_json::{Map as JsonMap, Value as Json};

use crate::yaml::{Node, Value};

/// What the quick check can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    Invalid,
    Unsure,
}

use Verdict::*;

impl Verdict {
    fn and(self, other: impl FnOnce() -> Verdict) -> Verdict {
        match self {
            Invalid => Invalid,
            Valid => other(),
            Unsure => match other() {
                Invalid => Invalid,
                _ => Unsure,
            },
        }
    }

    fn not(self) -> Verdict {
        match self {
            Valid => Invalid,
            Invalid => Valid,
            Unsure => Unsure,
        }
    }
}

/// Resolves `$ref`s: schema documents by file name.
pub trait Documents {
    fn document(&self, name: &str) -> Option<&Json>;
}

/// Where the check is: the schema document `$ref`s are relative to, the instance's depth,
/// whether it sits strictly under `/metadata` (where [`super::schema::issues`] drops pattern and
/// maxLength errors: paved checks names, namespaces and tags itself), and how many `$ref`s were
/// followed (a cycle guard).
#[derive(Clone, Copy)]
struct At<'s> {
    doc: &'s Json,
    depth: usize,
    /// 0: not metadata, 1: `/metadata` itself, 2: below it.
    meta: u8,
    refs: usize,
}

impl At<'_> {
    fn child(self, key: Option<&str>) -> Self {
        let meta = match (self.meta, self.depth, key) {
            (0, 0, Some("metadata")) => 1,
            (0, _, _) => 0,
            _ => 2,
        };
        At { depth: self.depth + 1, meta, ..self }
    }
}

/// Checks `node` against `schema` (the document named `name` among `docs`).
pub fn check(docs: &dyn Documents, name: &str, node: &Node) -> Verdict {
    let Some(schema) = docs.document(name) else { return Unsure };
    let at = At { doc: schema, depth: 0, meta: 0, refs: 0 };
    Checker { docs }.schema(schema, node, at)
}

struct Checker<'d> {
    docs: &'d dyn Documents,
}

impl<'d> Checker<'d> {
    fn schema<'s>(&self, schema: &'s Json, node: &Node, at: At<'s>) -> Verdict
    where
        'd: 's,
    {
        let obj = match schema {
            Json::Bool(true) => return Valid,
            Json::Bool(false) => return Invalid,
            Json::Object(o) => o,
            _ => return Unsure,
        };
        let mut verdict = Valid;
        for (key, value) in obj {
            let v = match key.as_str() {
                "$schema" | "$id" | "$comment" | "title" | "description" | "default" | "examples" | "definitions"
                | "$defs" => continue,
                // Handled together with `properties`.
                "additionalProperties" | "patternProperties" if lookup(obj, "properties").is_some() => continue,
                "type" => type_matches(value, node),
                "required" => self.required(value, node),
                "properties" | "additionalProperties" | "patternProperties" => self.object(obj, node, at),
                "items" => self.items(value, node, at),
                "maxLength" | "pattern" if at.meta == 2 => continue,
                "minLength" => length(value, node, |len, limit| len >= limit),
                "maxLength" => length(value, node, |len, limit| len <= limit),
                "enum" => match value.as_array() {
                    Some(options) => any_equal(options.iter(), node),
                    None => Unsure,
                },
                "const" => any_equal(std::iter::once(value), node),
                "$ref" => self.reference(value, node, at),
                "allOf" => self.all_of(value, node, at),
                "anyOf" => self.any_of(value, node, at),
                "oneOf" => self.one_of(value, node, at),
                "not" => self.schema(value, node, at).not(),
                _ => Unsure,
            };
            verdict = verdict.and(|| v);
            if verdict == Invalid {
                return Invalid;
            }
        }
        verdict
    }

    fn required(&self, names: &Json, node: &Node) -> Verdict {
        let (Some(names), Value::Map(m)) = (names.as_array(), &node.value) else {
            return if names.is_array() { Valid } else { Unsure };
        };
        let mut v = Valid;
        for n in names {
            let Some(n) = n.as_str() else { return Unsure };
            if m.get(n).is_none() {
                // A non-string key could print as `n` once converted to JSON.
                v = if m.entries.iter().all(|(k, _)| k.as_str().is_some()) { Invalid } else { Unsure };
                if v == Invalid {
                    return Invalid;
                }
            }
        }
        v
    }

    /// `properties`, `patternProperties` and `additionalProperties` of one schema object.
    fn object<'s>(&self, obj: &'s JsonMap<String, Json>, node: &Node, at: At<'s>) -> Verdict
    where
        'd: 's,
    {
        let Value::Map(m) = &node.value else { return Valid };
        let props = match lookup(obj, "properties") {
            None => None,
            Some(Json::Object(p)) => Some(p),
            Some(_) => return Unsure,
        };
        // Only the catch-all `^.+$` is understood; it matches keys without line breaks.
        let catch_all = match lookup(obj, "patternProperties") {
            None => None,
            Some(Json::Object(p)) if p.is_empty() => None,
            Some(Json::Object(p)) if p.len() == 1 && p.contains_key("^.+$") => p.get("^.+$"),
            Some(_) => return Unsure,
        };
        let additional = lookup(obj, "additionalProperties");
        let mut verdict = Valid;
        for (k, v) in &m.entries {
            // Non-string keys take their JSON spelling; leave those to jsonschema.
            let Some(key) = k.as_str() else { return Unsure };
            let child = at.child(Some(key));
            let mut matched = false;
            if let Some(s) = props.and_then(|p| lookup(p, key)) {
                matched = true;
                verdict = verdict.and(|| self.schema(s, v, child));
            }
            if let Some(s) = catch_all {
                if key.is_empty() || key.contains(['\n', '\r', '\u{2028}', '\u{2029}']) {
                    return Unsure;
                }
                matched = true;
                verdict = verdict.and(|| self.schema(s, v, child));
            }
            if !matched && let Some(s) = additional {
                verdict = verdict.and(|| self.schema(s, v, child));
            }
            if verdict == Invalid {
                return Invalid;
            }
        }
        verdict
    }

    fn items<'s>(&self, items: &'s Json, node: &Node, at: At<'s>) -> Verdict
    where
        'd: 's,
    {
        let Value::Seq(seq) = &node.value else { return Valid };
        if items.is_array() {
            return Unsure;
        }
        let mut verdict = Valid;
        for item in seq {
            verdict = verdict.and(|| self.schema(items, item, at.child(None)));
            if verdict == Invalid {
                return Invalid;
            }
        }
        verdict
    }

    fn reference<'s>(&self, r: &'s Json, node: &Node, at: At<'s>) -> Verdict
    where
        'd: 's,
    {
        let Some(r) = r.as_str() else { return Unsure };
        if at.refs >= 32 {
            return Unsure;
        }
        let (file, fragment) = r.split_once('#').unwrap_or((r, ""));
        let doc = if file.is_empty() {
            at.doc
        } else {
            match self.docs.document(file) {
                Some(d) => d,
                None => return Unsure,
            }
        };
        let target = if fragment.is_empty() { Some(doc) } else { doc.pointer(fragment) };
        let Some(target) = target else { return Unsure };
        self.schema(target, node, At { doc, refs: at.refs + 1, ..at })
    }

    fn all_of<'s>(&self, list: &'s Json, node: &Node, at: At<'s>) -> Verdict
    where
        'd: 's,
    {
        let Some(list) = list.as_array() else { return Unsure };
        let mut verdict = Valid;
        for s in list {
            verdict = verdict.and(|| self.schema(s, node, at));
            if verdict == Invalid {
                return Invalid;
            }
        }
        verdict
    }

    fn any_of<'s>(&self, list: &'s Json, node: &Node, at: At<'s>) -> Verdict
    where
        'd: 's,
    {
        let Some(list) = list.as_array() else { return Unsure };
        let mut verdict = Invalid;
        for s in list {
            match self.schema(s, node, at) {
                Valid => return Valid,
                Unsure => verdict = Unsure,
                Invalid => {}
            }
        }
        verdict
    }

    fn one_of<'s>(&self, list: &'s Json, node: &Node, at: At<'s>) -> Verdict
    where
        'd: 's,
    {
        let Some(list) = list.as_array() else { return Unsure };
        let mut valid = 0;
        for s in list {
            match self.schema(s, node, at) {
                Valid => valid += 1,
                Unsure => return Unsure,
                Invalid => {}
            }
        }
        if valid == 1 { Valid } else { Invalid }
    }
}

/// A schema object's member. Schema objects are small; comparing a few short names is cheaper
/// than hashing one.
fn lookup<'s>(obj: &'s JsonMap<String, Json>, key: &str) -> Option<&'s Json> {
    if obj.len() > 16 {
        return obj.get(key);
    }
    obj.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
}

fn type_matches(expected: &Json, node: &Node) -> Verdict {
    let one = |t: &Json| -> Verdict {
        let Some(t) = t.as_str() else { return Unsure };
        let fits = match (&node.value, t) {
            // NaN and infinities become null in JSON; 1.0 may or may not count as an integer.
            (Value::Float(_), _) => return Unsure,
            (Value::Null, "null") => true,
            (Value::Bool(_), "boolean") => true,
            (Value::Int(_), "integer" | "number") => true,
            (Value::String(_), "string") => true,
            (Value::Seq(_), "array") => true,
            (Value::Map(_), "object") => true,
            (_, "null" | "boolean" | "integer" | "number" | "string" | "array" | "object") => false,
            _ => return Unsure,
        };
        if fits { Valid } else { Invalid }
    };
    match expected {
        Json::Array(types) => {
            let mut verdict = Invalid;
            for t in types {
                match one(t) {
                    Valid => return Valid,
                    Unsure => verdict = Unsure,
                    Invalid => {}
                }
            }
            verdict
        }
        t => one(t),
    }
}

/// minLength / maxLength: JSON Schema counts characters (code points).
fn length(limit: &Json, node: &Node, ok: fn(u64, u64) -> bool) -> Verdict {
    let Some(limit) = limit.as_u64() else { return Unsure };
    match &node.value {
        Value::String(s) => {
            if ok(s.chars().count() as u64, limit) {
                Valid
            } else {
                Invalid
            }
        }
        _ => Valid,
    }
}

/// enum / const for scalars; anything else is left to jsonschema.
fn any_equal<'a>(options: impl Iterator<Item = &'a Json>, node: &Node) -> Verdict {
    let mut verdict = Invalid;
    for o in options {
        let equal = match (&node.value, o) {
            (Value::Null, Json::Null) => true,
            (Value::Bool(a), Json::Bool(b)) => a == b,
            (Value::String(a), Json::String(b)) => a == b,
            (Value::Int(a), Json::Number(b)) => {
                if b.as_i64() == Some(*a) {
                    return Valid;
                }
                // 1 == 1.0 to jsonschema; not worth deciding here.
                verdict = Unsure;
                false
            }
            (Value::Float(_) | Value::Seq(_) | Value::Map(_), _) => return Unsure,
            _ => false,
        };
        if equal {
            return Valid;
        }
    }
    verdict
}
