use super::*;

fn finding(rule: &str, target: &str) -> Diagnostic {
    Diagnostic::error(rule, "bucket is not versioned").in_file("stacks/prod.yaml").at(3, 5).for_entity(target)
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const FILE: &str = "\
- rule: policy/s3-versioning
  target: core-*-prod/s3-*
  reason: log buckets
  expires: 2026-12-31
  approved_by: group:platform-security
- rule: policy/paved.catalog.*
  target: component:default/legacy
  reason: being retired
  expires: 2026-01-31
  approved_by: jane
- rule: policy/tags
  target: component:default/gone
  reason: was fixed
  expires: 2027-01-01
  approved_by: jane
";

#[test]
fn waived_expired_and_unused() {
    let (w, diags) = Waivers::parse("policies/waivers.yaml", FILE);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(w.waivers.len(), 3);
    let mut findings = vec![
        finding("policy/s3-versioning", "core-ue2-prod/s3-logs"),
        finding("policy/s3-versioning", "core-ue2-dev/s3-logs"),
        finding("policy/paved.catalog.ownership/deny", "component:default/legacy"),
    ];
    let out = w.apply(&mut findings, day("2026-11-26"));
    assert_eq!(findings[0].severity, Severity::Note);
    assert!(findings[0].message.contains("waived until 2026-12-31"), "{}", findings[0].message);
    assert_eq!(findings[1].severity, Severity::Error);
    assert_eq!(findings[2].severity, Severity::Error, "expired waivers waive nothing");
    let got: Vec<(&str, u32)> = out.iter().map(|d| (d.rule.as_str(), d.line)).collect();
    assert_eq!(got, [(rules::WAIVER_EXPIRED, 6), (rules::WAIVER_UNUSED, 11)]);
    assert_eq!(out[0].severity, Severity::Error);
    assert_eq!(out[1].severity, Severity::Warning);
}

#[test]
fn bad_files_are_diagnostics() {
    let (w, diags) = Waivers::parse(
        "w.yaml",
        "- rule: a\n  target: b\n  reason: c\n  expires: 31/12/2026\n  approved_by: d\n- rule: a\n  target: b\n  reason: c\n  expires: 2026-12-31\n  approved_by: d\n  approver: e\n- rule: a\n  target: b\n  reason: c\n  expires: 2026-02-30\n  approved_by: d\n",
    );
    assert!(w.waivers.is_empty());
    assert_eq!(diags.len(), 3, "{diags:?}");
    assert_eq!(diags[0].line, 4);
    assert!(diags[1].message.contains("unknown field `approver`"), "{}", diags[1].message);
    assert!(diags[2].message.contains("YYYY-MM-DD"));
    let (_, diags) = Waivers::parse("w.yaml", "waivers: {a: 1}\n");
    assert_eq!(diags.len(), 1);
    let (_, diags) = Waivers::parse("w.yaml", "- [unclosed\n");
    assert_eq!(diags.len(), 1);
    let (w, diags) = Waivers::parse(
        "w.yaml",
        "waivers:\n  - rule: a\n    target: b\n    reason: c\n    expires: 2026-12-31\n    approved_by: d\n",
    );
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(w.waivers.len(), 1);
}

proptest::proptest! {
    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = Waivers::parse("w.yaml", &s);
    }
}
