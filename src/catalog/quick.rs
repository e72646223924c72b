//! A quick check of a document against a kind's JSON Schema, straight on the YAML tree.
//!
//! Converting every entity to JSON for the `jsonschema` crate cost more than parsing it. Nearly
//! every document is valid, and proving that needs only the few keywords the built-in schemas
//! use. This checker answers [`Verdict::Valid`] only when the document certainly satisfies the
//! schema; anything it is not sure about (a keyword it does not know, a pattern, a float where
//! an integer is expected) is [`Verdict::Unsure`], and the caller then asks `jsonschema`, which
//! stays the only source of diagnostics. So a gap here costs time, never a finding.
//!
//! The schemas are compiled once ([`Compiled::new`]) into a flat list of checks with `$ref`s
//! resolved to indices: walking the `serde_json` values per entity (matching every keyword's
//! name, skipping descriptions, following pointers) cost more than the checks themselves.

use std::collections::HashMap;

use serde_json::{Map as JsonMap, Value as Json};

use crate::yaml::{Node, Value};

/// What the quick check can tell, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Valid,
    Unsure,
    Invalid,
}

use Verdict::*;

impl Verdict {
    /// Both verdicts together: the worse of the two.
    fn and(self, other: Verdict) -> Verdict {
        self.max(other)
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

/// A compiled schema (an index into [`Compiled::schemas`]).
type Id = usize;

/// One schema: `true`, `false`, or an object's checks (all must hold).
enum Schema {
    Always(Verdict),
    Checks(Vec<Check>),
}

/// One keyword of a schema object, or a keyword group (`properties` with
/// `patternProperties` and `additionalProperties`).
enum Check {
    /// A keyword (or keyword value) the checker does not understand.
    Unsure,
    Type(Vec<Type>),
    /// `required`; `None` for a name that is not a string.
    Required(Vec<Option<Box<str>>>),
    Object(Object),
    /// `items` with one schema for every item.
    Items(Id),
    /// `items` with a schema per position (a tuple): not understood, for sequences.
    TupleItems,
    /// Character counts; `None`: a limit that is not a non-negative integer.
    MinLength(Option<u64>),
    MaxLength(Option<u64>),
    /// `pattern`: not understood, except below `/metadata` where it is not checked (see
    /// [`At`]).
    Pattern,
    Enum(Vec<Json>),
    Ref(Option<Id>),
    AllOf(Vec<Id>),
    AnyOf(Vec<Id>),
    OneOf(Vec<Id>),
    Not(Id),
}

/// A `type` entry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Type {
    Null,
    Boolean,
    Integer,
    Number,
    String,
    Array,
    Object,
    /// Not a type name JSON Schema knows (or not a string).
    Unknown,
}

/// `properties`, `patternProperties` and `additionalProperties` of one schema object.
struct Object {
    /// `properties`; `None` when it is not an object.
    props: Option<Vec<(Box<str>, Id)>>,
    /// The catch-all `^.+$` of `patternProperties`, the only pattern understood (it matches
    /// keys without line breaks); `Err` for any other pattern.
    catch_all: Result<Option<Id>, ()>,
    additional: Option<Id>,
}

/// Where the check is: the instance's depth, whether it sits strictly under `/metadata` (where
/// [`super::schema::issues`] drops pattern and maxLength errors: paved checks names, namespaces
/// and tags itself), and how many `$ref`s were followed (a cycle guard).
#[derive(Clone, Copy)]
struct At {
    depth: usize,
    /// 0: not metadata, 1: `/metadata` itself, 2: below it.
    meta: u8,
    refs: usize,
}

impl At {
    fn child(self, key: Option<&str>) -> Self {
        let meta = match (self.meta, self.depth, key) {
            (0, 0, Some("metadata")) => 1,
            (0, _, _) => 0,
            _ => 2,
        };
        At { depth: self.depth + 1, meta, ..self }
    }
}

/// How many `$ref`s one check may follow before it gives up (Unsure).
const MAX_REFS: usize = 32;

/// Schema documents compiled for checking.
pub struct Compiled {
    schemas: Vec<Schema>,
    /// Document name → its root schema.
    roots: HashMap<String, Id>,
}

impl Compiled {
    /// Compiles the documents `names` of `docs` (and everything their `$ref`s reach).
    pub fn new(docs: &dyn Documents, names: &[&str]) -> Compiled {
        let mut c = Compiler { docs, schemas: Vec::new(), done: HashMap::new() };
        let roots = names
            .iter()
            .filter_map(|&name| {
                let doc = docs.document(name)?;
                Some((name.to_string(), c.compile(doc, doc)))
            })
            .collect();
        Compiled { schemas: c.schemas, roots }
    }

