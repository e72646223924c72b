//! GitLab: merge request opened → plan → a commit status and one sticky note (plus the
//! check's own note); approved by the owners and merged → deploy in dependency order → a
//! commit status on the merge commit, the apply note, and the audit note in git.

use std::sync::Arc;

use paved::forge::gitlab::{GitLab, GitLabOptions};
use paved::forge::secret::Secret;
use paved::reconcile::{Flow, Request, TargetStatus, reconcile};
use paved::store::RunStatus;
use serde_json::Value;

use crate::fake_gitlab::FakeGitLab;
use crate::world::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merge_request_is_planned_on_gitlab_then_applied_in_dependency_order_when_merged() {
    let (server, gl) = FakeGitLab::start().await;
    let mut opts = GitLabOptions::new(Secret::new("glpat-PavedTestToken0123456789"));
    opts.url = server.uri();
    let w = World::new(Arc::new(GitLab::connect(opts).await.unwrap())).await;
    let root = w.root();
    git(&root, &["checkout", "-q", "-b", "grow"]);
    grow(&root);
    git(&root, &["commit", "-q", "-am", "Grow the dev VPC and its cluster"]);
    let head = git_out(&root, &["rev-parse", "HEAD"]);
    git(&root, &["checkout", "-q", "main"]);
    gl.open_mr(7, "grow", &head);

    let (plan, outcome) = reconcile(Request::new(NAME, "grow").pull_request(7), &w.ctx).await;
    assert_eq!(outcome.status, RunStatus::Succeeded, "{:#?}", plan.conditions);
    assert_eq!(plan.flow, Flow::Plan);
    let statuses = gl.statuses_on(&head);
    assert_eq!(statuses.len(), 1, "{statuses:#?}");
    assert_eq!((statuses[0]["name"].as_str(), statuses[0]["status"].as_str()), (Some("paved/plan"), Some("success")));
    let notes = gl.notes();
    assert_eq!(with_purpose(&notes, "plan").len(), 1, "{notes:#?}");
    assert_eq!(with_purpose(&notes, "check-paved/plan").len(), 1, "{notes:#?}");
    let body = with_purpose(&notes, "plan")[0]["body"].as_str().unwrap();
    assert!(body.contains("| `plat-ue2-dev` | `vpc` | 1 | 1 | 0 |"), "{body}");

    // Planned again: still one note per purpose.
    reconcile(Request::new(NAME, "grow").pull_request(7), &w.ctx).await;
    assert_eq!(gl.notes().len(), notes.len());

    gl.approve("kwame.asante");
    gl.approve("priya.raman");
    git(&root, &["merge", "-q", "--no-ff", "-m", "Merge branch 'grow' into 'main'", "grow"]);
    let merge = git_out(&root, &["rev-parse", "HEAD"]);
    gl.merge(&merge, "carol");
    let before = w.calls().len();
    let (apply, outcome) = reconcile(Request::new(NAME, "main").pull_request(7), &w.ctx).await;
    assert_eq!(outcome.status, RunStatus::Succeeded, "{:#?}\n{:#?}", apply.conditions, apply.requirements);
    assert!(apply.targets.iter().all(|t| t.status == TargetStatus::Applied), "{:#?}", apply.targets);
    assert_eq!(
        w.calls()[before..],
        [
            "plan plat-ue2-dev/vpc",
            "deploy plat-ue2-dev/vpc",
            "plan plat-ue2-dev/eks/cluster",
            "deploy plat-ue2-dev/eks/cluster"
        ]
    );
    let statuses = gl.statuses_on(&merge);
    assert_eq!(statuses.len(), 1, "{statuses:#?}");
    assert_eq!((statuses[0]["name"].as_str(), statuses[0]["status"].as_str()), (Some("paved/apply"), Some("success")));
    assert_eq!(with_purpose(&gl.notes(), "apply").len(), 1);

    let note = git_out(&root, &["notes", "--ref=paved", "show", &merge]);
    let entry: Value = serde_json::from_str(note.lines().last().unwrap()).unwrap();
    assert_eq!(entry["merged_by"], "carol", "{entry:#}");
    let approvers = entry["approved_by"].to_string();
    assert!(approvers.contains("kwame.asante") && approvers.contains("priya.raman"), "{entry:#}");

    assert!(gl.state().unknown.is_empty(), "unexpected GitLab calls: {:?}", gl.state().unknown);
}
