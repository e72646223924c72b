//! Pull request merged: requirements, locks, re-plan and compare, deploy in dependency order,
//! publish, audit note.

use std::time::Duration;

use paved::exec::{Scripted, ScriptedExecutor};
use paved::forge::{CheckConclusion, CheckStatus};
use paved::reconcile::audit::parse_note;
use paved::reconcile::{Action, Flow, Request, RunState, TargetStatus, reconcile};
use paved::store::{InterruptScope, LockKey, LockRequest, NewRun, RunKind, RunStatus};

use crate::support::*;

const VPC2: &str = "components:\n  terraform:\n    vpc:\n      vars: {cidr: 10.0.0.0/15}\n";
const EKS2: &str = "components:\n  terraform:\n    eks:\n      vars: {size: 5}\n";
const CHANGE: &[(&str, &str)] = &[("stacks/vpc.yaml", VPC2), ("stacks/eks.yaml", EKS2)];

fn scripted() -> ScriptedExecutor {
    ScriptedExecutor::new()
        .on("plan", "vpc", "dev", Scripted::plan(1, 0, 0))
        .on("plan", "eks", "dev", Scripted::plan(0, 1, 0))
        .on("deploy", "*", "*", Scripted::apply(1, 0, 0))
}

/// Opens PR 7 with both stacks changed, plans it, approves it by `approver`, merges it, and
/// reconciles main. Returns the merge sha and the apply run's state.
async fn plan_approve_merge(h: &Harness, approver: &str) -> (String, RunState, paved::reconcile::Outcome) {
    plan_and_approve(h, approver).await;
    merge_and_apply(h).await
}

async fn plan_and_approve(h: &Harness, approver: &str) {
    h.open_pr(7, "grow", CHANGE);
    let (plan, _) = reconcile(Request::new(REPO, "grow").pull_request(7), &h.ctx).await;
    assert_eq!(plan.flow, Flow::Plan);
    h.forge.set_approvals(&repo_id(), 7, &[approver]);
}

async fn merge_and_apply(h: &Harness) -> (String, RunState, paved::reconcile::Outcome) {
    let merge = h.merge_pr(7, "grow", CHANGE, "carol");
    let (state, outcome) = reconcile(Request::new(REPO, "main").pull_request(7), &h.ctx).await;
    (merge, state, outcome)
}

on_both!(a_merged_change_is_applied_in_dependency_order_with_a_note_and_a_check);
async fn a_merged_change_is_applied_in_dependency_order_with_a_note_and_a_check(db: Backend) {
    let h = Harness::on(db, scripted()).await;
    let (merge, state, outcome) = plan_approve_merge(&h, "bob").await;
    assert_eq!(outcome.status, RunStatus::Succeeded, "{:#?}", state.conditions);
    assert_eq!(state.flow, Flow::Apply);
    // The pull request's plans are independent (they may run in either order); the apply
    // follows the dependency: vpc first.
    let ran = h.ran();
    assert_eq!(sorted(&ran[..2]), ["plan dev/eks", "plan dev/vpc"]);
    assert_eq!(ran[2..], ["plan dev/vpc", "deploy dev/vpc", "plan dev/eks", "deploy dev/eks"]);
    // deploy applies the planfile of the re-plan.
    let deploy = &h.exec.calls()[3];
    assert_eq!(deploy.planfile(), h.exec.calls()[2].planfile());
    assert!(state.targets.iter().all(|t| t.status == TargetStatus::Applied));
    assert!(state.requirements.iter().all(|r| r.met), "{:#?}", state.requirements);

    let check = h.forge.checks(&repo_id()).pop().unwrap();
    assert_eq!((check.name.as_str(), check.head_sha.as_str()), ("paved/apply", merge.as_str()));
    assert_eq!(check.status, CheckStatus::Completed(CheckConclusion::Success));
    assert!(h.forge.comment(&repo_id(), 7, "apply").unwrap().contains("✅ applied"));

    let notes = parse_note(&h.notes.note(&merge).expect("a note on the merge commit"));
    assert_eq!(notes.len(), 1);
    let n = &notes[0];
    assert_eq!(
        (n.merged_by.as_deref(), n.approved_by.clone(), n.status.as_str()),
        (Some("carol"), vec!["bob".to_string()], "succeeded")
    );
    assert_eq!(n.components.iter().map(|c| c.result.as_str()).collect::<Vec<_>>(), ["applied", "applied"]);
    assert!(n.components.iter().all(|c| c.plan_digest.is_some() && c.plan_digest == c.reviewed_digest));
    assert!(h.store.list_locks().await.unwrap().is_empty(), "locks are released after a successful apply");
    let run = h.store.get_run(state.run_id.unwrap()).await.unwrap().unwrap();
    assert_eq!((run.kind, run.status), (RunKind::Apply, RunStatus::Succeeded));
}

