//! Renderers of the diagnostics report, each snapshotted on one shared fixture.

#[path = "report/fixture.rs"]
mod fixture;
#[path = "report/github.rs"]
mod github;
#[path = "report/gitlab.rs"]
mod gitlab;
#[path = "report/human.rs"]
mod human;
#[path = "report/json.rs"]
mod json;
#[path = "report/junit.rs"]
mod junit;
#[path = "report/sarif.rs"]
mod sarif;

use paved::report::{Format, HumanOptions, Report, render};

/// Renders `report` with the fixture's sources.
fn rendered(report: &Report, format: Format, color: bool) -> String {
    render(report, format, &fixture::source, HumanOptions { color })
}
