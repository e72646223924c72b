//! The Gomplate functions Atmos templates use (`strings.Title`, `conv.ToBool`, `data.ToJSON`,
//! `coll.Dict`, …) and their top-level aliases. Gomplate converts arguments leniently
//! (`conv.ToString`, `conv.ToInt64`), so these take any value. Where Sprig has a function of
//! the same name (`dict`, `has`, `merge`, …) Atmos registers Sprig's, so only Gomplate-only
//! aliases appear here.

use std::collections::BTreeMap;

use super::super::strconv::quote_with;
use super::super::value::{Elem, Value};
use super::builtin::out;
use super::convert::to_float64;
use super::encoding::{b64_decode, b64_encode, from_yaml, go_json, to_yaml};
use super::lists::map_of;
use super::strings::{expand_env, title};
use super::{Ctx, Func, Ty, f, go_split, strval};

const A: Ty = Ty::Any;
const VA: Option<Ty> = Some(Ty::Any);

/// Gomplate's `conv.ToString`: nil is "nil".
fn gs(v: &Value) -> Result<String, String> {
    if v.is_nil() { Ok("nil".into()) } else { strval(v) }
}

/// Gomplate's `conv.ToInt64`: strings lose commas, then parse as integer or float.
fn gi(v: &Value) -> i64 {
    match v {
        Value::Str(s) => {
            let s = s.replace(',', "");
            super::super::literal::parse_int(&s)
                .and_then(|v| i64::try_from(v).ok())
                .or_else(|| s.parse::<f64>().ok().map(|f| f as i64))
                .unwrap_or(0)
        }
        v => super::convert::to_int64(v),
    }
}

fn gf(v: &Value) -> f64 {
    match v {
        Value::Str(s) => s.replace(',', "").parse().unwrap_or(0.0),
        v => to_float64(v),
    }
}

/// Gomplate's `conv.ToBool`.
fn gb(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Str(s) => {
            let s = s.to_lowercase();
            matches!(s.as_str(), "1" | "t" | "true" | "yes") || gf(&Value::str(s)) == 1.0
        }
        Value::Float(x) => *x == 1.0,
        v => v.as_i128() == Some(1),
    }
}

fn is_float(v: &Value) -> bool {
    match v {
        Value::Float(_) => true,
        Value::Str(s) => s.contains('.') && s.parse::<f64>().is_ok(),
        _ => false,
    }
}

/// Integer result unless any operand is a float (Gomplate's math functions).
fn num(a: &[Value], int: impl Fn(&[i64]) -> i64, float: impl Fn(&[f64]) -> f64) -> Value {
    if a.iter().any(is_float) {
        Value::Float(float(&a.iter().map(gf).collect::<Vec<_>>()))
    } else {
        Value::Int64(int(&a.iter().map(gi).collect::<Vec<_>>()))
    }
}

fn items(v: &Value) -> Result<Vec<Value>, String> {
    match v {
        Value::List(l, _) => Ok(l.as_ref().clone()),
        v => Err(format!("expected an array, got {}", v.type_name())),
    }
}

fn list(c: &mut Ctx, l: Vec<Value>) -> Result<Value, String> {
    c.charge(l.len() as u64 + 1)?;
    Ok(Value::list(l))
}

