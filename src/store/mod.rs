//! paved's state: runs and their steps and logs, plans, locks, events, webhook deliveries and
//! the queue of reconcile requests.
//!
//! Two backends sit behind the same traits: SQLite (a file, `.paved/state.db`, zero set-up) and
//! PostgreSQL (several replicas share the work). The reconciler sees only [`Store`]: a bundle of
//! small traits, one per concern, so a part that only takes locks can ask for `&dyn Locks`.
//!
//! Time comes from an injected [`Clock`], so lease expiry is tested by moving a fake clock.
//!
//! Work is shared between replicas through leases: a claimed request or a held lock carries the
//! time its lease ends; a replica that dies stops renewing, and another takes the work over once
//! the lease has run out. Locks of runs that were interrupted (paved restarted in the middle of
//! them) are pinned instead: they never expire, so nothing is applied again without a new plan.
//!
//! Durability: what paved promised someone else waits for the disk — a queued request and its
//! webhook delivery (the forge was told `202`), locks, drift leases. The records of runs
//! (runs, steps, logs, plans, events) and the queue's claims do not: on PostgreSQL they are
//! committed with `synchronous_commit = off`, which makes them visible at once but lets a
//! database crash lose the last fraction of a second of them (a transaction is lost whole or
//! kept whole, and nothing written before a later durable commit is lost: the WAL is flushed
//! in order). A lost claim or completion only means the request runs again; a lost plan record
//! makes the apply requirements ask for a new plan. Waiting for a flush (a few milliseconds on
//! ordinary disks) on each of a run's dozen writes was most of a pull request's time to its
//! check. SQLite in WAL mode with `synchronous = NORMAL` already commits without a flush.

mod backend;
mod clock;
mod drift;
mod error;
mod logic;
mod model;
mod open;
mod postgres;
mod rows;
mod sql;
mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;

pub use clock::{Clock, FakeClock, SystemClock};
pub use drift::{DriftState, DriftStates};
pub use error::{Result, StoreError};
pub use model::*;
pub use open::{StoreTarget, open};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// Runs: one plan, apply or drift pass each.
#[async_trait]
pub trait Runs: Send + Sync {
    /// Records a new run, `queued`.
    async fn create_run(&self, run: &NewRun) -> Result<Run>;
    /// `queued` → `running` on `replica`. False when the run is not queued.
    async fn start_run(&self, id: i64, replica: &str) -> Result<bool>;
    /// `queued`/`running` → a terminal status. False when the run had already ended (e.g. it
    /// was marked interrupted meanwhile: the first ending wins).
    async fn finish_run(&self, id: i64, end: &RunEnd) -> Result<bool>;
    async fn get_run(&self, id: i64) -> Result<Option<Run>>;
    /// Runs matching `filter`, newest first.
    async fn list_runs(&self, filter: &RunFilter) -> Result<Vec<Run>>;
    /// On start-up: `running` runs in `scope` become `interrupted`, their running steps too, and
    /// their locks are pinned (held until a new successful plan or apply, or an admin, unlocks
    /// them). Returns the ids of the runs it ended.
    async fn mark_interrupted(&self, scope: &InterruptScope) -> Result<Vec<i64>>;
}

/// Steps of a run and their logs.
#[async_trait]
pub trait Steps: Send + Sync {
    async fn start_step(&self, run_id: i64, name: &str) -> Result<Step>;
    /// Appends text to the step's log (up to [`MAX_STEP_LOG`] bytes, then one notice).
    async fn append_log(&self, step_id: i64, chunk: &str) -> Result<()>;
    /// `running` → `status`. False when the step had already ended.
    async fn finish_step(&self, step_id: i64, status: StepStatus) -> Result<bool>;
    async fn steps(&self, run_id: i64) -> Result<Vec<Step>>;
    async fn step_log(&self, step_id: i64) -> Result<String>;
}

/// Plans, kept so an apply can be compared with the plan that was reviewed.
#[async_trait]
pub trait Plans: Send + Sync {
    async fn record_plan(&self, plan: &NewPlan) -> Result<PlanRecord>;
    async fn plans_for_run(&self, run_id: i64) -> Result<Vec<PlanRecord>>;
    /// The newest plan of (stack, component) recorded by a run of this repository's pull request.
    async fn latest_plan(&self, repo: &str, pull_request: u64, key: &LockKey) -> Result<Option<PlanRecord>>;
}

