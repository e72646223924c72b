//! The reconciler: plan on pull requests, apply merged changes through Atmos.
//!
//! Shaped after kube-rs and Flux. [`reconcile`] runs an ordered list of phases with one
//! signature ([`phases::Phase`]) over an in-memory [`RunState`]; each phase adds status
//! conditions; the summarizer turns them into the run's status, which is written once at the
//! end. Failures carry their retry class ([`Retry`]), and [`error_policy`] alone turns that
//! into the next [`Action`].
//!
//! - Pull request: fetch → config from the BASE branch → validate → affected → plan → publish.
//! - Default branch (merged): fetch → config from the base → validate → affected →
//!   requirements → lock → apply in dependency order → publish → audit.
//!
//! Everything outside the engine is a port: the store, the executor and the forge from their
//! own modules, and git, validation, affected components and the catalog's groups through the
//! small traits in [`ports`]. [`worker`] drains the persisted queue; [`sources`] fill it from
//! watched folders and polled remotes. `paved serve` adds an intake (webhooks) and a schedule.

pub mod adapters;
pub mod audit;
pub mod cancel;
pub mod conditions;
pub mod fake;
mod observer;
pub mod order;
mod phases;
pub mod ports;
pub mod reason;
pub mod render;
pub mod requirements;
mod runner;
pub mod setup;
pub mod sources;
mod state;
mod summary;
pub mod worker;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

pub use conditions::{Action, Condition, ReconcileError, Retry, error_policy};
pub use observer::{NullObserver, Observer, Progress};
pub use ports::{AffectedFinder, Directory, Location, Notes, PortError, Repo, Revision, Target, Validator};
pub use state::{Flow, PlanOutcome, Request, RunState, Selection, TargetRun, TargetStatus};
pub use summary::{Outcome, summarize};

use crate::config::Config;
use crate::exec::Executor;
use crate::forge::{Forge, RepoId};
use crate::store::{Clock, Store};

/// One repository the reconciler knows.
#[derive(Clone)]
pub struct RepoHandle {
    pub repo: Arc<dyn Repo>,
    pub notes: Arc<dyn Notes>,
    /// The repository on the forge (`None`: local only, nothing is published).
    pub forge_repo: Option<RepoId>,
    /// The branch whose commits are applied.
    pub default_branch: String,
}

/// Everything a reconcile uses, in one context (kube-rs style): ports and settings.
#[derive(Clone)]
pub struct Context {
    pub store: Arc<dyn Store>,
    pub executor: Arc<dyn Executor>,
    /// `None`: no forge configured; requirements that need one are not checked, nothing is
    /// published.
    pub forge: Option<Arc<dyn Forge>>,
    pub repos: BTreeMap<String, RepoHandle>,
    pub validator: Arc<dyn Validator>,
    pub affected: Arc<dyn AffectedFinder>,
    pub directory: Arc<dyn Directory>,
    pub clock: Arc<dyn Clock>,
    pub observer: Arc<dyn Observer>,
    /// Cancels running runs by id.
    pub cancels: Arc<cancel::Cancellations>,
    pub settings: Settings,
}

/// Settings that do not come from the base branch's paved.yaml.
#[derive(Debug, Clone)]
pub struct Settings {
    /// This process's name in locks and claims.
    pub replica: String,
    /// Planfiles go under `<plan_root>/<run id>/` (absolute).
    pub plan_root: PathBuf,
    /// Used instead of the base branch's paved.yaml (`--config FILE`).
    pub config_override: Option<Config>,
    /// The check's name on the forge.
    pub check_name: String,
    /// The executor only prints (no atmos): plans have no output to compare.
    pub dry_run: bool,
    /// A cap on paved.yaml's `reconcile.parallelism` (`None`: as configured).
    pub max_parallelism: Option<usize>,
    /// How long a claimed queue request lasts without renewal (renewed every third of it):
    /// another replica takes the request over once it runs out.
    pub claim_lease: std::time::Duration,
}

impl Settings {
    pub fn new(replica: impl Into<String>, plan_root: impl Into<PathBuf>) -> Settings {
        Settings {
            replica: replica.into(),
            plan_root: plan_root.into(),
            config_override: None,
            check_name: "paved".into(),
            dry_run: false,
            max_parallelism: None,
            claim_lease: worker::CLAIM_LEASE,
        }
    }

    /// How many commands may run at once, given paved.yaml's wish.
    pub fn parallelism(&self, configured: usize) -> usize {
        self.max_parallelism.map_or(configured, |m| configured.min(m)).max(1)
    }
}

/// Reconciles one request: runs the phases of its flow, writes the run's status once, and says
/// what to do next.
pub async fn reconcile(request: Request, ctx: &Context) -> (RunState, Outcome) {
    let config = ctx.settings.config_override.clone().unwrap_or_default();
    let mut state = RunState::new(request, config, ctx.clock.now());
    state.dry_run = ctx.settings.dry_run;
    let error = phases::run(ctx, &mut state).await;
    let outcome = summary::write(ctx, &mut state, error.as_ref()).await;
    (state, outcome)
}
