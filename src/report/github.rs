//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding,
//! which the runner turns into annotations on the pull request.
//!
//! `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=RULE::message`
//!
//! GitHub's escaping: in the message `%`, `\r` and `\n` become `%25`, `%0D`, `%0A`; property
//! values also escape `:` and `,`. After escaping a finding is exactly one line, so text from a
//! descriptor cannot start a second command. Columns are only sent when the region is on one
//! line (GitHub ignores them otherwise) and `endColumn` is inclusive.

use std::fmt::Write;

use super::location::{End, Region};
use super::{Diagnostic, Report, Severity};

/// Renders `report` as workflow commands.
pub(super) fn render(report: &Report) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let _ = writeln!(out, "{}", command(d));
    }
    out
}

fn command(d: &Diagnostic) -> String {
    let name = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut props: Vec<(&str, String)> = Vec::new();
    if !d.file.is_empty() {
        props.push(("file", d.file.clone()));
    }
    if let Some(r) = Region::of(d) {
        props.push(("line", r.line.to_string()));
        match r.end {
            Some(End { line, .. }) if line > r.line => props.push(("endLine", line.to_string())),
            end => {
                if let Some(col) = r.column {
                    props.push(("col", col.to_string()));
                    if let Some(End { column: Some(c), .. }) = end {
                        props.push(("endColumn", (c - 1).to_string()));
                    }
                }
            }
        }
    }
    props.push(("title", d.rule.clone()));
    let props: Vec<String> = props.iter().map(|(k, v)| format!("{k}={}", escape_property(v))).collect();
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\n\nhelp: ");
        message.push_str(help);
    }
    format!("::{name} {}::{}", props.join(","), escape_data(&message))
}

/// Escapes a command's message.
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value: the message escapes plus the separators `:` and `,`.
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_github_rules() {
        assert_eq!(escape_data("100% done\r\nnext::x,y"), "100%25 done%0D%0Anext::x,y");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        // Escaping `%` first keeps an already-escaped sequence literal.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn columns_only_on_one_line_and_end_column_inclusive() {
        let mut d = Diagnostic::error("r", "m").in_file("a.yaml").at(3, 5);
        d.end_line = Some(3);
        d.end_column = Some(9);
        assert_eq!(command(&d), "::error file=a.yaml,line=3,col=5,endColumn=8,title=r::m");
        d.end_line = Some(6);
        d.end_column = Some(4);
        assert_eq!(command(&d), "::error file=a.yaml,line=3,endLine=6,title=r::m");
    }
}
