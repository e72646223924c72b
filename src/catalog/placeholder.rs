//! Backstage's placeholders (`$text`, `$json`, `$yaml`): a mapping with exactly one of these keys
//! is replaced, before validation, by the content of the file it names (relative to the
//! descriptor), as the catalog's PlaceholderProcessor does. Only a whole-repository run can
//! resolve them; `check_text` leaves them as written.

use crate::source::{FileSource, RelPath};
use crate::yaml::{Map, Node, Span, Value};

/// Reads what a placeholder points at.
pub trait Resolve: Sync {
    /// The text of `target`, relative to the descriptor; `Ok(None)` when it lies outside the
    /// repository (an absolute URL), which paved cannot check.
    fn read(&self, target: &str) -> Result<Option<String>, String>;
}

/// Resolves against a file source, relative to one descriptor file.
pub struct SourceResolver<'a> {
    pub src: &'a dyn FileSource,
    pub file: &'a RelPath,
    pub max_len: u64,
}

impl Resolve for SourceResolver<'_> {
    fn read(&self, target: &str) -> Result<Option<String>, String> {
        if target.contains("://") {
            return Ok(None);
        }
        let path = match target.strip_prefix('/') {
            Some(abs) => RelPath::new(abs),
            None => self.file.parent().join(target),
        }
        .map_err(|e| e.to_string())?;
        let bytes = self.src.read(&path, self.max_len).map_err(|e| e.to_string())?;
        String::from_utf8(bytes.to_vec()).map(Some).map_err(|_| format!("{path} is not UTF-8 text"))
    }
}

/// Replaces every placeholder under `node`; returns the failures with where they are.
pub fn resolve(node: &mut Node, r: &dyn Resolve) -> Vec<(Span, String)> {
    let mut errors = Vec::new();
    walk(node, r, &mut errors);
    errors
}

fn walk(node: &mut Node, r: &dyn Resolve, errors: &mut Vec<(Span, String)>) {
    let placeholder = match &node.value {
        Value::Map(m) if m.len() == 1 => {
            let (k, v) = &m.entries[0];
            match k.as_str() {
                Some(key @ ("$text" | "$json" | "$yaml")) => Some((key.to_string(), v.clone())),
                _ => None,
            }
        }
        _ => None,
    };
    if let Some((key, value)) = placeholder {
        match replacement(&key, &value, node.span, r) {
            Ok(n) => *node = n,
            Err(msg) => {
                errors.push((node.span, msg));
                // A stand-in of the right type, so the schema does not report the same problem.
                *node = stand_in(&key, value.as_str().unwrap_or_default(), node.span);
            }
        }
        return;
    }
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| walk(n, r, errors)),
        Value::Map(m) => m.entries.iter_mut().for_each(|(_, v)| walk(v, r, errors)),
        _ => {}
    }
}

fn replacement(key: &str, value: &Node, span: Span, r: &dyn Resolve) -> Result<Node, String> {
    let Some(target) = value.as_str() else {
        return Err(format!("Placeholder {key} must have a string value"));
    };
    let text = r.read(target).map_err(|e| format!("Placeholder {key} could not read {target}: {e}"))?;
    let Some(text) = text else {
        // Outside the repository: stand in with a value of the right type.
        return Ok(stand_in(key, target, span));
    };
    match key {
        "$text" => Ok(Node::new(Value::String(text), span)),
        "$json" => {
            let json: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("Placeholder $json failed to parse {target}: {e}"))?;
            Ok(from_json(&json, span))
        }
        _ => {
            let (docs, err) = crate::yaml::parse_documents(&text, &crate::yaml::ParseOptions::default());
            if let Some(e) = err {
                return Err(format!("Placeholder $yaml failed to parse {target}: {e}"));
            }
            let mut docs: Vec<_> = docs.into_iter().filter(|d| !d.root.is_null()).collect();
            if docs.len() != 1 {
                return Err(format!(
                    "Placeholder $yaml expected exactly one document in {target}, found {}",
                    docs.len()
                ));
            }
            let mut root = docs.remove(0).root;
            respan(&mut root, span);
            Ok(root)
        }
    }
}

fn stand_in(key: &str, target: &str, span: Span) -> Node {
    let value = if key == "$text" { Value::String(format!("({target})")) } else { Value::Map(Map::default()) };
    Node::new(value, span)
}

/// Content from another file takes the placeholder's position, so findings point here.
fn respan(node: &mut Node, span: Span) {
    node.span = span;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| respan(n, span)),
        Value::Map(m) => m.entries.iter_mut().for_each(|(k, v)| {
            respan(k, span);
            respan(v, span);
        }),
        _ => {}
    }
}

fn from_json(v: &serde_json::Value, span: Span) -> Node {
    let value = match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n.as_i64().map_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0)), Value::Int),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => Value::Seq(items.iter().map(|i| from_json(i, span)).collect()),
        serde_json::Value::Object(o) => Value::Map(Map {
            entries: o.iter().map(|(k, v)| (Node::new(Value::String(k.clone()), span), from_json(v, span))).collect(),
        }),
    };
    Node::new(value, span)
}
