//! Statements both databases run unchanged (`$N` parameters work on SQLite too). The few that
//! differ — row locks and `SKIP LOCKED` on PostgreSQL — are built in each backend from the
//! macros at the end.

use super::rows::{claim_cols, event_cols, lock_cols, plan_cols, run_cols, step_cols};

pub(crate) const RUN_INSERT: &str = concat!(
    "INSERT INTO runs (repo, git_ref, sha, pull_request, kind, status, actor, summary, created_at) ",
    "VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8) RETURNING ",
    run_cols!()
);
pub(crate) const RUN_START: &str =
    "UPDATE runs SET status = 'running', replica = $2, started_at = $3 WHERE id = $1 AND status = 'queued'";
pub(crate) const RUN_FINISH: &str = "UPDATE runs SET status = $2, conclusion = $3, summary = $4, finished_at = $5 \
     WHERE id = $1 AND status IN ('queued', 'running')";
pub(crate) const RUN_GET: &str = concat!("SELECT ", run_cols!(), " FROM runs WHERE id = $1");
pub(crate) const RUN_LIST: &str = concat!(
    "SELECT ",
    run_cols!(),
    " FROM runs WHERE (CAST($1 AS TEXT) IS NULL OR repo = $1) AND (CAST($2 AS TEXT) IS NULL OR git_ref = $2) ",
    "AND (CAST($3 AS BIGINT) IS NULL OR pull_request = $3) AND (CAST($4 AS TEXT) IS NULL OR kind = $4) ",
    "AND (CAST($5 AS TEXT) IS NULL OR status = $5) AND (CAST($6 AS BIGINT) IS NULL OR id < $6) ",
    "ORDER BY id DESC LIMIT $7"
);
/// $1 replica (NULL: every replica), $2 conclusion, $3 now.
pub(crate) const RUNS_INTERRUPT: &str = "UPDATE runs SET status = 'interrupted', conclusion = $2, finished_at = $3 \
     WHERE status = 'running' AND (CAST($1 AS TEXT) IS NULL OR replica = $1) RETURNING id";
pub(crate) const RUN_INTERRUPT: &str = "UPDATE runs SET status = 'interrupted', conclusion = $2, finished_at = $3 \
     WHERE id = $1 AND status = 'running'";
pub(crate) const STEPS_INTERRUPT: &str =
    "UPDATE steps SET status = 'interrupted', finished_at = $2 WHERE run_id = $1 AND status = 'running'";
pub(crate) const LOCKS_PIN: &str = "UPDATE locks SET lease_expires_at = NULL WHERE run_id = $1";

/// Conclusions written when the store itself ends a run.
pub(crate) const INTERRUPTED_RESTART: &str = "interrupted: paved stopped while the run was running";
pub(crate) const INTERRUPTED_LEASE: &str = "interrupted: its replica stopped renewing the lock lease";

pub(crate) const STEP_INSERT: &str = concat!(
    "INSERT INTO steps (run_id, name, status, started_at, log_bytes) VALUES ($1, $2, 'running', $3, 0) RETURNING ",
    step_cols!()
);
pub(crate) const STEP_LOG_INSERT: &str = "INSERT INTO step_logs (step_id, chunk) VALUES ($1, $2)";
pub(crate) const STEP_LOG_GROW: &str = "UPDATE steps SET log_bytes = log_bytes + $2 WHERE id = $1";
pub(crate) const STEP_FINISH: &str =
    "UPDATE steps SET status = $2, finished_at = $3 WHERE id = $1 AND status = 'running'";
pub(crate) const STEPS_OF_RUN: &str = concat!("SELECT ", step_cols!(), " FROM steps WHERE run_id = $1 ORDER BY id");
pub(crate) const STEP_LOG: &str = "SELECT chunk FROM step_logs WHERE step_id = $1 ORDER BY id";

pub(crate) const PLAN_INSERT: &str = concat!(
    "INSERT INTO plans (run_id, stack, component, planfile, planfile_digest, plan_digest, to_add, to_change, ",
    "to_destroy, no_changes, exit_code, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ",
    "RETURNING ",
    plan_cols!()
);
pub(crate) const PLANS_OF_RUN: &str = concat!("SELECT ", plan_cols!(), " FROM plans WHERE run_id = $1 ORDER BY id");
pub(crate) const PLAN_LATEST: &str = concat!(
    "SELECT ",
    plan_cols!(),
    " FROM plans WHERE stack = $3 AND component = $4 ",
    "AND run_id IN (SELECT id FROM runs WHERE repo = $1 AND pull_request = $2) ORDER BY id DESC LIMIT 1"
);

pub(crate) const LOCK_INSERT: &str = "INSERT INTO locks (stack, component, owner, run_id, pull_request, acquired_at, \
     lease_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (stack, component) DO NOTHING";
