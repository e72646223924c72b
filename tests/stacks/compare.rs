//! The comparison rules of the Atmos conformance set (its compare.py), in Rust.

use serde_json::Value as Json;

pub fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Json::Array(x), Json::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w)),
        _ => a == b,
    }
}

fn drop_path(obj: &mut Json, dotted: &str) {
    let parts: Vec<&str> = dotted.split('.').collect();
    let mut cur = obj;
    for p in &parts[..parts.len() - 1] {
        match cur.get_mut(*p) {
            Some(next) => cur = next,
            None => return,
        }
    }
    if let Some(o) = cur.as_object_mut() {
        o.remove(parts[parts.len() - 1]);
    }
}

const OPS: &[&str] = &["$exact", "$absent", "$nullish", "$present", "$prefix", "$contains"];

fn subset(exp: &Json, act: &Json, path: &str, errs: &mut Vec<String>) {
    if let Json::Object(o) = exp
        && o.len() == 1
        && let Some((op, arg)) = o.iter().next()
        && OPS.contains(&op.as_str())
    {
        match op.as_str() {
            "$exact" if !same(arg, act) => errs.push(format!("{path}: expected exactly {arg}, got {act}")),
            "$nullish" if !act.is_null() => errs.push(format!("{path}: expected null, got {act}")),
            "$prefix" | "$contains" => match act.as_array() {
                None => errs.push(format!("{path}: expected a list, got {act}")),
                Some(a) => {
                    let arg = arg.as_array().cloned().unwrap_or_default();
                    if op == "$prefix" {
                        if a.len() < arg.len() {
                            errs.push(format!("{path}: list shorter than prefix"));
                        }
                        for (i, e) in arg.iter().enumerate().take(a.len()) {
                            subset(e, &a[i], &format!("{path}[{i}]"), errs);
                        }
                    } else {
                        for e in &arg {
                            if !a.iter().any(|x| same(e, x)) {
                                errs.push(format!("{path}: {e} not in {act}"));
                            }
                        }
                    }
                }
            },
            _ => {}
        }
        return;
    }
    match exp {
        Json::Object(o) => {
            let Some(a) = act.as_object() else {
                errs.push(format!("{path}: expected a map, got {act}"));
                return;
            };
            let exact_keys = o.get("$exact_keys") == Some(&Json::Bool(true));
            let absent = serde_json::json!({"$absent": true});
            let nullish = serde_json::json!({"$nullish": true});
            for (k, v) in o.iter().filter(|(k, _)| *k != "$exact_keys") {
                let sub = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                if *v == absent {
                    if a.contains_key(k) {
                        errs.push(format!("{sub}: must be absent"));
                    }
                } else if *v == nullish {
                    if a.get(k).is_some_and(|x| !x.is_null()) {
                        errs.push(format!("{sub}: expected null or absent"));
                    }
                } else {
                    match a.get(k) {
                        None => errs.push(format!("{sub}: missing")),
                        Some(x) => subset(v, x, &sub, errs),
                    }
                }
            }
            if exact_keys {
                let extra: Vec<&String> = a.keys().filter(|k| o.get(*k).is_none_or(|v| *v == absent)).collect();
                if !extra.is_empty() {
                    errs.push(format!("{path}: unexpected keys {extra:?}"));
                }
            }
        }
        Json::Array(e) => match act.as_array() {
            Some(a) if a.len() == e.len() => {
                for (i, (x, y)) in e.iter().zip(a).enumerate() {
                    subset(x, y, &format!("{path}[{i}]"), errs);
                }
            }
            _ => errs.push(format!("{path}: expected {exp}, got {act}")),
        },
        _ => {
            if !same(exp, act) {
                errs.push(format!("{path}: expected {exp}, got {act}"));
            }
        }
    }
}

fn norm_text(s: &str) -> String {
    let re = regex::Regex::new(r"\x1b\[[0-9;]*[A-Za-z]").unwrap();
    let s = re.replace_all(s, "");
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn parse(fmt: &str, text: &str) -> Result<Json, String> {
    match fmt {
        "json" => serde_json::from_str(text).map_err(|e| format!("stdout is not JSON: {e}")),
        _ => paved::yaml::parse_one(text, &Default::default())
            .map(|n| n.to_json())
            .map_err(|e| format!("stdout is not YAML: {e}")),
    }
}

/// The differences between a run and a case's expectation (empty: it conforms).
pub fn check(case: &Json, expected: Option<&str>, stdout: &str, exit: i32, stderr: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let want_exit = case["exit_code"].as_i64().unwrap_or(0) as i32;
    if exit != want_exit {
        errs.push(format!("exit code {exit}, expected {want_exit}"));
    }
    for s in case["stderr_contains"].as_array().into_iter().flatten().filter_map(Json::as_str) {
        if !norm_text(stderr).contains(&norm_text(s)) {
            errs.push(format!("stderr lacks {s:?}"));
        }
    }
    let fmt = case["format"].as_str().unwrap_or("text");
    match case["compare"].as_str().unwrap_or("") {
        "empty" => {
            if !stdout.trim().is_empty() {
                errs.push("stdout should be empty".into());
            }
        }
        "lines" => {
            let norm = |t: &str| t.trim_matches('\n').split('\n').map(|l| l.trim_end().to_string()).collect::<Vec<_>>();
            if norm(stdout) != norm(expected.unwrap_or("")) {
                errs.push(format!("lines differ:\n--- expected\n{}--- actual\n{stdout}", expected.unwrap_or("")));
            }
        }
        "patterns" => {
            let pats: Vec<String> = serde_json::from_str(expected.unwrap_or("[]")).unwrap_or_default();
            for p in pats {
                if !regex::Regex::new(&p).map(|r| r.is_match(stdout)).unwrap_or(false) {
                    errs.push(format!("pattern not found: {p:?}"));
                }
            }
        }
        mode @ ("exact" | "keys") => {
            let exp = parse(fmt, expected.unwrap_or(""));
            let act = parse(fmt, stdout);
            let (Ok(mut exp), Ok(mut act)) = (exp, act) else {
                errs.push("could not parse stdout or expectation".into());
                return errs;
            };
            for p in case["ignore"].as_array().into_iter().flatten().filter_map(Json::as_str) {
                drop_path(&mut exp, p);
                drop_path(&mut act, p);
            }
            let (Some(e), Some(a)) = (exp.as_object(), act.as_object()) else {
                errs.push("expected maps".into());
                return errs;
            };
            let mut keys: Vec<&String> = e.keys().collect();
            if mode == "exact" {
                keys.extend(a.keys().filter(|k| !e.contains_key(*k)));
            }
            for k in keys {
                match (e.get(k), a.get(k)) {
                    (_, None) => errs.push(format!("{k}: missing")),
                    (None, _) => errs.push(format!("{k}: unexpected key")),
                    (Some(x), Some(y)) if !same(x, y) => errs.push(format!("{k} differs: expected {x}, got {y}")),
                    _ => {}
                }
            }
        }
        "subset" => match (serde_json::from_str::<Json>(expected.unwrap_or("")), parse(fmt, stdout)) {
            (Ok(exp), Ok(act)) => subset(&exp, &act, "", &mut errs),
            (_, Err(e)) => errs.push(e),
            (Err(e), _) => errs.push(e.to_string()),
        },
        other => errs.push(format!("unknown compare mode {other}")),
    }
    errs
}
