//! paved's JSON output: `{"diagnostics": [...], "summary": {...}}`, documented key by key in
//! docs/output-formats.md. Keys are only ever added, never renamed or removed.

use serde_json::json;

use super::Report;

/// Renders `report` as paved's JSON.
pub(super) fn render(report: &Report) -> String {
    let fingerprints = report.fingerprints();
    let diagnostics: Vec<_> = report
        .diagnostics
        .iter()
        .zip(fingerprints)
        .map(|(d, fingerprint)| {
            let mut v = json!({
                "rule": d.rule,
                "severity": d.severity,
                "message": d.message,
                "file": d.file,
                "line": d.line,
                "column": d.column,
                "document": d.document,
                "entity": d.entity,
            });
            let obj = v.as_object_mut().expect("object literal");
            if let Some(l) = d.end_line {
                obj.insert("end_line".into(), l.into());
            }
            if let Some(c) = d.end_column {
                obj.insert("end_column".into(), c.into());
            }
            if let Some(h) = &d.help {
                obj.insert("help".into(), h.clone().into());
            }
            obj.insert("fingerprint".into(), fingerprint.into());
            v
        })
        .collect();
    let out = json!({ "diagnostics": diagnostics, "summary": report.summary });
    let mut s = serde_json::to_string_pretty(&out).expect("JSON values serialise");
    s.push('\n');
    s
}
