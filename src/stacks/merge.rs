//! Atmos's deep merge: maps merge key by key (later wins), a value of another type replaces
//! what was there (null included), and lists follow the list merge strategy.

use std::sync::Arc;

use super::value::{Kind, Val};

/// `settings.list_merge_strategy` in atmos.yaml or a component's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListStrategy {
    /// The later list replaces the earlier one (Atmos's default).
    #[default]
    Replace,
    /// The later list is appended to the earlier one.
    Append,
    /// Position by position: maps deep-merge; where the later element is not a map the
    /// earlier element is kept; trailing elements of either list are kept.
    Merge,
}

impl ListStrategy {
    pub fn parse(s: &str) -> Option<ListStrategy> {
        match s {
            "replace" => Some(ListStrategy::Replace),
            "append" => Some(ListStrategy::Append),
            "merge" => Some(ListStrategy::Merge),
            _ => None,
        }
    }
}

/// Merges `over` into `base`; `over` wins.
pub fn merge_into(base: &mut Val, over: &Val, strategy: ListStrategy) {
    match (&mut base.kind, &over.kind) {
        (Kind::Map(b), Kind::Map(o)) => {
            if o.is_empty() {
                return;
            }
            if b.is_empty() {
                *b = o.clone();
                return;
            }
            let b = Arc::make_mut(b);
            for (k, v) in o.iter() {
                match b.get_mut(k) {
                    Some(existing) => merge_into(existing, v, strategy),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Kind::Seq { items: b, append: base_append }, Kind::Seq { items: o, append }) => {
            let strategy = if *append { ListStrategy::Append } else { strategy };
            match strategy {
                ListStrategy::Replace => {
                    *base = over.clone();
                    clear_append(base);
                }
                ListStrategy::Append => {
                    Arc::make_mut(b).extend(o.iter().cloned());
                    *base_append = false;
                }
                ListStrategy::Merge => {
                    let b = Arc::make_mut(b);
                    for (i, v) in o.iter().enumerate() {
                        match b.get_mut(i) {
                            Some(existing) if existing.is_map() && v.is_map() => merge_into(existing, v, strategy),
                            Some(_) => {}
                            None => b.push(v.clone()),
                        }
                    }
                    *base_append = false;
                }
            }
        }
        _ => *base = over.clone(),
    }
}

fn clear_append(v: &mut Val) {
    if let Kind::Seq { append, .. } = &mut v.kind {
        *append = false;
    }
}

/// Merges a list of values, left to right, starting from an empty map.
pub fn merge_all<'a>(parts: impl IntoIterator<Item = &'a Val>, strategy: ListStrategy) -> Val {
    let mut out = Val::empty_map();
    for p in parts {
        if p.is_map() {
            merge_into(&mut out, p, strategy);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{ParseOptions, parse_one};

    fn v(text: &str) -> Val {
        let n = parse_one(text, &ParseOptions::default()).unwrap();
        super::super::value::from_node(&n, 0, &mut |_, _| None)
    }

    fn merged(a: &str, b: &str, s: ListStrategy) -> serde_json::Value {
        let mut x = v(a);
        merge_into(&mut x, &v(b), s);
        x.to_json()
    }

    #[test]
    fn strategies() {
        use serde_json::json;
        let a = "l: [1, 2, {a: 1, b: 1}]\nm: {x: 1}";
        let b = "l: [3, 4, {a: 2}, 5]\nm: {y: 2}";
        assert_eq!(merged(a, b, ListStrategy::Replace), json!({"l": [3, 4, {"a": 2}, 5], "m": {"x": 1, "y": 2}}));
        assert_eq!(merged(a, b, ListStrategy::Append)["l"], json!([1, 2, {"a": 1, "b": 1}, 3, 4, {"a": 2}, 5]));
        assert_eq!(merged(a, b, ListStrategy::Merge)["l"], json!([1, 2, {"a": 2, "b": 1}, 5]));
        assert_eq!(merged("l: [1]", "l: !append [2]", ListStrategy::Replace), json!({"l": [1, 2]}));
        assert_eq!(merged("a: {b: 1}", "a: null", ListStrategy::Replace), json!({"a": null}));
        assert_eq!(merged("a: 1", "a: {b: 1}", ListStrategy::Replace), json!({"a": {"b": 1}}));
    }
}
