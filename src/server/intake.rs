//! Webhook intake: a verified forge event becomes a reconcile request in the store's queue, or
//! a ChatOps command, or nothing.

use crate::forge::webhook::{Event, EventKind};
use crate::store::ReconcileRequest;

use super::chatops::{ChatCommand, ChatError};

/// What a verified event asks of paved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intake {
    /// Reconcile this repository, ref and pull request.
    Reconcile(ReconcileRequest),
    /// A `/paved …` comment on pull request `number`, from `sender`.
    Command { number: u64, sender: String, command: Result<ChatCommand, ChatError> },
    /// Nothing to do, and why.
    Nothing(&'static str),
}

/// Pure mapping from an event to what it asks.
pub fn intake_for(event: &Event) -> Intake {
    let repo = event.repo.as_str().to_string();
    let request = |git_ref: &Option<String>, reason: &str| match git_ref {
        Some(r) if !r.is_empty() => Intake::Reconcile(ReconcileRequest {
            repo: repo.clone(),
            git_ref: r.clone(),
            pull_request: event.number,
            reason: reason.to_string(),
        }),
        _ => Intake::Nothing("the event names no branch"),
    };
    match event.kind {
        EventKind::PullRequestOpened => request(&event.head_ref, "pull_request.opened"),
        EventKind::PullRequestUpdated => request(&event.head_ref, "pull_request.updated"),
        EventKind::PullRequestReopened => request(&event.head_ref, "pull_request.reopened"),
        // Closed unmerged: the reconciler releases the request's locks.
        EventKind::PullRequestClosed => request(&event.head_ref, "pull_request.closed"),
        // Merged: apply on the branch it was merged into.
        EventKind::PullRequestMerged => request(&event.base_ref, "pull_request.merged"),
        EventKind::Push => request(&event.head_ref, "push"),
        EventKind::CheckRerequested => request(&event.head_ref, "check_run.rerequested"),
        EventKind::MergeGroup => request(&event.head_ref, "merge_group"),
        EventKind::Comment => {
            let (Some(number), Some(text)) = (event.number, event.comment.as_deref()) else {
                return Intake::Nothing("a comment outside a pull request");
            };
            match ChatCommand::parse(text) {
                Ok(None) => Intake::Nothing("an ordinary comment"),
                Ok(Some(cmd)) => command(number, event, Ok(cmd)),
                Err(e) => command(number, event, Err(e)),
            }
        }
    }
}

fn command(number: u64, event: &Event, command: Result<ChatCommand, ChatError>) -> Intake {
    match event.sender.as_deref() {
        Some(sender) if !sender.is_empty() => Intake::Command { number, sender: sender.to_string(), command },
        _ => Intake::Nothing("a comment without an author"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forge::{ForgeKind, RepoId};

    fn event(kind: EventKind) -> Event {
        Event {
            forge: ForgeKind::GitHub,
            delivery_id: "d1".into(),
            repo: RepoId::parse("acme/stacks").unwrap(),
            kind,
            number: Some(7),
            head_sha: Some("abc".into()),
            head_ref: Some("feature/x".into()),
            base_sha: None,
            base_ref: Some("main".into()),
            merge_sha: None,
            sender: Some("octocat".into()),
            comment: None,
            installation_id: None,
        }
    }

    #[test]
    fn pull_requests_reconcile_their_head_and_merges_their_base() {
        let Intake::Reconcile(r) = intake_for(&event(EventKind::PullRequestOpened)) else { panic!() };
        assert_eq!(
            (r.git_ref.as_str(), r.pull_request, r.reason.as_str()),
            ("feature/x", Some(7), "pull_request.opened")
        );
        let Intake::Reconcile(r) = intake_for(&event(EventKind::PullRequestMerged)) else { panic!() };
        assert_eq!((r.git_ref.as_str(), r.reason.as_str()), ("main", "pull_request.merged"));
    }

    #[test]
    fn comments_become_commands_or_nothing() {
        let mut e = event(EventKind::Comment);
        e.comment = Some("/paved plan -s plat-ue2-dev vpc".into());
        assert!(matches!(intake_for(&e), Intake::Command { number: 7, command: Ok(ChatCommand::Plan(_)), .. }));
        e.comment = Some("/paved frobnicate".into());
        assert!(matches!(intake_for(&e), Intake::Command { command: Err(_), .. }));
        e.comment = Some("looks good".into());
        assert_eq!(intake_for(&e), Intake::Nothing("an ordinary comment"));
        e.sender = None;
        e.comment = Some("/paved plan".into());
        assert!(matches!(intake_for(&e), Intake::Nothing(_)));
    }

    #[test]
    fn an_event_without_a_branch_queues_nothing() {
        let mut e = event(EventKind::Push);
        e.head_ref = None;
        assert!(matches!(intake_for(&e), Intake::Nothing(_)));
    }
}
