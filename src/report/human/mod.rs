//! The human renderer: rustc-style diagnostics with code frames and a summary line.
//!
//! ```text
//! error[backstage/metadata-name]: metadata.name "My Service" is not a valid name
//!  --> catalog/payments.yaml:4:9
//!   |
//! 3 | metadata:
//! 4 |   name: My Service
//!   |         ^^^^^^^^^^
//!   |
//!   = help: use lowercase letters, digits and dashes
//! ```

mod frame;
mod style;
mod text;

use std::collections::HashMap;
use std::fmt::Write;

use self::style::Paint;
use self::text::{SourceText, sanitize, sanitize_line};
use super::location::Region;
use super::render::{HumanOptions, SourceLookup};
use super::{Diagnostic, Report, Summary};

/// Renders `report` for a person reading a terminal.
pub(super) fn render(report: &Report, sources: SourceLookup<'_>, options: HumanOptions) -> String {
    let paint = Paint { on: options.color };
    let mut cache: HashMap<&str, Option<SourceText>> = HashMap::new();
    let mut out = String::new();
    for d in &report.diagnostics {
        let src = if d.file.is_empty() || d.line == 0 {
            None
        } else {
            cache.entry(d.file.as_str()).or_insert_with(|| sources(&d.file).map(SourceText::new)).as_ref()
        };
        diagnostic(&mut out, d, src, paint);
        out.push('\n');
    }
    out.push_str(&summary(&report.summary, paint));
    out.push('\n');
    out
}

fn diagnostic(out: &mut String, d: &Diagnostic, src: Option<&SourceText>, paint: Paint) {
    let frame = match (src, Region::of(d)) {
        (Some(src), Some(region)) => frame::build(src, region, d.severity, paint),
        _ => None,
    };
    let gutter = frame.as_ref().map_or_else(|| frame::digits(d.line), |f| f.gutter);
    // Text from a descriptor can hold line breaks. Every line after the first starts at the
    // gutter's `|`, so none can begin with `::` or `##[` and be taken for a CI runner command.
    let bar = paint.paint(&format!("{} |", " ".repeat(gutter)), style::GUTTER);
    let head = format!("{}[{}]", d.severity, sanitize_line(&d.rule));
    let message = sanitize(&d.message);
    let mut lines = message.lines();
    let first = lines.next().unwrap_or_default();
    let _ = writeln!(
        out,
        "{}{} {}",
        paint.paint(&head, style::severity(d.severity)),
        paint.paint(":", style::BOLD),
        paint.paint(first, style::BOLD)
    );
    for line in lines {
        let _ = writeln!(out, "{bar} {}", paint.paint(line, style::BOLD));
    }
    if !d.file.is_empty() {
        let _ = writeln!(out, "{}{} {}", " ".repeat(gutter), paint.paint("-->", style::GUTTER), location(d));
    }
    let notes = notes(d);
    if let Some(frame) = &frame {
        for row in &frame.rows {
            let _ = writeln!(out, "{row}");
        }
        if !notes.is_empty() {
            let _ = writeln!(out, "{bar}");
        }
    }
    for (label, text) in notes {
        let style = if label == "help" { style::HELP } else { style::BOLD };
        let lead = format!(
            "{}{} {}",
            " ".repeat(gutter + 1),
            paint.paint("=", style::GUTTER),
            paint.paint(&format!("{label}:"), style)
        );
        let pad = " ".repeat(label.len() + 3);
        for (i, line) in sanitize(&text).lines().enumerate() {
            if i == 0 {
                let _ = writeln!(out, "{lead} {line}");
            } else {
                let _ = writeln!(out, "{bar}{pad}{line}");
            }
        }
    }
}

/// `file:line:col`, `file:line`, or `file (the 2nd YAML document)` when only the document is
/// known.
fn location(d: &Diagnostic) -> String {
    let file = sanitize_line(&d.file);
    match (d.line, d.column, d.document) {
        (0, _, Some(doc)) => format!("{file} (the {} YAML document)", ordinal(doc + 1)),
        (0, _, None) => file,
        (line, 0, _) => format!("{file}:{line}"),
        (line, col, _) => format!("{file}:{line}:{col}"),
    }
}

/// The `= label: text` lines under a diagnostic.
fn notes(d: &Diagnostic) -> Vec<(&'static str, String)> {
    let mut notes = Vec::new();
    if let Some(entity) = &d.entity {
        notes.push(("entity", sanitize_line(entity)));
    }
    if let Some(help) = &d.help {
        notes.push(("help", help.clone()));
    }
    notes
}

/// `2 errors, 1 warning in 3 files (5 documents, 4 entities)`.
fn summary(s: &Summary, paint: Paint) -> String {
    let errors = count(s.errors, "error", "errors");
    let warnings = count(s.warnings, "warning", "warnings");
    let errors = if s.errors > 0 { paint.paint(&errors, style::severity(super::Severity::Error)) } else { errors };
    let warnings =
        if s.warnings > 0 { paint.paint(&warnings, style::severity(super::Severity::Warning)) } else { warnings };
    format!(
        "{errors}, {warnings} in {} ({}, {})",
        count(s.files, "file", "files"),
        count(s.documents, "document", "documents"),
        count(s.entities, "entity", "entities"),
    )
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        let got: Vec<_> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].iter().map(|n| ordinal(*n)).collect();
        assert_eq!(got, ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]);
    }

    #[test]
    fn summary_pluralises() {
        let s = Summary { files: 1, documents: 2, entities: 1, errors: 1, warnings: 0 };
        assert_eq!(summary(&s, Paint { on: false }), "1 error, 0 warnings in 1 file (2 documents, 1 entity)");
    }
}
