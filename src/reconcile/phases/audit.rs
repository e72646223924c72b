//! Audit: after an apply, a git note on the applied commit (who merged, who approved, which
//! components, plan digests, results, times), pushed with the notes ref.

use super::{Next, PhaseFuture};
use crate::reconcile::Context;
use crate::reconcile::audit::{AuditComponent, AuditNote};
use crate::reconcile::conditions::{AUDIT_FAILED, ReconcileError};
use crate::reconcile::state::{RunState, TargetStatus};
use crate::reconcile::summary::summarize;

pub(super) fn audit<'a>(ctx: &'a Context, st: &'a mut RunState) -> PhaseFuture<'a> {
    Box::pin(async move {
        // Only runs that tried to change something leave a note.
        let attempted = st.targets.iter().any(|t| !matches!(t.status, TargetStatus::Pending | TargetStatus::Locked));
        let (Some(head), Some(run)) = (st.head.clone(), st.run_id) else { return Ok(Next::Continue) };
        if !attempted {
            return Ok(Next::Continue);
        }
        let note = note(ctx, st, &head.sha, run);
        let line = serde_json::to_string(&note)
            .map_err(|e| ReconcileError::stalled(AUDIT_FAILED, format!("cannot encode the audit note: {e}")))?;
        let handle = &ctx.repos[&st.request.repo];
        handle.notes.add_note(&head.sha, &line).await.map_err(|e| {
            ReconcileError::transient(
                AUDIT_FAILED,
                format!("cannot write the audit note on {}: {}", head.sha, e.message),
            )
        })?;
        Ok(Next::Continue)
    })
}

fn note(ctx: &Context, st: &RunState, sha: &str, run: i64) -> AuditNote {
    let outcome = summarize(st, None);
    let pr = st.pr.as_ref();
    AuditNote {
        paved: 1,
        run,
        repo: st.request.repo.clone(),
        sha: sha.to_string(),
        pull_request: st.request.pull_request,
        author: pr.map(|p| p.author.clone()),
        merged_by: pr.and_then(|p| p.merged_by.clone()).or_else(|| st.request.actor.clone()),
        approved_by: st.approvals.iter().map(|a| a.user.clone()).collect(),
        started_at: st.started_at,
        finished_at: ctx.clock.now(),
        status: outcome.status.as_str().to_string(),
        components: st
            .targets
            .iter()
            .map(|t| AuditComponent {
                stack: t.target.stack.clone(),
                component: t.target.component.clone(),
                result: serde_json::to_value(t.status)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                plan_digest: t.plan.as_ref().and_then(|p| p.plan_digest.clone()),
                reviewed_digest: t.reviewed.as_ref().and_then(|r| r.plan_digest.clone()),
                commands: t.commands.clone(),
            })
            .collect(),
    }
}