on_both!(a_failing_apply_stops_its_dependents_and_keeps_its_lock);
async fn a_failing_apply_stops_its_dependents_and_keeps_its_lock(db: Backend) {
    let exec = ScriptedExecutor::new().on("deploy", "vpc", "dev", Scripted::failed("InvalidParameterValue")).on(
        "plan",
        "*",
        "*",
        Scripted::plan(1, 0, 0),
    );
    let h = Harness::on(db, exec).await;
    let (merge, state, outcome) = plan_approve_merge(&h, "bob").await;
    assert_eq!(outcome.status, RunStatus::Failed);
    assert_eq!(outcome.action, Action::AwaitChange);
    assert!(!h.ran().contains(&"deploy dev/eks".to_string()), "{:?}", h.ran());
    let status = |c: &str| state.targets.iter().find(|t| t.target.component == c).unwrap().status;
    assert_eq!((status("vpc"), status("eks")), (TargetStatus::ApplyFailed, TargetStatus::Skipped));
    let locks = h.store.list_locks().await.unwrap();
    assert_eq!(locks.iter().map(|l| l.key.clone()).collect::<Vec<_>>(), [LockKey::new("dev", "vpc")]);

    let check = h.forge.checks(&repo_id()).pop().unwrap();
    assert_eq!(
        (check.head_sha.as_str(), check.status),
        (merge.as_str(), CheckStatus::Completed(CheckConclusion::Failure))
    );
    let body = h.forge.comment(&repo_id(), 7, "apply").unwrap();
    assert!(body.contains("❌ apply failed") && body.contains("⏭️ skipped"), "{body}");
    assert!(body.contains("it depends on dev/vpc"), "{body}");
    assert_eq!(parse_note(&h.notes.note(&merge).unwrap())[0].status, "failed");

    // The kept lock blocks the next apply until a new plan of vpc succeeds.
    h.clock.advance(Duration::from_secs(3 * 86_400));
    h.open_pr(8, "fix", &[("stacks/vpc.yaml", "components:\n  terraform:\n    vpc: {vars: {cidr: 10.9.0.0/16}}\n")]);
    reconcile(Request::new(REPO, "fix").pull_request(8), &h.ctx).await;
    assert!(h.store.list_locks().await.unwrap().is_empty(), "a new plan releases the kept lock");
}

on_both!(a_plan_that_changed_after_approval_is_not_applied);
async fn a_plan_that_changed_after_approval_is_not_applied(db: Backend) {
    let exec = ScriptedExecutor::new()
        .once("plan", "vpc", "dev", Scripted::plan(1, 0, 0))
        .on("plan", "vpc", "dev", Scripted::plan(1, 0, 1))
        .on("plan", "eks", "dev", Scripted::plan(0, 1, 0));
    let h = Harness::on(db, exec).await;
    let (_, state, outcome) = plan_approve_merge(&h, "bob").await;
    assert_eq!(outcome.status, RunStatus::Failed);
    assert!(outcome.conclusion.contains("the plan changed after review for dev/vpc"), "{}", outcome.conclusion);
    assert!(!h.ran().iter().any(|r| r.starts_with("deploy")), "{:?}", h.ran());
    assert_eq!(state.targets.iter().find(|t| t.target.component == "vpc").unwrap().status, TargetStatus::PlanChanged);
    assert!(h.store.list_locks().await.unwrap().is_empty(), "nothing was applied, nothing stays locked");
}

on_both!(an_approval_by_a_non_owner_does_not_satisfy_the_owner_rule);
async fn an_approval_by_a_non_owner_does_not_satisfy_the_owner_rule(db: Backend) {
    let h = Harness::on(db, scripted()).await;
    let (_, state, outcome) = plan_approve_merge(&h, "mallory").await;
    assert_eq!(outcome.status, RunStatus::Failed);
    let owner = state.requirements.iter().find(|r| r.name == "owner-approval").unwrap();
    assert!(!owner.met && owner.detail.contains("no approval from a member of group:default/platform-networking"));
    assert!(state.requirements.iter().find(|r| r.name == "approvals").unwrap().met);
    assert_eq!(sorted(&h.ran()), ["plan dev/eks", "plan dev/vpc"], "only the pull request's plans ran");
    let check = h.forge.checks(&repo_id()).pop().unwrap();
    assert_eq!(check.status, CheckStatus::Completed(CheckConclusion::Failure));
    assert!(h.forge.comment(&repo_id(), 7, "apply").unwrap().contains("❌ **owner-approval**"));
    assert!(h.notes.note(&state.head.unwrap().sha).is_none(), "nothing applied, no note");
}

