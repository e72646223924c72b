//! The value tree stacks are merged in: JSON-shaped, cheap to clone (shared maps and lists),
//! and every node remembers the file and line it was written at, so `describe --provenance`
//! can say where each value won.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value as Json;

use crate::yaml::{Node, Value as YValue};

/// Index of a file in a [`super::StackSet`]'s file table.
pub type FileId = u32;

/// No file: values paved made up (defaults, computed sections).
pub const NO_FILE: FileId = u32::MAX;

/// Where a value was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: FileId,
    pub line: u32,
    pub column: u32,
}

impl Origin {
    pub const NONE: Origin = Origin { file: NO_FILE, line: 0, column: 0 };

    pub fn is_known(&self) -> bool {
        self.file != NO_FILE
    }
}

/// Map keys are sorted, as Go's JSON and YAML encoders print them.
pub type Map = BTreeMap<Arc<str>, Val>;

#[derive(Debug, Clone)]
pub enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    /// A list; `append` is set by the `!append` tag (always append this list to the one it
    /// is merged over, whatever the merge strategy).
    Seq {
        items: Arc<Vec<Val>>,
        append: bool,
    },
    Map(Arc<Map>),
    /// A YAML function paved keeps unevaluated (`!terraform.output vpc id`): the tag and its
    /// argument text. Printed as `!tag args`.
    Func {
        tag: Arc<str>,
        args: Arc<str>,
    },
}

#[derive(Debug, Clone)]
pub struct Val {
    pub kind: Kind,
    pub at: Origin,
}

impl Default for Val {
    /// An empty map.
    fn default() -> Self {
        Val::empty_map()
    }
}

impl Val {
    pub fn new(kind: Kind, at: Origin) -> Val {
        Val { kind, at }
    }

    pub fn null() -> Val {
        Val::new(Kind::Null, Origin::NONE)
    }

    pub fn str(s: &str) -> Val {
        Val::new(Kind::Str(s.into()), Origin::NONE)
    }

    pub fn map(m: Map) -> Val {
        Val::new(Kind::Map(Arc::new(m)), Origin::NONE)
    }

    pub fn empty_map() -> Val {
        Val::map(Map::new())
    }

    pub fn seq(items: Vec<Val>) -> Val {
        Val::new(Kind::Seq { items: Arc::new(items), append: false }, Origin::NONE)
    }

