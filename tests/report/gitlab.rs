use std::collections::HashSet;

use paved::report::{Diagnostic, Format, Report};
use serde_json::Value;

use crate::fixture;
use crate::rendered;

#[test]
fn snapshot() {
    insta::assert_snapshot!(rendered(&fixture::report(), Format::Gitlab, false));
}

/// The fields GitLab requires, on every finding.
#[test]
fn every_finding_has_what_gitlab_requires() {
    let report = fixture::report();
    let v: Value = serde_json::from_str(&rendered(&report, Format::Gitlab, false)).unwrap();
    let issues = v.as_array().unwrap();
    assert_eq!(issues.len(), report.diagnostics.len());
    for (issue, d) in issues.iter().zip(&report.diagnostics) {
        assert!(issue["description"].as_str().is_some_and(|s| !s.is_empty()));
        assert_eq!(issue["check_name"], d.rule.as_str());
        assert!(issue["fingerprint"].as_str().is_some_and(|s| !s.is_empty()));
        let want = match d.severity {
            paved::report::Severity::Error => "major",
            paved::report::Severity::Warning => "minor",
            paved::report::Severity::Note => "info",
        };
        assert_eq!(issue["severity"], want);
        assert!(issue["location"]["path"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(issue["location"]["lines"]["begin"].as_u64().is_some_and(|l| l >= 1));
    }
    let fps: HashSet<_> = issues.iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    assert_eq!(fps.len(), issues.len(), "fingerprints are unique");
}

/// A finding keeps its fingerprint when lines are added above it, so GitLab does not report
/// it as fixed and new again.
#[test]
fn fingerprints_are_stable_across_runs() {
    let before = fixture::report();
    let mut after = before.clone();
    for d in &mut after.diagnostics {
        if d.line > 0 {
            d.line += 3;
            d.end_line = d.end_line.map(|l| l + 3);
        }
    }
    let fp = |r: &Report| -> Vec<String> {
        let v: Value = serde_json::from_str(&rendered(r, Format::Gitlab, false)).unwrap();
        v.as_array().unwrap().iter().map(|i| i["fingerprint"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(fp(&before), fp(&after));
    // A different finding gets a different fingerprint.
    let other = Report {
        diagnostics: vec![Diagnostic::error("backstage/tags", "other").in_file("a.yaml")],
        ..Default::default()
    };
    assert!(!fp(&before).contains(&fp(&other)[0]));
}
