use paved::report::{Format, Report, Severity};

use crate::fixture;
use crate::rendered;

#[test]
fn snapshot() {
    insta::assert_snapshot!(rendered(&fixture::report(), Format::Junit, false));
}

/// Every finding is one test case; only errors fail; the counts add up; nothing from a
/// descriptor escapes its element or attribute.
#[test]
fn one_case_per_finding_and_only_errors_fail() {
    let report = fixture::report();
    let xml = rendered(&report, Format::Junit, false);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    assert_eq!(xml.matches("<testcase ").count(), report.diagnostics.len());
    let errors = report.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    assert_eq!(xml.matches("<failure ").count(), errors);
    assert!(xml.contains(&format!("tests=\"{}\" failures=\"{errors}\"", report.diagnostics.len())));
    // Per-suite counts add up to the totals.
    let sum = |attr: &str| -> usize {
        xml.lines()
            .filter(|l| l.trim_start().starts_with("<testsuite "))
            .map(|l| {
                let at = l.find(&format!(" {attr}=\"")).unwrap() + attr.len() + 3;
                l[at..].split('"').next().unwrap().parse::<usize>().unwrap()
            })
            .sum()
    };
    assert_eq!(sum("tests"), report.diagnostics.len());
    assert_eq!(sum("failures"), errors);
    // Balanced tags, no raw control characters, injected markup stays text.
    assert_eq!(xml.matches("<testsuite ").count(), xml.matches("</testsuite>").count());
    assert_eq!(xml.matches("<testcase ").count(), xml.matches("</testcase>").count());
    assert!(!xml.chars().any(|c| c.is_control() && c != '\n'));
    assert!(!xml.contains("<script") && !xml.contains("]]>"));
}

#[test]
fn a_clean_report_has_one_passing_case() {
    let xml = rendered(&Report::default(), Format::Junit, false);
    assert!(xml.contains("tests=\"1\" failures=\"0\""));
    assert_eq!(xml.matches("<testcase ").count(), 1);
    assert!(!xml.contains("<failure"));
}