    pub fn as_map(&self) -> Option<&Map> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            Kind::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Val]> {
        match &self.kind {
            Kind::Seq { items, .. } => Some(items),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, Kind::Map(_))
    }

    /// The value of `key` when this is a map.
    pub fn get(&self, key: &str) -> Option<&Val> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// Follows keys through nested maps.
    pub fn path(&self, keys: &[&str]) -> Option<&Val> {
        keys.iter().try_fold(self, |v, k| v.get(k))
    }

    /// A map with `key` set (copy-on-write).
    pub fn set(&mut self, key: &str, value: Val) {
        if !self.is_map() {
            *self = Val::new(Kind::Map(Arc::new(Map::new())), self.at);
        }
        if let Kind::Map(m) = &mut self.kind {
            Arc::make_mut(m).insert(key.into(), value);
        }
    }

    /// Removes `key` from a map.
    pub fn remove(&mut self, key: &str) {
        if let Kind::Map(m) = &mut self.kind
            && m.contains_key(key)
        {
            Arc::make_mut(m).remove(key);
        }
    }

    /// A string, a non-empty string only.
    pub fn non_empty_str(&self) -> Option<&str> {
        self.as_str().filter(|s| !s.is_empty())
    }

    /// Go's type name for messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "boolean",
            Kind::Int(_) => "integer",
            Kind::Float(_) => "number",
            Kind::Str(_) | Kind::Func { .. } => "string",
            Kind::Seq { .. } => "list",
            Kind::Map(_) => "map",
        }
    }

    /// JSON, with YAML functions printed as `!tag args`.
    pub fn to_json(&self) -> Json {
        match &self.kind {
            Kind::Null => Json::Null,
            Kind::Bool(b) => Json::Bool(*b),
            Kind::Int(i) => Json::from(*i),
            Kind::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Kind::Str(s) => Json::String(s.to_string()),
            Kind::Seq { items, .. } => Json::Array(items.iter().map(Val::to_json).collect()),
            Kind::Map(m) => {
                let mut obj = serde_json::Map::with_capacity(m.len());
                for (k, v) in m.iter() {
                    obj.insert(k.to_string(), v.to_json());
                }
                Json::Object(obj)
            }
            Kind::Func { tag, args } => Json::String(func_text(tag, args)),
        }
    }

    /// Pretty JSON exactly as `serde_json::to_writer_pretty` prints [`Val::to_json`], nested
    /// at `indent` levels, without building the JSON tree (`describe stacks` prints ~100 MB).
    pub fn write_json_pretty(&self, out: &mut Vec<u8>, indent: usize) {
        fn pad(out: &mut Vec<u8>, n: usize) {
            out.push(b'\n');
            out.resize(out.len() + 2 * n, b' ');
        }
        // Writing to a Vec cannot fail.
        let scalar = |out: &mut Vec<u8>, j: &dyn erased::Ser| j.write(out);
        match &self.kind {
            Kind::Null => out.extend_from_slice(b"null"),
            Kind::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Kind::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Kind::Float(_) => scalar(out, &self.to_json()),
            Kind::Str(s) => scalar(out, &s.as_ref()),
            Kind::Func { tag, args } => scalar(out, &func_text(tag, args).as_str()),
            Kind::Seq { items, .. } if items.is_empty() => out.extend_from_slice(b"[]"),
            Kind::Seq { items, .. } => {
                out.push(b'[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    pad(out, indent + 1);
                    v.write_json_pretty(out, indent + 1);
                }
                pad(out, indent);
                out.push(b']');
            }
            Kind::Map(m) if m.is_empty() => out.extend_from_slice(b"{}"),
            Kind::Map(m) => {
                out.push(b'{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    pad(out, indent + 1);
                    scalar(out, &k.as_ref());
                    out.extend_from_slice(b": ");
                    v.write_json_pretty(out, indent + 1);
                }
                pad(out, indent);
                out.push(b'}');
            }
        }
    }

    /// From JSON (values computed by templates); no origin.
    pub fn from_json(j: &Json, at: Origin) -> Val {
        let kind = match j {
            Json::Null => Kind::Null,
            Json::Bool(b) => Kind::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Kind::Int(i),
                None => Kind::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => Kind::Str(s.as_str().into()),
            Json::Array(a) => {
                Kind::Seq { items: Arc::new(a.iter().map(|x| Val::from_json(x, at)).collect()), append: false }
            }
            Json::Object(o) => {
                Kind::Map(Arc::new(o.iter().map(|(k, v)| (Arc::from(k.as_str()), Val::from_json(v, at))).collect()))
            }
        };
        Val::new(kind, at)
    }

    /// Structural equality, ignoring origins and `!append` flags.
    pub fn same(&self, other: &Val) -> bool {
        match (&self.kind, &other.kind) {
            (Kind::Null, Kind::Null) => true,
            (Kind::Bool(a), Kind::Bool(b)) => a == b,
            (Kind::Int(a), Kind::Int(b)) => a == b,
            (Kind::Float(a), Kind::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Kind::Int(a), Kind::Float(b)) | (Kind::Float(b), Kind::Int(a)) => (*a as f64) == *b,
            (Kind::Str(a), Kind::Str(b)) => a == b,
            (Kind::Func { tag: t1, args: a1 }, Kind::Func { tag: t2, args: a2 }) => t1 == t2 && a1 == a2,
            (Kind::Seq { items: a, .. }, Kind::Seq { items: b, .. }) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.same(y))
            }
            (Kind::Map(a), Kind::Map(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v.same(w)))
            }
            _ => false,
        }
    }

    /// Visits every node with its path of keys/indices.
    pub fn walk(&self, path: &mut Vec<String>, f: &mut dyn FnMut(&[String], &Val)) {
        f(path, self);
        match &self.kind {
            Kind::Map(m) => {
                for (k, v) in m.iter() {
                    path.push(k.to_string());
                    v.walk(path, f);
                    path.pop();
                }
            }
            Kind::Seq { items, .. } => {
                for (i, v) in items.iter().enumerate() {
                    path.push(i.to_string());
                    v.walk(path, f);
                    path.pop();
                }
            }
            _ => {}
        }
    }
}

