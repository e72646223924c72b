//! JSON (Go's `encoding/json` output: sorted keys, HTML escaping, Go's float format), YAML,
//! base64 and checksums.

use sha2::{Digest, Sha256};

use super::super::MAX_VALUE_DEPTH;
use super::super::strconv::format_float;
use super::super::value::{Value, too_deep};
use super::builtin::out;
use super::{Ctx, Func, Ty, arg_str};

const A: Ty = Ty::Any;
const S: Ty = Ty::Str;

pub(super) static FUNCS: &[Func] = &[
    super::f("toJson", &[A], None, |c, a| out(c, go_json(&a[0], true, None).unwrap_or_default())),
    super::f("mustToJson", &[A], None, |c, a| out(c, go_json(&a[0], true, None)?)),
    super::f("toRawJson", &[A], None, |c, a| out(c, go_json(&a[0], false, None).unwrap_or_default())),
    super::f("mustToRawJson", &[A], None, |c, a| out(c, go_json(&a[0], false, None)?)),
    super::f("toPrettyJson", &[A], None, |c, a| out(c, go_json(&a[0], true, Some("  ")).unwrap_or_default())),
    super::f("mustToPrettyJson", &[A], None, |c, a| out(c, go_json(&a[0], true, Some("  "))?)),
    super::f("fromJson", &[S], None, |c, a| Ok(from_json(c, arg_str(&a, 0)).unwrap_or(Value::Nil))),
    super::f("mustFromJson", &[S], None, |c, a| from_json(c, arg_str(&a, 0))),
    super::f("b64enc", &[S], None, |c, a| out(c, b64_encode(arg_str(&a, 0).as_bytes()))),
    super::f("b64dec", &[S], None, |c, a| {
        let s = match b64_decode(arg_str(&a, 0)) {
            Ok(bytes) => String::from_utf8(bytes)
                .map_err(|_| "b64dec: decoded bytes are not valid UTF-8 (not supported)".to_string())?,
            Err(e) => e,
        };
        out(c, s)
    }),
    super::f("sha256sum", &[S], None, |c, a| out(c, hex::encode(Sha256::digest(arg_str(&a, 0))))),
    super::f("adler32sum", &[S], None, |c, a| out(c, adler32(arg_str(&a, 0).as_bytes()).to_string())),
];

/// `json.Marshal` (or `MarshalIndent` with `indent`); `html` escapes `<`, `>` and `&`.
pub(super) fn go_json(v: &Value, html: bool, indent: Option<&str>) -> Result<String, String> {
    let mut out = String::new();
    write_json(&mut out, v, html, indent, 0)?;
    Ok(out)
}

fn newline(out: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(ind) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(ind);
        }
    }
}

fn write_json(out: &mut String, v: &Value, html: bool, indent: Option<&str>, depth: usize) -> Result<(), String> {
    if depth > MAX_VALUE_DEPTH {
        return Err(too_deep());
    }
    match v {
        Value::Missing | Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Uint(u) => out.push_str(&u.to_string()),
        Value::Byte(b) => out.push_str(&b.to_string()),
        Value::Float(f) => out.push_str(&json_float(*f)?),
        Value::Str(s) => json_string(out, s, html),
        Value::List(l, _) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_json(out, x, html, indent, depth + 1)?;
            }
            if !l.is_empty() {
                newline(out, indent, depth);
            }
            out.push(']');
        }
        Value::Map(m, _) => {
            out.push('{');
            let m = m.borrow();
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                json_string(out, k, html);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(out, x, html, indent, depth + 1)?;
            }
            if !m.is_empty() {
                newline(out, indent, depth);
            }
            out.push('}');
        }
    }
    Ok(())
}

/// Go's JSON float: shortest digits, exponent form below 1e-6 or from 1e21 (`1e-7`, `1e+21`).
fn json_float(f: f64) -> Result<String, String> {
    if !f.is_finite() {
        return Err(format!("json: unsupported value: {}", format_float(f, 'g', None)));
    }
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let s = format_float(f, 'e', None);
        // Go trims one leading zero of a negative exponent: e-07 → e-7.
        if let Some(i) = s.find("e-0") {
            return Ok(format!("{}e-{}", &s[..i], &s[i + 3..]));
        }
        return Ok(s);
    }
    Ok(format_float(f, 'f', None))
}

