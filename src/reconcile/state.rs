//! The in-memory state of one reconcile: what the request asks, what each phase found. Phases
//! change it; the summarizer reads it once at the end.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::conditions::Condition;
use super::ports::{Revision, Target};
use super::requirements::Requirement;
use crate::config::Config;
use crate::exec::PlanExit;
use crate::exec::plan::{ApplySummary, PlanSummary};
use crate::forge::{Approval, PullRequest, RepoId};
use crate::report::Report;
use crate::store::{LockKey, PlanRecord, RunKind};

/// Which list of phases a request runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// A pull request (or a branch): validate, plan, publish.
    Plan,
    /// The default branch after a merge (or `paved apply`): requirements, lock, apply, audit.
    Apply,
}

impl Flow {
    pub fn run_kind(self) -> RunKind {
        match self {
            Flow::Plan => RunKind::Plan,
            Flow::Apply => RunKind::Apply,
        }
    }
}

/// Narrows a run to some stacks or components (`paved plan -s STACK COMPONENT`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub stack: Option<String>,
    pub component: Option<String>,
}

impl Selection {
    pub fn admits(&self, target: &Target) -> bool {
        self.stack.as_ref().is_none_or(|s| *s == target.stack)
            && self.component.as_ref().is_none_or(|c| *c == target.component)
    }

    pub fn is_all(&self) -> bool {
        self.stack.is_none() && self.component.is_none()
    }
}

/// What to reconcile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// A repository name from the context's repositories.
    pub repo: String,
    pub git_ref: String,
    pub pull_request: Option<u64>,
    /// `None`: decided from the pull request's state (open → plan, merged → apply), or for a
    /// branch without one, apply on the default branch and plan elsewhere.
    pub flow: Option<Flow>,
    pub selection: Selection,
    /// Who asked (a merger, a commenter, `cli`), recorded on the run.
    pub actor: Option<String>,
    /// All components rather than those affected since the base (`--all`).
    pub all: bool,
}

impl Request {
    pub fn new(repo: impl Into<String>, git_ref: impl Into<String>) -> Request {
        Request {
            repo: repo.into(),
            git_ref: git_ref.into(),
            pull_request: None,
            flow: None,
            selection: Selection::default(),
            actor: None,
            all: false,
        }
    }

    pub fn pull_request(mut self, number: u64) -> Request {
        self.pull_request = Some(number);
        self
    }

    pub fn flow(mut self, flow: Flow) -> Request {
        self.flow = Some(flow);
        self
    }
}

/// Where one (stack, component) stands in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    Pending,
    /// Planned with changes (plan flow).
    Planned,
    /// Planned: nothing to do.
    NoChanges,
    PlanFailed,
    /// Applied the plan (apply flow).
    Applied,
    Destroyed,
    ApplyFailed,
    /// The re-plan differs from the reviewed plan: not applied.
    PlanChanged,
    /// No plan of it was reviewed on the pull request: not applied.
    NotReviewed,
    /// Its lock is held elsewhere.
    Locked,
    /// Deleted, but paved.yaml does not allow destroys.
    DestroyNotAllowed,
    /// Not run: a component it depends on failed or was held back.
    Skipped,
}

impl TargetStatus {
    /// The run has nothing more to do for it, and nothing went wrong.
    pub fn is_ok(self) -> bool {
        matches!(
            self,
            TargetStatus::Planned | TargetStatus::NoChanges | TargetStatus::Applied | TargetStatus::Destroyed
        )
    }
}

/// A plan made in this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanOutcome {
    /// The command line that made it.
    pub command: String,
    pub exit: PlanExit,
    pub summary: Option<PlanSummary>,
    pub plan_digest: Option<String>,
    /// The plan as a reviewer reads it (normalised), for the comment.
    pub text: String,
    pub planfile: Option<PathBuf>,
    /// The stored plan's id.
    pub record: Option<i64>,
    /// The last lines of output, for failures.
    pub tail: Vec<String>,
}

