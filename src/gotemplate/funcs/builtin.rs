//! Go's predefined template functions (`and`, `or`, `not`, `len`, `index`, comparisons,
//! `print*`, `html`, `js`, `urlquery`, `call`). `slice` is Sprig's in Atmos (Sprig's table
//! replaces Go's builtin), so it lives with the list functions.

use super::super::fmt::{sprint, sprintf, sprintln};
use super::super::value::{Kind, Value};
use super::{Ctx, Func, Imp, Ty, arg_str, f};

const V: Option<Ty> = Some(Ty::Val);
const A: Option<Ty> = Some(Ty::Any);

pub(super) static FUNCS: &[Func] = &[
    Func { name: "and", params: &[Ty::Val], variadic: V, imp: Imp::And },
    Func { name: "or", params: &[Ty::Val], variadic: V, imp: Imp::Or },
    f("not", &[Ty::Val], None, |_, a| Ok(Value::Bool(!a[0].truthy()))),
    f("len", &[Ty::Val], None, len),
    f("index", &[Ty::Val], V, index),
    f("eq", &[Ty::Val], V, eq),
    f("ne", &[Ty::Val, Ty::Val], None, |_, a| Ok(Value::Bool(!equal(&a[0], &a[1])?))),
    f("lt", &[Ty::Val, Ty::Val], None, |_, a| Ok(Value::Bool(less(&a[0], &a[1])?))),
    f("le", &[Ty::Val, Ty::Val], None, |_, a| Ok(Value::Bool(less_eq(&a[0], &a[1])?))),
    f("gt", &[Ty::Val, Ty::Val], None, |_, a| Ok(Value::Bool(!less_eq(&a[0], &a[1])?))),
    f("ge", &[Ty::Val, Ty::Val], None, |_, a| Ok(Value::Bool(!less(&a[0], &a[1])?))),
    f("print", &[], A, |c, a| out(c, sprint(&a)?)),
    f("println", &[], A, |c, a| out(c, sprintln(&a)?)),
    f("printf", &[Ty::Str], A, |c, a| out(c, sprintf(arg_str(&a, 0), &a[1..])?)),
    f("html", &[], A, |c, a| out(c, html_escape(&eval_args(&a)?))),
    f("js", &[], A, |c, a| out(c, js_escape(&eval_args(&a)?))),
    f("urlquery", &[], A, |c, a| out(c, query_escape(&eval_args(&a)?))),
    f("call", &[Ty::Val], V, |_, a| Err(format!("non-function of type {}", a[0].type_name()))),
];

/// A computed string result, charged against the budget.
pub(super) fn out(c: &mut Ctx, s: String) -> Result<Value, String> {
    c.charge_str(s.len())?;
    Ok(Value::str(s))
}

fn len(_: &mut Ctx, a: Vec<Value>) -> Result<Value, String> {
    let n = match &a[0] {
        Value::Str(s) => s.len(),
        Value::List(l, _) => l.len(),
        Value::Map(m, _) => m.borrow().len(),
        Value::Missing | Value::Nil => return Err("len of nil pointer".into()),
        v => return Err(format!("len of type {}", v.type_name())),
    };
    Ok(Value::Int(n as i64))
}