pub(super) static FUNCS: &[Func] = &[
    f("strings.Title", &[A], None, |c, a| out(c, title(&gs(&a[0])?))),
    f("strings.Quote", &[A], None, |c, a| out(c, quote_with(&gs(&a[0])?, '"', false))),
    f("strings.Squote", &[A], None, |c, a| out(c, format!("'{}'", gs(&a[0])?.replace('\'', "''")))),
    f("strings.ToUpper", &[A], None, |c, a| out(c, gs(&a[0])?.to_uppercase())),
    f("strings.ToLower", &[A], None, |c, a| out(c, gs(&a[0])?.to_lowercase())),
    f("strings.TrimSpace", &[A], None, |c, a| out(c, gs(&a[0])?.trim().to_string())),
    f("strings.Trim", &[A, A], None, |c, a| {
        let cut: Vec<char> = gs(&a[0])?.chars().collect();
        out(c, gs(&a[1])?.trim_matches(cut.as_slice()).to_string())
    }),
    f("strings.TrimPrefix", &[A, A], None, |c, a| {
        let (p, s) = (gs(&a[0])?, gs(&a[1])?);
        out(c, s.strip_prefix(p.as_str()).unwrap_or(&s).to_string())
    }),
    f("strings.TrimSuffix", &[A, A], None, |c, a| {
        let (p, s) = (gs(&a[0])?, gs(&a[1])?);
        out(c, s.strip_suffix(p.as_str()).unwrap_or(&s).to_string())
    }),
    f("strings.Replace", &[A, A, A], None, replace_all),
    f("strings.ReplaceAll", &[A, A, A], None, replace_all),
    f("strings.Contains", &[A, A], None, |_, a| Ok(Value::Bool(gs(&a[1])?.contains(&gs(&a[0])?)))),
    f("strings.HasPrefix", &[A, A], None, |_, a| Ok(Value::Bool(gs(&a[1])?.starts_with(&gs(&a[0])?)))),
    f("strings.HasSuffix", &[A, A], None, |_, a| Ok(Value::Bool(gs(&a[1])?.ends_with(&gs(&a[0])?)))),
    f("strings.Split", &[A, A], None, |c, a| {
        let v = go_split(&gs(&a[1])?, &gs(&a[0])?, -1);
        c.charge(v.len() as u64)?;
        Ok(Value::strings(v))
    }),
    f("strings.SplitN", &[A, A, A], None, |c, a| {
        let v = go_split(&gs(&a[2])?, &gs(&a[0])?, gi(&a[1]));
        c.charge(v.len() as u64)?;
        Ok(Value::strings(v))
    }),
    f("strings.Repeat", &[A, A], None, |c, a| {
        let (n, s) = (gi(&a[0]), gs(&a[1])?);
        if n < 0 {
            return Err(format!("negative count {n}"));
        }
        c.charge_str(s.len().saturating_mul(n as usize))?;
        out(c, s.repeat(n as usize))
    }),
    f("strings.Trunc", &[A, A], None, |c, a| {
        let (n, s) = (gi(&a[0]), gs(&a[1])?);
        if n < 0 || s.len() as i64 <= n {
            return out(c, s);
        }
        let t = s.get(..n as usize).ok_or("strings.Trunc would split a UTF-8 character")?;
        out(c, t.to_string())
    }),
    f("strings.Indent", &[], VA, indent),
    f("conv.ToBool", &[A], None, |_, a| Ok(Value::Bool(gb(&a[0])))),
    f("conv.Bool", &[A], None, |_, a| Ok(Value::Bool(gb(&a[0])))),
    f("conv.ToInt", &[A], None, |_, a| Ok(Value::Int(gi(&a[0])))),
    f("conv.ToInt64", &[A], None, |_, a| Ok(Value::Int64(gi(&a[0])))),
    f("conv.ToFloat64", &[A], None, |_, a| Ok(Value::Float(gf(&a[0])))),
    f("conv.ToString", &[A], None, |c, a| out(c, gs(&a[0])?)),
    f("conv.Default", &[A, A], None, |_, a| Ok(if a[1].truthy() { a[1].clone() } else { a[0].clone() })),
    f("conv.Join", &[A, A], None, |c, a| {
        let parts = items(&a[0]).map_err(|_| "input to Join must be an array".to_string())?;
        let parts: Vec<String> = parts.iter().map(gs).collect::<Result<_, _>>()?;
        out(c, parts.join(&gs(&a[1])?))
    }),
    f("conv.Has", &[A, A], None, has),
    f("math.Add", &[], VA, |_, a| Ok(num(&a, |v| v.iter().fold(0i64, |s, x| s.wrapping_add(*x)), |v| v.iter().sum()))),
    f("math.Mul", &[], VA, |_, a| {
        Ok(num(&a, |v| v.iter().fold(1i64, |s, x| s.wrapping_mul(*x)), |v| v.iter().product()))
    }),
    f("math.Sub", &[A, A], None, |_, a| Ok(num(&a, |v| v[0].wrapping_sub(v[1]), |v| v[0] - v[1]))),
    f("math.Div", &[A, A], None, |_, a| {
        let d = gf(&a[1]);
        if d == 0.0 {
            return Err("error: division by 0".into());
        }
        Ok(Value::Float(gf(&a[0]) / d))
    }),
    f("math.Rem", &[A, A], None, |_, a| {
        let d = gi(&a[1]);
        if d == 0 {
            return Err("runtime error: integer divide by zero".into());
        }
        Ok(Value::Int64(gi(&a[0]).wrapping_rem(d)))
    }),
    f("math.Max", &[A], VA, |_, a| {
        Ok(num(&a, |v| v.iter().copied().max().unwrap_or(0), |v| v.iter().copied().fold(f64::MIN, f64::max)))
    }),
    f("math.Min", &[A], VA, |_, a| {
        Ok(num(&a, |v| v.iter().copied().min().unwrap_or(0), |v| v.iter().copied().fold(f64::MAX, f64::min)))
    }),
    f("math.Abs", &[A], None, |_, a| Ok(num(&a, |v| v[0].wrapping_abs(), |v| v[0].abs()))),
    f("math.Floor", &[A], None, |_, a| Ok(Value::Float(gf(&a[0]).floor()))),
    f("math.Ceil", &[A], None, |_, a| Ok(Value::Float(gf(&a[0]).ceil()))),
    f("math.Round", &[A], None, |_, a| Ok(Value::Float(gf(&a[0]).round()))),
    f("data.JSON", &[A], None, |c, a| parse_map(c, &a[0])),
    f("json", &[A], None, |c, a| parse_map(c, &a[0])),
    f("data.YAML", &[A], None, |c, a| parse_map(c, &a[0])),
    f("yaml", &[A], None, |c, a| parse_map(c, &a[0])),
    f("data.JSONArray", &[A], None, |c, a| parse_list(c, &a[0])),
    f("jsonArray", &[A], None, |c, a| parse_list(c, &a[0])),
    f("data.YAMLArray", &[A], None, |c, a| parse_list(c, &a[0])),
    f("yamlArray", &[A], None, |c, a| parse_list(c, &a[0])),
    f("data.ToJSON", &[A], None, |c, a| out(c, go_json(&a[0], true, None)?)),
    f("toJSON", &[A], None, |c, a| out(c, go_json(&a[0], true, None)?)),
    f("data.ToJSONPretty", &[A, A], None, |c, a| out(c, go_json(&a[1], true, Some(&gs(&a[0])?))?)),
    f("toJSONPretty", &[A, A], None, |c, a| out(c, go_json(&a[1], true, Some(&gs(&a[0])?))?)),
    f("data.ToYAML", &[A], None, |c, a| to_yaml(c, &a[0])),
    f("toYAML", &[A], None, |c, a| to_yaml(c, &a[0])),
    f("coll.Dict", &[], VA, |c, a| {
        c.charge(a.len() as u64)?;
        let mut m = BTreeMap::new();
        for pair in a.chunks(2) {
            m.insert(gs(&pair[0])?, pair.get(1).cloned().unwrap_or_else(|| Value::str("")));
        }
        Ok(Value::map(m))
    }),
    f("coll.Slice", &[], VA, list),
    f("coll.Has", &[A, A], None, has),
    f("coll.Keys", &[], VA, |c, a| {
        let mut keys = Vec::new();
        for m in a.iter().filter_map(map_of) {
            keys.extend(m.borrow().keys().cloned());
        }
        c.charge(keys.len() as u64)?;
        Ok(Value::strings(keys))
    }),
    f("coll.Values", &[], VA, |c, a| {
        let mut vals = Vec::new();
        for m in a.iter().filter_map(map_of) {
            vals.extend(m.borrow().values().cloned());
        }
        list(c, vals)
    }),
    f("coll.Append", &[A, A], None, |c, a| {
        let mut l = if a[1].is_nil() { Vec::new() } else { items(&a[1])? };
        l.push(a[0].clone());
        list(c, l)
    }),
    f("coll.Prepend", &[A, A], None, |c, a| {
        let mut l = vec![a[0].clone()];
        if !a[1].is_nil() {
            l.extend(items(&a[1])?);
        }
        list(c, l)
    }),
    f("coll.Uniq", &[A], None, |c, a| {
        let mut l: Vec<Value> = Vec::new();
        for x in items(&a[0])? {
            c.charge(l.len() as u64)?;
            if !l.iter().any(|y| y.deep_equal(&x, 0)) {
                l.push(x);
            }
        }
        list(c, l)
    }),
    f("coll.Reverse", &[A], None, |c, a| list(c, items(&a[0])?.into_iter().rev().collect())),
    f("coll.Merge", &[A], VA, |c, a| {
        let mut dst = map_of(&a[0]).ok_or("coll.Merge: dst must be a map")?.borrow().clone();
        for src in &a[1..] {
            let src = map_of(src).ok_or("coll.Merge: sources must be maps")?.borrow().clone();
            dst = merge_values(c, src, dst, 0)?;
        }
        Ok(Value::map(dst))
    }),
    f("coll.Pick", &[], VA, |c, a| pick(c, &a, true)),
    f("coll.Omit", &[], VA, |c, a| pick(c, &a, false)),
    f("base64.Encode", &[A], None, |c, a| out(c, b64_encode(gs(&a[0])?.as_bytes()))),
    f("base64.Decode", &[A], None, |c, a| {
        let b = b64_decode(&gs(&a[0])?)?;
        out(c, String::from_utf8(b).map_err(|_| "decoded bytes are not valid UTF-8 (not supported)")?)
    }),
    f("crypto.SHA256", &[A], None, |c, a| {
        use sha2::Digest;
        out(c, hex::encode(sha2::Sha256::digest(gs(&a[0])?)))
    }),
    f("regexp.Match", &[A, A], None, |c, a| Ok(Value::Bool(c.regex(&gs(&a[0])?)?.is_match(&gs(&a[1])?)))),
    f("regexp.Find", &[A, A], None, |c, a| {
        let r = c.regex(&gs(&a[0])?)?;
        let s = gs(&a[1])?;
        out(c, r.find(&s).map(|m| m.as_str().to_string()).unwrap_or_default())
    }),
    f("regexp.Replace", &[A, A, A], None, |c, a| {
        let r = c.regex(&gs(&a[0])?)?;
        out(c, r.replace_all(&gs(&a[2])?, gs(&a[1])?.as_str()).into_owned())
    }),
    f("regexp.ReplaceLiteral", &[A, A, A], None, |c, a| {
        let r = c.regex(&gs(&a[0])?)?;
        out(c, r.replace_all(&gs(&a[2])?, regex::NoExpand(&gs(&a[1])?)).into_owned())
    }),
    f("regexp.QuoteMeta", &[A], None, |c, a| out(c, regex::escape(&gs(&a[0])?))),
    f("env.Getenv", &[A], VA, getenv),
    f("getenv", &[A], VA, getenv),
    f("env.ExpandEnv", &[A], None, |c, a| {
        let s = expand_env(&gs(&a[0])?, |k| c.env.get(k).cloned().unwrap_or_default());
        out(c, s)
    }),
    f("test.Fail", &[], VA, |_, a| match a.as_slice() {
        [] => Err("template generation failed".into()),
        [m] => Err(format!("template generation failed: {}", gs(m)?)),
        _ => Err(format!("wrong number of args: want 0 or 1, got {}", a.len())),
    }),
    f("test.Required", &[], VA, |_, a| {
        let (msg, v) = match a.as_slice() {
            [v] => ("can not render template: a required value was not set".to_string(), v),
            [m, v] => (gs(m)?, v),
            _ => return Err(format!("wrong number of args: want 1 or 2, got {}", a.len())),
        };
        match v {
            Value::Missing | Value::Nil => Err(msg),
            Value::Str(s) if s.is_empty() => Err(msg),
            v => Ok(v.clone()),
        }
    }),
    f("test.Ternary", &[A, A, A], None, |_, a| Ok(if gb(&a[2]) { a[0].clone() } else { a[1].clone() })),
    f("test.Assert", &[], VA, |_, a| {
        let (msg, v) = match a.as_slice() {
            [v] => ("assertion failed".to_string(), v),
            [m, v] => (format!("assertion failed: {}", gs(m)?), v),
            _ => return Err(format!("wrong number of args: want 1 or 2, got {}", a.len())),
        };
        if gb(v) { Ok(Value::str("")) } else { Err(msg) }
    }),
    f("test.Kind", &[A], None, |_, a| Ok(Value::str(a[0].kind_name()))),
    f("test.IsKind", &[A, A], None, |_, a| {
        let kind = gs(&a[0])?;
        let k = a[1].kind_name();
        let number =
            matches!(a[1], Value::Int(_) | Value::Int64(_) | Value::Uint(_) | Value::Byte(_) | Value::Float(_));
        Ok(Value::Bool(kind == k || (kind == "number" && number)))
    }),
];