/// One (stack, component) of the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetRun {
    pub target: Target,
    pub status: TargetStatus,
    /// The plan of this run (the re-plan, in the apply flow).
    pub plan: Option<PlanOutcome>,
    /// The plan reviewed on the pull request (apply flow).
    pub reviewed: Option<PlanRecord>,
    pub applied: Option<ApplySummary>,
    /// Why it ended as it did, when that needs words.
    pub message: Option<String>,
    /// The atmos command lines run for it, in order.
    pub commands: Vec<String>,
}

impl TargetRun {
    pub fn new(target: Target) -> TargetRun {
        TargetRun {
            target,
            status: TargetStatus::Pending,
            plan: None,
            reviewed: None,
            applied: None,
            message: None,
            commands: Vec::new(),
        }
    }

    pub fn key(&self) -> LockKey {
        self.target.key()
    }
}

/// Everything one reconcile found.
#[derive(Debug, Clone)]
pub struct RunState {
    pub request: Request,
    pub flow: Flow,
    /// The store's run, once fetch has created it.
    pub run_id: Option<i64>,
    pub forge_repo: Option<RepoId>,
    pub pr: Option<PullRequest>,
    pub head: Option<Revision>,
    /// What the head is compared with: the pull request's merge base, the merged change's
    /// parent, or the last applied commit. `None`: everything is new.
    pub base: Option<Revision>,
    /// Where atmos runs for the head.
    pub workdir: Option<PathBuf>,
    /// paved.yaml from the base (never from the change itself).
    pub config: Config,
    /// Where the config came from: `base <sha>`, `head <sha>` (no base), `--config FILE`.
    pub config_source: String,
    pub changed: Vec<String>,
    /// The changed lines of `changed` files at the head, for annotations (best effort).
    pub changed_lines: crate::reconcile::ports::ChangedLines,
    pub report: Report,
    pub targets: Vec<TargetRun>,
    pub approvals: Vec<Approval>,
    pub requirements: Vec<Requirement>,
    pub conditions: Vec<Condition>,
    pub started_at: DateTime<Utc>,
    /// The run was cancelled (`/paved cancel`).
    pub cancelled: bool,
    /// Locks this run holds.
    pub locks: Vec<LockKey>,
    /// Locks kept after the run (a failed apply keeps its lock until a new plan succeeds).
    pub kept_locks: Vec<LockKey>,
    /// Phases that ran, in order, with how each ended.
    pub phases: Vec<(&'static str, String)>,
    /// The commands were printed, not run: nothing was planned or applied for real.
    pub dry_run: bool,
}

impl RunState {
    pub fn new(request: Request, config: Config, started_at: DateTime<Utc>) -> RunState {
        RunState {
            flow: request.flow.unwrap_or(Flow::Plan),
            request,
            run_id: None,
            forge_repo: None,
            pr: None,
            head: None,
            base: None,
            workdir: None,
            config,
            config_source: "defaults".into(),
            changed: Vec::new(),
            changed_lines: Default::default(),
            report: Report::default(),
            targets: Vec::new(),
            approvals: Vec::new(),
            requirements: Vec::new(),
            conditions: Vec::new(),
            started_at,
            cancelled: false,
            locks: Vec::new(),
            kept_locks: Vec::new(),
            dry_run: false,
            phases: Vec::new(),
        }
    }

    /// Records a finding (once per type and message).
    pub fn condition(&mut self, kind: &'static str, message: impl Into<String>) {
        let c = Condition { kind, message: message.into() };
        if !self.conditions.contains(&c) {
            self.conditions.push(c);
        }
    }

    pub fn has(&self, kind: &str) -> bool {
        self.conditions.iter().any(|c| c.kind == kind)
    }

    pub fn head_sha(&self) -> &str {
        self.head.as_ref().map_or("", |h| h.sha.as_str())
    }
}