mod erased {
    /// A scalar serde_json can write (strings with its escaping, floats with its formatting).
    pub trait Ser {
        fn write(&self, out: &mut Vec<u8>);
    }

    impl<T: serde::Serialize + ?Sized> Ser for T {
        fn write(&self, out: &mut Vec<u8>) {
            let _ = serde_json::to_writer(out, self);
        }
    }
}

/// How a YAML function prints in describe output.
pub fn func_text(tag: &str, args: &str) -> String {
    if args.is_empty() { tag.to_string() } else { format!("{tag} {args}") }
}

/// Converts a spanned YAML node. `tags` decides what a custom tag becomes; by default a tag
/// is kept as an opaque function.
pub fn from_node(node: &Node, file: FileId, tags: &mut dyn FnMut(&str, &Node) -> Option<Val>) -> Val {
    let at = Origin { file, line: node.span.start.line, column: node.span.start.column };
    if let Some(tag) = node.tag.as_deref()
        && tag != "!append"
    {
        if let Some(v) = tags(tag, node) {
            return v;
        }
        let args = match &node.value {
            YValue::String(s) => s.clone(),
            YValue::Null => String::new(),
            _ => serde_json::to_string(&node.to_json()).unwrap_or_default(),
        };
        return Val::new(Kind::Func { tag: tag.into(), args: args.into() }, at);
    }
    let kind = match &node.value {
        YValue::Null => Kind::Null,
        YValue::Bool(b) => Kind::Bool(*b),
        YValue::Int(i) => Kind::Int(*i),
        YValue::Float(f) => Kind::Float(*f),
        YValue::String(s) => Kind::Str(s.as_str().into()),
        YValue::Seq(items) => Kind::Seq {
            items: Arc::new(items.iter().map(|n| from_node(n, file, tags)).collect()),
            append: node.tag.as_deref() == Some("!append"),
        },
        YValue::Map(m) => {
            let mut out = Map::new();
            for (k, v) in &m.entries {
                out.insert(k.key_string().into(), from_node(v, file, tags));
            }
            Kind::Map(Arc::new(out))
        }
    };
    Val::new(kind, at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{ParseOptions, parse_one};

    #[test]
    fn converts_with_origins_and_tags() {
        let n =
            parse_one("a:\n  b: 1\nl: !append [x]\no: !terraform.output vpc id\n", &ParseOptions::default()).unwrap();
        let v = from_node(&n, 3, &mut |_, _| None);
        assert_eq!(v.path(&["a", "b"]).unwrap().at, Origin { file: 3, line: 2, column: 6 });
        assert!(matches!(v.get("l").unwrap().kind, Kind::Seq { append: true, .. }));
        assert_eq!(v.get("o").unwrap().to_json(), serde_json::json!("!terraform.output vpc id"));
    }

    #[test]
    fn writes_pretty_json_as_serde_json_does() {
        let text =
            "a:\n  b: [1, 2.5, \"x\\\"y\", {}, []]\n  c: {}\nd: null\ne: [{f: true}]\ng: !env X y\nh: \"\\u00e9\\t\"\n";
        let n = parse_one(text, &ParseOptions::default()).unwrap();
        let v = from_node(&n, 0, &mut |_, _| None);
        let mut out = Vec::new();
        v.write_json_pretty(&mut out, 0);
        assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string_pretty(&v.to_json()).unwrap());
        let mut nested = Vec::new();
        v.write_json_pretty(&mut nested, 1);
        assert_eq!(
            String::from_utf8(nested).unwrap(),
            serde_json::to_string_pretty(&v.to_json()).unwrap().replace('\n', "\n  ")
        );
    }
}