/// $1 stack, $2 component, $3 new lease end, $4 owner. Pinned locks are not renewed.
pub(crate) const LOCK_RENEW: &str = "UPDATE locks SET lease_expires_at = $3 \
     WHERE stack = $1 AND component = $2 AND owner = $4 AND lease_expires_at IS NOT NULL";
pub(crate) const LOCK_TAKE: &str = "UPDATE locks SET owner = $3, run_id = $4, pull_request = $5, acquired_at = $6, \
     lease_expires_at = $7 WHERE stack = $1 AND component = $2";
pub(crate) const LOCK_RELEASE: &str =
    "DELETE FROM locks WHERE stack = $1 AND component = $2 AND owner = $3 AND lease_expires_at IS NOT NULL";
pub(crate) const LOCK_RELEASE_ALL: &str = "DELETE FROM locks WHERE owner = $1 AND lease_expires_at IS NOT NULL";
pub(crate) const LOCK_LIST: &str = concat!("SELECT ", lock_cols!(), " FROM locks ORDER BY stack, component");
pub(crate) const LOCK_FORCE: &str =
    concat!("DELETE FROM locks WHERE stack = $1 AND component = $2 RETURNING ", lock_cols!());

pub(crate) const QUEUE_INSERT: &str = "INSERT INTO reconcile_requests (repo, git_ref, pull_request, reason, \
     enqueued_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (repo, git_ref, pull_request) WHERE claimed_by IS NULL \
     DO NOTHING RETURNING id";
pub(crate) const QUEUE_COLLAPSE: &str = "UPDATE reconcile_requests SET reason = $4 \
     WHERE repo = $1 AND git_ref = $2 AND pull_request = $3 AND claimed_by IS NULL RETURNING id";
/// $1 id, $2 replica, $3 now, $4 lease end.
pub(crate) const QUEUE_TAKE: &str = concat!(
    "UPDATE reconcile_requests SET claimed_by = $2, claimed_at = $3, lease_expires_at = $4, attempts = attempts + 1 ",
    "WHERE id = $1 RETURNING ",
    claim_cols!()
);
pub(crate) const QUEUE_RENEW: &str =
    "UPDATE reconcile_requests SET lease_expires_at = $3 WHERE id = $1 AND claimed_by = $2";
pub(crate) const QUEUE_COMPLETE: &str = "DELETE FROM reconcile_requests WHERE id = $1 AND claimed_by = $2";
pub(crate) const QUEUE_RELEASE: &str = "UPDATE reconcile_requests SET claimed_by = NULL, claimed_at = NULL, \
     lease_expires_at = NULL WHERE id = $1 AND claimed_by = $2";
pub(crate) const QUEUE_DEPTH: &str = "SELECT COUNT(*) FILTER (WHERE claimed_by IS NULL OR lease_expires_at <= $1), \
     COUNT(*) FROM reconcile_requests";

pub(crate) const EVENT_INSERT: &str =
    concat!("INSERT INTO events (kind, payload, created_at) VALUES ($1, $2, $3) RETURNING ", event_cols!());
pub(crate) const EVENTS_SINCE: &str =
    concat!("SELECT ", event_cols!(), " FROM events WHERE id > $1 ORDER BY id LIMIT $2");

pub(crate) const DELIVERY_INSERT: &str =
    "INSERT INTO deliveries (id, received_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING";
pub(crate) const DELIVERY_FORGET: &str = "DELETE FROM deliveries WHERE received_at < $1";
/// The newest event's id, 0 when there is none (an index lookup, not a scan).
pub(crate) const EVENT_LATEST_ID: &str = "SELECT COALESCE(MAX(id), 0) FROM events";

/// The oldest request free to claim at $1: unclaimed or with a lapsed lease, and not for a
/// repo/ref/PR another replica works on under a live lease.
macro_rules! claim_candidate {
    () => {
        "SELECT r.id FROM reconcile_requests r WHERE (r.claimed_by IS NULL OR r.lease_expires_at <= $1) \
         AND NOT EXISTS (SELECT 1 FROM reconcile_requests c WHERE c.repo = r.repo AND c.git_ref = r.git_ref \
         AND c.pull_request = r.pull_request AND c.id <> r.id AND c.claimed_by IS NOT NULL \
         AND c.lease_expires_at > $1) ORDER BY r.id LIMIT 1"
    };
}
macro_rules! lock_get {
    () => {
        concat!("SELECT ", crate::store::rows::lock_cols!(), " FROM locks WHERE stack = $1 AND component = $2")
    };
}
macro_rules! step_log_bytes {
    () => {
        "SELECT log_bytes FROM steps WHERE id = $1"
    };
}
pub(crate) use {claim_candidate, lock_get, step_log_bytes};