fn replace_all(c: &mut Ctx, a: Vec<Value>) -> Result<Value, String> {
    let (old, new, s) = (gs(&a[0])?, gs(&a[1])?, gs(&a[2])?);
    let count = if old.is_empty() { s.chars().count() + 1 } else { s.matches(old.as_str()).count() };
    c.charge_str(s.len() + count * new.len())?;
    out(c, s.replace(&old, &new))
}

/// `strings.Indent [width] [indent] input`: prefixes every non-empty line.
fn indent(c: &mut Ctx, a: Vec<Value>) -> Result<Value, String> {
    let (width, pad, s) = match a.as_slice() {
        [s] => (1, " ".to_string(), gs(s)?),
        [w, s] if matches!(w, Value::Int(_) | Value::Int64(_)) => (gi(w), " ".to_string(), gs(s)?),
        [p, s] => (1, gs(p)?, gs(s)?),
        [w, p, s] => (gi(w), gs(p)?, gs(s)?),
        _ => return Err(format!("wrong number of args: want 1, 2 or 3, got {}", a.len())),
    };
    if width <= 0 {
        return Err("width must be > 0".into());
    }
    let pad = pad.repeat(width as usize);
    c.charge_str(s.len() + (s.matches('\n').count() + 1) * pad.len())?;
    let mut res = String::with_capacity(s.len());
    let mut bol = true;
    for ch in s.chars() {
        if bol && ch != '\n' {
            res.push_str(&pad);
        }
        res.push(ch);
        bol = ch == '\n';
    }
    out(c, res)
}

