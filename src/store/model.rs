//! The records the store keeps, as plain values.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// Declares a string-backed enum with its database spelling.
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            /// The spelling stored in the database and shown in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Reads the database spelling back.
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// What a run does.
    RunKind { Plan = "plan", Apply = "apply", Drift = "drift" }
);

text_enum!(
    /// Where a run is in its life.
    RunStatus {
        Queued = "queued",
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
        /// paved stopped (crash, kill -9, lost lease) while the run was running.
        Interrupted = "interrupted",
        Cancelled = "cancelled",
    }
);

impl RunStatus {
    /// A run in a terminal status never changes again.
    pub fn is_terminal(self) -> bool {
        !matches!(self, RunStatus::Queued | RunStatus::Running)
    }
}

text_enum!(
    /// Where a step of a run is.
    StepStatus {
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
        /// Not run, e.g. a dependent of a failed apply.
        Skipped = "skipped",
        Cancelled = "cancelled",
        Interrupted = "interrupted",
    }
);

/// A run to create; it starts `queued`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRun {
    pub repo: String,
    pub git_ref: String,
    pub sha: String,
    pub pull_request: Option<u64>,
    pub kind: RunKind,
    /// Who caused it: the PR author, the merger, a ChatOps commenter, `schedule`.
    pub actor: Option<String>,
}

/// One plan, apply or drift pass over a repository at a commit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    pub id: i64,
    pub repo: String,
    pub git_ref: String,
    pub sha: String,
    pub pull_request: Option<u64>,
    pub kind: RunKind,
    pub status: RunStatus,
    /// A short reason for the final status (`plan changed after approval`, …).
    pub conclusion: Option<String>,
    pub actor: Option<String>,
    /// The replica that ran it.
    pub replica: Option<String>,
    /// What the reconciler wants to show for the run (tables, counts, policy results).
    pub summary: Value,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct RunEnd {
    /// A terminal status.
    pub status: RunStatus,
    pub conclusion: Option<String>,
    pub summary: Value,
}

/// Which runs to list, newest first. Every field narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFilter {
    pub repo: Option<String>,
    pub git_ref: Option<String>,
    pub pull_request: Option<u64>,
    pub kind: Option<RunKind>,
    pub status: Option<RunStatus>,
    /// Only runs with an id below this one (paging backwards).
    pub before_id: Option<i64>,
    /// At most this many (0 means 50).
    pub limit: u32,
}

/// Which running runs [`crate::store::Runs::mark_interrupted`] ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterruptScope {
    /// Runs of one replica: what a replica does for itself when it starts again.
    Replica(String),
    /// Every running run: for a single process that owns its store (the embedded SQLite).
    AllRunning,
}

/// One phase or command of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub id: i64,
    pub run_id: i64,
    pub name: String,
    pub status: StepStatus,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Bytes of log kept (the log stops growing at [`MAX_STEP_LOG`]).
    pub log_bytes: u64,
}

/// The most log kept for one step; beyond it a single truncation notice is appended.
pub const MAX_STEP_LOG: u64 = 16 * 1024 * 1024;

/// A plan result to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlan {
    pub run_id: i64,
    pub stack: String,
    pub component: String,
    pub planfile: Option<String>,
    /// sha256 of the planfile bytes.
    pub planfile_digest: Option<String>,
    /// sha256 of the normalised plan text.
    pub plan_digest: Option<String>,
    pub add: u32,
    pub change: u32,
    pub destroy: u32,
    pub no_changes: bool,
    /// Terraform's exit code with `-detailed-exitcode`: 0 no changes, 1 error, 2 changes.
    pub exit_code: i32,
}

/// A recorded plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanRecord {
    pub id: i64,
    pub run_id: i64,
    pub stack: String,
    pub component: String,
    pub planfile: Option<String>,
    pub planfile_digest: Option<String>,
    pub plan_digest: Option<String>,
    pub add: u32,
    pub change: u32,
    pub destroy: u32,
    pub no_changes: bool,
    pub exit_code: i32,
    pub created_at: DateTime<Utc>,
}

/// A (stack, component) pair: what a lock protects.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct LockKey {
    pub stack: String,
    pub component: String,
}

impl LockKey {
    pub fn new(stack: impl Into<String>, component: impl Into<String>) -> LockKey {
        LockKey { stack: stack.into(), component: component.into() }
    }
}

/// A held lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lock {
    pub key: LockKey,
    /// The replica holding it.
    pub owner: String,
    pub run_id: i64,
    pub pull_request: Option<u64>,
    pub acquired_at: DateTime<Utc>,
    /// `None` when the lock is pinned: its run was interrupted, so it stays held until a new
    /// successful plan or apply, or an admin, unlocks it. It never expires.
    pub lease_expires_at: Option<DateTime<Utc>>,
}

impl Lock {
    /// Held by an interrupted run: never expires, never taken over.
    pub fn is_pinned(&self) -> bool {
        self.lease_expires_at.is_none()
    }
}

/// A request for a lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockRequest {
    pub key: LockKey,
    pub owner: String,
    pub run_id: i64,
    pub pull_request: Option<u64>,
    pub lease: Duration,
}

/// The answer to a lock request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockOutcome {
    /// The lock is ours. `taken_over` is the previous holder when its lease had expired (its
    /// replica died): that holder's run is marked interrupted in the same transaction.
    Acquired { taken_over: Option<Lock> },
    /// Someone else holds it.
    HeldBy(Lock),
}

/// A request to reconcile a repository at a ref (and pull request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReconcileRequest {
    pub repo: String,
    pub git_ref: String,
    pub pull_request: Option<u64>,
    /// Why: `push`, `pull_request.opened`, `comment: /paved plan`, `schedule`, … (latest wins
    /// when duplicates collapse).
    pub reason: String,
}

/// What [`crate::store::Queue::enqueue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// A new request row.
    New(i64),
    /// An unclaimed request for the same repo, ref and pull request was already waiting.
    Collapsed(i64),
}

impl Enqueued {
    pub fn id(self) -> i64 {
        match self {
            Enqueued::New(id) | Enqueued::Collapsed(id) => id,
        }
    }
}

/// A request claimed by a replica, with its lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    pub id: i64,
    pub request: ReconcileRequest,
    pub enqueued_at: DateTime<Utc>,
    pub claimed_by: String,
    pub lease_expires_at: DateTime<Utc>,
    /// How many times it has been claimed, this claim included.
    pub attempts: u32,
}

/// Requests waiting and being worked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct QueueDepth {
    /// Unclaimed, or claimed by a replica whose lease ran out.
    pub pending: u64,
    /// Claimed under a live lease.
    pub claimed: u64,
}

/// An event for server-sent events and the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Increases in the order events become visible, so `events_since(last_id)` misses none.
    pub id: i64,
    /// `run.started`, `plan.finished`, `apply.finished`, `policy.violation`, `drift.detected`, …
    pub kind: String,
    pub payload: Value,
    pub created_at: DateTime<Utc>,
}
