//! GitLab Code Quality: a JSON array of findings that GitLab shows in merge requests and
//! compares between the base and the head by fingerprint.
//!
//! Severity: error → `major`, warning → `minor`, note → `info`. `critical` and `blocker` are
//! not used: an error already fails the job through paved's exit code, and GitLab reserves the
//! top levels for defects that break production or security.

use serde_json::{Value, json};

use super::location::Region;
use super::{Report, Severity};

/// Renders `report` as a Code Quality report.
pub(super) fn render(report: &Report) -> String {
    let fingerprints = report.fingerprints();
    let issues: Vec<Value> = report
        .diagnostics
        .iter()
        .zip(fingerprints)
        .map(|(d, fingerprint)| {
            let region = Region::of(d);
            let begin = region.map_or(1, |r| r.line);
            let mut lines = json!({ "begin": begin });
            if let Some(end) = region.and_then(|r| r.end).filter(|e| e.line > begin) {
                lines["end"] = end.line.into();
            }
            let mut description = d.message.clone();
            if let Some(help) = &d.help {
                description.push_str(" (help: ");
                description.push_str(help);
                description.push(')');
            }
            json!({
                "description": description,
                "check_name": d.rule,
                "fingerprint": fingerprint,
                "severity": severity(d.severity),
                // GitLab requires a path; a finding about no file in particular is about the
                // repository, whose root is `.`.
                "location": {
                    "path": if d.file.is_empty() { "." } else { d.file.as_str() },
                    "lines": lines,
                },
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).expect("JSON values serialise");
    s.push('\n');
    s
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Note => "info",
    }
}
