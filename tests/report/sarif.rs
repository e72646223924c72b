use std::collections::HashSet;

use paved::report::{Diagnostic, Format, Report, SARIF_FINGERPRINT_KEY};
use serde_json::Value;

use crate::fixture;
use crate::rendered;

const SCHEMA: &str = include_str!("sarif-schema-2.1.0.json");

fn sarif(report: &Report) -> Value {
    serde_json::from_str(&rendered(report, Format::Sarif, false)).unwrap()
}

/// Validates `log` against the official SARIF 2.1.0 schema, formats included.
fn assert_valid(log: &Value) {
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(log).map(|e| format!("{}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{}", errors.join("\n"));
}

#[test]
fn snapshot() {
    let out = rendered(&fixture::report(), Format::Sarif, false);
    let out = out.replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!(out);
}

#[test]
fn valid_against_the_sarif_schema() {
    assert_valid(&sarif(&fixture::report()));
    assert_valid(&sarif(&Report::default()));
}

/// The schema accepts much that GitHub code scanning rejects or ignores; these are GitHub's
/// own requirements.
#[test]
fn what_github_code_scanning_requires() {
    let report = fixture::report();
    let log = sarif(&report);
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().starts_with("https://"));
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "paved");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len(), "rule ids are unique");
    for r in rules {
        assert!(r["shortDescription"]["text"].as_str().is_some_and(|s| !s.is_empty()), "{r}");
        assert!(["error", "warning", "note"].contains(&r["defaultConfiguration"]["level"].as_str().unwrap()));
    }
    // Described rules carry help, in markdown too; the fixture's example with backticks stays
    // inside its fence.
    let tags = rules.iter().find(|r| r["id"] == "backstage/tags").unwrap();
    let md = tags["help"]["markdown"].as_str().unwrap();
    assert!(md.contains("````yaml\nmetadata:\n  tags: [Java, \"```\"]\n````"), "{md}");
    assert!(ids.contains(&"catalog/ref-unresolved"), "described rules are listed even when not raised");
    assert!(ids.contains(&"catalog/title-style"), "raised rules are listed even when not described");

    // Every result has a physical location (GitHub rejects the whole log otherwise); findings
    // about no file are notifications of the run instead.
    let located: Vec<&Diagnostic> = report.diagnostics.iter().filter(|d| !d.file.is_empty()).collect();
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), located.len());
    let mut fingerprints = HashSet::new();
    for (r, d) in results.iter().zip(located) {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert_eq!(r["ruleId"], d.rule.as_str());
        assert_eq!(r["level"], d.severity.as_str());
        assert!(r["message"]["text"].as_str().unwrap().starts_with(&d.message));
        let fp = r["partialFingerprints"][SARIF_FINGERPRINT_KEY].as_str().unwrap();
        assert!(fingerprints.insert(fp.to_string()), "fingerprint {fp} repeats");
        let locations = r["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1);
        let physical = &locations[0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.is_empty() && !uri.starts_with('/') && !uri.contains(' ') && !uri.contains(','), "{uri}");
        let region = &physical["region"];
        let start = region["startLine"].as_u64().unwrap();
        assert!(start >= 1);
        if let Some(end) = region["endLine"].as_u64() {
            assert!(end >= start);
            if end == start
                && let (Some(a), Some(b)) = (region["startColumn"].as_u64(), region["endColumn"].as_u64())
            {
                assert!(b > a, "{region}");
            }
        }
    }
    let unlocated: Vec<&Diagnostic> = report.diagnostics.iter().filter(|d| d.file.is_empty()).collect();
    assert!(!unlocated.is_empty(), "the fixture has a finding about no file");
    let notifications = runs[0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notifications.len(), unlocated.len());
    for (n, d) in notifications.iter().zip(unlocated) {
        let index = n["associatedRule"]["index"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], d.rule.as_str());
        assert_eq!(n["level"], d.severity.as_str());
        assert_eq!(n["message"]["text"], d.message.as_str());
        assert!(fingerprints.insert(n["properties"]["fingerprint"].as_str().unwrap().to_string()));
    }
}

/// The schema check is only worth something if it can fail.
#[test]
fn schema_check_catches_a_broken_log() {
    let mut log = sarif(&fixture::report());
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();
    assert_eq!(validator.iter_errors(&log).count(), 2);
}

/// A finding about an entity but no file must not become a result with only a logical
/// location: GitHub rejects those too.
#[test]
fn entity_without_file_is_a_notification() {
    let d = Diagnostic::error("catalog/cycle", "cycle through system:default/a").for_entity("system:default/a");
    let log = sarif(&Report { diagnostics: vec![d], ..Default::default() });
    assert_valid(&log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    let n = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(n["properties"]["entity"], "system:default/a");
}

#[test]
fn regions_follow_the_diagnostic() {
    let mut d = Diagnostic::error("r/x", "m").in_file("a.yaml").at(4, 9);
    d.end_line = Some(4);
    d.end_column = Some(20);
    let log = sarif(&Report { diagnostics: vec![d.clone()], ..Default::default() });
    let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(*region, serde_json::json!({"startLine": 4, "startColumn": 9, "endLine": 4, "endColumn": 20}));
    // A block ending at the start of line 11 ends with line 10.
    d.end_line = Some(11);
    d.end_column = Some(1);
    let log = sarif(&Report { diagnostics: vec![d], ..Default::default() });
    let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(*region, serde_json::json!({"startLine": 4, "startColumn": 9, "endLine": 10}));
}

/// Fingerprints survive lines added above the finding, so GitHub keeps the alert's history.
#[test]
fn fingerprints_survive_moved_lines() {
    let before = fixture::report();
    let mut after = before.clone();
    for d in after.diagnostics.iter_mut().filter(|d| d.line > 0) {
        d.line += 7;
        d.end_line = d.end_line.map(|l| l + 7);
    }
    let fps = |r: &Report| -> Vec<Value> {
        sarif(r)["runs"][0]["results"].as_array().unwrap().iter().map(|r| r["partialFingerprints"].clone()).collect()
    };
    assert_eq!(fps(&before), fps(&after));
}
