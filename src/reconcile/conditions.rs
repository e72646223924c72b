//! Status conditions (Flux style): each phase adds the conditions it finds, the summarizer turns
//! them into the run's status once, at the end. Types and reasons are constants so the API,
//! the comment and the tests spell them the same.

use std::time::Duration;

use serde::Serialize;

/// The repository or a commit could not be read.
pub const FETCH_FAILED: &str = "FetchFailed";
/// paved.yaml on the base branch is broken: nothing is planned with unknown rules.
pub const CONFIG_INVALID: &str = "ConfigInvalid";
/// Catalog, stacks or policies have errors.
pub const VALIDATION_FAILED: &str = "ValidationFailed";
/// The affected components could not be computed.
pub const AFFECTED_FAILED: &str = "AffectedFailed";
/// At least one plan failed.
pub const PLAN_FAILED: &str = "PlanFailed";
/// An apply requirement does not hold (approvals, owner approval, mergeable, plan age).
pub const REQUIREMENTS_NOT_MET: &str = "RequirementsNotMet";
/// A component's lock is held by another run (or kept by a failed or interrupted one).
pub const LOCKED: &str = "Locked";
/// The re-plan at the merge commit differs from the plan reviewed on the pull request.
pub const PLAN_CHANGED: &str = "PlanChanged";
/// An apply or destroy failed; its dependents were not applied.
pub const APPLY_FAILED: &str = "ApplyFailed";
/// A deleted component was not destroyed because paved.yaml does not allow it.
pub const DESTROY_NOT_ALLOWED: &str = "DestroyNotAllowed";
/// The check or the comment could not be published.
pub const PUBLISH_FAILED: &str = "PublishFailed";
/// The audit note could not be written or pushed.
pub const AUDIT_FAILED: &str = "AuditFailed";
/// The store could not record something.
pub const STORE_FAILED: &str = "StoreFailed";

/// One finding about a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// One of the constants above.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub message: String,
}

/// What happens to a failed run next (Flux's classification): the class alone decides the
/// next action and the reported conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Retry {
    /// Needs a human (broken config, a changed plan, a failed apply): not retried.
    Stalled,
    /// Waits for something that will change by itself (a lock held by a live run).
    Waiting(Duration),
    /// A flaky dependency (network, forge): retried with a backoff.
    Transient,
}

/// A phase that could not do its work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ReconcileError {
    pub condition: &'static str,
    pub message: String,
    pub retry: Retry,
}

impl ReconcileError {
    pub fn stalled(condition: &'static str, message: impl Into<String>) -> ReconcileError {
        ReconcileError { condition, message: message.into(), retry: Retry::Stalled }
    }

    pub fn transient(condition: &'static str, message: impl Into<String>) -> ReconcileError {
        ReconcileError { condition, message: message.into(), retry: Retry::Transient }
    }

    pub fn waiting(condition: &'static str, message: impl Into<String>, after: Duration) -> ReconcileError {
        ReconcileError { condition, message: message.into(), retry: Retry::Waiting(after) }
    }
}

/// What the caller does with the request after a reconcile (kube-rs's `Action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Nothing until the repository changes again.
    AwaitChange,
    /// Reconcile again after this long.
    Requeue(Duration),
}

/// How long a transient failure waits before the next try.
pub const TRANSIENT_BACKOFF: Duration = Duration::from_secs(30);

/// The next action for a failed reconcile.
pub fn error_policy(err: &ReconcileError) -> Action {
    match err.retry {
        Retry::Stalled => Action::AwaitChange,
        Retry::Waiting(after) => Action::Requeue(after),
        Retry::Transient => Action::Requeue(TRANSIENT_BACKOFF),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_class_alone_decides_the_action() {
        assert_eq!(error_policy(&ReconcileError::stalled(PLAN_CHANGED, "x")), Action::AwaitChange);
        assert_eq!(error_policy(&ReconcileError::transient(FETCH_FAILED, "x")), Action::Requeue(TRANSIENT_BACKOFF));
        let wait = ReconcileError::waiting(LOCKED, "x", Duration::from_secs(5));
        assert_eq!(error_policy(&wait), Action::Requeue(Duration::from_secs(5)));
    }
}
