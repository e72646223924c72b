//! What a run shows on the forge: the sticky comment (a table of stack × component with adds,
//! changes and destroys, details folded, policy results) and the check (annotations on the
//! changed stack lines). Pure functions of the run's state.

use std::fmt::Write;

use super::state::{Flow, RunState, TargetRun, TargetStatus};
use super::summary::Outcome;
use crate::forge::{Annotation, AnnotationLevel, Check, CheckConclusion, CheckStatus};
use crate::report::Severity;
use crate::store::RunStatus;

/// Most characters of one component's plan shown in the comment.
const PLAN_EXCERPT: usize = 20_000;

/// The sticky comment's purpose (its hidden marker) for a flow.
pub fn comment_purpose(flow: Flow) -> &'static str {
    match flow {
        Flow::Plan => "plan",
        Flow::Apply => "apply",
    }
}

fn status_cell(t: &TargetRun, dry_run: bool) -> String {
    let (icon, word) = match t.status {
        TargetStatus::Applied if dry_run => ("📝", "would apply"),
        TargetStatus::Destroyed if dry_run => ("📝", "would destroy"),
        TargetStatus::Pending => ("⏳", "pending"),
        TargetStatus::Planned => ("📝", "changes"),
        TargetStatus::NoChanges => ("✅", "no changes"),
        TargetStatus::PlanFailed => ("❌", "plan failed"),
        TargetStatus::Applied => ("✅", "applied"),
        TargetStatus::Destroyed => ("🗑️", "destroyed"),
        TargetStatus::ApplyFailed => ("❌", "apply failed"),
        TargetStatus::PlanChanged => ("⛔", "plan changed since review"),
        TargetStatus::NotReviewed => ("⛔", "not reviewed"),
        TargetStatus::Locked => ("🔒", "locked"),
        TargetStatus::DestroyNotAllowed => ("⚠️", "deleted, destroy not allowed"),
        TargetStatus::Skipped => ("⏭️", "skipped"),
    };
    format!("{icon} {word}")
}

fn counts(t: &TargetRun) -> (String, String, String) {
    match t.plan.as_ref().and_then(|p| p.summary) {
        Some(s) => (s.add.to_string(), s.change.to_string(), s.destroy.to_string()),
        None if t.target.deleted => ("".into(), "".into(), "all".into()),
        None => ("–".into(), "–".into(), "–".into()),
    }
}

fn md_escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The table of targets.
pub fn table(st: &RunState) -> String {
    let mut out = String::from("| Stack | Component | Add | Change | Destroy | Status |\n|---|---|--:|--:|--:|---|\n");
    for t in &st.targets {
        let (a, c, d) = counts(t);
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {a} | {c} | {d} | {} |",
            md_escape(&t.target.stack),
            md_escape(&t.target.component),
            status_cell(t, st.dry_run)
        );
    }
    out
}

/// The sticky comment body (the forge layer adds the marker and splits it).
pub fn comment(st: &RunState, outcome: &Outcome) -> String {
    let mut out = String::new();
    let what = match st.flow {
        Flow::Plan => "plan",
        Flow::Apply => "apply",
    };
    let icon = if outcome.status == RunStatus::Succeeded { "✅" } else { "❌" };
    let _ = writeln!(out, "### {icon} paved {what} · `{}`\n", short(st.head_sha()));
    let _ = writeln!(out, "{}\n", outcome.conclusion);
    let _ =
        writeln!(out, "_Rules from paved.yaml at the {}; {} changed file(s)._\n", st.config_source, st.changed.len());
    if !st.targets.is_empty() {
        out.push_str(&table(st));
        out.push('\n');
    }
    for t in &st.targets {
        if let Some(m) = &t.message {
            let _ = writeln!(out, "- `{}/{}`: {}", t.target.stack, t.target.component, md_escape(m));
        }
    }
    for t in st.targets.iter().filter(|t| t.plan.as_ref().is_some_and(|p| !p.text.is_empty())) {
        let text = t.plan.as_ref().map(|p| p.text.as_str()).unwrap_or_default();
        let cut: String = text.chars().take(PLAN_EXCERPT).collect();
        let more = if cut.len() < text.len() { "\n… (cut; the full plan is in the run log)" } else { "" };
        let _ = write!(
            out,
            "\n<details><summary>Plan of <code>{}</code> in <code>{}</code></summary>\n\n```diff\n{}{more}\n```\n\n</details>\n",
            t.target.component,
            t.target.stack,
            cut.replace("```", "`\u{200b}``")
        );
    }
    if !st.requirements.is_empty() {
        out.push_str("\n#### Apply requirements\n\n");
        for r in &st.requirements {
            let _ = writeln!(out, "- {} **{}**: {}", if r.met { "✅" } else { "❌" }, r.name, md_escape(&r.detail));
        }
    }
    let policies: Vec<_> = st.report.diagnostics.iter().filter(|d| d.rule.starts_with("policy/")).collect();
    if !policies.is_empty() {
        out.push_str("\n#### Policies\n\n");
        for d in &policies {
            let _ =
                writeln!(out, "- {} `{}` {}:{}: {}", sev(d.severity), d.rule, d.file, d.line, md_escape(&d.message));
        }
    }
    let others: Vec<_> = st.report.diagnostics.iter().filter(|d| !d.rule.starts_with("policy/")).collect();
    if !others.is_empty() {
        let s = &st.report.summary;
        let _ = write!(
            out,
            "\n<details><summary>Validation: {} error(s), {} warning(s)</summary>\n\n",
            s.errors, s.warnings
        );
        for d in others.iter().take(200) {
            let _ =
                writeln!(out, "- {} `{}` {}:{}: {}", sev(d.severity), d.rule, d.file, d.line, md_escape(&d.message));
        }
        out.push_str("\n</details>\n");
    }
    out
}

