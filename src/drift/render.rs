//! `paved drift` output: human text, JSON and Markdown (a job summary). Pure.

use serde_json::json;

use super::decide::Action;
use super::issue::summary_line;
use super::summary::{ComponentReport, DriftSummary, Status};

fn counts(s: &DriftSummary) -> String {
    format!(
        "{} component(s) checked: {} drifted, {} in sync, {} error(s), {} skipped",
        s.components.len(),
        s.drifted(),
        s.in_sync(),
        s.error_count(),
        s.skipped()
    )
}

fn what(c: &ComponentReport) -> String {
    let issue = match (c.action, &c.issue) {
        (Action::Open, Some(u)) => format!("; issue opened: {u}"),
        (Action::Update, Some(u)) => format!("; issue updated: {u}"),
        (Action::Close, Some(u)) => format!("; issue closed: {u}"),
        (Action::Close, None) => "; recovered".to_string(),
        _ => String::new(),
    };
    let plan = c.summary.as_ref().map(summary_line).unwrap_or_default();
    let message = c.message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default();
    format!("{plan}{issue}{message}").trim_start_matches("; ").trim_start().to_string()
}

fn label(status: Status) -> &'static str {
    match status {
        Status::InSync => "in sync",
        Status::Drifted => "DRIFTED",
        Status::Error => "ERROR",
        Status::Skipped => "skipped",
    }
}

/// Text for a terminal or a log.
pub fn human(s: &DriftSummary) -> String {
    let mut out = format!("drift: {}\n", counts(s));
    for c in &s.components {
        let line = if s.dry_run { c.command.clone().unwrap_or_default() } else { what(c) };
        out.push_str(&format!("  {:<8} {}/{}  {line}\n", label(c.status), c.stack, c.component).replace("  \n", "\n"));
    }
    for e in &s.errors {
        out.push_str(&format!("  ERROR    {e}\n"));
    }
    if s.capped() > 0 {
        out.push_str(&format!(
            "{} drifted component(s) got no issue: server.drift.max_open_issues is reached\n",
            s.capped()
        ));
    }
    if s.dry_run {
        out.push_str("dry run: the commands above were printed, not run; no issue was touched\n");
    }
    out.push_str(&format!("exit {}: {}\n", s.exit_code(), verdict(s)));
    out
}

fn verdict(s: &DriftSummary) -> &'static str {
    match s.exit_code() {
        0 => "no drift",
        2 => "drift found",
        _ => "errors (see above)",
    }
}

/// JSON: the summary, its counts and the exit code.
pub fn json(s: &DriftSummary) -> serde_json::Value {
    json!({
        "runs": s.runs,
        "dry_run": s.dry_run,
        "drifted": s.drifted(),
        "in_sync": s.in_sync(),
        "errors": s.error_count(),
        "skipped": s.skipped(),
        "capped": s.capped(),
        "exit_code": s.exit_code(),
        "components": s.components,
        "problems": s.errors,
    })
}

/// Markdown for a CI job summary.
pub fn markdown(s: &DriftSummary) -> String {
    let mut out = format!("## paved drift: {}\n\n{}\n\n", verdict(s), counts(s));
    if !s.components.is_empty() {
        out.push_str("| Status | Stack | Component | Plan / issue |\n|---|---|---|---|\n");
        for c in &s.components {
            let icon = match c.status {
                Status::InSync => "✅ in sync",
                Status::Drifted => "⚠️ drifted",
                Status::Error => "❌ error",
                Status::Skipped => "⏭️ skipped",
            };
            let detail = what(c).replace('|', "\\|");
            out.push_str(&format!("| {icon} | `{}` | `{}` | {detail} |\n", c.stack, c.component));
        }
    }
    for e in &s.errors {
        out.push_str(&format!("\n❌ {}\n", e.replace('|', "\\|")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::plan::PlanSummary;

    fn summary() -> DriftSummary {
        let c = |component: &str, status, action, issue: Option<&str>| ComponentReport {
            repo: "platform".into(),
            stack: "dev".into(),
            component: component.into(),
            status,
            action,
            summary: (status == Status::Drifted).then_some(PlanSummary { add: 1, ..PlanSummary::default() }),
            issue: issue.map(Into::into),
            message: None,
            command: None,
        };
        DriftSummary {
            runs: vec![4],
            components: vec![
                c("vpc", Status::Drifted, Action::Open, Some("https://forge/issues/1")),
                c("rds", Status::InSync, Action::Close, Some("https://forge/issues/2")),
                c("eks", Status::Drifted, Action::Capped, None),
            ],
            errors: vec![],
            dry_run: false,
        }
    }

    #[test]
    fn every_format_tells_the_same_story() {
        let s = summary();
        let h = human(&s);
        assert!(h.contains("3 component(s) checked: 2 drifted, 1 in sync, 0 error(s), 0 skipped"), "{h}");
        assert!(
            h.contains("DRIFTED  dev/vpc  1 to add, 0 to change, 0 to destroy; issue opened: https://forge/issues/1"),
            "{h}"
        );
        assert!(h.contains("in sync  dev/rds  issue closed: https://forge/issues/2"), "{h}");
        assert!(h.contains("1 drifted component(s) got no issue") && h.ends_with("exit 2: drift found\n"), "{h}");
        let j = json(&s);
        assert_eq!((j["drifted"].as_u64(), j["capped"].as_u64(), j["exit_code"].as_u64()), (Some(2), Some(1), Some(2)));
        assert_eq!(j["components"][0]["action"], "open");
        let m = markdown(&s);
        assert!(m.starts_with("## paved drift: drift found") && m.contains("| ⚠️ drifted | `dev` | `vpc` |"), "{m}");
    }
}