fn has(_: &mut Ctx, a: Vec<Value>) -> Result<Value, String> {
    Ok(Value::Bool(match &a[0] {
        Value::Map(m, _) => a[1].as_str().is_some_and(|k| m.borrow().contains_key(k)),
        Value::List(l, _) => l.iter().any(|x| x.deep_equal(&a[1], 0)),
        _ => false,
    }))
}

fn parse_map(c: &mut Ctx, v: &Value) -> Result<Value, String> {
    match from_yaml(c, &gs(v)?)? {
        m @ Value::Map(..) => Ok(m),
        Value::Nil => Ok(Value::map(BTreeMap::new())),
        v => Err(format!("expected a map, got {}", v.type_name())),
    }
}

fn parse_list(c: &mut Ctx, v: &Value) -> Result<Value, String> {
    match from_yaml(c, &gs(v)?)? {
        l @ Value::List(..) => Ok(l),
        Value::Nil => Ok(Value::list(Vec::new())),
        v => Err(format!("expected an array, got {}", v.type_name())),
    }
}

/// Gomplate's `mergeValues`: `dst` entries win, nested maps merge; a new map.
fn merge_values(
    c: &mut Ctx,
    src: BTreeMap<String, Value>,
    dst: BTreeMap<String, Value>,
    depth: usize,
) -> Result<BTreeMap<String, Value>, String> {
    if depth > super::super::MAX_VALUE_DEPTH {
        return Err(super::super::value::too_deep());
    }
    c.charge(dst.len() as u64 + 1)?;
    let mut out = src;
    for (k, v) in dst {
        let merged = match (out.get(&k), &v) {
            (Some(Value::Map(o, Elem::Any)), Value::Map(d, Elem::Any)) => {
                let (o, d) = (o.borrow().clone(), d.borrow().clone());
                Value::map(merge_values(c, o, d, depth + 1)?)
            }
            _ => v,
        };
        out.insert(k, merged);
    }
    Ok(out)
}

/// `coll.Pick key… map` / `coll.Omit key… map`.
fn pick(c: &mut Ctx, a: &[Value], keep: bool) -> Result<Value, String> {
    let Some((m, keys)) = a.split_last() else {
        return Err("wrong number of args: wanted 2 or more, got 0".into());
    };
    let m = map_of(m).ok_or("last argument must be a map")?;
    let keys: Vec<String> = keys.iter().map(gs).collect::<Result<_, _>>()?;
    let out: BTreeMap<String, Value> =
        m.borrow().iter().filter(|(k, _)| keys.contains(k) == keep).map(|(k, v)| (k.clone(), v.clone())).collect();
    c.charge(out.len() as u64 + 1)?;
    Ok(Value::map(out))
}

fn getenv(c: &mut Ctx, a: Vec<Value>) -> Result<Value, String> {
    let v = c.env.get(&gs(&a[0])?).cloned().unwrap_or_default();
    let v = match (v.is_empty(), a.get(1)) {
        (true, Some(d)) => gs(d)?,
        _ => v,
    };
    out(c, v)
}