fn json_string(out: &mut String, s: &str, html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.Unmarshal` into `interface {}`: every number becomes a float64.
fn from_json(c: &mut Ctx, s: &str) -> Result<Value, String> {
    c.charge_str(s.len())?;
    let j: serde_json::Value = serde_json::from_str(s).map_err(|e| e.to_string())?;
    Ok(floats(Value::from_json(&j, 0)?))
}

fn floats(v: Value) -> Value {
    match &v {
        Value::Int(i) => Value::Float(*i as f64),
        Value::Uint(u) => Value::Float(*u as f64),
        Value::List(l, e) => Value::List(std::rc::Rc::new(l.iter().cloned().map(floats).collect()), *e),
        Value::Map(m, _) => {
            let entries: Vec<(String, Value)> =
                m.borrow().iter().map(|(k, v)| (k.clone(), floats(v.clone()))).collect();
            Value::map(entries.into_iter().collect())
        }
        _ => v,
    }
}

/// YAML text of a value, for Gomplate's `toYAML`. Integral floats are written as integers,
/// as Go's YAML encoders do.
pub(super) fn to_yaml(c: &mut Ctx, v: &Value) -> Result<Value, String> {
    let j = v.to_json(0)?;
    let j = integral_floats(j);
    let s = yaml_serde::to_string(&j).map_err(|e| e.to_string())?;
    out(c, s)
}

fn integral_floats(j: serde_json::Value) -> serde_json::Value {
    match j {
        serde_json::Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => serde_json::Value::from(f as i64),
            _ => serde_json::Value::Number(n),
        },
        serde_json::Value::Array(a) => serde_json::Value::Array(a.into_iter().map(integral_floats).collect()),
        serde_json::Value::Object(o) => {
            serde_json::Value::Object(o.into_iter().map(|(k, v)| (k, integral_floats(v))).collect())
        }
        j => j,
    }
}

/// YAML or JSON text parsed into a value (Gomplate's `data.YAML` and friends).
pub(super) fn from_yaml(c: &mut Ctx, s: &str) -> Result<Value, String> {
    c.charge_str(s.len())?;
    let j: serde_json::Value = yaml_serde::from_str(s).map_err(|e| e.to_string())?;
    Value::from_json(&j, 0)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub(super) fn b64_encode(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &x)| n | u32::from(x) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 with padding; newlines are ignored as Go does. The error is Go's text.
pub(super) fn b64_decode(s: &str) -> Result<Vec<u8>, String> {
    let bad = |i: usize| format!("illegal base64 data at input byte {i}");
    let chars: Vec<(usize, u8)> = s.bytes().enumerate().filter(|(_, b)| *b != b'\n' && *b != b'\r').collect();
    let mut out = Vec::with_capacity(chars.len() / 4 * 3);
    for quad in chars.chunks(4) {
        if quad.len() < 4 {
            return Err(bad(quad.first().map_or(s.len(), |q| q.0)));
        }
        let mut n = 0u32;
        let mut pad = 0;
        for (j, &(i, b)) in quad.iter().enumerate() {
            let v = if b == b'=' {
                if j < 2 {
                    return Err(bad(i));
                }
                pad += 1;
                0
            } else if pad > 0 {
                return Err(bad(i));
            } else {
                B64.iter().position(|&x| x == b).ok_or_else(|| bad(i))? as u32
            };
            n = n << 6 | v;
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
        if pad > 0 && quad.last().map(|q| q.0) != chars.last().map(|q| q.0) {
            return Err(bad(quad[3].0 + 1));
        }
    }
    Ok(out)
}

fn adler32(b: &[u8]) -> u32 {
    let (mut a, mut s) = (1u32, 0u32);
    for &x in b {
        a = (a + u32::from(x)) % 65521;
        s = (s + a) % 65521;
    }
    s << 16 | a
}
