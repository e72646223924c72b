//! Runtime values with the Go types a template sees. Atmos hands templates YAML decoded into
//! `map[string]any`, so data values are `string`, `int`, `uint64`, `float64`, `bool`,
//! `[]interface {}`, `map[string]interface {}` and nil; functions add `int64` (Sprig math),
//! `uint8` (indexing a string), `[]string` and `map[string]string`. Go distinguishes the
//! missing value (an invalid `reflect.Value`, printed `<no value>`) from a nil interface; so
//! does [`Value`].
//!
//! Maps are shared and mutable, as Go maps are (`set`, `unset` and `merge` change them in
//! place); lists are immutable (Sprig's list functions return new lists).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::MAX_VALUE_DEPTH;

pub(super) type MapRef = Rc<RefCell<BTreeMap<String, Value>>>;

pub(super) fn new_map(m: BTreeMap<String, Value>) -> MapRef {
    Rc::new(RefCell::new(m))
}

/// The element type of a list or map: `interface {}` or `string`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Elem {
    Any,
    Str,
}

#[derive(Debug, Clone)]
pub(super) enum Value {
    /// Go's invalid `reflect.Value`: a missing key, or nil after a pipeline stage.
    Missing,
    /// A nil `interface {}` (YAML null), or a nil map/slice argument.
    Nil,
    Bool(bool),
    /// Go `int`.
    Int(i64),
    /// Go `int64`.
    Int64(i64),
    /// Go `uint64`.
    Uint(u64),
    /// Go `uint8` (a byte of a string).
    Byte(u8),
    Float(f64),
    Str(Rc<str>),
    List(Rc<Vec<Value>>, Elem),
    Map(MapRef, Elem),
}

/// Go's comparison kinds (`text/template`'s `basicKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Bool,
    Int,
    Uint,
    Float,
    String,
    /// Anything else: lists, maps, nil.
    Other,
}

