//! YAML output for describe commands: keys in order, two-space indentation, strings quoted
//! only when YAML would read them as something else; optionally a `# file:line` comment on
//! every line whose value came from a stack file.

use serde_json::Value as Json;

/// Renders `v`. `comment(pointer)` gives the trailing comment for a JSON pointer.
pub fn to_yaml(v: &Json, comment: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    match v {
        Json::Object(o) if !o.is_empty() => map(&mut out, o, 0, "", comment),
        Json::Array(a) if !a.is_empty() => seq(&mut out, a, 0, "", comment),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn line(out: &mut String, text: String, pointer: &str, comment: &dyn Fn(&str) -> Option<String>) {
    match comment(pointer) {
        Some(c) => {
            let width = text.chars().count();
            out.push_str(&text);
            out.push_str(&" ".repeat(50usize.saturating_sub(width).max(1)));
            out.push_str("# ");
            out.push_str(&c);
        }
        None => out.push_str(&text),
    }
    out.push('\n');
}

fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn map(
    out: &mut String,
    o: &serde_json::Map<String, Json>,
    indent: usize,
    pointer: &str,
    c: &dyn Fn(&str) -> Option<String>,
) {
    let pad = " ".repeat(indent);
    for (k, v) in o {
        let p = child(pointer, k);
        let key = scalar(&Json::String(k.clone()));
        match v {
            Json::Object(m) if !m.is_empty() => {
                line(out, format!("{pad}{key}:"), &p, c);
                map(out, m, indent + 2, &p, c);
            }
            Json::Array(a) if !a.is_empty() => {
                line(out, format!("{pad}{key}:"), &p, c);
                seq(out, a, indent + 2, &p, c);
            }
            other => line(out, format!("{pad}{key}: {}", scalar(other)), &p, c),
        }
    }
}

fn seq(out: &mut String, a: &[Json], indent: usize, pointer: &str, c: &dyn Fn(&str) -> Option<String>) {
    let pad = " ".repeat(indent);
    for (i, v) in a.iter().enumerate() {
        let p = format!("{pointer}/{i}");
        match v {
            Json::Object(m) if !m.is_empty() => {
                // First key on the dash line, the rest indented under it.
                let mut sub = String::new();
                map(&mut sub, m, indent + 2, &p, c);
                let mut lines = sub.lines();
                if let Some(first) = lines.next() {
                    out.push_str(&format!("{pad}- {}\n", first.trim_start()));
                }
                for l in lines {
                    out.push_str(l);
                    out.push('\n');
                }
            }
            Json::Array(inner) if !inner.is_empty() => {
                line(out, format!("{pad}-"), &p, c);
                seq(out, inner, indent + 2, &p, c);
            }
            other => line(out, format!("{pad}- {}", scalar(other)), &p, c),
        }
    }
}

/// A scalar (or empty collection) as YAML.
fn scalar(v: &Json) -> String {
    match v {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::Object(_) => "{}".into(),
        Json::Array(_) => "[]".into(),
        Json::String(s) => {
            if needs_quotes(s) {
                serde_json::to_string(s).unwrap_or_default()
            } else {
                s.clone()
            }
        }
    }
}

fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || s.trim() != s {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`~".contains(first) && !(first == '-' && s.len() > 1 && !s.starts_with("- ")) {
        return true;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.chars().any(|c| c.is_control()) {
        return true;
    }
    !matches!(paved_plain(s), PlainKind::Str)
}

enum PlainKind {
    Str,
    Other,
}

/// Whether YAML 1.2 (and 1.1 readers, for `yes`/`no`) would read `s` as a string.
fn paved_plain(s: &str) -> PlainKind {
    let lower = s.to_ascii_lowercase();
    if ["null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", "-.inf", "+.inf", ".nan"]
        .contains(&lower.as_str())
    {
        return PlainKind::Other;
    }
    if s.parse::<f64>().is_ok() || s.starts_with("0x") || s.starts_with("0o") {
        return PlainKind::Other;
    }
    PlainKind::Str
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_through_the_yaml_parser() {
        let v = json!({"a": {"b": [1, "x", {"c": "true", "d": []}], "e": {}}, "s": "a: b", "n": null, "empty": "", "dash": "-x"});
        let text = to_yaml(&v, &|_| None);
        let back = paved::yaml::parse_one(&text, &Default::default()).unwrap().to_json();
        assert_eq!(back, v, "{text}");
    }
}
