//! The `path` of a policy message, in the forms people write, as an RFC 6901 JSON pointer.

use serde_json::Value as Json;

/// Accepts `/spec/owner` (a JSON pointer), `spec.owner`, `$.spec.tags[0]`, `spec["a.b"]` and
/// arrays of segments (`["spec", "owner"]`). Returns `None` for anything else.
pub fn to_pointer(path: &Json) -> Option<String> {
    match path {
        Json::String(s) => from_text(s),
        Json::Array(items) => {
            let mut out = String::new();
            for item in items {
                let seg = match item {
                    Json::String(s) => s.clone(),
                    Json::Number(n) => n.to_string(),
                    _ => return None,
                };
                push(&mut out, &seg);
            }
            Some(out)
        }
        _ => None,
    }
}

fn push(out: &mut String, seg: &str) {
    out.push('/');
    out.push_str(&seg.replace('~', "~0").replace('/', "~1"));
}

fn from_text(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || s == "$" || s == "/" {
        return Some(String::new());
    }
    if s.starts_with('/') {
        return Some(s.to_string());
    }
    let s = s.strip_prefix("$.").or_else(|| s.strip_prefix('$')).unwrap_or(s);
    let mut out = String::new();
    let mut seg = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !seg.is_empty() {
                    push(&mut out, &seg);
                    seg.clear();
                }
            }
            '[' => {
                if !seg.is_empty() {
                    push(&mut out, &seg);
                    seg.clear();
                }
                let quote = chars.peek().copied().filter(|q| *q == '"' || *q == '\'');
                if quote.is_some() {
                    chars.next();
                }
                let mut inner = String::new();
                loop {
                    match chars.next() {
                        None => return None,
                        Some(q) if Some(q) == quote => {
                            if chars.next() != Some(']') {
                                return None;
                            }
                            break;
                        }
                        Some(']') if quote.is_none() => break,
                        Some(ch) => inner.push(ch),
                    }
                }
                push(&mut out, inner.trim());
            }
            c => seg.push(c),
        }
    }
    if !seg.is_empty() {
        push(&mut out, &seg);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn forms_of_paths() {
        assert_eq!(to_pointer(&json!("/spec/owner")).unwrap(), "/spec/owner");
        assert_eq!(to_pointer(&json!("spec.owner")).unwrap(), "/spec/owner");
        assert_eq!(to_pointer(&json!("$.metadata.tags[1]")).unwrap(), "/metadata/tags/1");
        assert_eq!(
            to_pointer(&json!("metadata.annotations[\"pagerduty.com/service-id\"]")).unwrap(),
            "/metadata/annotations/pagerduty.com~1service-id"
        );
        assert_eq!(to_pointer(&json!(["vars", "tags", 0])).unwrap(), "/vars/tags/0");
        assert_eq!(to_pointer(&json!("")).unwrap(), "");
        assert_eq!(to_pointer(&json!("a[\"unterminated")), None);
        assert_eq!(to_pointer(&json!(3)), None);
        assert_eq!(to_pointer(&json!([{}])), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = to_pointer(&Json::String(s));
        }
    }
}