on_both!(config_changed_in_the_pull_request_is_ignored);
async fn config_changed_in_the_pull_request_is_ignored(db: Backend) {
    let h = Harness::on(db, scripted()).await;
    let loose = "reconcile:\n  apply:\n    approvals: 0\n    owner_approval: false\n";
    let mut change = CHANGE.to_vec();
    change.push(("paved.yaml", loose));
    h.open_pr(7, "loosen", &change);
    let (plan, _) = reconcile(Request::new(REPO, "loosen").pull_request(7), &h.ctx).await;
    assert!(plan.config_source.starts_with("base "), "{}", plan.config_source);
    assert_eq!(plan.config.reconcile.apply.approvals, 1);
    // Merged without any approval: the base's rules still ask for one.
    h.merge_pr(7, "loosen", &change, "alice");
    let (state, outcome) = reconcile(Request::new(REPO, "main").pull_request(7), &h.ctx).await;
    assert_eq!(outcome.status, RunStatus::Failed);
    assert!(!state.requirements.iter().find(|r| r.name == "approvals").unwrap().met);
    assert!(!h.ran().iter().any(|r| r.starts_with("deploy")));
}

on_both!(locks_of_interrupted_runs_stay_and_live_locks_requeue);
async fn locks_of_interrupted_runs_stay_and_live_locks_requeue(db: Backend) {
    let h = Harness::on(db, scripted()).await;
    plan_and_approve(&h, "bob").await;
    // A run applying vpc died (kill -9): on restart it is interrupted and its lock pinned.
    let dead = h
        .store
        .create_run(&NewRun {
            repo: REPO.into(),
            git_ref: "main".into(),
            sha: "0".repeat(40),
            pull_request: Some(6),
            kind: RunKind::Apply,
            actor: None,
        })
        .await
        .unwrap();
    h.store.start_run(dead.id, "replica-0").await.unwrap();
    let lock = |owner: &str, run: i64| LockRequest {
        key: LockKey::new("dev", "vpc"),
        owner: owner.into(),
        run_id: run,
        pull_request: Some(6),
        lease: Duration::from_secs(600),
    };
    h.store.acquire_lock(&lock("replica-0", dead.id)).await.unwrap();
    assert_eq!(h.store.mark_interrupted(&InterruptScope::AllRunning).await.unwrap(), vec![dead.id]);

    let (_, state, outcome) = merge_and_apply(&h).await;
    assert_eq!(outcome.status, RunStatus::Failed);
    assert_eq!(outcome.action, Action::AwaitChange, "a pinned lock needs a new plan, not a retry");
    let status = |c: &str| state.targets.iter().find(|t| t.target.component == c).unwrap().status;
    assert_eq!((status("vpc"), status("eks")), (TargetStatus::Locked, TargetStatus::Skipped));
    assert!(!h.ran().iter().any(|r| r.starts_with("deploy")));
    let locks = h.store.list_locks().await.unwrap();
    assert!(locks.len() == 1 && locks[0].is_pinned() && locks[0].run_id == dead.id);

    // A live run holding the lock: hand everything back and come again later.
    h.store.force_unlock(&LockKey::new("dev", "vpc")).await.unwrap();
    let live = h.store.create_run(&NewRun { pull_request: Some(5), ..new_run() }).await.unwrap();
    h.store.start_run(live.id, "replica-2").await.unwrap();
    h.store.acquire_lock(&lock("replica-2", live.id)).await.unwrap();
    let (_, outcome) = reconcile(Request::new(REPO, "main").pull_request(7), &h.ctx).await;
    assert_eq!(outcome.action, Action::Requeue(Duration::from_secs(30)));
    assert_eq!(h.store.list_locks().await.unwrap().len(), 1, "only the live run's lock is left");
}

fn sorted(calls: &[String]) -> Vec<String> {
    let mut v = calls.to_vec();
    v.sort();
    v
}

fn new_run() -> NewRun {
    NewRun {
        repo: REPO.into(),
        git_ref: "main".into(),
        sha: "1".repeat(40),
        pull_request: None,
        kind: RunKind::Apply,
        actor: None,
    }
}

on_both!(a_local_run_applies_everything_first_then_only_what_changed);
async fn a_local_run_applies_everything_first_then_only_what_changed(db: Backend) {
    let mut h = Harness::on(db, scripted()).await;
    h.ctx.forge = None;
    let (state, outcome) = reconcile(Request::new(REPO, "main"), &h.ctx).await;
    assert_eq!(outcome.status, RunStatus::Succeeded, "{:#?}", state.conditions);
    assert_eq!(state.requirements[0].name, "pull-request");
    assert_eq!(h.ran(), ["plan dev/vpc", "deploy dev/vpc", "plan dev/eks", "deploy dev/eks"]);
    let (_, outcome) = reconcile(Request::new(REPO, "main"), &h.ctx).await;
    assert!(outcome.conclusion.starts_with("nothing changed since"), "{}", outcome.conclusion);
    h.repo.commit("main", None, &[("stacks/eks.yaml", EKS2)]);
    let (state, _) = reconcile(Request::new(REPO, "main"), &h.ctx).await;
    assert_eq!(state.targets.len(), 1);
    assert_eq!(h.ran().len(), 6);
}
