//! Apply requirements, decided as a pure function of what the forge, the catalog and the store
//! said: N approvals, an approval from a member of each owning Group (paved's own rule),
//! mergeable, and a reviewed plan younger than a limit.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::config::ApplyRules;
use crate::forge::{Approval, PullRequest, PullRequestState};
use crate::store::PlanRecord;

use super::ports::Target;

/// One requirement and whether it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// `approvals`, `owner-approval`, `mergeable`, `plan-age`.
    pub name: &'static str,
    pub met: bool,
    pub detail: String,
}

/// What the decision reads.
pub struct Facts<'a> {
    pub rules: &'a ApplyRules,
    pub pr: &'a PullRequest,
    pub approvals: &'a [Approval],
    pub targets: &'a [Target],
    /// Group ref → its members' logins (`None`: the Group is not in the catalog).
    pub members: &'a BTreeMap<String, Option<Vec<String>>>,
    /// The reviewed plan of each target that has one, by `stack/component`.
    pub reviewed: &'a BTreeMap<String, PlanRecord>,
    pub now: DateTime<Utc>,
}

/// Every requirement, met or not, in a fixed order.
pub fn evaluate(f: &Facts<'_>) -> Vec<Requirement> {
    let mut out = Vec::new();
    // The author cannot approve their own change, whatever the forge allows.
    let approvers: Vec<&str> =
        f.approvals.iter().map(|a| a.user.as_str()).filter(|u| !u.eq_ignore_ascii_case(&f.pr.author)).collect();
    if f.rules.approvals > 0 {
        let n = approvers.len() as u32;
        let who = if approvers.is_empty() { String::new() } else { format!(" ({})", approvers.join(", ")) };
        out.push(Requirement {
            name: "approvals",
            met: n >= f.rules.approvals,
            detail: format!("{n} of {} approvals{who}", f.rules.approvals),
        });
    }
    if f.rules.owner_approval {
        out.push(owner_approval(f, &approvers));
    }
    if f.rules.mergeable {
        let (met, detail) = match (f.pr.state, f.pr.mergeable) {
            (PullRequestState::Merged, _) => (true, "merged".to_string()),
            (_, Some(true)) => (true, "mergeable".to_string()),
            (_, Some(false)) => (false, "not mergeable (conflicts or failing required checks)".to_string()),
            (_, None) => (false, "the forge has not decided whether it is mergeable yet".to_string()),
        };
        out.push(Requirement { name: "mergeable", met, detail });
    }
    out.push(plan_age(f));
    out
}

fn owner_approval(f: &Facts<'_>, approvers: &[&str]) -> Requirement {
    let mut missing = Vec::new();
    let mut groups: Vec<&str> = Vec::new();
    for t in f.targets {
        let Some(owner) = t.owner.as_deref() else {
            missing.push(format!("{}/{} names no owning group (settings.catalog.owner)", t.stack, t.component));
            continue;
        };
        if groups.contains(&owner) {
            continue;
        }
        groups.push(owner);
        match f.members.get(owner).and_then(Option::as_ref) {
            None => missing.push(format!("{owner} is not a Group in the catalog")),
            Some(members) => {
                if !approvers.iter().any(|a| members.iter().any(|m| m.eq_ignore_ascii_case(a))) {
                    missing.push(format!("no approval from a member of {owner}"));
                }
            }
        }
    }
    let detail = if missing.is_empty() {
        if groups.is_empty() { "nothing to apply".into() } else { format!("approved for {}", groups.join(", ")) }
    } else {
        missing.join("; ")
    };
    Requirement { name: "owner-approval", met: missing.is_empty(), detail }
}

fn plan_age(f: &Facts<'_>) -> Requirement {
    let limit = TimeDelta::from_std(f.rules.max_plan_age).unwrap_or(TimeDelta::MAX);
    let mut stale = Vec::new();
    for t in f.targets.iter().filter(|t| !t.deleted) {
        let key = format!("{}/{}", t.stack, t.component);
        match f.reviewed.get(&key) {
            None => stale.push(format!("{key} was never planned on the pull request")),
            Some(p) if f.now - p.created_at > limit => {
                stale.push(format!("{key}'s plan is {} old", human(f.now - p.created_at)))
            }
            Some(_) => {}
        }
    }
    let detail = if stale.is_empty() {
        format!("plans younger than {}", human(limit))
    } else {
        format!("{} (limit {})", stale.join("; "), human(limit))
    };
    Requirement { name: "plan-age", met: stale.is_empty(), detail }
}

