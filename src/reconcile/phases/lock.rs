//! Requirements and locks: what must hold before anything is applied.

use std::collections::BTreeMap;
use std::time::Duration;

use super::{Next, PhaseFuture};
use crate::reconcile::Context;
use crate::reconcile::conditions::{LOCKED, REQUIREMENTS_NOT_MET, ReconcileError};
use crate::reconcile::requirements::{Facts, Requirement, evaluate};
use crate::reconcile::state::{RunState, TargetStatus};
use crate::store::{LockKey, LockOutcome, LockRequest};

/// How long to wait before trying again when a live run holds a lock.
pub(crate) const LOCK_RETRY: Duration = Duration::from_secs(30);

/// Apply requirements, read with the base's rules and the base's catalog.
pub(super) fn requirements<'a>(ctx: &'a Context, st: &'a mut RunState) -> PhaseFuture<'a> {
    Box::pin(async move {
        let (Some(pr), Some(forge), Some(repo)) = (st.pr.clone(), &ctx.forge, st.forge_repo.clone()) else {
            st.requirements.push(Requirement {
                name: "pull-request",
                met: true,
                detail: "no pull request: approvals are not checked (a local or direct run)".into(),
            });
            return Ok(Next::Continue);
        };
        let transient = |e: crate::forge::ForgeError| ReconcileError::transient(REQUIREMENTS_NOT_MET, format!("{e}"));
        st.approvals = forge.approvals(&repo, pr.number).await.map_err(transient)?;

        let catalog = st.base.as_ref().or(st.head.as_ref()).map(|r| r.files.clone());
        let mut members = BTreeMap::new();
        for owner in st.targets.iter().filter_map(|t| t.target.owner.clone()) {
            if let std::collections::btree_map::Entry::Vacant(slot) = members.entry(owner) {
                let found = catalog.as_ref().and_then(|f| ctx.directory.members(f.as_ref(), &st.config, slot.key()));
                slot.insert(found);
            }
        }
        let mut reviewed = BTreeMap::new();
        for t in &mut st.targets {
            let plan = ctx.store.latest_plan(&st.request.repo, pr.number, &t.key()).await.map_err(|e| {
                ReconcileError::transient(REQUIREMENTS_NOT_MET, format!("cannot read the reviewed plans: {e}"))
            })?;
            if let Some(p) = plan {
                reviewed.insert(format!("{}/{}", t.target.stack, t.target.component), p.clone());
                t.reviewed = Some(p);
            }
        }
        let targets: Vec<_> = st.targets.iter().map(|t| t.target.clone()).collect();
        st.requirements = evaluate(&Facts {
            rules: &st.config.reconcile.apply,
            pr: &pr,
            approvals: &st.approvals,
            targets: &targets,
            members: &members,
            reviewed: &reviewed,
            now: ctx.clock.now(),
        });
        let unmet: Vec<String> =
            st.requirements.iter().filter(|r| !r.met).map(|r| format!("{}: {}", r.name, r.detail)).collect();
        if unmet.is_empty() {
            Ok(Next::Continue)
        } else {
            Err(ReconcileError::stalled(REQUIREMENTS_NOT_MET, unmet.join("; ")))
        }
    })
}

/// Takes the lock of every target, in key order so two runs never wait on each other.
pub(super) fn lock<'a>(ctx: &'a Context, st: &'a mut RunState) -> PhaseFuture<'a> {
    Box::pin(async move {
        let run_id = st.run_id.unwrap_or_default();
        let mut order: Vec<usize> = (0..st.targets.len()).collect();
        order.sort_by_key(|&i| st.targets[i].key());
        let mut busy = Vec::new();
        for i in order {
            let key = st.targets[i].key();
            let req = LockRequest {
                key: key.clone(),
                owner: ctx.settings.replica.clone(),
                run_id,
                pull_request: st.request.pull_request,
                lease: st.config.reconcile.lock_lease,
            };
            let outcome = ctx.store.acquire_lock(&req).await.map_err(|e| {
                ReconcileError::transient(LOCKED, format!("cannot take the lock of {}: {e}", label(&key)))
            })?;
            match outcome {
                LockOutcome::Acquired { .. } => st.locks.push(key),
                LockOutcome::HeldBy(holder) => {
                    let ended = match ctx.store.get_run(holder.run_id).await {
                        Ok(Some(run)) => run.status.is_terminal().then_some(run.status),
                        _ => None,
                    };
                    let t = &mut st.targets[i];
                    t.status = TargetStatus::Locked;
                    t.message = Some(match ended {
                        Some(status) => format!(
                            "locked by run {} ({status}): plan it again to release the lock, or unlock it",
                            holder.run_id
                        ),
                        None => format!("locked by run {} on {}", holder.run_id, holder.owner),
                    });
                    if ended.is_none() {
                        busy.push(label(&key));
                    }
                }
            }
        }
        if !busy.is_empty() {
            // A live run will finish: hand everything back and come again.
            release_unkept(ctx, st).await;
            return Err(ReconcileError::waiting(
                LOCKED,
                format!("{} locked by a running run", busy.join(", ")),
                LOCK_RETRY,
            ));
        }
        let kept: Vec<String> = st
            .targets
            .iter()
            .filter(|t| t.status == TargetStatus::Locked)
            .map(|t| format!("{}: {}", label(&t.key()), t.message.as_deref().unwrap_or("")))
            .collect();
        if !kept.is_empty() {
            st.condition(LOCKED, kept.join("; "));
        }
        Ok(Next::Continue)
    })
}

/// After a successful plan: a lock kept by a failed or interrupted run is released (a new plan
/// is what it waited for).
pub(crate) async fn unlock_after_plan(ctx: &Context, key: &LockKey) {
    let Ok(locks) = ctx.store.list_locks().await else { return };
    let Some(lock) = locks.into_iter().find(|l| &l.key == key) else { return };
    if let Ok(Some(run)) = ctx.store.get_run(lock.run_id).await
        && run.status.is_terminal()
    {
        let _ = ctx.store.force_unlock(key).await;
    }
}

/// Gives back every lock of the run except those kept after a failed apply.
pub(crate) async fn release_unkept(ctx: &Context, st: &mut RunState) {
    for key in std::mem::take(&mut st.locks) {
        if !st.kept_locks.contains(&key) {
            let _ = ctx.store.release_lock(&key, &ctx.settings.replica).await;
        }
    }
}

pub(crate) fn label(key: &LockKey) -> String {
    format!("{}/{}", key.stack, key.component)
}
