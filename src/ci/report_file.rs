//! Reading paved's JSON report back (`paved validate --format json`), so CI glue validates once
//! and renders the same findings as annotations, SARIF, JUnit and a job summary.

use serde::Deserialize;

use crate::report::{Diagnostic, Report, Summary};

#[derive(Deserialize)]
struct ReportFile {
    diagnostics: Vec<Diagnostic>,
    #[serde(default)]
    summary: Summary,
}

/// Parses a JSON report. Rule descriptions are not part of the JSON: `rules` is empty, for the
/// caller to fill from the rule registry before rendering SARIF.
pub fn read_report(bytes: &[u8]) -> Result<Report, serde_json::Error> {
    let f: ReportFile = serde_json::from_slice(bytes)?;
    let mut report = Report { diagnostics: f.diagnostics, summary: f.summary, rules: Vec::new() };
    report.finish(&Default::default());
    Ok(report)
}
