//! Writing small YAML fragments (values paved inserts into existing files) in block style.

use serde_json::Value as Json;

/// A scalar (or empty collection) as it is written inline; `None` for other collections.
pub fn inline(v: &Json) -> Option<String> {
    Some(match v {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => string(s),
        Json::Array(a) if a.is_empty() => "[]".into(),
        Json::Object(m) if m.is_empty() => "{}".into(),
        _ => return None,
    })
}

/// A string, plain when YAML would read it back as the same string, double-quoted otherwise.
pub fn string(s: &str) -> String {
    if plain_ok(s) { s.to_string() } else { serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()) }
}

fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    let reserved = matches!(
        s.to_ascii_lowercase().as_str(),
        "null" | "~" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | ".inf" | "-.inf" | ".nan"
    );
    let numeric = s.parse::<f64>().is_ok() || s.starts_with("0x") || s.starts_with("0o");
    !reserved
        && !numeric
        && (first.is_alphanumeric() || matches!(first, '.' | '/' | '_' | '$'))
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && s.chars().all(|c| !c.is_control() && !matches!(c, '{' | '}' | '[' | ']' | ',' | '"' | '\'' | '`'))
}

/// A mapping key.
pub fn key(k: &str) -> String {
    string(k)
}

/// `key: value` (and the value's block below it), at `indent` spaces, ending in a newline.
pub fn entry(k: &str, v: &Json, indent: usize) -> String {
    let pad = " ".repeat(indent);
    match inline(v) {
        Some(s) => format!("{pad}{}: {s}\n", key(k)),
        None => format!("{pad}{}:\n{}", key(k), block(v, indent + 2)),
    }
}

/// A non-empty collection as block lines at `indent` spaces (scalars fall back to one line).
pub fn block(v: &Json, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    match v {
        Json::Object(m) if !m.is_empty() => {
            for (k, val) in m {
                out.push_str(&entry(k, val, indent));
            }
        }
        Json::Array(a) if !a.is_empty() => {
            for item in a {
                match inline(item) {
                    Some(s) => out.push_str(&format!("{pad}- {s}\n")),
                    None => {
                        // The item's block, its first line starting with the dash.
                        let inner = block(item, indent + 2);
                        out.push_str(&pad);
                        out.push_str("- ");
                        out.push_str(&inner[indent + 2..]);
                    }
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", inline(other).unwrap_or_default())),
    }
    out
}

/// `{a: {b: value}}` for the path `[a, b]`.
pub fn nest(path: &[&str], value: &Json) -> Json {
    path.iter().rev().fold(value.clone(), |acc, k| {
        let mut m = serde_json::Map::new();
        m.insert((*k).to_string(), acc);
        Json::Object(m)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{ParseOptions, parse_one};
    use serde_json::json;

    #[test]
    fn fragments_read_back_as_the_same_value() {
        let v = json!({
            "name": "payments", "count": 3, "on": true, "empty": "", "yes": "yes", "num": "10",
            "colon": "a: b", "hash": "a #b", "list": ["dev", {"x": 1, "y": [1, 2]}, [3]],
            "nested": {"deep": {"k": null}}, "e": {}, "ea": [], "quote": "it's \"q\"", "multi": "a\nb",
            "lead": " x", "star": "*x", "dash": "-x"
        });
        let text = block(&v, 0);
        let back = parse_one(&text, &ParseOptions::default()).unwrap().to_json();
        assert_eq!(back, v, "{text}");
        assert_eq!(entry("a", &json!([1]), 2), "  a:\n    - 1\n");
    }
}