/// Locks per (stack, component), held by a replica for a run under a lease.
#[async_trait]
pub trait Locks: Send + Sync {
    /// Takes the lock, or takes it over when its holder's lease has run out (the holder's run is
    /// then marked interrupted in the same transaction). Pinned locks are never taken over.
    async fn acquire_lock(&self, req: &LockRequest) -> Result<LockOutcome>;
    /// Extends `owner`'s lease. False when the lock is no longer `owner`'s.
    async fn renew_lock(&self, key: &LockKey, owner: &str, lease: std::time::Duration) -> Result<bool>;
    /// Gives the lock back. False when it is not `owner`'s (pinned locks need [`Locks::force_unlock`]).
    async fn release_lock(&self, key: &LockKey, owner: &str) -> Result<bool>;
    /// Gives back every unpinned lock of `owner` (graceful shutdown). Returns how many.
    async fn release_all(&self, owner: &str) -> Result<u64>;
    async fn list_locks(&self) -> Result<Vec<Lock>>;
    /// Removes the lock whoever holds it, pinned or not: the admin unlock, and what the
    /// reconciler calls after a new successful plan of an interrupted component.
    async fn force_unlock(&self, key: &LockKey) -> Result<Option<Lock>>;
}

/// The persisted queue of reconcile requests, shared by replicas.
#[async_trait]
pub trait Queue: Send + Sync {
    /// Adds a request; an unclaimed one for the same repo, ref and pull request absorbs it.
    async fn enqueue(&self, req: &ReconcileRequest) -> Result<Enqueued>;
    /// Claims the oldest request nobody works on (never one whose repo/ref/PR another replica
    /// works on under a live lease); a request whose lease ran out is taken over.
    async fn claim_next(&self, replica: &str, lease: std::time::Duration) -> Result<Option<Claim>>;
    /// False when the claim was lost (lease ran out and another replica took it).
    async fn renew_lease(&self, id: i64, replica: &str, lease: std::time::Duration) -> Result<bool>;
    /// Done: the request leaves the queue. False when the claim was lost.
    async fn complete(&self, id: i64, replica: &str) -> Result<bool>;
    /// Hands the request back unworked (shutdown); it merges into a waiting duplicate if any.
    async fn release(&self, id: i64, replica: &str) -> Result<bool>;
    /// [`Queue::enqueue`] for a webhook delivery: the delivery id is recorded in the same
    /// transaction, so a failed enqueue leaves the redelivery welcome. `None`: the delivery was
    /// recorded before (a replay) and nothing was queued.
    async fn enqueue_delivery(&self, req: &ReconcileRequest, delivery_id: &str) -> Result<Option<Enqueued>>;
    async fn depth(&self) -> Result<QueueDepth>;
}

/// Events for server-sent events and the audit trail.
#[async_trait]
pub trait Events: Send + Sync {
    async fn publish_event(&self, kind: &str, payload: &Value) -> Result<Event>;
    /// Events with an id above `after_id`, oldest first.
    async fn events_since(&self, after_id: i64, limit: u32) -> Result<Vec<Event>>;
    /// The newest event's id (0 when there is none): where a new live stream starts.
    async fn latest_event_id(&self) -> Result<i64>;
}

/// Forge webhook deliveries already accepted, for replay protection.
#[async_trait]
pub trait Deliveries: Send + Sync {
    /// Records a delivery id. True when it is new; false for a replay.
    async fn record_delivery(&self, id: &str) -> Result<bool>;
    /// Forgets deliveries received before `before`, to bound the table. A delivery older than
    /// that could be replayed, so keep the window long (days). Returns how many.
    async fn forget_deliveries(&self, before: DateTime<Utc>) -> Result<u64>;
}

/// Everything the reconciler and the server keep.
#[async_trait]
pub trait Store: Runs + Steps + Plans + Locks + Queue + Events + Deliveries + DriftStates {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// A round trip to the database, for readiness checks.
    async fn ping(&self) -> Result<()>;
}
