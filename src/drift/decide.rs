//! From what each plan found and what the store remembers, decide what happens to each
//! component's drift issue. Pure: no IO, the time is given.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::exec::plan::PlanSummary;
use crate::store::{DriftState, LockKey};

/// What one drift check of a component found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// `-detailed-exitcode` 0: the infrastructure matches the code.
    InSync,
    /// Exit 2: changes (or only outputs change).
    Drifted { summary: PlanSummary },
    /// Exit 1 (or a timeout, a cancel): the plan failed. Not drift.
    Failed { message: String },
    /// Not planned: its lock is held, or a dry run.
    Skipped { reason: String },
}

/// One component's check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub key: LockKey,
    pub observed: Observed,
}

/// What to do about a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Newly drifted (or drifted without an issue yet): open an issue.
    Open,
    /// Still drifting: update its issue.
    Update,
    /// Was drifting, in sync now: close its issue with a comment.
    Close,
    /// Drifted, but `max_open_issues` issues are open already: counted, no issue.
    Capped,
    /// In sync, as before.
    Nothing,
    /// The plan failed: reported as an error; the issue (if any) is left as it is.
    Error,
    /// Not planned.
    Skipped,
}

/// The decision for one component, and the state to remember afterwards (`None`: leave the
/// stored state as it is). The issue in `state` is the one known before; whoever carries out
/// `Open` or `Close` sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub key: LockKey,
    pub action: Action,
    pub state: Option<DriftState>,
}

/// The facts `decide` needs besides the observations.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub repo: &'a str,
    pub sha: &'a str,
    pub now: DateTime<Utc>,
    /// What the store remembers, of every repository (the cap counts them all).
    pub known: &'a [DriftState],
    pub max_open_issues: usize,
}

/// Decides every component's action. Closes come first so a slot they free can be used by a
/// newly drifted component in the same run; new issues are given out in the observations'
/// order.
pub fn decide(observations: &[Observation], facts: &Facts<'_>) -> Vec<Decision> {
    let known = |key: &LockKey| facts.known.iter().find(|s| s.repo == facts.repo && &s.key == key);
    let closing = observations
        .iter()
        .filter(|o| o.observed == Observed::InSync && known(&o.key).is_some_and(|s| s.issue.is_some()))
        .count();
    let open_now = facts.known.iter().filter(|s| s.issue.is_some()).count();
    let mut open = open_now.saturating_sub(closing);
    observations
        .iter()
        .map(|o| {
            let before = known(&o.key);
            let (action, state) = match &o.observed {
                Observed::InSync => {
                    let was = before.is_some_and(|s| s.drifted || s.issue.is_some());
                    let state = DriftState {
                        drifted: false,
                        first_seen: None,
                        issue: before.and_then(|s| s.issue.clone()),
                        ..fresh(facts, &o.key, before, PlanSummary::default())
                    };
                    (if was { Action::Close } else { Action::Nothing }, Some(state))
                }
                Observed::Drifted { summary } => {
                    let state = DriftState {
                        drifted: true,
                        first_seen: before.filter(|s| s.drifted).and_then(|s| s.first_seen).or(Some(facts.now)),
                        last_seen: Some(facts.now),
                        issue: before.and_then(|s| s.issue.clone()),
                        ..fresh(facts, &o.key, before, *summary)
                    };
                    let action = if state.issue.is_some() {
                        Action::Update
                    } else if open < facts.max_open_issues {
                        open += 1;
                        Action::Open
                    } else {
                        Action::Capped
                    };
                    (action, Some(state))
                }
                Observed::Failed { .. } => (Action::Error, None),
                Observed::Skipped { .. } => (Action::Skipped, None),
            };
            Decision { key: o.key.clone(), action, state }
        })
        .collect()
}

