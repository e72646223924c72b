//! Why a request was queued, as the intakes spell it, and what the reconciler does about it.
//!
//! Webhooks enqueue `pull_request.opened|updated|reopened|closed|merged`, `push`,
//! `check_run.rerequested`, `merge_group`; ChatOps enqueues `comment: /paved plan [-s STACK]
//! [COMPONENT]`, `comment: /paved apply …`, `comment: /paved unlock`; the CLI `reconcile --once`.

use super::state::{Flow, Request, Selection};
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
    /// Anything else (a schedule, the CLI): like an event.
    Other(String),
}

impl Reason {
    pub fn parse(text: &str) -> Reason {
        let text = text.trim();
        if let Some(cmd) = text.strip_prefix("comment:") {
            let words: Vec<&str> = cmd.split_whitespace().collect();
            return match words.as_slice() {
                ["/paved", "unlock", ..] => Reason::Unlock,
                ["/paved", verb @ ("plan" | "apply"), rest @ ..] => {
                    let flow = if *verb == "plan" { Flow::Plan } else { Flow::Apply };
                    Reason::Command { flow, selection: selection(rest) }
                }
                _ => Reason::Other(text.to_string()),
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
    /// release locks).
    pub fn request(&self, queued: &ReconcileRequest) -> Option<Request> {
        let mut r = Request::new(queued.repo.clone(), queued.git_ref.clone());
        r.pull_request = queued.pull_request;
        r.actor = Some(queued.reason.clone());
        match self {
            Reason::Unlock | Reason::Closed => None,
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

/// `-s STACK`, `--stack STACK`, `-c COMPONENT`, `--component COMPONENT` or a bare COMPONENT.
fn selection(words: &[&str]) -> Selection {
    let mut s = Selection::default();
    let mut it = words.iter();
    while let Some(w) = it.next() {
        match *w {
            "-s" | "--stack" => s.stack = it.next().map(|x| x.to_string()),
            "-c" | "--component" => s.component = it.next().map(|x| x.to_string()),
            w if !w.starts_with('-') && s.component.is_none() => s.component = Some(w.to_string()),
            _ => {}
        }
    }
    s
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
        assert_eq!(Reason::parse("comment: /paved dance"), Reason::Other("comment: /paved dance".into()));
        let q = ReconcileRequest {
            repo: "acme/infra".into(),
            git_ref: "main".into(),
            pull_request: Some(4),
            reason: "comment: /paved plan --component eks".into(),
        };
        let r = Reason::parse(&q.reason).request(&q).unwrap();
        assert_eq!((r.flow, r.all, r.selection.component.as_deref()), (Some(Flow::Plan), true, Some("eks")));
        assert!(Reason::parse("pull_request.closed").request(&q).is_none());
    }
}
