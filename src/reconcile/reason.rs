//! Why a request was queued, as the intakes spell it, and what the reconciler does about it.
//!
//! Webhooks enqueue `pull_request.opened|updated|reopened|closed|merged`, `push`,
//! `check_run.rerequested`, `merge_group`; ChatOps enqueues `comment: /paved plan [-s STACK]
//! [COMPONENT]`, `comment: /paved apply …`, `comment: /paved unlock`; the CLI `reconcile --once`.
//! Command reasons are parsed by [`ChatCommand::from_reason`], the parser that wrote them, so
//! the two sides cannot drift apart.

use super::state::{Flow, Request, Selection};
use crate::server::ChatCommand;
use crate::store::ReconcileRequest;

/// A parsed reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A pull request event, a push, a re-run, a merge queue entry: the state of the pull
    /// request (or the branch) decides the flow.
    Event(String),
    /// `/paved plan` or `/paved apply`, possibly narrowed to a stack or component.
    Command { flow: Flow, selection: Selection },
    /// `/paved unlock`: release the pull request's locks.
    Unlock,
    /// A pull request closed without merging: its locks are released, nothing is planned.
    Closed,
    /// A comment that asks nothing of the queue (`/paved cancel` and `/paved help` are answered
    /// by the server; anything unparsable is dropped rather than guessed at).
    Ignored(String),
    /// Anything else (a schedule, the CLI): like an event.
    Other(String),
}

impl Reason {
    pub fn parse(text: &str) -> Reason {
        let text = text.trim();
        if text.starts_with("comment:") {
            return match ChatCommand::from_reason(text) {
                Some(ChatCommand::Plan(t)) => Reason::Command { flow: Flow::Plan, selection: selection(t) },
                Some(ChatCommand::Apply(t)) => Reason::Command { flow: Flow::Apply, selection: selection(t) },
                Some(ChatCommand::Unlock) => Reason::Unlock,
                Some(ChatCommand::Cancel | ChatCommand::Help) | None => Reason::Ignored(text.to_string()),
            };
        }
        match text {
            "pull_request.closed" => Reason::Closed,
            "push" | "check_run.rerequested" | "merge_group" => Reason::Event(text.to_string()),
            t if t.starts_with("pull_request.") => Reason::Event(t.to_string()),
            t => Reason::Other(t.to_string()),
        }
    }

    /// The reconcile request for a queued request (`None` for an unlock or a close, which only
    /// release locks, and for an ignored comment).
    pub fn request(&self, queued: &ReconcileRequest) -> Option<Request> {
        let mut r = Request::new(queued.repo.clone(), queued.git_ref.clone());
        r.pull_request = queued.pull_request;
        r.actor = Some(queued.reason.clone());
        match self {
            Reason::Unlock | Reason::Closed | Reason::Ignored(_) => None,
            Reason::Command { flow, selection } => {
                r.flow = Some(*flow);
                r.all = !selection.is_all();
                r.selection = selection.clone();
                Some(r)
            }
            Reason::Event(_) | Reason::Other(_) => Some(r),
        }
    }
}

fn selection(t: crate::server::Target) -> Selection {
    Selection { stack: t.stack, component: t.component }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons() {
        assert_eq!(Reason::parse("pull_request.opened"), Reason::Event("pull_request.opened".into()));
        assert_eq!(Reason::parse("pull_request.closed"), Reason::Closed);
        assert_eq!(Reason::parse("comment: /paved unlock"), Reason::Unlock);
        let Reason::Command { flow, selection } = Reason::parse("comment: /paved plan -s plat-ue2-dev vpc") else {
            panic!("not a command")
        };
        assert_eq!(flow, Flow::Plan);
        assert_eq!(selection, Selection { stack: Some("plat-ue2-dev".into()), component: Some("vpc".into()) });
        let Reason::Command { flow, selection } = Reason::parse("comment: /paved apply") else { panic!() };
        assert_eq!((flow, selection.is_all()), (Flow::Apply, true));
        assert_eq!(Reason::parse("comment: /paved dance"), Reason::Ignored("comment: /paved dance".into()));
        assert_eq!(Reason::parse("comment: /paved cancel"), Reason::Ignored("comment: /paved cancel".into()));
        // What the server writes is what the reconciler reads.
        let written =
            ChatCommand::Apply(crate::server::Target { stack: Some("s".into()), component: Some("c".into()) });
        let Reason::Command { flow, selection } = Reason::parse(&written.reason()) else { panic!() };
        assert_eq!(
            (flow, selection.stack.as_deref(), selection.component.as_deref()),
            (Flow::Apply, Some("s"), Some("c"))
        );
        let q = ReconcileRequest {
            repo: "acme/infra".into(),
            git_ref: "main".into(),
            pull_request: Some(4),
            reason: "comment: /paved plan eks".into(),
        };
        let r = Reason::parse(&q.reason).request(&q).unwrap();
        assert_eq!((r.flow, r.all, r.selection.component.as_deref()), (Some(Flow::Plan), true, Some("eks")));
        assert!(Reason::parse("pull_request.closed").request(&q).is_none());
        assert!(Reason::parse("comment: /paved help").request(&q).is_none());
    }
}
