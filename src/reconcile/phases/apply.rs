//! Apply: in dependency order, independent components in parallel up to a limit. Each target is
//! re-planned and compared with the plan reviewed on the pull request; only an identical plan
//! is deployed. A failure stops its dependents and keeps its lock.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use super::plan::{items, next_done, plan_one};
use super::{Next, PhaseFuture};
use crate::config::Config;
use crate::exec::plan::parse_apply;
use crate::exec::{AtmosCommand, PlanExit};
use crate::reconcile::Context;
use crate::reconcile::conditions::{APPLY_FAILED, DESTROY_NOT_ALLOWED, PLAN_CHANGED, PLAN_FAILED, ReconcileError};
use crate::reconcile::observer::Progress;
use crate::reconcile::order::Schedule;
use crate::reconcile::runner;
use crate::reconcile::state::{RunState, TargetRun, TargetStatus};

/// A failed apply keeps its lock this long: in practice until a new plan or an admin frees it.
const KEEP: Duration = Duration::from_secs(10 * 365 * 86_400);

/// What every target's apply reads.
struct Shared<'a> {
    run_id: i64,
    config: &'a Config,
    workdir: PathBuf,
    /// Where destroys run: the base's files still define the deleted components.
    base_workdir: Option<PathBuf>,
    /// A pull request was reviewed: each plan must match the reviewed one.
    reviewed_required: bool,
}

type Running<'a> = Vec<Pin<Box<dyn Future<Output = (usize, TargetRun, bool)> + Send + 'a>>>;

pub(super) fn apply<'a>(ctx: &'a Context, st: &'a mut RunState) -> PhaseFuture<'a> {
    Box::pin(async move {
        let mut schedule =
            Schedule::new(&items(&st.targets)).map_err(|c| ReconcileError::stalled(APPLY_FAILED, c.to_string()))?;
        let base_workdir = match (&st.base, st.targets.iter().any(|t| t.target.deleted)) {
            (Some(b), true) => ctx.repos[&st.request.repo].repo.workdir(&b.sha).await.ok(),
            _ => None,
        };
        let shared = Shared {
            run_id: st.run_id.unwrap_or_default(),
            config: &st.config,
            workdir: st.workdir.clone().unwrap_or_default(),
            base_workdir,
            reviewed_required: st.pr.is_some() && ctx.forge.is_some(),
        };
        let keeper = keep_leases(ctx, &st.locks, st.config.reconcile.lock_lease);
        // A re-plan and a deploy each, a destroy alone.
        let commands = st.targets.iter().map(|t| if t.target.deleted { 1 } else { 2 }).sum();
        ctx.observer.progress(&Progress::Commands(commands));

        // Targets whose lock is held elsewhere never start; their dependents neither.
        let mut updates: Vec<(usize, TargetRun)> = Vec::new();
        let mut skipped = Vec::new();
        for i in 0..st.targets.len() {
            if st.targets[i].status == TargetStatus::Locked {
                skipped.extend(schedule.hold_back(i).into_iter().map(|j| (j, i)));
            }
        }
        // A dry run prints its commands in one true dependency order.
        let limit = if ctx.settings.dry_run { 1 } else { ctx.settings.parallelism(st.config.reconcile.parallelism) };
        let mut running: Running<'_> = Vec::new();
        let targets = &st.targets;
        loop {
            let free = limit.saturating_sub(running.len());
            for i in schedule.take_ready(free) {
                let t = targets[i].clone();
                let shared = &shared;
                running.push(Box::pin(async move {
                    let (done, ok) = apply_one(ctx, shared, t).await;
                    // Inside the target's future, not after `next_done`: awaiting the store out
                    // there leaves the other futures unpolled, and one of them may hold SQLite's
                    // write lock mid-transaction — the release then sat in the busy handler.
                    if done.status != TargetStatus::ApplyFailed {
                        let _ = ctx.store.release_lock(&done.key(), &ctx.settings.replica).await;
                    }
                    (i, done, ok)
                }));
            }
            if running.is_empty() {
                break;
            }
            let (i, done, ok) = next_done(&mut running).await;
            if !ok {
                skipped.extend(schedule.finish(i, false).into_iter().map(|j| (j, i)));
            } else {
                schedule.finish(i, true);
            }
            updates.push((i, done));
        }
        drop(running);
        keeper.abort();

        for (i, done) in updates {
            if done.status == TargetStatus::ApplyFailed {
                let key = done.key();
                let _ = ctx.store.renew_lock(&key, &ctx.settings.replica, KEEP).await;
                st.kept_locks.push(key);
            }
            st.targets[i] = done;
        }
        for (j, because) in skipped {
            let cause = format!("{}/{}", st.targets[because].target.stack, st.targets[because].target.component);
            let t = &mut st.targets[j];
            if t.status == TargetStatus::Pending {
                t.status = TargetStatus::Skipped;
                t.message = Some(format!("not applied: it depends on {cause}, which was not applied"));
            }
        }
        for t in &st.targets {
            ctx.observer.progress(&Progress::Target {
                stack: &t.target.stack,
                component: &t.target.component,
                status: t.status,
            });
        }
        conditions(st);
        Ok(Next::Continue)
    })
}

