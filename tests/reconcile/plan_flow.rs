//! Pull request opened: plan, then one check and one sticky comment.

use paved::exec::{Scripted, ScriptedExecutor};
use paved::forge::{AnnotationLevel, CheckConclusion, CheckStatus};
use paved::reconcile::{Action, Flow, Request, TargetStatus, reconcile};
use paved::report::Diagnostic;
use paved::store::{RunFilter, RunKind, RunStatus};

use crate::support::*;

const GROWN: &str = "components:\n  terraform:\n    vpc:\n      vars: {cidr: 10.0.0.0/15}\n";

on_both!(a_pull_request_is_planned_with_one_check_and_one_sticky_comment);
async fn a_pull_request_is_planned_with_one_check_and_one_sticky_comment(db: Backend) {
    let h = Harness::on(db, ScriptedExecutor::new().on("plan", "vpc", "dev", Scripted::plan(2, 1, 0))).await;
    let head = h.open_pr(7, "grow", &[("stacks/vpc.yaml", GROWN)]);

    let (state, outcome) = reconcile(Request::new(REPO, "grow").pull_request(7), &h.ctx).await;
    assert_eq!(outcome.status, RunStatus::Succeeded, "{:?}", state.conditions);
    assert_eq!(outcome.action, Action::AwaitChange);
    assert_eq!(state.flow, Flow::Plan);
    // Only the changed file's component is planned.
    assert_eq!(h.ran(), ["plan dev/vpc"]);
    assert_eq!(state.targets[0].status, TargetStatus::Planned);

    // The plan is stored with the run.
    let run = h.store.get_run(state.run_id.unwrap()).await.unwrap().unwrap();
    assert_eq!((run.kind, run.status, run.sha.as_str()), (RunKind::Plan, RunStatus::Succeeded, head.as_str()));
    let plans = h.store.plans_for_run(run.id).await.unwrap();
    assert_eq!((plans[0].add, plans[0].change, plans[0].destroy), (2, 1, 0));
    assert!(plans[0].plan_digest.is_some());
    assert_eq!(run.summary["targets"][0]["status"], "planned");

    // One check, on the head, annotated on the changed stack file.
    let checks = h.forge.checks(&repo_id());
    assert_eq!(checks.len(), 1);
    let check = &checks[0];
    assert_eq!((check.name.as_str(), check.head_sha.as_str()), ("paved/plan", head.as_str()));
    assert_eq!(check.status, CheckStatus::Completed(CheckConclusion::Success));
    assert_eq!(check.annotations.len(), 1);
    let a = &check.annotations[0];
    assert_eq!((a.path.as_str(), a.start_line, a.level), ("stacks/vpc.yaml", 3, AnnotationLevel::Notice));
    assert!(a.message.contains("+2 ~1 -0"), "{}", a.message);

    // One sticky comment with the table and the plan folded.
    let body = h.forge.comment(&repo_id(), 7, "plan").expect("comment");
    assert!(body.contains("| `dev` | `vpc` | 2 | 1 | 0 | 📝 changes |"), "{body}");
    assert!(body.contains("<details><summary>Plan of <code>vpc</code> in <code>dev</code></summary>"), "{body}");
    assert!(body.contains("Plan: 2 to add, 1 to change, 0 to destroy."), "{body}");
    assert!(body.contains("Rules from paved.yaml at the base"), "{body}");

    // Again on a new push: the same comment is edited, not duplicated.
    h.open_pr(7, "grow", &[("stacks/vpc.yaml", "components:\n  terraform:\n    vpc: {vars: {cidr: 10.1.0.0/16}}\n")]);
    reconcile(Request::new(REPO, "grow").pull_request(7), &h.ctx).await;
    let comments = h.forge.calls().into_iter().filter(|c| c.method() == "upsert_comment").count();
    assert_eq!(comments, 2);
    assert_eq!(h.store.list_runs(&RunFilter { pull_request: Some(7), ..Default::default() }).await.unwrap().len(), 2);
}

on_both!(validation_errors_fail_the_check_with_annotations_and_policies_in_the_comment);
async fn validation_errors_fail_the_check_with_annotations_and_policies_in_the_comment(db: Backend) {
    let h = Harness::on(db, ScriptedExecutor::new()).await;
    h.validator.0.lock().unwrap().extend([
        Diagnostic::error("policy/paved.tags/required", "stack dev lacks the `team` tag")
            .in_file("stacks/vpc.yaml")
            .at(2, 5),
        Diagnostic::warning("stacks/unknown-key", "unknown key `varz`").in_file("stacks/eks.yaml").at(1, 1),
    ]);
    let head = h.open_pr(8, "bad", &[("stacks/vpc.yaml", GROWN)]);
    let (state, outcome) = reconcile(Request::new(REPO, "bad").pull_request(8), &h.ctx).await;
    assert_eq!(outcome.status, RunStatus::Failed);
    assert_eq!(outcome.action, Action::AwaitChange, "a broken change waits for a new push");
    assert!(h.ran().is_empty(), "nothing is planned from invalid stacks");
    assert_eq!(state.phases.last().map(|p| p.0), Some("publish"));

    let check = &h.forge.checks(&repo_id())[0];
    assert_eq!(
        (check.head_sha.as_str(), check.status),
        (head.as_str(), CheckStatus::Completed(CheckConclusion::Failure))
    );
    // Only the changed file is annotated.
    assert_eq!(check.annotations.len(), 1);
    assert_eq!(check.annotations[0].path, "stacks/vpc.yaml");
    assert_eq!(check.annotations[0].level, AnnotationLevel::Failure);
    let body = h.forge.comment(&repo_id(), 8, "plan").unwrap();
    assert!(body.contains("#### Policies"), "{body}");
    assert!(body.contains("`policy/paved.tags/required` stacks/vpc.yaml:2: stack dev lacks the `team` tag"), "{body}");
    assert!(body.contains("Validation: 1 error(s), 1 warning(s)"), "{body}");
}

on_both!(a_failed_plan_is_reported_and_a_closed_pull_request_is_left_alone);
async fn a_failed_plan_is_reported_and_a_closed_pull_request_is_left_alone(db: Backend) {
    let h = Harness::on(db, ScriptedExecutor::new().on("plan", "*", "*", Scripted::failed("403 from AWS"))).await;
    h.open_pr(9, "x", &[("stacks/vpc.yaml", GROWN)]);
    let (state, outcome) = reconcile(Request::new(REPO, "x").pull_request(9), &h.ctx).await;
    assert_eq!(outcome.status, RunStatus::Failed);
    assert_eq!(state.targets[0].status, TargetStatus::PlanFailed);
    assert!(outcome.conclusion.contains("plan failed for dev/vpc"), "{}", outcome.conclusion);
    assert!(h.forge.comment(&repo_id(), 9, "plan").unwrap().contains("❌ plan failed"));

    let mut closed = pr(9, "x", "ff", paved::forge::PullRequestState::Closed, None);
    closed.mergeable = None;
    h.forge.set_pull_request(&repo_id(), closed);
    let before = h.exec.calls().len();
    let (_, outcome) = reconcile(Request::new(REPO, "x").pull_request(9), &h.ctx).await;
    assert_eq!(h.exec.calls().len(), before);
    assert!(outcome.conclusion.contains("closed without merging"), "{}", outcome.conclusion);
}
