//! JUnit XML, for CI systems that show test reports (GitLab's merge request widget and test
//! tab, Jenkins, Azure Pipelines).
//!
//! One `<testsuite>` per file (findings about no file go to a suite named `paved`), one
//! `<testcase>` per finding. Errors are `<failure>`s; warnings and notes are passing cases
//! whose text is in `<system-out>`, so the report shows them without failing: only errors fail
//! `paved validate`. A clean report still has one passing case, because GitLab shows a report
//! without cases as missing rather than green.
//!
//! XML 1.0 cannot carry most control characters, even escaped: they are replaced by U+FFFD.

use std::fmt::Write;

use super::location::Region;
use super::{Diagnostic, Report, Severity};

/// Renders `report` as JUnit XML.
pub(super) fn render(report: &Report) -> String {
    // Diagnostics are sorted by file, so each file's findings are consecutive.
    let mut suites: Vec<(&str, Vec<&Diagnostic>)> = Vec::new();
    for d in &report.diagnostics {
        let name = if d.file.is_empty() { "paved" } else { d.file.as_str() };
        match suites.last_mut() {
            Some((n, ds)) if *n == name => ds.push(d),
            _ => suites.push((name, vec![d])),
        }
    }
    let errors = report.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    let tests = report.diagnostics.len().max(1);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"paved\" tests=\"{tests}\" failures=\"{errors}\" errors=\"0\">");
    if suites.is_empty() {
        out.push_str("  <testsuite name=\"paved\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n");
        out.push_str("    <testcase name=\"no problems found\" classname=\"paved\"/>\n");
        out.push_str("  </testsuite>\n");
    }
    for (name, ds) in &suites {
        let failures = ds.iter().filter(|d| d.severity == Severity::Error).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
            escape(name),
            ds.len()
        );
        for d in ds {
            case(&mut out, name, d);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn case(out: &mut String, suite: &str, d: &Diagnostic) {
    let place = match Region::of(d) {
        Some(r) => match r.column {
            Some(c) => format!("{}:{}:{c}", d.file, r.line),
            None => format!("{}:{}", d.file, r.line),
        },
        None => d.file.clone(),
    };
    let name = if place.is_empty() { d.rule.clone() } else { format!("{} at {place}", d.rule) };
    let mut body = format!("{}: {}", d.severity, d.message);
    if !place.is_empty() {
        let _ = write!(body, "\n  --> {place}");
    }
    if let Some(e) = &d.entity {
        let _ = write!(body, "\n  entity: {e}");
    }
    if let Some(h) = &d.help {
        let _ = write!(body, "\n  help: {h}");
    }
    let _ = write!(out, "    <testcase name=\"{}\" classname=\"{}\"", escape(&name), escape(suite));
    if let Some(r) = Region::of(d) {
        let _ = write!(out, " file=\"{}\" line=\"{}\"", escape(&d.file), r.line);
    }
    out.push_str(">\n");
    match d.severity {
        Severity::Error => {
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                escape(&d.rule),
                escape(&d.message),
                escape(&body)
            );
        }
        Severity::Warning | Severity::Note => {
            let _ = writeln!(out, "      <system-out>{}</system-out>", escape(&body));
        }
    }
    out.push_str("    </testcase>\n");
}

/// Escapes text for an attribute or element, and replaces what XML 1.0 cannot hold at all.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Kept as character references so attribute values keep their line breaks.
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// XML 1.0's `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("x\u{1b}[2J\u{0}y\u{FFFE}"), "x\u{FFFD}[2J\u{FFFD}y\u{FFFD}");
        assert_eq!(escape("1\n2"), "1&#10;2");
    }
}
