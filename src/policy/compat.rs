//! OPA built-ins that regorus lacks but real policies still call: the deprecated `re_match`
//! (Atmos's own example policies use it), `any`, `all` and `set_diff`. Added to every engine
//! as extensions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, bail};
use regorus::{Engine, Value};

/// Compiled patterns kept for `re_match`, so a policy evaluated 10,000 times compiles each
/// pattern once.
static PATTERNS: std::sync::LazyLock<Mutex<HashMap<String, Arc<regex::Regex>>>> =
    std::sync::LazyLock::new(|| Mutex::new(HashMap::new()));

const MAX_PATTERNS: usize = 256;
const MAX_PATTERN_LEN: usize = 4096;

fn pattern(p: &str) -> anyhow::Result<Arc<regex::Regex>> {
    if let Some(r) = PATTERNS.lock().map_err(|_| anyhow!("regex cache poisoned"))?.get(p) {
        return Ok(r.clone());
    }
    if p.len() > MAX_PATTERN_LEN {
        bail!("re_match: pattern longer than {MAX_PATTERN_LEN} bytes");
    }
    let r = Arc::new(regex::RegexBuilder::new(p).size_limit(1 << 20).build()?);
    let mut cache = PATTERNS.lock().map_err(|_| anyhow!("regex cache poisoned"))?;
    if cache.len() >= MAX_PATTERNS {
        cache.clear();
    }
    cache.insert(p.to_string(), r.clone());
    Ok(r)
}

fn items(v: &Value) -> anyhow::Result<Vec<Value>> {
    match v {
        Value::Array(a) => Ok(a.iter().cloned().collect()),
        Value::Set(s) => Ok(s.iter().cloned().collect()),
        _ => bail!("expected an array or a set"),
    }
}

/// Registers the extensions on a fresh engine.
pub(super) fn add(engine: &mut Engine) {
    let _ = engine.add_extension(
        "re_match".into(),
        2,
        Box::new(|args: Vec<Value>| {
            let (Some(Value::String(p)), Some(Value::String(s))) = (args.first(), args.get(1)) else {
                return Ok(Value::Undefined);
            };
            Ok(Value::Bool(pattern(p)?.is_match(s)))
        }),
    );
    let _ = engine.add_extension(
        "any".into(),
        1,
        Box::new(|args: Vec<Value>| {
            let v = args.first().ok_or_else(|| anyhow!("any: one argument"))?;
            Ok(Value::Bool(items(v)?.contains(&Value::Bool(true))))
        }),
    );
    let _ = engine.add_extension(
        "all".into(),
        1,
        Box::new(|args: Vec<Value>| {
            let v = args.first().ok_or_else(|| anyhow!("all: one argument"))?;
            Ok(Value::Bool(items(v)?.iter().all(|x| *x == Value::Bool(true))))
        }),
    );
    let _ = engine.add_extension(
        "set_diff".into(),
        2,
        Box::new(|args: Vec<Value>| {
            let (Some(a), Some(b)) = (args.first(), args.get(1)) else { bail!("set_diff: two arguments") };
            let b = items(b)?;
            let mut out = Value::new_set();
            if let Ok(set) = out.as_set_mut() {
                for x in items(a)? {
                    if !b.contains(&x) {
                        set.insert(x);
                    }
                }
            }
            Ok(out)
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deprecated_builtins_work() {
        let mut e = Engine::new();
        add(&mut e);
        e.set_rego_v0(true);
        e.add_policy(
            "t.rego".into(),
            "package t\n\nok { re_match(\"^a+$\", \"aaa\"); not re_match(\"^a+$\", \"b\"); any([false, true]); all([true]); count(set_diff({1, 2}, {2})) == 1 }\n".into(),
        )
        .unwrap();
        assert_eq!(e.eval_rule("data.t.ok".into()).unwrap(), Value::Bool(true));
    }
}
