//! Drift: plan every enabled component of the default branch with `-detailed-exitcode` and keep
//! one forge issue per drifted stack-component.
//!
//! - [`decide`]: pure — from what each plan found and the remembered [`DriftState`]s, what to
//!   do (open, update or close an issue, nothing, capped by `max_open_issues`).
//! - [`issue`]: pure — the issue's key (a hidden marker), title and Markdown body.
//! - [`run`]: [`run_drift`], one pass through the reconciler's ports (store, forge, executor,
//!   clock): `paved drift` and the schedule in `paved serve` both call it.
//! - [`DriftSummary`]: what a pass found, the counts and the exit code.
//! - [`schedule`]: the lease that lets one replica of several run the schedule.
//!
//! [`DriftState`]: crate::store::DriftState

pub mod decide;
pub mod issue;
pub mod render;
pub mod run;
pub mod schedule;
mod summary;

pub use decide::{Action, Observation, Observed, decide};
pub use run::{DriftOptions, run_drift};
pub use summary::{ComponentReport, DriftSummary, Status};
