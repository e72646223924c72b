//! Hostile names and messages, generated: the child pipeline keeps them as literal variables
//! with unique, bounded job names; summaries keep their tables; shell quoting holds.

use std::collections::BTreeSet;

use paved::ci::affected::parse;
use paved::ci::gitlab_pipeline::{PipelineOptions, render};
use paved::ci::summary;
use paved::report::{Diagnostic, Report};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Names with YAML, shell and GitLab specials, Unicode and control characters.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9-]{1,20}",
        "[ -~]{1,40}",
        ".{1,60}",
        Just("$(id)`id`$HOME".to_string()),
        Just("- [a, b]: {c: d} # e".to_string()),
        Just("yes".to_string()),
        Just("null".to_string()),
        Just("x".repeat(300)),
    ]
    .prop_filter("not blank", |s| !s.trim().is_empty())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn child_pipeline_keeps_names_literal(items in prop::collection::vec((name(), name()), 0..8)) {
        let doc: Vec<Value> = items.iter().map(|(s, c)| json!({"stack": s, "component": c})).collect();
        let parsed = parse(serde_json::to_string(&doc).unwrap().as_bytes()).unwrap();
        let out = render(&parsed, &PipelineOptions::default());
        let v: Value = yaml_serde::from_str(&out).unwrap();
        let jobs: Vec<(&String, &Value)> = v.as_object().unwrap().iter().filter(|(k, _)| k.starts_with("plan ")).collect();
        prop_assert_eq!(jobs.len(), parsed.len());
        let mut seen = BTreeSet::new();
        for (name, job) in &jobs {
            prop_assert!(name.len() <= 255);
            prop_assert!(seen.insert(name.to_string()));
            prop_assert_eq!(&job["script"], &json!(PipelineOptions::default().plan_script));
        }
        for item in &parsed {
            let found = jobs.iter().any(|(_, job)| {
                let literal = |v: &Value| v.as_str().map(str::to_string).or_else(|| v["value"].as_str().map(str::to_string));
                literal(&job["variables"]["PAVED_STACK"]).as_deref() == Some(item.stack.as_str())
                    && literal(&job["variables"]["PAVED_COMPONENT"]).as_deref() == Some(item.component.as_str())
            });
            prop_assert!(found, "no job for {:?}", item);
        }
    }

    #[test]
    fn summary_rows_keep_four_cells(rule in name(), file in name(), message in name()) {
        let mut r = Report { diagnostics: vec![Diagnostic::error(rule, message).in_file(file).at(3, 1)], ..Default::default() };
        r.finish(&Default::default());
        let md = summary::validation(&r);
        let row = md.lines().find(|l| l.starts_with("| ❌")).unwrap();
        let unescaped = row.char_indices().filter(|(i, c)| *c == '|' && !row[..*i].ends_with('\\')).count();
        prop_assert_eq!(unescaped, 5, "{}", row);
        // Outside code spans (where GitHub shows text as is) no HTML but the line breaks.
        let outside: String = row.split('`').step_by(2).collect();
        prop_assert!(!outside.replace("<br>", "").contains('<'), "{}", row);
    }
}
