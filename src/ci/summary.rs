//! Markdown job summaries (`$GITHUB_STEP_SUMMARY`): the counts, then a table of findings or
//! affected components.
//!
//! Text from descriptors is escaped for a table cell (`|`, line breaks, HTML and Markdown
//! specials), so a message cannot break the table or inject markup. GitHub caps a step summary
//! at 1 MiB: tables stop after [`MAX_ROWS`] rows and say how many were left out.

use std::fmt::Write;

use crate::report::{Report, Severity};

use super::affected::{AffectedItem, CatalogChange};

/// Rows per table before the rest is summarised in one line.
pub const MAX_ROWS: usize = 200;

/// A summary of a validation report.
pub fn validation(report: &Report) -> String {
    let s = &report.summary;
    let mut out = String::from("## paved validate\n\n");
    let notes = report.diagnostics.iter().filter(|d| d.severity == Severity::Note).count();
    let verdict = if s.errors > 0 {
        "❌"
    } else if s.warnings > 0 {
        "⚠️"
    } else {
        "✅"
    };
    let _ = writeln!(
        out,
        "{verdict} **{} {}, {} {}**, {notes} {} in {} {} ({} documents, {} entities)\n",
        s.errors,
        plural(s.errors, "error", "errors"),
        s.warnings,
        plural(s.warnings, "warning", "warnings"),
        plural(notes, "note", "notes"),
        s.files,
        plural(s.files, "file", "files"),
        s.documents,
        s.entities,
    );
    if report.diagnostics.is_empty() {
        return out;
    }
    out.push_str("| | Rule | Location | Message |\n|---|---|---|---|\n");
    for d in report.diagnostics.iter().take(MAX_ROWS) {
        let icon = match d.severity {
            Severity::Error => "❌",
            Severity::Warning => "⚠️",
            Severity::Note => "ℹ️",
        };
        let location = match (d.file.is_empty(), d.line) {
            (true, _) => String::new(),
            (false, 0) => d.file.clone(),
            (false, l) => format!("{}:{l}", d.file),
        };
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        let _ = writeln!(out, "| {icon} | `{}` | {} | {} |", code(&d.rule), code_or_empty(&location), cell(&message));
    }
    more(&mut out, report.diagnostics.len());
    out
}

/// A summary of affected components and catalog changes.
pub fn affected(items: &[AffectedItem], catalog: &[CatalogChange]) -> String {
    let mut out = String::from("## paved affected\n\n");
    let stacks: std::collections::BTreeSet<&str> = items.iter().map(|i| i.stack.as_str()).collect();
    if items.is_empty() {
        out.push_str("No component is affected by this change.\n");
        catalog_changes(&mut out, catalog);
        return out;
    }
    let _ = writeln!(
        out,
        "**{} {}** in **{} {}**\n",
        items.len(),
        plural(items.len(), "component", "components"),
        stacks.len(),
        plural(stacks.len(), "stack", "stacks"),
    );
    out.push_str("| Stack | Component | Reason |\n|---|---|---|\n");
    for i in items.iter().take(MAX_ROWS) {
        let reasons =
            if i.affected_all.is_empty() { i.affected.clone().unwrap_or_default() } else { i.affected_all.join(", ") };
        let reasons = if i.deleted && !reasons.contains("deleted") { format!("{reasons} (deleted)") } else { reasons };
        let _ = writeln!(out, "| `{}` | `{}` | {} |", code(&i.stack), code(&i.component), cell(reasons.trim()));
    }
    more(&mut out, items.len());
    catalog_changes(&mut out, catalog);
    out
}

fn catalog_changes(out: &mut String, catalog: &[CatalogChange]) {
    if catalog.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n### Catalog\n\n{} {} changed\n\n| Entity | Change | File | Owns |\n|---|---|---|---|",
        catalog.len(),
        plural(catalog.len(), "entity", "entities")
    );
    for c in catalog.iter().take(MAX_ROWS) {
        let owns: Vec<String> =
            c.components.iter().map(|l| format!("`{}` in `{}`", code(&l.component), code(&l.stack))).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            code(&c.entity_ref),
            cell(&c.change),
            code_or_empty(&c.file),
            owns.join(", ")
        );
    }
    more(out, catalog.len());
}

fn more(out: &mut String, total: usize) {
    if total > MAX_ROWS {
        let _ = writeln!(out, "\n… and {} more (see the job log or the artifacts).", total - MAX_ROWS);
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// Escapes text for a Markdown table cell: no raw HTML, no table breaks, line breaks as `<br>`.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("<br>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Text for inside a code span: backticks and pipes cannot be escaped there, so they are
/// replaced by look-alikes; line breaks become spaces.
fn code(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '`' => 'ˋ',
            '|' => '¦',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

fn code_or_empty(s: &str) -> String {
    if s.is_empty() { String::new() } else { format!("`{}`", code(s)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Diagnostic;

    #[test]
    fn cells_cannot_break_the_table_or_inject_markup() {
        let mut r = Report {
            diagnostics: vec![
                Diagnostic::error("r|`x", "a | b\n<script>alert(1)</script> **bold**").in_file("f`|.yaml").at(2, 1),
            ],
            ..Default::default()
        };
        r.finish(&Default::default());
        let md = validation(&r);
        let row = md.lines().find(|l| l.starts_with("| ❌")).unwrap();
        // Four cells: five unescaped pipes.
        let unescaped = row.char_indices().filter(|(i, c)| *c == '|' && !row[..*i].ends_with('\\')).count();
        assert_eq!(unescaped, 5, "{row}");
        assert!(!md.contains("<script>") && md.contains("&lt;script&gt;"));
        assert!(md.contains("\\*\\*bold\\*\\*"));
        assert!(md.contains("`r¦ˋx`"));
    }

    #[test]
    fn long_reports_are_cut() {
        let mut r = Report::default();
        for i in 0..(MAX_ROWS + 5) {
            r.diagnostics.push(Diagnostic::warning("w", format!("m{i}")).in_file("f"));
        }
        r.finish(&Default::default());
        let md = validation(&r);
        assert!(md.contains("… and 5 more"));
        assert_eq!(md.lines().filter(|l| l.starts_with("| ⚠️")).count(), MAX_ROWS);
    }
}
