//! tests/fixtures/catalog/<case>/: small repositories, each broken in one area, with their
//! findings as snapshots.

use std::path::Path;

use paved::catalog;
use paved::config::Config;
use paved::report::Report;
use paved::source::{FileSource, RelPath, WorkTree};

pub fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalog").join(name)
}

pub fn config_of(tree: &WorkTree) -> Config {
    match tree.read(&RelPath::new("paved.yaml").unwrap(), 1 << 20) {
        Ok(b) => Config::parse("paved.yaml", std::str::from_utf8(&b).unwrap()).unwrap(),
        Err(_) => Config::default(),
    }
}

pub fn run(name: &str) -> Report {
    let tree = WorkTree::new(fixture(name)).unwrap();
    catalog::validate(&tree, &config_of(&tree))
}

/// One line per finding: what the snapshots hold.
pub fn lines(r: &Report) -> String {
    let mut s = String::new();
    for d in &r.diagnostics {
        s.push_str(&format!(
            "{}:{}:{} {} [{}] {}{}\n",
            d.file,
            d.line,
            d.column,
            d.severity,
            d.rule,
            d.message,
            d.entity.as_deref().map(|e| format!(" ({e})")).unwrap_or_default()
        ));
    }
    s.push_str(&format!(
        "-- {} files, {} documents, {} entities, {} errors, {} warnings\n",
        r.summary.files, r.summary.documents, r.summary.entities, r.summary.errors, r.summary.warnings
    ));
    s
}

#[test]
fn valid_repository_has_no_findings() {
    let r = run("valid");
    assert!(r.diagnostics.is_empty(), "{}", lines(&r));
    assert_eq!((r.summary.files, r.summary.entities), (5, 10));
}

#[test]
fn metadata_formats() {
    insta::assert_snapshot!(lines(&run("metadata")));
}

#[test]
fn spec_fields_and_kinds() {
    insta::assert_snapshot!(lines(&run("spec")));
}

#[test]
fn references_relations_duplicates_cycles() {
    insta::assert_snapshot!(lines(&run("refs")));
}

#[test]
fn yaml_faults_and_dropped_files() {
    insta::assert_snapshot!(lines(&run("yaml")));
}

#[test]
fn locations_and_orphans() {
    insta::assert_snapshot!(lines(&run("locations")));
}

#[test]
fn every_finding_has_a_documented_rule_and_a_position() {
    let ids: Vec<&str> = catalog::rule_infos().iter().map(|r| r.id).collect();
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md")).unwrap();
    for id in &ids {
        assert!(docs.contains(&format!("`{id}`")), "{id} is not documented in docs/rules.md");
    }
    for name in ["metadata", "spec", "refs", "yaml", "locations"] {
        for d in run(name).diagnostics {
            assert!(ids.contains(&d.rule.as_str()), "{} is not a listed rule", d.rule);
            assert!(!d.file.is_empty(), "{d:?}");
            if d.rule != "catalog/file-unreadable" {
                assert!(d.line > 0 && d.column > 0, "{d:?}");
            }
        }
    }
}

#[test]
fn severity_overrides_apply() {
    let tree = WorkTree::new(fixture("refs")).unwrap();
    let mut cfg = config_of(&tree);
    let parsed =
        Config::parse("paved.yaml", "rules:\n  catalog/ref-unresolved: warning\n  catalog/cycle: off\n").unwrap();
    cfg.rules = parsed.rules;
    let r = catalog::validate(&tree, &cfg);
    assert!(r.diagnostics.iter().all(|d| d.rule != "catalog/cycle"));
    let unresolved: Vec<_> = r.diagnostics.iter().filter(|d| d.rule == "catalog/ref-unresolved").collect();
    assert!(!unresolved.is_empty());
    assert!(unresolved.iter().all(|d| d.severity == paved::report::Severity::Warning));
}