fn index_arg(i: &Value, len: usize) -> Result<usize, String> {
    let x = match i {
        Value::Missing | Value::Nil => return Err("cannot index slice/array with nil".into()),
        v => v.as_i128().ok_or_else(|| format!("cannot index slice/array with type {}", v.type_name()))?,
    };
    if x < 0 || x >= len as i128 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(_: &mut Ctx, a: Vec<Value>) -> Result<Value, String> {
    let mut item = a[0].clone();
    if item.is_nil() {
        return Err("index of untyped nil".into());
    }
    for i in &a[1..] {
        item = match &item {
            Value::Missing | Value::Nil => return Err("index of nil pointer".into()),
            Value::List(l, _) => l[index_arg(i, l.len())?].clone(),
            Value::Str(s) => Value::Byte(s.as_bytes()[index_arg(i, s.len())?]),
            Value::Map(m, elem) => {
                let key = match i {
                    Value::Str(k) => k.clone(),
                    Value::Missing | Value::Nil => {
                        return Err("value is nil; should be of type string".into());
                    }
                    v => {
                        return Err(format!("value has type {}; should be string", v.type_name()));
                    }
                };
                let found = m.borrow().get(&*key).cloned();
                match found {
                    Some(v) => v,
                    None if *elem == super::super::value::Elem::Str => Value::str(""),
                    None => Value::Nil,
                }
            }
            v => return Err(format!("can't index item of type {}", v.type_name())),
        };
    }
    Ok(item)
}

/// Go's `eq`: true if the first argument equals any of the others.
fn eq(_: &mut Ctx, a: Vec<Value>) -> Result<Value, String> {
    if a.len() < 2 {
        return Err("missing argument for comparison".into());
    }
    for b in &a[1..] {
        if equal(&a[0], b)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

pub(super) fn equal(x: &Value, y: &Value) -> Result<bool, String> {
    let (kx, ky) = (x.kind(), y.kind());
    if kx != ky {
        return match (x.as_i128(), y.as_i128()) {
            (Some(i), Some(j)) => Ok(i == j),
            _ if !x.is_nil() && !y.is_nil() => Err("incompatible types for comparison".into()),
            _ => Ok(false),
        };
    }
    Ok(match (x, y) {
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Str(a), Value::Str(b)) => a == b,
        (Value::Float(a), Value::Float(b)) => a == b,
        _ if kx == Kind::Int || kx == Kind::Uint => x.as_i128() == y.as_i128(),
        _ => {
            // Lists, maps and nil: only comparisons with nil are allowed.
            if x.is_nil() || y.is_nil() {
                x.is_nil() == y.is_nil()
            } else if x.type_name() != y.type_name() {
                return Err(format!(
                    "non-comparable types {}: {}, {}: {}",
                    super::strval(x)?,
                    x.type_name(),
                    y.type_name(),
                    super::strval(y)?
                ));
            } else {
                return Err(format!("non-comparable type {}: {}", super::strval(y)?, y.type_name()));
            }
        }
    })
}

fn ordered_kind(v: &Value) -> Result<Kind, String> {
    match v.kind() {
        Kind::Other => Err("invalid type for comparison".into()),
        k => Ok(k),
    }
}

fn less(x: &Value, y: &Value) -> Result<bool, String> {
    let (kx, ky) = (ordered_kind(x)?, ordered_kind(y)?);
    if kx != ky {
        return match (x.as_i128(), y.as_i128()) {
            (Some(i), Some(j)) => Ok(i < j),
            _ => Err("incompatible types for comparison".into()),
        };
    }
    match (x, y) {
        (Value::Bool(_), _) => Err("invalid type for comparison".into()),
        (Value::Float(a), Value::Float(b)) => Ok(a < b),
        (Value::Str(a), Value::Str(b)) => Ok(a < b),
        _ => Ok(x.as_i128() < y.as_i128()),
    }
}

fn less_eq(x: &Value, y: &Value) -> Result<bool, String> {
    Ok(less(x, y)? || equal(x, y)?)
}

/// Go's `evalArgs`: one string argument as it is, otherwise `fmt.Sprint`.
fn eval_args(a: &[Value]) -> Result<String, String> {
    if let [Value::Str(s)] = a {
        return Ok(s.to_string());
    }
    sprint(a)
}

/// Go's `template.HTMLEscapeString`.
pub(super) fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => o.push_str("&#34;"),
            '\'' => o.push_str("&#39;"),
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '\0' => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

/// Go's `template.JSEscapeString`.
fn js_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '\'' => o.push_str("\\'"),
            '"' => o.push_str("\\\""),
            '<' => o.push_str("\\u003C"),
            '>' => o.push_str("\\u003E"),
            '&' => o.push_str("\\u0026"),
            '=' => o.push_str("\\u003D"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04X}", c as u32)),
            c if c.is_ascii() || super::super::strconv::is_print(c) => o.push(c),
            c => o.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    o
}

/// Go's `url.QueryEscape`.
pub(super) fn query_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                o.push(b as char);
            }
            b' ' => o.push('+'),
            b => o.push_str(&format!("%{b:02X}")),
        }
    }
    o
}
