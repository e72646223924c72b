//! Sprig's list and dictionary functions (and Atmos's `collectKeys`). Dictionaries are shared
//! and mutable as in Go: `set`, `unset`, `merge` and `mergeOverwrite` change their first
//! argument and return it. Sprig leaves the order of `keys` and `values` unspecified (Go map
//! order); paved returns them in key order.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::super::MAX_VALUE_DEPTH;
use super::super::value::{Elem, MapRef, Value, new_map, too_deep};
use super::{Ctx, Func, Ty, arg_int, arg_str, strslice, strval};

const A: Ty = Ty::Any;
const VA: Option<Ty> = Some(Ty::Any);
const M: Ty = Ty::Map;

pub(super) static FUNCS: &[Func] = &[
    super::f("list", &[], VA, built),
    super::f("first", &[A], None, |_, a| Ok(items(&a[0], "first")?.first().cloned().unwrap_or(Value::Nil))),
    super::f("last", &[A], None, |_, a| Ok(items(&a[0], "last")?.last().cloned().unwrap_or(Value::Nil))),
    super::f("rest", &[A], None, |c, a| {
        let l = items(&a[0], "rest")?;
        if l.is_empty() { Ok(Value::Nil) } else { built(c, l[1..].to_vec()) }
    }),
    super::f("initial", &[A], None, |c, a| {
        let l = items(&a[0], "initial")?;
        if l.is_empty() { Ok(Value::Nil) } else { built(c, l[..l.len() - 1].to_vec()) }
    }),
    super::f("append", &[A, A], None, push),
    super::f("push", &[A, A], None, push),
    super::f("prepend", &[A, A], None, |c, a| {
        let mut l = vec![a[1].clone()];
        l.extend(items(&a[0], "prepend")?.iter().cloned());
        built(c, l)
    }),
    super::f("concat", &[], VA, |c, a| {
        let mut l = Vec::new();
        for x in &a {
            l.extend(items(x, "concat")?.iter().cloned());
        }
        built(c, l)
    }),
    super::f("uniq", &[A], None, |c, a| {
        let mut l: Vec<Value> = Vec::new();
        for x in items(&a[0], "uniq")?.iter() {
            c.charge(l.len() as u64)?;
            if !l.iter().any(|y| y.deep_equal(x, 0)) {
                l.push(x.clone());
            }
        }
        built(c, l)
    }),
    super::f("has", &[A, A], None, |c, a| {
        if a[1].is_nil() {
            return Ok(Value::Bool(false));
        }
        let l = items(&a[1], "has")?;
        c.charge(l.len() as u64)?;
        Ok(Value::Bool(l.iter().any(|y| y.deep_equal(&a[0], 0))))
    }),
    super::f("without", &[A], VA, |c, a| {
        let l = items(&a[0], "without")?;
        c.charge((l.len() * a.len()) as u64)?;
        built(c, l.iter().filter(|x| !a[1..].iter().any(|y| y.deep_equal(x, 0))).cloned().collect())
    }),
    super::f("compact", &[A], None, |c, a| {
        built(c, items(&a[0], "compact")?.iter().filter(|x| x.truthy()).cloned().collect())
    }),
    super::f("reverse", &[A], None, |c, a| built(c, items(&a[0], "reverse")?.iter().rev().cloned().collect())),
    super::f("slice", &[A], VA, slice),
    super::f("sortAlpha", &[A], None, |c, a| {
        let mut v = strslice(&a[0])?;
        c.charge(v.len() as u64 * 8)?;
        v.sort();
        Ok(Value::strings(v))
    }),
    super::f("until", &[Ty::Int], None, |c, a| {
        let n = arg_int(&a, 0);
        let range: Vec<i64> = if n >= 0 { (0..n).collect() } else { (n + 1..=0).rev().collect() };
        c.charge(range.len() as u64)?;
        built(c, range.into_iter().map(Value::Int).collect())
    }),
    super::f("toStrings", &[A], None, |c, a| {
        let v = strslice(&a[0])?;
        c.charge(v.len() as u64)?;
        Ok(Value::strings(v))
    }),
    super::f("dict", &[], VA, |c, a| {
        c.charge(a.len() as u64)?;
        let mut m = BTreeMap::new();
        for pair in a.chunks(2) {
            let v = pair.get(1).cloned().unwrap_or_else(|| Value::str(""));
            m.insert(strval(&pair[0])?, v);
        }
        Ok(Value::map(m))
    }),
    super::f("get", &[M, Ty::Str], None, |_, a| {
        Ok(map_of(&a[0]).and_then(|m| m.borrow().get(arg_str(&a, 1)).cloned()).unwrap_or_else(|| Value::str("")))
    }),
    super::f("set", &[M, Ty::Str, A], None, |c, a| {
        let m = map_of(&a[0]).ok_or("assignment to entry in nil map")?;
        m.borrow_mut().insert(arg_str(&a, 1).to_string(), a[2].clone());
        c.mutated(&m);
        Ok(a[0].clone())
    }),
    super::f("unset", &[M, Ty::Str], None, |c, a| {
        if let Some(m) = map_of(&a[0]) {
            m.borrow_mut().remove(arg_str(&a, 1));
            c.mutated(&m);
        }
        Ok(a[0].clone())
    }),
    super::f("hasKey", &[M, Ty::Str], None, |_, a| {
        Ok(Value::Bool(map_of(&a[0]).is_some_and(|m| m.borrow().contains_key(arg_str(&a, 1)))))
    }),
    super::f("keys", &[], Some(M), |c, a| {
        let mut out = Vec::new();
        for d in &a {
            if let Some(m) = map_of(d) {
                out.extend(m.borrow().keys().cloned());
            }
        }
        c.charge(out.len() as u64)?;
        Ok(Value::strings(out))
    }),
    super::f("values", &[M], None, |c, a| {
        let v: Vec<Value> = map_of(&a[0]).map(|m| m.borrow().values().cloned().collect()).unwrap_or_default();
        built(c, v)
    }),
    super::f("pluck", &[Ty::Str], Some(M), |c, a| {
        let key = arg_str(&a, 0);
        let v = a[1..].iter().filter_map(map_of).filter_map(|m| m.borrow().get(key).cloned()).collect();
        built(c, v)
    }),
    super::f("pick", &[M], Some(Ty::Str), |c, a| pick(c, &a, true)),
    super::f("omit", &[M], Some(Ty::Str), |c, a| pick(c, &a, false)),
    super::f("merge", &[M], Some(M), |c, a| merge(c, a, false)),
    super::f("mergeOverwrite", &[M], Some(M), |c, a| merge(c, a, true)),
    super::f("deepCopy", &[A], None, |c, a| deep_copy(c, &a[0], 0)),
    super::f("dig", &[], VA, dig),
    super::f("collectKeys", &[A], Some(Ty::Str), collect_keys),
];

