use paved::report::Format;
use serde_json::Value;

use crate::fixture;
use crate::rendered;

#[test]
fn snapshot() {
    insta::assert_snapshot!(rendered(&fixture::report(), Format::Json, false));
}

/// The keys issue 2 requires, with their types, on every diagnostic and in the summary.
#[test]
fn required_keys_and_types() {
    let report = fixture::report();
    let v: Value = serde_json::from_str(&rendered(&report, Format::Json, false)).unwrap();
    let diagnostics = v["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), report.diagnostics.len());
    for (d, want) in diagnostics.iter().zip(&report.diagnostics) {
        assert_eq!(d["rule"], want.rule.as_str());
        assert!(["error", "warning", "note"].contains(&d["severity"].as_str().unwrap()));
        assert_eq!(d["message"], want.message.as_str());
        assert_eq!(d["file"], want.file.as_str());
        assert_eq!(d["line"].as_u64(), Some(u64::from(want.line)));
        assert_eq!(d["column"].as_u64(), Some(u64::from(want.column)));
        assert!(d["document"].is_null() || d["document"].is_u64(), "{d}");
        assert!(d["entity"].is_null() || d["entity"].is_string(), "{d}");
        assert_eq!(d["document"].as_u64(), want.document.map(|x| x as u64));
        assert!(d["fingerprint"].as_str().is_some_and(|f| f.len() == 32));
    }
    for key in ["files", "documents", "entities", "errors", "warnings"] {
        assert!(v["summary"][key].is_u64(), "summary.{key}");
    }
    assert_eq!(v["summary"]["errors"].as_u64(), Some(report.summary.errors as u64));
    assert_eq!(v["summary"]["errors"].as_u64(), Some(11));
    assert_eq!(v["summary"]["warnings"].as_u64(), Some(4));
}

#[test]
fn fingerprints_are_unique() {
    let v: Value = serde_json::from_str(&rendered(&fixture::report(), Format::Json, false)).unwrap();
    let fps: std::collections::HashSet<_> =
        v["diagnostics"].as_array().unwrap().iter().map(|d| d["fingerprint"].as_str().unwrap().to_string()).collect();
    assert_eq!(fps.len(), v["diagnostics"].as_array().unwrap().len());
}
