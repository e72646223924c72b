//! Plan: `atmos terraform plan C -s S -out=PLANFILE -input=false -detailed-exitcode` for each
//! affected component, the summary stored with the run.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::Poll;

use super::{Next, PhaseFuture};
use crate::exec::plan::{file_digest, parse_plan, plan_text_digest};
use crate::exec::{AtmosCommand, PlanExit};
use crate::reconcile::conditions::{PLAN_FAILED, ReconcileError};
use crate::reconcile::observer::Progress;
use crate::reconcile::order::{Item, Schedule};
use crate::reconcile::runner;
use crate::reconcile::state::{PlanOutcome, RunState, TargetRun, TargetStatus};
use crate::reconcile::{Context, Target};

use crate::store::{LockKey, NewPlan};

type Planning<'a> = Pin<Box<dyn Future<Output = (usize, Result<PlanOutcome, ReconcileError>)> + Send + 'a>>;

pub(super) fn plan<'a>(ctx: &'a Context, st: &'a mut RunState) -> PhaseFuture<'a> {
    Box::pin(async move {
        let run_id = st.run_id.unwrap_or_default();
        let workdir = st.workdir.clone().unwrap_or_default();
        let order =
            Schedule::order(&items(&st.targets)).map_err(|c| ReconcileError::stalled(PLAN_FAILED, c.to_string()))?;
        let planned: Vec<usize> = order.into_iter().filter(|&i| !st.targets[i].target.deleted).collect();
        ctx.observer.progress(&Progress::Commands(planned.len()));
        let limit = st.config.reconcile.parallelism.max(1);
        let mut running: Vec<Planning<'_>> = Vec::new();
        let mut queue = planned.into_iter();
        let cfg = &st.config;
        let targets = &st.targets;
        let mut results = Vec::new();
        loop {
            while running.len() < limit
                && let Some(i) = queue.next()
            {
                let t = &targets[i].target;
                let wd = &workdir;
                running.push(Box::pin(async move { (i, plan_one(ctx, run_id, t, wd, &cfg.atmos).await) }));
            }
            if running.is_empty() {
                break;
            }
            results.push(next_done(&mut running).await);
        }
        drop(running);
        for (i, result) in results {
            let outcome = result?;
            let t = &mut st.targets[i];
            t.commands.push(outcome.command.clone());
            t.status = match outcome.exit {
                PlanExit::Failed => TargetStatus::PlanFailed,
                PlanExit::NoChanges if !ctx.settings.dry_run => TargetStatus::NoChanges,
                _ => TargetStatus::Planned,
            };
            if t.status == TargetStatus::PlanFailed {
                t.message = outcome.tail.last().cloned();
            } else {
                super::lock::unlock_after_plan(ctx, &t.key()).await;
            }
            t.plan = Some(outcome);
            ctx.observer.progress(&Progress::Target {
                stack: &t.target.stack,
                component: &t.target.component,
                status: t.status,
            });
        }
        let failed: Vec<String> = st
            .targets
            .iter()
            .filter(|t| t.status == TargetStatus::PlanFailed)
            .map(|t| format!("{}/{}", t.target.stack, t.target.component))
            .collect();
        if !failed.is_empty() {
            st.condition(PLAN_FAILED, format!("plan failed for {}", failed.join(", ")));
        }
        Ok(Next::Continue)
    })
}

/// Scheduler items for the run's targets, in the run's order.
pub(super) fn items(targets: &[TargetRun]) -> Vec<Item> {
    targets
        .iter()
        .map(|t| Item { key: t.key(), deleted: t.target.deleted, depends_on: t.target.depends_on.clone() })
        .collect()
}

/// Where the planfile of `key` goes for run `run_id`.
pub(super) fn planfile(root: &Path, run_id: i64, key: &LockKey, suffix: &str) -> PathBuf {
    let slug: String = format!("{}-{}", key.stack, key.component)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' })
        .collect();
    root.join(run_id.to_string()).join(format!("{slug}{suffix}.planfile"))
}

/// Plans one target and records the plan. `Err` only when atmos cannot run at all.
pub(super) async fn plan_one(
    ctx: &Context,
    run_id: i64,
    t: &Target,
    workdir: &Path,
    atmos: &crate::config::AtmosConfig,
) -> Result<PlanOutcome, ReconcileError> {
    let file = planfile(&ctx.settings.plan_root, run_id, &t.key(), "");
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| ReconcileError::stalled(PLAN_FAILED, format!("cannot create {}: {e}", dir.display())))?;
    }
    let cmd = AtmosCommand::plan(&t.component, &t.stack, &file)
        .map_err(|e| ReconcileError::stalled(PLAN_FAILED, e.to_string()))?
        .cwd(workdir);
    let name = format!("plan {}/{}", t.stack, t.component);
    let ran = runner::run(ctx, run_id, &name, cmd, atmos, PLAN_FAILED).await?;
    let o = ran.outcome;
    let exit = o.plan_exit();
    let summary = parse_plan(&o.stdout);
    let ok = exit != PlanExit::Failed;
    let plan_digest = (ok && !ctx.settings.dry_run).then(|| plan_text_digest(&o.stdout));
    let planfile_digest = if ok { file_digest(&file).ok() } else { None };
    let s = summary.unwrap_or_default();
    let record = ctx
        .store
        .record_plan(&NewPlan {
            run_id,
            stack: t.stack.clone(),
            component: t.component.clone(),
            planfile: Some(file.display().to_string()),
            planfile_digest,
            plan_digest: plan_digest.clone(),
            add: s.add,
            change: s.change,
            destroy: s.destroy,
            no_changes: exit == PlanExit::NoChanges,
            exit_code: o.exit_code.unwrap_or(-1),
        })
        .await
        .ok()
        .map(|r| r.id);
    let text = if ok && !ctx.settings.dry_run { crate::exec::plan::normalise_plan(&o.stdout) } else { String::new() };
    Ok(PlanOutcome { command: ran.line, exit, summary, plan_digest, text, planfile: Some(file), record, tail: o.tail })
}

/// Waits for whichever running future ends first and removes it.
pub(super) async fn next_done<T>(running: &mut Vec<Pin<Box<dyn Future<Output = T> + Send + '_>>>) -> T {
    std::future::poll_fn(|cx| {
        for i in 0..running.len() {
            if let Poll::Ready(v) = running[i].as_mut().poll(cx) {
                drop(running.swap_remove(i));
                return Poll::Ready(v);
            }
        }
        Poll::Pending
    })
    .await
}
