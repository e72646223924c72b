//! Draining the persisted queue: claim a request under a lease, reconcile it, complete it, and
//! put it back later when the outcome asks for a requeue. `paved serve` runs [`run`] next to
//! its HTTP intake; `paved reconcile` runs it until the queue is empty.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::conditions::Action;
use super::reason::Reason;
use super::state::RunState;
use super::summary::Outcome;
use super::{Context, reconcile};
use crate::store::{InterruptScope, ReconcileRequest, Result as StoreResult};

/// How long a claim lasts without renewal.
pub const CLAIM_LEASE: Duration = Duration::from_secs(120);

/// What one claimed request came to.
#[derive(Debug)]
pub struct Worked {
    pub request: ReconcileRequest,
    /// The run, when the request asked for one (an unlock does not).
    pub run: Option<(RunState, Outcome)>,
}

/// On start-up: runs this replica left running are interrupted; their locks stay pinned, so
/// nothing they were applying is applied again without a new plan. Returns their ids.
pub async fn recover(ctx: &Context, scope: &InterruptScope) -> StoreResult<Vec<i64>> {
    ctx.store.mark_interrupted(scope).await
}

/// Claims the oldest waiting request and reconciles it. `None` when the queue is empty.
pub async fn work_one(ctx: &Context) -> StoreResult<Option<Worked>> {
    let Some(claim) = ctx.store.claim_next(&ctx.settings.replica, CLAIM_LEASE).await? else {
        return Ok(None);
    };
    let keeper = {
        let store = Arc::clone(&ctx.store);
        let (id, replica) = (claim.id, ctx.settings.replica.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(CLAIM_LEASE / 3).await;
                if !store.renew_lease(id, &replica, CLAIM_LEASE).await.unwrap_or(false) {
                    return;
                }
            }
        })
    };
    let reason = Reason::parse(&claim.request.reason);
    let run = match reason.request(&claim.request) {
        Some(request) => Some(reconcile(request, ctx).await),
        None => {
            if reason == Reason::Unlock
                && let Some(pr) = claim.request.pull_request
            {
                unlock_pull_request(ctx, pr).await?;
            }
            None
        }
    };
    keeper.abort();
    ctx.store.complete(claim.id, &ctx.settings.replica).await?;
    Ok(Some(Worked { request: claim.request, run }))
}

/// Works until `stop` is cancelled: requests are taken as they come (checking every `idle`
/// when the queue is empty); a requeue puts the request back after its delay.
pub async fn run(ctx: Arc<Context>, stop: CancellationToken, idle: Duration) {
    while !stop.is_cancelled() {
        match work_one(&ctx).await {
            Ok(Some(worked)) => {
                if let Some((_, Outcome { action: Action::Requeue(after), .. })) = &worked.run {
                    let after = *after;
                    let (store, req) = (Arc::clone(&ctx.store), worked.request.clone());
                    let stop = stop.clone();
                    tokio::spawn(async move {
                        tokio::select! {
                            _ = tokio::time::sleep(after) => { let _ = store.enqueue(&req).await; }
                            _ = stop.cancelled() => {}
                        }
                    });
                }
            }
            Ok(None) | Err(_) => {
                tokio::select! {
                    _ = tokio::time::sleep(idle) => {}
                    _ = stop.cancelled() => {}
                }
            }
        }
    }
    // Graceful shutdown: give back unpinned locks.
    let _ = ctx.store.release_all(&ctx.settings.replica).await;
}

/// `/paved unlock`: every lock the pull request's runs hold or kept is released.
pub async fn unlock_pull_request(ctx: &Context, pull_request: u64) -> StoreResult<Vec<crate::store::LockKey>> {
    let mut freed = Vec::new();
    for lock in ctx.store.list_locks().await? {
        if lock.pull_request == Some(pull_request) && ctx.store.force_unlock(&lock.key).await?.is_some() {
            freed.push(lock.key);
        }
    }
    Ok(freed)
}

/// The queue consumer `paved serve` runs: [`run`] as a value.
#[derive(Clone)]
pub struct Worker {
    pub ctx: Arc<Context>,
    /// How often an empty queue is checked again.
    pub idle: Duration,
}

impl Worker {
    pub fn new(ctx: Arc<Context>) -> Worker {
        Worker { ctx, idle: Duration::from_secs(1) }
    }

    /// Works until `shutdown` is cancelled; the request in hand is finished, then unpinned
    /// locks are released.
    pub async fn run(&self, shutdown: CancellationToken) {
        run(Arc::clone(&self.ctx), shutdown, self.idle).await
    }

    /// Cancels a running run of this process (`/paved cancel`). False when it is not running here.
    pub fn cancel(&self, run_id: i64) -> bool {
        self.ctx.cancels.cancel(run_id)
    }
}