fn fresh(facts: &Facts<'_>, key: &LockKey, before: Option<&DriftState>, s: PlanSummary) -> DriftState {
    DriftState {
        repo: facts.repo.to_string(),
        key: key.clone(),
        drifted: false,
        first_seen: None,
        last_seen: before.and_then(|b| b.last_seen),
        checked_at: facts.now,
        sha: facts.sha.to_string(),
        add: s.add,
        change: s.change,
        destroy: s.destroy,
        issue: None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn key(c: &str) -> LockKey {
        LockKey::new("dev", c)
    }

    fn drifted(c: &str) -> Observation {
        let summary = PlanSummary { change: 1, ..PlanSummary::default() };
        Observation { key: key(c), observed: Observed::Drifted { summary } }
    }

    fn in_sync(c: &str) -> Observation {
        Observation { key: key(c), observed: Observed::InSync }
    }

    fn known(c: &str, issue: Option<u64>, since: DateTime<Utc>) -> DriftState {
        DriftState {
            repo: "platform".into(),
            key: key(c),
            drifted: true,
            first_seen: Some(since),
            last_seen: Some(since),
            checked_at: since,
            sha: "a".into(),
            add: 0,
            change: 1,
            destroy: 0,
            issue: issue.map(|n| (n, format!("https://forge/issues/{n}"))),
        }
    }

    fn facts<'a>(known: &'a [DriftState], max: usize) -> Facts<'a> {
        Facts {
            repo: "platform",
            sha: "b",
            now: Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap(),
            known,
            max_open_issues: max,
        }
    }

    fn actions(d: &[Decision]) -> Vec<Action> {
        d.iter().map(|d| d.action).collect()
    }

    #[test]
    fn new_drift_opens_and_known_drift_updates_keeping_first_seen() {
        let since = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let k = [known("vpc", Some(3), since)];
        let d = decide(&[drifted("vpc"), drifted("rds")], &facts(&k, 5));
        assert_eq!(actions(&d), [Action::Update, Action::Open]);
        let vpc = d[0].state.as_ref().unwrap();
        assert_eq!((vpc.first_seen, vpc.issue.as_ref().map(|i| i.0)), (Some(since), Some(3)));
        let rds = d[1].state.as_ref().unwrap();
        assert_eq!((rds.first_seen, rds.last_seen), (Some(facts(&k, 5).now), Some(facts(&k, 5).now)));
    }

    #[test]
    fn recovery_closes_and_clears_first_seen_but_in_sync_alone_does_nothing() {
        let since = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let k = [known("vpc", Some(3), since)];
        let d = decide(&[in_sync("vpc"), in_sync("rds")], &facts(&k, 5));
        assert_eq!(actions(&d), [Action::Close, Action::Nothing]);
        let vpc = d[0].state.as_ref().unwrap();
        assert!(!vpc.drifted && vpc.first_seen.is_none() && vpc.last_seen == Some(since));
    }

    #[test]
    fn the_cap_counts_every_open_issue_and_closes_free_slots() {
        let since = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let mut other = known("x", Some(9), since);
        other.repo = "other".into();
        let k = [other, known("vpc", Some(3), since)];
        // Two open already, cap 3: one new issue, the next is capped.
        let d = decide(&[drifted("vpc"), drifted("a"), drifted("b")], &facts(&k, 3));
        assert_eq!(actions(&d), [Action::Update, Action::Open, Action::Capped]);
        // vpc recovering frees its slot for both.
        let d = decide(&[in_sync("vpc"), drifted("a"), drifted("b")], &facts(&k, 3));
        assert_eq!(actions(&d), [Action::Close, Action::Open, Action::Open]);
        assert_eq!(actions(&decide(&[drifted("a")], &facts(&[], 0))), [Action::Capped]);
    }

    #[test]
    fn a_failed_plan_is_an_error_and_keeps_the_issue() {
        let since = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let k = [known("vpc", Some(3), since)];
        let failed = Observation { key: key("vpc"), observed: Observed::Failed { message: "boom".into() } };
        let d = decide(&[failed], &facts(&k, 5));
        assert_eq!((d[0].action, d[0].state.is_none()), (Action::Error, true));
    }
}
