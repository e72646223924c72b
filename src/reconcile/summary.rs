//! The summarizer: turns the conditions and targets of a run into its status, conclusion and
//! next action, and writes them to the store once.

use serde_json::{Value, json};

use super::Context;
use super::conditions::{
    AFFECTED_FAILED, APPLY_FAILED, Action, CONFIG_INVALID, FETCH_FAILED, LOCKED, PLAN_CHANGED, PLAN_FAILED,
    REQUIREMENTS_NOT_MET, ReconcileError, STORE_FAILED, VALIDATION_FAILED, error_policy,
};
use super::state::{Flow, RunState, TargetStatus};
use crate::store::{NewRun, RunEnd, RunStatus};

/// How a run ended and what comes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: RunStatus,
    /// One line for the check title and the run list.
    pub conclusion: String,
    pub action: Action,
}

/// Conditions that make a run fail.
const FAILING: &[&str] = &[
    FETCH_FAILED,
    CONFIG_INVALID,
    VALIDATION_FAILED,
    AFFECTED_FAILED,
    PLAN_FAILED,
    REQUIREMENTS_NOT_MET,
    LOCKED,
    PLAN_CHANGED,
    APPLY_FAILED,
    STORE_FAILED,
];

/// Decides the outcome from the state alone (pure).
pub fn summarize(st: &RunState, error: Option<&ReconcileError>) -> Outcome {
    let action = error.map_or(Action::AwaitChange, error_policy);
    let failing: Vec<&str> =
        st.conditions.iter().filter(|c| FAILING.contains(&c.kind)).map(|c| c.message.as_str()).collect();
    if st.cancelled {
        return Outcome { status: RunStatus::Cancelled, conclusion: "cancelled".into(), action: Action::AwaitChange };
    }
    if let Some(first) = failing.first() {
        return Outcome { status: RunStatus::Failed, conclusion: first.to_string(), action };
    }
    let count = |s: TargetStatus| st.targets.iter().filter(|t| t.status == s).count();
    let stopped = st.phases.iter().find_map(|(_, how)| how.strip_prefix("stopped: ").map(str::to_string));
    let conclusion = match (st.flow, stopped) {
        (_, Some(why)) if st.targets.is_empty() => why,
        // Nothing ran: say what would have, never "applied".
        (flow, _) if st.dry_run => {
            let verb = if flow == Flow::Apply { "apply" } else { "plan" };
            let n = st.targets.iter().filter(|t| t.status.is_ok()).count();
            let mut s = format!("dry run: would {verb} {n} component(s); the commands were printed, not run");
            let kept = count(TargetStatus::DestroyNotAllowed);
            if kept > 0 {
                s.push_str(&format!(", {kept} deleted but not destroyed (not allowed)"));
            }
            s
        }
        (Flow::Plan, _) => format!(
            "planned {} component(s): {} with changes, {} without",
            st.targets.len(),
            count(TargetStatus::Planned),
            count(TargetStatus::NoChanges)
        ),
        (Flow::Apply, _) => {
            let mut s = format!(
                "applied {} component(s), {} had no changes",
                count(TargetStatus::Applied),
                count(TargetStatus::NoChanges)
            );
            let destroyed = count(TargetStatus::Destroyed);
            if destroyed > 0 {
                s.push_str(&format!(", destroyed {destroyed}"));
            }
            let kept = count(TargetStatus::DestroyNotAllowed);
            if kept > 0 {
                s.push_str(&format!(", {kept} deleted but not destroyed (not allowed)"));
            }
            s
        }
    };
    Outcome { status: RunStatus::Succeeded, conclusion, action }
}

/// The run's summary as stored (and shown by the API).
pub fn summary_json(st: &RunState) -> Value {
    json!({
        "flow": st.flow,
        "base": st.base.as_ref().map(|b| b.sha.clone()),
        "head": st.head.as_ref().map(|h| h.sha.clone()),
        "config": st.config_source,
        "changed_files": st.changed.len(),
        "validation": {"errors": st.report.summary.errors, "warnings": st.report.summary.warnings},
        "targets": st.targets.iter().map(|t| json!({
            "stack": t.target.stack,
            "component": t.target.component,
            "status": t.status,
            "reasons": t.target.reasons,
            "plan": t.plan.as_ref().map(|p| json!({"summary": p.summary, "digest": p.plan_digest, "exit": p.exit})),
            "reviewed_digest": t.reviewed.as_ref().and_then(|r| r.plan_digest.clone()),
            "applied": t.applied,
            "message": t.message,
            "commands": t.commands,
        })).collect::<Vec<_>>(),
        "requirements": st.requirements,
        "conditions": st.conditions,
        "phases": st.phases.iter().map(|(n, how)| json!({"phase": n, "ended": how})).collect::<Vec<_>>(),
    })
}

/// Writes the run's end, once. A run that never got created (fetch failed) is created now so
/// the failure is on record.
pub(crate) async fn write(ctx: &Context, st: &mut RunState, error: Option<&ReconcileError>) -> Outcome {
    if let Some(id) = st.run_id {
        st.cancelled = ctx.cancels.was_cancelled(id);
        ctx.cancels.forget(id);
    }
    let outcome = summarize(st, error);
    let id = match st.run_id {
        Some(id) => Some(id),
        None => {
            let new = NewRun {
                repo: st.request.repo.clone(),
                git_ref: st.request.git_ref.clone(),
                sha: st.head_sha().to_string(),
                pull_request: st.request.pull_request,
                kind: st.flow.run_kind(),
                actor: st.request.actor.clone(),
            };
            ctx.store.create_run(&new).await.ok().map(|r| r.id)
        }
    };
    st.run_id = id;
    if let Some(id) = id {
        let end =
            RunEnd { status: outcome.status, conclusion: Some(outcome.conclusion.clone()), summary: summary_json(st) };
        let _ = ctx.store.finish_run(id, &end).await;
        let kind = match st.flow {
            Flow::Plan => "plan.finished",
            Flow::Apply => "apply.finished",
        };
        let payload = json!({"run": id, "repo": st.request.repo, "sha": st.head_sha(),
            "status": outcome.status.as_str(), "conclusion": outcome.conclusion});
        let _ = ctx.store.publish_event(kind, &payload).await;
    }
    outcome
}