    /// Checks `node` against the document named `name` (Unsure when it was not compiled).
    pub fn check(&self, name: &str, node: &Node) -> Verdict {
        match self.roots.get(name) {
            Some(&id) => self.schema(id, node, At { depth: 0, meta: 0, refs: 0 }),
            None => Unsure,
        }
    }

    fn schema(&self, id: Id, node: &Node, at: At) -> Verdict {
        let checks = match &self.schemas[id] {
            Schema::Always(v) => return *v,
            Schema::Checks(c) => c,
        };
        let mut verdict = Valid;
        for check in checks {
            let v = match check {
                Check::Unsure => Unsure,
                Check::Type(types) => type_matches(types, node),
                Check::Required(names) => required(names, node),
                Check::Object(o) => self.object(o, node, at),
                Check::Items(items) => self.items(*items, node, at),
                Check::TupleItems => match node.value {
                    Value::Seq(_) => Unsure,
                    _ => Valid,
                },
                Check::MinLength(limit) => length(*limit, node, |len, limit| len >= limit),
                Check::MaxLength(_) | Check::Pattern if at.meta == 2 => continue,
                Check::MaxLength(limit) => length(*limit, node, |len, limit| len <= limit),
                Check::Pattern => Unsure,
                Check::Enum(options) => any_equal(options.iter(), node),
                Check::Ref(None) => Unsure,
                Check::Ref(Some(target)) => {
                    if at.refs >= MAX_REFS {
                        Unsure
                    } else {
                        self.schema(*target, node, At { refs: at.refs + 1, ..at })
                    }
                }
                Check::AllOf(list) => self.all_of(list, node, at),
                Check::AnyOf(list) => self.any_of(list, node, at),
                Check::OneOf(list) => self.one_of(list, node, at),
                Check::Not(s) => self.schema(*s, node, at).not(),
            };
            verdict = verdict.and(v);
            if verdict == Invalid {
                return Invalid;
            }
        }
        verdict
    }

    fn object(&self, o: &Object, node: &Node, at: At) -> Verdict {
        let Value::Map(m) = &node.value else { return Valid };
        let (Some(props), Ok(catch_all)) = (&o.props, o.catch_all) else { return Unsure };
        let mut verdict = Valid;
        for (k, v) in &m.entries {
            // Non-string keys take their JSON spelling; leave those to jsonschema.
            let Some(key) = k.as_str() else { return Unsure };
            let child = at.child(Some(key));
            let mut matched = false;
            // Schema objects are small; comparing a few short names is cheaper than hashing one.
            if let Some((_, s)) = props.iter().find(|(name, _)| **name == *key) {
                matched = true;
                verdict = verdict.and(self.schema(*s, v, child));
            }
            if let Some(s) = catch_all {
                if key.is_empty() || key.contains(['\n', '\r', '\u{2028}', '\u{2029}']) {
                    return Unsure;
                }
                matched = true;
                verdict = verdict.and(self.schema(s, v, child));
            }
            if !matched && let Some(s) = o.additional {
                verdict = verdict.and(self.schema(s, v, child));
            }
            if verdict == Invalid {
                return Invalid;
            }
        }
        verdict
    }

    fn items(&self, items: Id, node: &Node, at: At) -> Verdict {
        let Value::Seq(seq) = &node.value else { return Valid };
        let mut verdict = Valid;
        for item in seq {
            verdict = verdict.and(self.schema(items, item, at.child(None)));
            if verdict == Invalid {
                return Invalid;
            }
        }
        verdict
    }