/// A new `[]interface {}`, charged by length.
fn built(c: &mut Ctx, l: Vec<Value>) -> Result<Value, String> {
    c.charge(l.len() as u64 + 1)?;
    Ok(Value::list(l))
}

/// The elements of a list argument; Sprig panics (an error here) on anything else.
fn items(v: &Value, func: &str) -> Result<Rc<Vec<Value>>, String> {
    match v {
        Value::List(l, _) => Ok(l.clone()),
        v => Err(match func {
            "concat" => format!("Cannot concat type {} as list", v.kind_name()),
            "append" | "prepend" | "compact" => format!("Cannot {func} on type {}", v.kind_name()),
            _ => format!("Cannot find {func} on type {}", v.kind_name()),
        }),
    }
}

/// A map argument; nil is Go's nil map.
pub(super) fn map_of(v: &Value) -> Option<MapRef> {
    match v {
        Value::Map(m, _) => Some(m.clone()),
        _ => None,
    }
}

fn push(c: &mut Ctx, a: Vec<Value>) -> Result<Value, String> {
    let mut l = items(&a[0], "append")?.as_ref().clone();
    l.push(a[1].clone());
    built(c, l)
}

/// Sprig's `slice list [start [end]]` (indices converted like `int`).
fn slice(c: &mut Ctx, a: Vec<Value>) -> Result<Value, String> {
    let l = match &a[0] {
        Value::List(l, _) => l.clone(),
        v => return Err(format!("list should be type of slice or array but {}", v.kind_name())),
    };
    if l.is_empty() {
        return Ok(Value::Nil);
    }
    let start = a.get(1).map_or(0, |v| super::convert::to_int64(v) as i128);
    let end = a.get(2).map_or(l.len() as i128, |v| super::convert::to_int64(v) as i128);
    if start < 0 || end < start || end > l.len() as i128 {
        return Err(format!("reflect: slice index out of range [{start}:{end}]"));
    }
    built(c, l[start as usize..end as usize].to_vec())
}

