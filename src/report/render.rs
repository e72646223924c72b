//! Choosing a renderer.

use std::sync::Arc;

use super::Report;

/// Output formats every diagnostic can be rendered in (docs/output-formats.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style text with code frames.
    Human,
    /// paved's JSON.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML (GitLab test reports, Jenkins).
    Junit,
}

/// Looks up the text of a file named in a diagnostic, for code frames.
pub type SourceLookup<'a> = &'a dyn Fn(&str) -> Option<Arc<str>>;

/// Options for the human renderer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HumanOptions {
    /// ANSI colour. The CLI sets it only when stdout is a terminal and `NO_COLOR` is unset.
    pub color: bool,
}

/// Renders `report` in `format`. `sources` is only read by the human renderer (code frames);
/// a file it has no text for is shown without a frame.
pub fn render(report: &Report, format: Format, sources: SourceLookup<'_>, human: HumanOptions) -> String {
    match format {
        Format::Human => super::human::render(report, sources, human),
        Format::Json => super::json::render(report),
        Format::Sarif => super::sarif::render(report),
        Format::Github => super::github::render(report),
        Format::Gitlab => super::gitlab::render(report),
        Format::Junit => super::junit::render(report),
    }
}