    fn all_of(&self, list: &[Id], node: &Node, at: At) -> Verdict {
        let mut verdict = Valid;
        for &s in list {
            verdict = verdict.and(self.schema(s, node, at));
            if verdict == Invalid {
                return Invalid;
            }
        }
        verdict
    }

    fn any_of(&self, list: &[Id], node: &Node, at: At) -> Verdict {
        let mut verdict = Invalid;
        for &s in list {
            match self.schema(s, node, at) {
                Valid => return Valid,
                Unsure => verdict = Unsure,
                Invalid => {}
            }
        }
        verdict
    }

    fn one_of(&self, list: &[Id], node: &Node, at: At) -> Verdict {
        let mut valid = 0;
        for &s in list {
            match self.schema(s, node, at) {
                Valid => valid += 1,
                Unsure => return Unsure,
                Invalid => {}
            }
        }
        if valid == 1 { Valid } else { Invalid }
    }
}

/// Builds [`Compiled::schemas`]. Each schema value is compiled once per document it is read
/// in (relative `$ref`s depend on the document), so `$ref` cycles end in an index.
struct Compiler<'d> {
    docs: &'d dyn Documents,
    schemas: Vec<Schema>,
    /// (schema value, its document) → its index.
    done: HashMap<(*const Json, *const Json), Id>,
}

impl<'d> Compiler<'d> {
    fn compile(&mut self, schema: &'d Json, doc: &'d Json) -> Id {
        let key = (schema as *const Json, doc as *const Json);
        if let Some(&id) = self.done.get(&key) {
            return id;
        }
        let id = self.schemas.len();
        // A placeholder while the checks are built: a `$ref` back to this schema gets its index.
        self.schemas.push(Schema::Always(Unsure));
        self.done.insert(key, id);
        let compiled = match schema {
            Json::Bool(true) => Schema::Always(Valid),
            Json::Bool(false) => Schema::Always(Invalid),
            Json::Object(obj) => Schema::Checks(self.checks(obj, doc)),
            _ => Schema::Always(Unsure),
        };
        self.schemas[id] = compiled;
        id
    }

    fn checks(&mut self, obj: &'d JsonMap<String, Json>, doc: &'d Json) -> Vec<Check> {
        let has_props = obj.contains_key("properties");
        let mut object_done = false;
        let mut checks = Vec::new();
        for (key, value) in obj {
            let check = match key.as_str() {
                "$schema" | "$id" | "$comment" | "title" | "description" | "default" | "examples" | "definitions"
                | "$defs" => continue,
                // One check covers the three keywords.
                "properties" | "additionalProperties" | "patternProperties" if object_done => continue,
                "additionalProperties" | "patternProperties" if has_props => continue,
                "properties" | "additionalProperties" | "patternProperties" => {
                    object_done = true;
                    Check::Object(self.object(obj, doc))
                }
                "type" => Check::Type(match value {
                    Json::Array(types) => types.iter().map(type_name).collect(),
                    t => vec![type_name(t)],
                }),
                "required" => match value.as_array() {
                    Some(names) => Check::Required(names.iter().map(|n| n.as_str().map(Box::from)).collect()),
                    None => Check::Unsure,
                },
                "items" => match value {
                    Json::Array(_) => Check::TupleItems,
                    s => Check::Items(self.compile(s, doc)),
                },
                "minLength" => Check::MinLength(value.as_u64()),
                "maxLength" => Check::MaxLength(value.as_u64()),
                "pattern" => Check::Pattern,
                "enum" => match value.as_array() {
                    Some(options) => Check::Enum(options.clone()),
                    None => Check::Unsure,
                },
                "const" => Check::Enum(vec![value.clone()]),
                "$ref" => Check::Ref(value.as_str().and_then(|r| self.reference(r, doc))),
                "allOf" | "anyOf" | "oneOf" => match value.as_array() {
                    Some(list) => {
                        let ids = list.iter().map(|s| self.compile(s, doc)).collect();
                        match key.as_str() {
                            "allOf" => Check::AllOf(ids),
                            "anyOf" => Check::AnyOf(ids),
                            _ => Check::OneOf(ids),
                        }
                    }
                    None => Check::Unsure,
                },
                "not" => Check::Not(self.compile(value, doc)),
                _ => Check::Unsure,
            };
            checks.push(check);
        }
        checks
    }

