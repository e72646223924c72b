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
use crate::store::{Claim, InterruptScope, LockKey, ReconcileRequest, Result as StoreResult, Store};

/// How long a claim lasts without renewal, unless `Settings::claim_lease` says otherwise.
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
    match claim(ctx).await? {
        Some(claim) => work_claimed(ctx, claim).await.map(Some),
        None => Ok(None),
    }
}

/// Claims the oldest waiting request under this replica's lease, without working it.
pub async fn claim(ctx: &Context) -> StoreResult<Option<Claim>> {
    ctx.store.claim_next(&ctx.settings.replica, ctx.settings.claim_lease).await
}

/// Reconciles a request [`claim`] returned (renewing its lease meanwhile) and completes it.
pub async fn work_claimed(ctx: &Context, claim: Claim) -> StoreResult<Worked> {
    let lease = ctx.settings.claim_lease;
    let keeper = {
        let store = Arc::clone(&ctx.store);
        let (id, replica) = (claim.id, ctx.settings.replica.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(lease / 3).await;
                if !store.renew_lease(id, &replica, lease).await.unwrap_or(false) {
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
                unlock_pull_request(ctx.store.as_ref(), &claim.request.repo, pr).await?;
            }
            None
        }
    };
    keeper.abort();
    ctx.store.complete(claim.id, &ctx.settings.replica).await?;
    Ok(Worked { request: claim.request, run })
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

/// What [`unlock_pull_request`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unlocked {
    pub released: Vec<LockKey>,
    /// Locks left alone, each with why.
    pub kept: Vec<(LockKey, KeptBecause)>,
}

/// Why `/paved unlock` left a lock in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeptBecause {
    /// Pinned by an apply that was in flight when paved stopped: it may have changed
    /// infrastructure half-way, so only a new successful plan or an admin releases it.
    Interrupted,
    /// An apply of this pull request is running right now.
    Running,
}

/// `/paved unlock`, the one rule for it (the server's ChatOps and the queue both call this):
/// every lock of `repo`'s pull request is released — a lock kept by a failed apply, a lease
/// left behind — except one pinned by an in-flight apply (interrupted, or still running).
/// The admin `DELETE /api/v1/locks` force-releases with [`Locks::force_unlock`] instead.
///
/// [`Locks::force_unlock`]: crate::store::Locks::force_unlock
pub async fn unlock_pull_request(store: &dyn Store, repo: &str, pull_request: u64) -> StoreResult<Unlocked> {
    let mut done = Unlocked::default();
    for lock in store.list_locks().await? {
        if lock.pull_request != Some(pull_request) {
            continue;
        }
        // Pull request numbers are per repository: another repository's #N is not ours.
        let run = store.get_run(lock.run_id).await?;
        if run.as_ref().is_some_and(|r| r.repo != repo) {
            continue;
        }
        if lock.is_pinned() {
            done.kept.push((lock.key, KeptBecause::Interrupted));
        } else if run.is_some_and(|r| !r.status.is_terminal()) {
            done.kept.push((lock.key, KeptBecause::Running));
        } else if store.force_unlock(&lock.key).await?.is_some() {
            done.released.push(lock.key);
        }
    }
    Ok(done)
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
