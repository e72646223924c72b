//! Turning what a rule returned into messages: strings, or objects with `msg`, `id`, `path`.

use serde_json::Value as Json;

use super::pointer::to_pointer;

/// Longest message kept, in characters; longer ones are cut with `…`.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// One finding a policy reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub msg: String,
    /// The rule id the policy chose, if any.
    pub id: Option<String>,
    /// A JSON pointer into the input, if the policy gave a usable `path`.
    pub path: Option<String>,
}

/// Messages, plus complaints about values that were not messages.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub messages: Vec<Message>,
    pub problems: Vec<String>,
    /// Messages beyond the cap that were dropped.
    pub dropped: usize,
}

/// Reads a rule's value (a set arrives as an array). `false` and undefined mean no findings;
/// `true` is one finding without text.
pub fn parse(rule: &str, value: &Json, max: usize) -> Parsed {
    let mut out = Parsed::default();
    match value {
        Json::Null | Json::Bool(false) => {}
        Json::Bool(true) => out.messages.push(Message { msg: format!("`{rule}` is true"), id: None, path: None }),
        Json::Array(items) => {
            for item in items {
                if out.messages.len() >= max {
                    out.dropped += 1;
                    continue;
                }
                item_into(rule, item, &mut out);
            }
        }
        other => item_into(rule, other, &mut out),
    }
    out
}

fn item_into(rule: &str, item: &Json, out: &mut Parsed) {
    match item {
        Json::String(s) => out.messages.push(Message { msg: cut(s), id: None, path: None }),
        Json::Object(o) => {
            let msg = match o.get("msg").or_else(|| o.get("message")) {
                Some(Json::String(s)) => cut(s),
                Some(other) => {
                    out.problems.push(format!("`{rule}` returned a `msg` that is not a string: {}", excerpt(other)));
                    return;
                }
                None => {
                    out.problems.push(format!("`{rule}` returned an object without `msg`: {}", excerpt(item)));
                    return;
                }
            };
            let id = match o.get("id").or_else(|| o.get("rule")) {
                Some(Json::String(s)) if valid_id(s) => Some(s.clone()),
                Some(other) => {
                    out.problems.push(format!("`{rule}` returned an `id` that is not a rule id: {}", excerpt(other)));
                    None
                }
                None => None,
            };
            let path = match o.get("path") {
                None | Some(Json::Null) => None,
                Some(p) => match to_pointer(p) {
                    Some(ptr) => Some(ptr),
                    None => {
                        out.problems.push(format!("`{rule}` returned a `path` paved cannot read: {}", excerpt(p)));
                        None
                    }
                },
            };
            out.messages.push(Message { msg, id, path });
        }
        other => out.problems.push(format!("`{rule}` must hold strings or objects with `msg`, not {}", excerpt(other))),
    }
}

/// Rule ids are short kebab/slash/dot words: anything else would break renderers and
/// severity overrides.
fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.'))
}

fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_MESSAGE_CHARS {
        return s.to_string();
    }
    let mut t: String = s.chars().take(MAX_MESSAGE_CHARS).collect();
    t.push('…');
    t
}

fn excerpt(v: &Json) -> String {
    let s = v.to_string();
    if s.chars().count() <= 80 { s } else { format!("{}…", s.chars().take(80).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_objects_and_junk() {
        let p = parse(
            "deny",
            &json!(["plain", {"msg": "obj", "id": "owner-required", "path": "spec.owner"}, 3, {"msg": 4}, {"x": 1}]),
            10,
        );
        assert_eq!(p.messages.len(), 2);
        assert_eq!(p.messages[0], Message { msg: "plain".into(), id: None, path: None });
        assert_eq!(p.messages[1].id.as_deref(), Some("owner-required"));
        assert_eq!(p.messages[1].path.as_deref(), Some("/spec/owner"));
        assert_eq!(p.problems.len(), 3, "{:?}", p.problems);
        assert!(parse("deny", &json!(false), 10).messages.is_empty());
        assert_eq!(parse("deny", &json!(true), 10).messages.len(), 1);
        assert_eq!(parse("deny", &json!({"msg": "m", "id": "bad id!"}), 10).problems.len(), 1);
    }

    #[test]
    fn caps_count_and_length() {
        let many: Vec<Json> = (0..50).map(|i| json!(format!("m{i}"))).collect();
        let p = parse("warn", &Json::Array(many), 10);
        assert_eq!((p.messages.len(), p.dropped), (10, 40));
        let long = "x".repeat(10_000);
        let p = parse("warn", &json!([long]), 10);
        assert_eq!(p.messages[0].msg.chars().count(), MAX_MESSAGE_CHARS + 1);
    }
}
