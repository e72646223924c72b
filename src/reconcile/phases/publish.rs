//! Publish: one check on the commit, one sticky comment on the pull request.

use super::{Next, PhaseFuture};
use crate::reconcile::Context;
use crate::reconcile::conditions::{PUBLISH_FAILED, ReconcileError};
use crate::reconcile::render;
use crate::reconcile::state::{Flow, RunState};
use crate::reconcile::summary::summarize;

pub(super) fn publish<'a>(ctx: &'a Context, st: &'a mut RunState) -> PhaseFuture<'a> {
    Box::pin(async move {
        let (Some(forge), Some(repo)) = (&ctx.forge, st.forge_repo.clone()) else { return Ok(Next::Continue) };
        if st.head.is_none() {
            return Ok(Next::Continue);
        }
        if let Some(id) = st.run_id {
            st.cancelled = ctx.cancels.was_cancelled(id);
        }
        // The outcome as it stands: publish is the last phase that can change it.
        let outcome = summarize(st, None);
        let name = match st.flow {
            Flow::Plan => format!("{}/plan", ctx.settings.check_name),
            Flow::Apply => format!("{}/apply", ctx.settings.check_name),
        };
        let mut problems = Vec::new();
        if let Err(e) = forge.publish_check(&repo, &render::check(st, &outcome, &name)).await {
            problems.push(format!("check: {e}"));
        }
        if let Some(n) = st.request.pull_request {
            let body = render::comment(st, &outcome);
            if let Err(e) = forge.upsert_comment(&repo, n, render::comment_purpose(st.flow), &body).await {
                problems.push(format!("comment: {e}"));
            }
        }
        if problems.is_empty() {
            Ok(Next::Continue)
        } else {
            // The run's work is done; only its report is missing. Retried later.
            Err(ReconcileError::transient(PUBLISH_FAILED, problems.join("; ")))
        }
    })
}