fn sev(s: Severity) -> &'static str {
    match s {
        Severity::Error => "❌",
        Severity::Warning => "⚠️",
        Severity::Note => "ℹ️",
    }
}

/// The check on the reconciled commit.
pub fn check(st: &RunState, outcome: &Outcome, name: &str) -> Check {
    let conclusion = match outcome.status {
        RunStatus::Succeeded => CheckConclusion::Success,
        RunStatus::Cancelled => CheckConclusion::Cancelled,
        _ => CheckConclusion::Failure,
    };
    let mut check = Check::new(name, st.head_sha(), CheckStatus::Completed(conclusion));
    check.title = outcome.conclusion.clone();
    check.summary = table(st);
    check.external_id = st.run_id.map(|id| id.to_string());
    check.change_request = st.request.pull_request;
    check.annotations = annotations(st);
    check
}

/// Diagnostics in changed files, and a notice on the changed lines of each target's definition
/// (on the definition line itself when the changed lines are not known).
pub fn annotations(st: &RunState) -> Vec<Annotation> {
    let changed = |f: &str| st.changed.is_empty() || st.changed.iter().any(|c| c == f);
    let mut out: Vec<Annotation> =
        st.report.diagnostics.iter().filter(|d| !d.file.is_empty() && changed(&d.file)).map(Annotation::from).collect();
    for t in &st.targets {
        let Some(loc) = t.target.location.as_ref().filter(|l| changed(&l.file)) else { continue };
        let (a, c, d) = counts(t);
        let level = if t.status.is_ok() || t.status == TargetStatus::Pending {
            AnnotationLevel::Notice
        } else {
            AnnotationLevel::Failure
        };
        let message = format!(
            "{}: +{a} ~{c} -{d}{}",
            status_cell(t, st.dry_run),
            t.message.as_deref().map(|m| format!("\n{m}")).unwrap_or_default()
        );
        let mut ranges = lines_of(st, loc);
        if ranges.is_empty() {
            ranges.push((loc.line.max(1), loc.line.max(1)));
        }
        for (start, end) in ranges {
            out.push(Annotation {
                path: loc.file.clone(),
                start_line: start,
                end_line: end.max(start),
                level,
                title: Some(format!("{} in {}", t.target.component, t.target.stack)),
                message: message.clone(),
            });
        }
    }
    out
}

/// Hunks a change made to a file, at most this many annotated per target (the rest are in the diff).
const HUNKS_PER_TARGET: usize = 10;

/// The changed lines that belong to the component defined at `loc`: from its definition line
/// up to the next definition in the same file (another component's block).
fn lines_of(st: &RunState, loc: &crate::reconcile::Location) -> Vec<(u32, u32)> {
    let Some(hunks) = st.changed_lines.get(&loc.file) else { return Vec::new() };
    let next = st
        .targets
        .iter()
        .filter_map(|t| t.target.location.as_ref())
        .filter(|l| l.file == loc.file && l.line > loc.line)
        .map(|l| l.line)
        .min()
        .unwrap_or(u32::MAX);
    hunks.iter().copied().filter(|&(start, end)| end >= loc.line && start < next).take(HUNKS_PER_TARGET).collect()
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}
