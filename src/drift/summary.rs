//! What a drift pass found: one report per component, the counts, the exit code.

use serde::Serialize;

use super::decide::{Action, Observation, Observed};
use crate::exec::plan::PlanSummary;

/// How a component's check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    InSync,
    Drifted,
    Error,
    Skipped,
}

/// One component's result.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentReport {
    pub repo: String,
    pub stack: String,
    pub component: String,
    pub status: Status,
    pub action: Action,
    pub summary: Option<PlanSummary>,
    /// The drift issue (open, or just closed).
    pub issue: Option<String>,
    /// Why it failed or was skipped, or what went wrong with its issue.
    pub message: Option<String>,
    pub command: Option<String>,
}

/// A whole drift pass.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DriftSummary {
    /// The drift runs recorded in the store, one per repository.
    pub runs: Vec<i64>,
    pub components: Vec<ComponentReport>,
    /// Problems that stopped a whole repository (cannot fetch, stacks do not load, the store).
    pub errors: Vec<String>,
    /// Commands were printed, not run: nothing was decided.
    pub dry_run: bool,
}

impl DriftSummary {
    fn count(&self, status: Status) -> usize {
        self.components.iter().filter(|c| c.status == status).count()
    }

    pub fn drifted(&self) -> usize {
        self.count(Status::Drifted)
    }

    pub fn in_sync(&self) -> usize {
        self.count(Status::InSync)
    }

    pub fn skipped(&self) -> usize {
        self.count(Status::Skipped)
    }

    /// Failed plans, issue updates that failed, and repository-level problems.
    pub fn error_count(&self) -> usize {
        self.count(Status::Error)
            + self.components.iter().filter(|c| c.status != Status::Error && c.issue_failed()).count()
            + self.errors.len()
    }

    /// Drifted components left without an issue by `max_open_issues`.
    pub fn capped(&self) -> usize {
        self.components.iter().filter(|c| c.action == Action::Capped).count()
    }

    /// 0 nothing drifted, 2 drift found, 1 errors (errors win, as with Terraform).
    pub fn exit_code(&self) -> u8 {
        if self.error_count() > 0 {
            1
        } else if self.drifted() > 0 {
            2
        } else {
            0
        }
    }
}

impl ComponentReport {
    pub(crate) fn issue_failed(&self) -> bool {
        self.message.as_deref().is_some_and(|m| m.starts_with(ISSUE_FAILED))
    }
}

pub(crate) const ISSUE_FAILED: &str = "issue not updated: ";

pub(crate) fn report(
    repo: &str,
    o: &Observation,
    action: Action,
    issue: Option<String>,
    message: Option<String>,
    command: Option<String>,
) -> ComponentReport {
    let (status, summary, why) = match &o.observed {
        Observed::InSync => (Status::InSync, None, None),
        Observed::Drifted { summary } => (Status::Drifted, Some(*summary), None),
        Observed::Failed { message } => (Status::Error, None, Some(message.clone())),
        Observed::Skipped { reason } => (Status::Skipped, None, Some(reason.clone())),
    };
    ComponentReport {
        repo: repo.to_string(),
        stack: o.key.stack.clone(),
        component: o.key.component.clone(),
        status,
        action,
        summary,
        issue,
        message: message.or(why),
        command,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_win_over_drift_in_the_exit_code() {
        let c = |status| ComponentReport {
            repo: "r".into(),
            stack: "s".into(),
            component: "c".into(),
            status,
            action: Action::Nothing,
            summary: None,
            issue: None,
            message: None,
            command: None,
        };
        let mut s = DriftSummary { components: vec![c(Status::InSync)], ..DriftSummary::default() };
        assert_eq!(s.exit_code(), 0);
        s.components.push(c(Status::Drifted));
        assert_eq!(s.exit_code(), 2);
        s.components.push(c(Status::Error));
        assert_eq!(s.exit_code(), 1);
        let mut issue_failed = c(Status::Drifted);
        issue_failed.message = Some(format!("{ISSUE_FAILED}forge down"));
        let s = DriftSummary { components: vec![issue_failed], ..DriftSummary::default() };
        assert_eq!((s.exit_code(), s.error_count()), (1, 1));
    }
}
