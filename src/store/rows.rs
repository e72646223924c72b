//! Rows as both databases return them, and their conversion into the model. Shared by the two
//! backends: `FromRow` is generic over the database, and the column lists are the same.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;

use super::error::{Result, StoreError};
use super::model::*;

// Column lists as macros so `concat!` can build `&'static str` queries from them.
macro_rules! run_cols {
    () => {
        "id, repo, git_ref, sha, pull_request, kind, status, conclusion, actor, replica, summary, created_at, \
         started_at, finished_at"
    };
}
macro_rules! step_cols {
    () => {
        "id, run_id, name, status, started_at, finished_at, log_bytes"
    };
}
macro_rules! plan_cols {
    () => {
        "id, run_id, stack, component, planfile, planfile_digest, plan_digest, to_add, to_change, to_destroy, \
         no_changes, exit_code, created_at"
    };
}
macro_rules! lock_cols {
    () => {
        "stack, component, owner, run_id, pull_request, acquired_at, lease_expires_at"
    };
}
macro_rules! claim_cols {
    () => {
        "id, repo, git_ref, pull_request, reason, enqueued_at, claimed_by, lease_expires_at, attempts"
    };
}
macro_rules! event_cols {
    () => {
        "id, kind, payload, created_at"
    };
}
pub(crate) use {claim_cols, event_cols, lock_cols, plan_cols, run_cols, step_cols};

#[derive(sqlx::FromRow)]
pub(crate) struct RunRow {
    id: i64,
    repo: String,
    git_ref: String,
    sha: String,
    pull_request: Option<i64>,
    kind: String,
    status: String,
    conclusion: Option<String>,
    actor: Option<String>,
    replica: Option<String>,
    summary: Json<Value>,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

impl RunRow {
    pub(crate) fn into_model(self) -> Result<Run> {
        Ok(Run {
            id: self.id,
            kind: RunKind::parse(&self.kind).ok_or_else(|| corrupt("run kind", &self.kind))?,
            status: RunStatus::parse(&self.status).ok_or_else(|| corrupt("run status", &self.status))?,
            repo: self.repo,
            git_ref: self.git_ref,
            sha: self.sha,
            pull_request: pr_out(self.pull_request)?,
            conclusion: self.conclusion,
            actor: self.actor,
            replica: self.replica,
            summary: self.summary.0,
            created_at: self.created_at,
            started_at: self.started_at,
            finished_at: self.finished_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StepRow {
    id: i64,
    run_id: i64,
    name: String,
    status: String,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    log_bytes: i64,
}

impl StepRow {
    pub(crate) fn into_model(self) -> Result<Step> {
        Ok(Step {
            id: self.id,
            run_id: self.run_id,
            status: StepStatus::parse(&self.status).ok_or_else(|| corrupt("step status", &self.status))?,
            name: self.name,
            started_at: self.started_at,
            finished_at: self.finished_at,
            log_bytes: u64::try_from(self.log_bytes).map_err(|_| corrupt("log size", &self.log_bytes.to_string()))?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PlanRow {
    id: i64,
    run_id: i64,
    stack: String,
    component: String,
    planfile: Option<String>,
    planfile_digest: Option<String>,
    plan_digest: Option<String>,
    to_add: i64,
    to_change: i64,
    to_destroy: i64,
    no_changes: bool,
    exit_code: i64,
    created_at: DateTime<Utc>,
}

impl PlanRow {
    pub(crate) fn into_model(self) -> Result<PlanRecord> {
        let count = |n: i64| u32::try_from(n).map_err(|_| corrupt("plan count", &n.to_string()));
        Ok(PlanRecord {
            id: self.id,
            run_id: self.run_id,
            stack: self.stack,
            component: self.component,
            planfile: self.planfile,
            planfile_digest: self.planfile_digest,
            plan_digest: self.plan_digest,
            add: count(self.to_add)?,
            change: count(self.to_change)?,
            destroy: count(self.to_destroy)?,
            no_changes: self.no_changes,
            exit_code: i32::try_from(self.exit_code).map_err(|_| corrupt("exit code", &self.exit_code.to_string()))?,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LockRow {
    stack: String,
    component: String,
    owner: String,
    run_id: i64,
    pull_request: Option<i64>,
    acquired_at: DateTime<Utc>,
    lease_expires_at: Option<DateTime<Utc>>,
}

impl LockRow {
    pub(crate) fn into_model(self) -> Result<Lock> {
        Ok(Lock {
            key: LockKey { stack: self.stack, component: self.component },
            owner: self.owner,
            run_id: self.run_id,
            pull_request: pr_out(self.pull_request)?,
            acquired_at: self.acquired_at,
            lease_expires_at: self.lease_expires_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ClaimRow {
    id: i64,
    repo: String,
    git_ref: String,
    /// 0 when the request is not for a pull request (a NULL would defeat the unique index that
    /// collapses duplicates: NULLs are distinct).
    pull_request: i64,
    reason: String,
    enqueued_at: DateTime<Utc>,
    claimed_by: Option<String>,
    lease_expires_at: Option<DateTime<Utc>>,
    attempts: i64,
}

impl ClaimRow {
    pub(crate) fn into_model(self) -> Result<Claim> {
        let (Some(claimed_by), Some(lease_expires_at)) = (self.claimed_by, self.lease_expires_at) else {
            return Err(corrupt("claim", "a claimed request without owner or lease"));
        };
        Ok(Claim {
            id: self.id,
            request: ReconcileRequest {
                repo: self.repo,
                git_ref: self.git_ref,
                pull_request: pr_out((self.pull_request != 0).then_some(self.pull_request))?,
                reason: self.reason,
            },
            enqueued_at: self.enqueued_at,
            claimed_by,
            lease_expires_at,
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    id: i64,
    kind: String,
    payload: Json<Value>,
    created_at: DateTime<Utc>,
}

impl EventRow {
    pub(crate) fn into_model(self) -> Event {
        Event { id: self.id, kind: self.kind, payload: self.payload.0, created_at: self.created_at }
    }
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} `{value}`"))
}

fn pr_out(n: Option<i64>) -> Result<Option<u64>> {
    n.map(|n| u64::try_from(n).map_err(|_| corrupt("pull request number", &n.to_string()))).transpose()
}

/// A pull request number as stored (numbers beyond `i64` cannot be stored).
pub(crate) fn pr_in(n: Option<u64>) -> Result<Option<i64>> {
    n.map(|n| i64::try_from(n).map_err(|_| StoreError::Invalid(format!("pull request number {n} is too large"))))
        .transpose()
}

/// A queue key's pull request column: 0 for "no pull request".
pub(crate) fn queue_pr(n: Option<u64>) -> Result<i64> {
    match pr_in(n)? {
        Some(0) => Err(StoreError::Invalid("pull request number 0 is not a pull request".into())),
        Some(n) => Ok(n),
        None => Ok(0),
    }
}

/// Collects rows into models, stopping at the first unreadable one.
pub(crate) fn all<R, M>(rows: Vec<R>, f: impl Fn(R) -> Result<M>) -> Result<Vec<M>> {
    rows.into_iter().map(f).collect()
}