fn pick(c: &mut Ctx, a: &[Value], keep: bool) -> Result<Value, String> {
    let keys: Vec<&str> = a[1..].iter().filter_map(Value::as_str).collect();
    let mut out = BTreeMap::new();
    if let Some(m) = map_of(&a[0]) {
        for (k, v) in m.borrow().iter() {
            if keys.contains(&k.as_str()) == keep {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    c.charge(out.len() as u64 + 1)?;
    Ok(Value::map(out))
}

/// Sprig's `merge`/`mergeOverwrite` (mergo): deep merge of maps into the first one. Without
/// overwrite, a source value only fills a key that is missing or holds an empty value.
fn merge(c: &mut Ctx, a: Vec<Value>, overwrite: bool) -> Result<Value, String> {
    let dst = match &a[0] {
        Value::Map(m, _) => m.clone(),
        _ => new_map(BTreeMap::new()),
    };
    for src in &a[1..] {
        if let Some(s) = map_of(src) {
            merge_into(c, &dst, &s, overwrite, 0)?;
        }
    }
    Ok(Value::Map(dst, Elem::Any))
}

fn merge_into(c: &mut Ctx, dst: &MapRef, src: &MapRef, overwrite: bool, depth: usize) -> Result<(), String> {
    if depth > MAX_VALUE_DEPTH {
        return Err(too_deep());
    }
    if Rc::ptr_eq(dst, src) {
        return Ok(());
    }
    c.mutated(dst);
    // Snapshot the source: it may share maps with the destination.
    let entries: Vec<(String, Value)> = src.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    c.charge(entries.len() as u64)?;
    for (k, sv) in entries {
        if sv.is_nil() {
            if overwrite {
                dst.borrow_mut().insert(k, sv);
            }
            continue;
        }
        let dv = dst.borrow().get(&k).cloned();
        if let (Some(Value::Map(dm, _)), Value::Map(sm, _)) = (&dv, &sv) {
            merge_into(c, dm, sm, overwrite, depth + 1)?;
        }
        if let Some(d) = &dv
            && d.truthy()
            && ((!overwrite && matches!(sv, Value::List(..))) || matches!((d, &sv), (Value::Map(..), Value::Map(..))))
        {
            continue;
        }
        if overwrite || dv.as_ref().is_none_or(|d| !d.truthy()) {
            dst.borrow_mut().insert(k, sv);
        }
    }
    Ok(())
}

fn deep_copy(c: &mut Ctx, v: &Value, depth: usize) -> Result<Value, String> {
    if depth > MAX_VALUE_DEPTH {
        return Err(too_deep());
    }
    c.charge(1)?;
    Ok(match v {
        Value::List(l, e) => {
            Value::List(Rc::new(l.iter().map(|x| deep_copy(c, x, depth + 1)).collect::<Result<_, _>>()?), *e)
        }
        Value::Map(m, e) => {
            let entries: Vec<(String, Value)> = m.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            let mut out = BTreeMap::new();
            for (k, x) in entries {
                out.insert(k, deep_copy(c, &x, depth + 1)?);
            }
            Value::Map(new_map(out), *e)
        }
        Value::Missing => Value::Nil,
        v => v.clone(),
    })
}

/// Sprig's `dig "a" "b" default dict`.
fn dig(_: &mut Ctx, a: Vec<Value>) -> Result<Value, String> {
    if a.len() < 3 {
        return Err("dig needs at least three arguments".into());
    }
    let def = a[a.len() - 2].clone();
    let mut cur = match &a[a.len() - 1] {
        Value::Map(m, _) => m.clone(),
        v => {
            return Err(format!(
                "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                v.type_name()
            ));
        }
    };
    let keys = &a[..a.len() - 2];
    for (i, k) in keys.iter().enumerate() {
        let Value::Str(k) = k else {
            return Err(format!("interface conversion: interface {{}} is {}, not string", k.type_name()));
        };
        let step = cur.borrow().get(&**k).cloned();
        let Some(step) = step else { return Ok(def) };
        if i + 1 == keys.len() {
            return Ok(step);
        }
        cur = match &step {
            Value::Map(m, Elem::Any) => m.clone(),
            v => {
                return Err(format!(
                    "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                    v.type_name()
                ));
            }
        };
    }
    Ok(def)
}

/// Atmos's `collectKeys v [nestedKey]`: sorted keys, or the union of a nested map's keys.
fn collect_keys(c: &mut Ctx, a: Vec<Value>) -> Result<Value, String> {
    let Value::Map(m, Elem::Any) = &a[0] else {
        return Err(format!("collectKeys: expected a map, got {}", a[0].type_name()));
    };
    let mut keys: Vec<String> = match a.get(1).and_then(Value::as_str) {
        None => m.borrow().keys().cloned().collect(),
        Some(nested) => {
            let mut set = std::collections::BTreeSet::new();
            for v in m.borrow().values() {
                if let Value::Map(inner, Elem::Any) = v
                    && let Some(Value::Map(n, Elem::Any)) = inner.borrow().get(nested)
                {
                    set.extend(n.borrow().keys().cloned());
                }
            }
            set.into_iter().collect()
        }
    };
    keys.sort();
    c.charge(keys.len() as u64)?;
    Ok(Value::strings(keys))
}
