//! The spanned YAML tree.

use serde_json::Value as Json;

/// A position in a source text: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// Where a node sits in its file: start inclusive, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn point(line: u32, column: u32) -> Span {
        let p = Pos { line, column };
        Span { start: p, end: p }
    }
}

/// A YAML node: a value, where it was written, and its tag when it had a non-core one
/// (`!append`, `!env`, `!terraform.output` ...).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    pub tag: Option<Box<str>>,
}

/// A YAML value under the YAML 1.2 core schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Seq(Vec<Node>),
    Map(Map),
}

/// A mapping that keeps the written key order and the key nodes (for their spans).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map {
    pub entries: Vec<(Node, Node)>,
}

impl Map {
    /// The value of a string key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value of a string key.
    pub fn entry(&self, key: &str) -> Option<&(Node, Node)> {
        self.entries.iter().find(|(k, _)| k.as_str() == Some(key))
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries.iter_mut().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Node, &Node)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Node {
    pub fn new(value: Value, span: Span) -> Node {
        Node { value, span, tag: None }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The value of `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// The type name JSON Schema and Backstage use in messages (`string`, `object`, ...).
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }

    /// Follows an RFC 6901 JSON pointer (`/spec/providesApis/0`).
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        let (node, rest) = self.pointer_prefix(pointer);
        rest.is_empty().then_some(node)
    }

    /// Follows a JSON pointer as far as the tree allows: the deepest node reached and the
    /// segments that could not be followed. For a missing field this is the mapping that
    /// lacks it, which is where a diagnostic should point.
    pub fn pointer_prefix<'a>(&'a self, pointer: &str) -> (&'a Node, Vec<String>) {
        let segments: Vec<String> =
            pointer.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect();
        let mut node = self;
        for (i, seg) in segments.iter().enumerate() {
            let next = match &node.value {
                Value::Map(m) => m.get(seg),
                Value::Seq(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => return (node, segments[i..].to_vec()),
            }
        }
        (node, Vec::new())
    }

    /// The span of the key that introduces `pointer`'s last segment, when it is a mapping key;
    /// otherwise the node's own span.
    pub fn key_span(&self, pointer: &str) -> Option<Span> {
        let (parent_ptr, last) = pointer.rsplit_once('/')?;
        let parent = self.pointer(parent_ptr)?;
        let last = last.replace("~1", "/").replace("~0", "~");
        match &parent.value {
            Value::Map(m) => m.entry(&last).map(|(k, _)| k.span),
            Value::Seq(items) => last.parse::<usize>().ok().and_then(|i| items.get(i)).map(|n| n.span),
            _ => None,
        }
    }

    /// Converts to JSON. Non-string keys are written the way YAML would print them; NaN and
    /// infinities (which JSON cannot hold) become null. Tags are dropped.
    pub fn to_json(&self) -> Json {
        match &self.value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Value::String(s) => Json::String(s.clone()),
            Value::Seq(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(m) => {
                let mut obj = serde_json::Map::with_capacity(m.len());
                for (k, v) in &m.entries {
                    obj.insert(k.key_string(), v.to_json());
                }
                Json::Object(obj)
            }
        }
    }

    /// The text of a mapping key as JSON would need it.
    pub fn key_string(&self) -> String {
        match &self.value {
            Value::String(s) => s.clone(),
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Seq(_) | Value::Map(_) => self.to_json().to_string(),
        }
    }

    /// Visits every node (pre-order) with its JSON pointer.
    pub fn walk(&self, f: &mut dyn FnMut(&str, &Node)) {
        let mut path = String::new();
        self.walk_inner(&mut path, f);
    }

    fn walk_inner(&self, path: &mut String, f: &mut dyn FnMut(&str, &Node)) {
        f(path, self);
        let len = path.len();
        match &self.value {
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push('/');
                    path.push_str(&i.to_string());
                    item.walk_inner(path, f);
                    path.truncate(len);
                }
            }
            Value::Map(m) => {
                for (k, v) in &m.entries {
                    path.push('/');
                    path.push_str(&k.key_string().replace('~', "~0").replace('/', "~1"));
                    v.walk_inner(path, f);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
}