fn conditions(st: &mut RunState) {
    let list = |st: &RunState, s: TargetStatus| -> Vec<String> {
        st.targets
            .iter()
            .filter(|t| t.status == s)
            .map(|t| format!("{}/{}", t.target.stack, t.target.component))
            .collect()
    };
    for (status, kind, what) in [
        (TargetStatus::ApplyFailed, APPLY_FAILED, "apply failed for"),
        (TargetStatus::PlanFailed, PLAN_FAILED, "re-plan failed for"),
        (TargetStatus::PlanChanged, PLAN_CHANGED, "the plan changed after review for"),
        (TargetStatus::NotReviewed, PLAN_CHANGED, "no reviewed plan for"),
        (
            TargetStatus::DestroyNotAllowed,
            DESTROY_NOT_ALLOWED,
            "deleted but not destroyed (reconcile.apply.allow_destroy is off):",
        ),
    ] {
        let names = list(st, status);
        if !names.is_empty() {
            st.condition(kind, format!("{what} {}", names.join(", ")));
        }
    }
}

/// Renews the run's locks while applies run, so a long apply keeps them.
fn keep_leases(ctx: &Context, keys: &[crate::store::LockKey], lease: Duration) -> tokio::task::JoinHandle<()> {
    let store = Arc::clone(&ctx.store);
    let keys = keys.to_vec();
    let owner = ctx.settings.replica.clone();
    tokio::spawn(async move {
        let every = (lease / 3).max(Duration::from_millis(100));
        loop {
            tokio::time::sleep(every).await;
            for k in &keys {
                let _ = store.renew_lock(k, &owner, lease).await;
            }
        }
    })
}

/// Re-plans, compares and deploys (or destroys) one target. The bool: dependents may go on.
async fn apply_one(ctx: &Context, sh: &Shared<'_>, mut t: TargetRun) -> (TargetRun, bool) {
    if t.target.deleted {
        return destroy(ctx, sh, t).await;
    }
    let plan = match plan_one(ctx, sh.run_id, &t.target, &sh.workdir, &sh.config.atmos).await {
        Ok(p) => p,
        Err(e) => return fail(t, TargetStatus::PlanFailed, e.message),
    };
    t.commands.push(plan.command.clone());
    let exit = plan.exit;
    let digest = plan.plan_digest.clone();
    let planfile = plan.planfile.clone();
    let tail = plan.tail.last().cloned();
    t.plan = Some(plan);
    if exit == PlanExit::Failed {
        return fail(t, TargetStatus::PlanFailed, tail.unwrap_or_else(|| "the plan failed".into()));
    }
    if sh.reviewed_required && !ctx.settings.dry_run {
        match &t.reviewed {
            None => return fail(t, TargetStatus::NotReviewed, "no plan of it was made on the pull request".into()),
            Some(r) if r.plan_digest != digest => {
                let msg = "the plan at the merge commit differs from the plan reviewed on the pull request: \
                           not applied; plan the change again";
                return fail(t, TargetStatus::PlanChanged, msg.into());
            }
            Some(_) => {}
        }
    }
    if exit == PlanExit::NoChanges && !ctx.settings.dry_run {
        t.status = TargetStatus::NoChanges;
        return (t, true);
    }
    let Some(planfile) = planfile else { return fail(t, TargetStatus::ApplyFailed, "no planfile".into()) };
    let cmd = match AtmosCommand::deploy(&t.target.component, &t.target.stack, &planfile) {
        Ok(c) => c.cwd(&sh.workdir),
        Err(e) => return fail(t, TargetStatus::ApplyFailed, e.to_string()),
    };
    execute(ctx, sh, t, cmd, "apply", TargetStatus::Applied).await
}

async fn destroy(ctx: &Context, sh: &Shared<'_>, mut t: TargetRun) -> (TargetRun, bool) {
    if !sh.config.reconcile.apply.allow_destroy {
        t.status = TargetStatus::DestroyNotAllowed;
        t.message = Some("removed from the stacks; set reconcile.apply.allow_destroy to destroy it".into());
        return (t, true);
    }
    let Some(dir) = sh.base_workdir.as_deref().or(Some(Path::new(&sh.workdir))).map(Path::to_path_buf) else {
        return fail(t, TargetStatus::ApplyFailed, "no checkout of the base".into());
    };
    match AtmosCommand::destroy(&t.target.component, &t.target.stack) {
        Ok(c) => {
            let cmd = c.cwd(dir);
            t.status = TargetStatus::Pending;
            execute(ctx, sh, t, cmd, "destroy", TargetStatus::Destroyed).await
        }
        Err(e) => fail(t, TargetStatus::ApplyFailed, e.to_string()),
    }
}

async fn execute(
    ctx: &Context,
    sh: &Shared<'_>,
    mut t: TargetRun,
    cmd: AtmosCommand,
    verb: &str,
    success: TargetStatus,
) -> (TargetRun, bool) {
    let name = format!("{verb} {}/{}", t.target.stack, t.target.component);
    match runner::run(ctx, sh.run_id, &name, cmd, &sh.config.atmos, APPLY_FAILED).await {
        Ok(ran) => {
            t.commands.push(ran.line);
            if ran.outcome.success() {
                t.applied = parse_apply(&ran.outcome.stdout);
                t.status = success;
                (t, true)
            } else {
                let why = ran.outcome.tail.iter().rev().find(|l| l.contains("Error")).cloned();
                fail(t, TargetStatus::ApplyFailed, why.unwrap_or_else(|| format!("{verb} failed")))
            }
        }
        Err(e) => fail(t, TargetStatus::ApplyFailed, e.message),
    }
}

fn fail(mut t: TargetRun, status: TargetStatus, message: String) -> (TargetRun, bool) {
    t.status = status;
    t.message = Some(message);
    (t, false)
}