impl Value {
    pub fn str(s: impl Into<Rc<str>>) -> Value {
        Value::Str(s.into())
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items), Elem::Any)
    }

    pub fn strings(items: Vec<String>) -> Value {
        Value::List(Rc::new(items.into_iter().map(Value::str).collect()), Elem::Str)
    }

    pub fn map(m: BTreeMap<String, Value>) -> Value {
        Value::Map(new_map(m), Elem::Any)
    }

    /// Nil and the missing value (Go's `indirectInterface` makes both invalid).
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Missing | Value::Nil)
    }

    /// Go's `%T`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Missing | Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Uint(_) => "uint64",
            Value::Byte(_) => "uint8",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_, Elem::Any) => "[]interface {}",
            Value::List(_, Elem::Str) => "[]string",
            Value::Map(_, Elem::Any) => "map[string]interface {}",
            Value::Map(_, Elem::Str) => "map[string]string",
        }
    }

    /// `reflect.Kind` as Sprig's `kindOf` prints it.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Missing | Value::Nil => "invalid",
            Value::List(..) => "slice",
            Value::Map(..) => "map",
            v => v.type_name(),
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Value::Bool(_) => Kind::Bool,
            Value::Int(_) | Value::Int64(_) => Kind::Int,
            Value::Uint(_) | Value::Byte(_) => Kind::Uint,
            Value::Float(_) => Kind::Float,
            Value::Str(_) => Kind::String,
            _ => Kind::Other,
        }
    }

    /// Go's `isTrue`: zero values, empty strings/collections and nil are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Missing | Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Uint(u) => *u != 0,
            Value::Byte(b) => *b != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l, _) => !l.is_empty(),
            Value::Map(m, _) => !m.borrow().is_empty(),
        }
    }

    /// A signed integer view of any integer kind.
    pub fn as_i128(&self) -> Option<i128> {
        match self {
            Value::Int(i) | Value::Int64(i) => Some(i128::from(*i)),
            Value::Uint(u) => Some(i128::from(*u)),
            Value::Byte(b) => Some(i128::from(*b)),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Converts input data. Keys come out sorted (Go iterates and prints maps in key order).
    pub fn from_json(v: &serde_json::Value, depth: usize) -> Result<Value, String> {
        if depth > MAX_VALUE_DEPTH {
            return Err(too_deep());
        }
        Ok(match v {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::Int(i)
                } else if let Some(u) = n.as_u64() {
                    Value::Uint(u)
                } else {
                    Value::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            serde_json::Value::String(s) => Value::str(s.as_str()),
            serde_json::Value::Array(a) => {
                Value::list(a.iter().map(|x| Value::from_json(x, depth + 1)).collect::<Result<_, _>>()?)
            }
            serde_json::Value::Object(o) => {
                let mut m = BTreeMap::new();
                for (k, x) in o {
                    m.insert(k.clone(), Value::from_json(x, depth + 1)?);
                }
                Value::map(m)
            }
        })
    }

    /// Converts to JSON data (nil and missing become null; keys stay sorted). Floats that are
    /// not finite have no JSON form.
    pub fn to_json(&self, depth: usize) -> Result<serde_json::Value, String> {
        if depth > MAX_VALUE_DEPTH {
            return Err(too_deep());
        }
        Ok(match self {
            Value::Missing | Value::Nil => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) | Value::Int64(i) => serde_json::Value::from(*i),
            Value::Uint(u) => serde_json::Value::from(*u),
            Value::Byte(b) => serde_json::Value::from(*b),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .ok_or_else(|| format!("json: unsupported value: {}", super::strconv::float_v(*f)))?,
            Value::Str(s) => serde_json::Value::String(s.to_string()),
            Value::List(l, _) => {
                serde_json::Value::Array(l.iter().map(|x| x.to_json(depth + 1)).collect::<Result<_, _>>()?)
            }
            Value::Map(m, _) => {
                let mut o = serde_json::Map::new();
                for (k, x) in m.borrow().iter() {
                    o.insert(k.clone(), x.to_json(depth + 1)?);
                }
                serde_json::Value::Object(o)
            }
        })
    }

    /// Go's `reflect.DeepEqual` over these types (Sprig's `has`, `uniq`, `without`).
    pub fn deep_equal(&self, other: &Value, depth: usize) -> bool {
        if depth > MAX_VALUE_DEPTH {
            return false;
        }
        match (self, other) {
            (Value::Missing | Value::Nil, Value::Missing | Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) | (Value::Int64(a), Value::Int64(b)) => a == b,
            (Value::Uint(a), Value::Uint(b)) => a == b,
            (Value::Byte(a), Value::Byte(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a, ea), Value::List(b, eb)) => {
                ea == eb && a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.deep_equal(y, depth + 1))
            }
            (Value::Map(a, ea), Value::Map(b, eb)) => {
                if Rc::ptr_eq(a, b) {
                    return ea == eb;
                }
                let (a, b) = (a.borrow(), b.borrow());
                ea == eb
                    && a.len() == b.len()
                    && a.iter().zip(b.iter()).all(|((ka, va), (kb, vb))| ka == kb && va.deep_equal(vb, depth + 1))
            }
            _ => false,
        }
    }
}

/// Dropping a deeply nested value (a list built by wrapping itself a million times) must not
/// recurse once per level: children of values this one solely owns are dropped from a heap
/// stack instead.
impl Drop for Value {
    fn drop(&mut self) {
        fn take_children(v: &mut Value, stack: &mut Vec<Value>) {
            match v {
                Value::List(l, _) => {
                    if let Some(items) = Rc::get_mut(l) {
                        stack.append(items);
                    }
                }
                Value::Map(m, _) => {
                    if Rc::strong_count(m) == 1
                        && let Ok(mut map) = m.try_borrow_mut()
                    {
                        stack.extend(std::mem::take(&mut *map).into_values());
                    }
                }
                _ => {}
            }
        }
        if !matches!(self, Value::List(..) | Value::Map(..)) {
            return;
        }
        let mut stack = Vec::new();
        take_children(self, &mut stack);
        while let Some(mut v) = stack.pop() {
            take_children(&mut v, &mut stack);
        }
    }
}

pub(super) fn too_deep() -> String {
    format!("value nested deeper than {MAX_VALUE_DEPTH} levels (or contains itself)")
}