fn human(d: TimeDelta) -> String {
    let s = d.num_seconds().max(0);
    match s {
        s if s >= 86_400 => format!("{}d{}h", s / 86_400, s % 86_400 / 3600),
        s if s >= 3600 => format!("{}h{}m", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::store::LockKey;

    fn pr(state: PullRequestState, mergeable: Option<bool>) -> PullRequest {
        PullRequest {
            number: 7,
            title: "t".into(),
            author: "alice".into(),
            state,
            draft: false,
            head_ref: "feature".into(),
            head_sha: "h".into(),
            base_ref: "main".into(),
            mergeable,
            merge_sha: None,
            merged_by: None,
            url: String::new(),
        }
    }

    fn target(component: &str, owner: Option<&str>) -> Target {
        Target {
            stack: "dev".into(),
            component: component.into(),
            reasons: vec!["stack.vars".into()],
            deleted: false,
            depends_on: Vec::<LockKey>::new(),
            owner: owner.map(String::from),
            location: None,
            drift: true,
        }
    }

    fn approval(user: &str) -> Approval {
        Approval { user: user.into(), commit_sha: None, submitted_at: None }
    }

    fn plan(at: DateTime<Utc>) -> PlanRecord {
        PlanRecord {
            id: 1,
            run_id: 1,
            stack: "dev".into(),
            component: "vpc".into(),
            planfile: None,
            planfile_digest: None,
            plan_digest: Some("d".into()),
            add: 1,
            change: 0,
            destroy: 0,
            no_changes: false,
            exit_code: 2,
            created_at: at,
        }
    }

    #[test]
    fn owners_approvals_mergeable_and_age() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let rules = ApplyRules { approvals: 1, max_plan_age: Duration::from_secs(3600), ..ApplyRules::default() };
        let members = BTreeMap::from([
            ("group:default/net".to_string(), Some(vec!["Bob".to_string()])),
            ("group:default/data".to_string(), None),
        ]);
        let targets = [target("vpc", Some("group:default/net"))];
        let reviewed = BTreeMap::from([("dev/vpc".to_string(), plan(now - TimeDelta::minutes(10)))]);
        let open = pr(PullRequestState::Open, Some(true));
        let facts = |approvals: &'static [&'static str]| {
            let list: Vec<Approval> = approvals.iter().map(|u| approval(u)).collect();
            list
        };

        let by_owner = facts(&["bob"]);
        let f = Facts {
            rules: &rules,
            pr: &open,
            approvals: &by_owner,
            targets: &targets,
            members: &members,
            reviewed: &reviewed,
            now,
        };
        let got = evaluate(&f);
        assert!(got.iter().all(|r| r.met), "{got:#?}");
        assert_eq!(
            got.iter().map(|r| r.name).collect::<Vec<_>>(),
            ["approvals", "owner-approval", "mergeable", "plan-age"]
        );

        // An approval from someone outside the owning group counts as an approval, not as the owner's.
        let outsider = facts(&["mallory"]);
        let got = evaluate(&Facts { approvals: &outsider, ..f });
        assert!(got[0].met && !got[1].met, "{got:#?}");
        assert_eq!(got[1].detail, "no approval from a member of group:default/net");

        // The author's own approval is not counted.
        let own = facts(&["alice"]);
        assert!(!evaluate(&Facts { approvals: &own, ..f })[0].met);

        // Unknown group, missing owner, conflicts, a stale plan.
        let t2 = [target("rds", Some("group:default/data")), target("s3", None)];
        let conflicted = pr(PullRequestState::Open, Some(false));
        let old = BTreeMap::from([("dev/rds".to_string(), plan(now - TimeDelta::hours(3)))]);
        let got = evaluate(&Facts { targets: &t2, pr: &conflicted, reviewed: &old, ..f });
        assert!(got[1].detail.contains("group:default/data is not a Group"));
        assert!(got[1].detail.contains("dev/s3 names no owning group"));
        assert!(!got[2].met);
        assert!(!got[3].met && got[3].detail.contains("dev/rds's plan is 3h0m old"), "{}", got[3].detail);
        assert!(got[3].detail.contains("dev/s3 was never planned"));

        // Once merged, mergeability no longer matters.
        let merged = pr(PullRequestState::Merged, None);
        assert!(evaluate(&Facts { pr: &merged, ..f })[2].met);
    }
}