    fn object(&mut self, obj: &'d JsonMap<String, Json>, doc: &'d Json) -> Object {
        let props = match obj.get("properties") {
            None => Some(Vec::new()),
            Some(Json::Object(p)) => {
                Some(p.iter().map(|(k, s)| (Box::from(k.as_str()), self.compile(s, doc))).collect())
            }
            Some(_) => None,
        };
        let catch_all = match obj.get("patternProperties") {
            None => Ok(None),
            Some(Json::Object(p)) if p.is_empty() => Ok(None),
            Some(Json::Object(p)) if p.len() == 1 && p.contains_key("^.+$") => Ok(Some(self.compile(&p["^.+$"], doc))),
            Some(_) => Err(()),
        };
        let additional = obj.get("additionalProperties").map(|s| self.compile(s, doc));
        Object { props, catch_all, additional }
    }

    /// The schema a `$ref` names: another document by file name, a JSON pointer into one, or
    /// `None` when it cannot be found.
    fn reference(&mut self, r: &str, doc: &'d Json) -> Option<Id> {
        let (file, fragment) = r.split_once('#').unwrap_or((r, ""));
        let doc = if file.is_empty() { doc } else { self.docs.document(file)? };
        let target = if fragment.is_empty() { doc } else { doc.pointer(fragment)? };
        Some(self.compile(target, doc))
    }
}

fn type_name(t: &Json) -> Type {
    match t.as_str() {
        Some("null") => Type::Null,
        Some("boolean") => Type::Boolean,
        Some("integer") => Type::Integer,
        Some("number") => Type::Number,
        Some("string") => Type::String,
        Some("array") => Type::Array,
        Some("object") => Type::Object,
        _ => Type::Unknown,
    }
}

fn type_matches(types: &[Type], node: &Node) -> Verdict {
    let one = |t: Type| -> Verdict {
        if t == Type::Unknown {
            return Unsure;
        }
        let fits = match (&node.value, t) {
            // NaN and infinities become null in JSON; 1.0 may or may not count as an integer.
            (Value::Float(_), _) => return Unsure,
            (Value::Null, Type::Null) => true,
            (Value::Bool(_), Type::Boolean) => true,
            (Value::Int(_), Type::Integer | Type::Number) => true,
            (Value::String(_), Type::String) => true,
            (Value::Seq(_), Type::Array) => true,
            (Value::Map(_), Type::Object) => true,
            _ => false,
        };
        if fits { Valid } else { Invalid }
    };
    let mut verdict = Invalid;
    for &t in types {
        match one(t) {
            Valid => return Valid,
            Unsure => verdict = Unsure,
            Invalid => {}
        }
    }
    verdict
}

fn required(names: &[Option<Box<str>>], node: &Node) -> Verdict {
    let Value::Map(m) = &node.value else { return Valid };
    let mut v = Valid;
    for n in names {
        let Some(n) = n else { return Unsure };
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

/// minLength / maxLength: JSON Schema counts characters (code points).
fn length(limit: Option<u64>, node: &Node, ok: fn(u64, u64) -> bool) -> Verdict {
    let Some(limit) = limit else { return Unsure };
    match &node.value {
        Value::String(s) => {
            // Characters are at most as many as bytes, and at least a quarter as many: the
            // bytes decide most strings without counting.
            let bytes = s.len() as u64;
            let decided = (ok(bytes, limit) == ok(bytes.div_ceil(4), limit)).then(|| ok(bytes, limit));
            let fits = decided.unwrap_or_else(|| ok(s.chars().count() as u64, limit));
            if fits { Valid } else { Invalid }
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
