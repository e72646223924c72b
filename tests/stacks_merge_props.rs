//! Property tests for Atmos's deep merge: it never panics on arbitrary YAML, `replace` is
//! idempotent, and merging with an empty map changes nothing.

use paved::stacks::merge::{ListStrategy, merge_into};
use paved::stacks::value::{Val, from_node};
use paved::yaml::{ParseOptions, parse_one};
use proptest::prelude::*;

fn val(text: &str) -> Option<Val> {
    parse_one(text, &ParseOptions::default()).ok().map(|n| from_node(&n, 0, &mut |_, _| None))
}

/// Small YAML documents: nested maps over a few keys, lists, scalars, `!append` lists.
fn yaml_doc() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("1".to_string()),
        Just("x".to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("[1, 2]".to_string()),
        Just("!append [3]".to_string()),
        Just("[{a: 1}, {b: 2}]".to_string()),
        Just("!terraform.output vpc id".to_string()),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop::collection::vec((prop::sample::select(vec!["a", "b", "c", "vars", "list"]), inner), 0..4).prop_map(
            |kvs| {
                let mut seen = std::collections::BTreeSet::new();
                let body: Vec<String> =
                    kvs.into_iter().filter(|(k, _)| seen.insert(*k)).map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", body.join(", "))
            },
        )
    })
}

fn strategy() -> impl Strategy<Value = ListStrategy> {
    prop::sample::select(vec![ListStrategy::Replace, ListStrategy::Append, ListStrategy::Merge])
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(a in ".{0,200}", b in ".{0,200}", s in strategy()) {
        if let (Some(mut x), Some(y)) = (val(&a), val(&b)) {
            merge_into(&mut x, &y, s);
            let _ = x.to_json();
        }
    }

    #[test]
    fn never_panics_on_generated_documents(a in yaml_doc(), b in yaml_doc(), s in strategy()) {
        let (mut x, y) = (val(&a).unwrap(), val(&b).unwrap());
        merge_into(&mut x, &y, s);
        let _ = x.to_json();
    }

    #[test]
    fn replace_is_idempotent(a in yaml_doc(), b in yaml_doc()) {
        let (mut once, y) = (val(&a).unwrap(), val(&b).unwrap());
        merge_into(&mut once, &y, ListStrategy::Replace);
        let mut twice = once.clone();
        merge_into(&mut twice, &y, ListStrategy::Replace);
        // `!append` lists append by design; everything else is settled after one merge.
        if !b.contains("!append") {
            prop_assert_eq!(once.to_json(), twice.to_json());
        }
    }

    #[test]
    fn merging_with_an_empty_map_is_identity(a in yaml_doc(), s in strategy()) {
        // Stack sections are maps; a scalar merged with a map is replaced by it (a type change).
        let x = val(&a).unwrap();
        prop_assume!(x.is_map());
        let empty = Val::empty_map();
        let mut left = x.clone();
        merge_into(&mut left, &empty, s);
        prop_assert_eq!(left.to_json(), x.to_json());
        let mut right = Val::empty_map();
        merge_into(&mut right, &x, s);
        prop_assert_eq!(right.to_json(), x.to_json());
    }
}
