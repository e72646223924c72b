//! A drift pass against fakes: issues opened once, updated, closed; the cap; errors; locks.

use paved::drift::{Action, Status};
use paved::exec::{Scripted, ScriptedExecutor};
use paved::forge::fake::Call;
use paved::store::{LockKey, LockOutcome, LockRequest, RunFilter, RunKind, RunStatus};

use crate::harness::{Harness, REPO, repo_id};

fn drifting(components: &[&str]) -> ScriptedExecutor {
    components.iter().fold(ScriptedExecutor::new(), |e, c| e.on("plan", c, "dev", Scripted::plan(1, 2, 0)))
}

fn issue_calls(h: &Harness) -> (usize, usize) {
    let calls = h.forge.calls();
    let upserts = calls.iter().filter(|c| matches!(c, Call::UpsertIssue { .. })).count();
    let closes = calls.iter().filter(|c| matches!(c, Call::CloseIssue { .. })).count();
    (upserts, closes)
}

#[tokio::test]
async fn drift_opens_one_issue_updates_it_while_drifting_and_closes_it_on_recovery() {
    let mut h = Harness::new().await;
    h.script(drifting(&["vpc"]));
    let s = h.pass(20).await;
    assert_eq!((s.drifted(), s.in_sync(), s.exit_code()), (1, 2, 2), "{s:#?}");
    let vpc = s.components.iter().find(|c| c.component == "vpc").unwrap();
    assert_eq!((vpc.status, vpc.action), (Status::Drifted, Action::Open));
    let open = h.forge.open_issues(&repo_id());
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].key.as_str(), open[0].title.as_str()), ("drift:dev/vpc", "Drift: vpc in dev"));
    assert!(open[0].body.contains("| Plan | 1 to add, 2 to change, 0 to destroy |"), "{}", open[0].body);
    assert!(open[0].body.contains("| First seen | 2025-01-01 00:00 UTC |"), "{}", open[0].body);

    // Still drifting an hour later: the same issue, updated; first seen kept.
    h.clock.advance(std::time::Duration::from_secs(3600));
    h.script(drifting(&["vpc"]));
    let s = h.pass(20).await;
    let vpc = s.components.iter().find(|c| c.component == "vpc").unwrap();
    assert_eq!(vpc.action, Action::Update);
    let open = h.forge.open_issues(&repo_id());
    assert_eq!(open.len(), 1, "no duplicate issue");
    assert!(open[0].body.contains("| First seen | 2025-01-01 00:00 UTC |"), "{}", open[0].body);
    assert!(open[0].body.contains("| Last seen | 2025-01-01 01:00 UTC |"), "{}", open[0].body);
    let states = h.store.drift_states(Some(REPO)).await.unwrap();
    let state = states.iter().find(|s| s.key.component == "vpc").unwrap();
    assert!(state.drifted && state.issue.is_some());

    // In sync again: closed with a comment, and the state forgets the drift.
    h.script(ScriptedExecutor::new());
    let s = h.pass(20).await;
    assert_eq!((s.drifted(), s.exit_code()), (0, 0), "{s:#?}");
    assert!(h.forge.open_issues(&repo_id()).is_empty());
    let closed = h.forge.calls().into_iter().find_map(|c| match c {
        Call::CloseIssue { key, comment, .. } => Some((key, comment)),
        _ => None,
    });
    let (key, comment) = closed.expect("the issue was closed");
    assert_eq!(key, "drift:dev/vpc");
    assert!(comment.unwrap().contains("in sync again (drifting since 2025-01-01 00:00 UTC)"));
    let states = h.store.drift_states(Some(REPO)).await.unwrap();
    let state = states.iter().find(|s| s.key.component == "vpc").unwrap();
    assert!(!state.drifted && state.issue.is_none() && state.first_seen.is_none());

    // Quiet afterwards: nothing more is closed.
    h.script(ScriptedExecutor::new());
    h.pass(20).await;
    assert_eq!(issue_calls(&h), (2, 1));
}

#[tokio::test]
async fn the_cap_leaves_drift_without_issues_and_counts_it() {
    let mut h = Harness::new().await;
    h.script(drifting(&["vpc", "rds", "eks"]));
    let s = h.pass(1).await;
    assert_eq!((s.drifted(), s.capped(), s.exit_code()), (3, 2, 2), "{s:#?}");
    assert_eq!(h.forge.open_issues(&repo_id()).len(), 1);
    let capped = s.components.iter().find(|c| c.action == Action::Capped).unwrap();
    assert!(capped.message.as_deref().unwrap().contains("max_open_issues"), "{capped:?}");

    // The one with an issue recovers: its slot goes to a capped one.
    let with_issue = h.forge.open_issues(&repo_id())[0].key.clone();
    let rest: Vec<&str> =
        ["vpc", "rds", "eks"].into_iter().filter(|c| format!("drift:dev/{c}") != with_issue).collect();
    h.script(drifting(&rest));
    let s = h.pass(1).await;
    assert_eq!((s.drifted(), s.capped()), (2, 1), "{s:#?}");
    let open = h.forge.open_issues(&repo_id());
    assert_eq!(open.len(), 1);
    assert_ne!(open[0].key, with_issue);
}

#[tokio::test]
async fn a_failed_plan_is_an_error_that_keeps_the_issue_open() {
    let mut h = Harness::new().await;
    h.script(drifting(&["vpc"]));
    h.pass(20).await;
    h.script(ScriptedExecutor::new().on("plan", "vpc", "dev", Scripted::failed("Error: credentials expired")));
    let s = h.pass(20).await;
    assert_eq!((s.drifted(), s.error_count(), s.exit_code()), (0, 1, 1), "{s:#?}");
    let vpc = s.components.iter().find(|c| c.component == "vpc").unwrap();
    assert_eq!((vpc.status, vpc.action), (Status::Error, Action::Error));
    assert!(vpc.message.as_deref().unwrap().contains("credentials expired"), "{vpc:?}");
    assert_eq!(h.forge.open_issues(&repo_id()).len(), 1, "an errored plan does not close the issue");
    assert_eq!(issue_calls(&h).1, 0);
    let runs = h.store.list_runs(&RunFilter { kind: Some(RunKind::Drift), ..RunFilter::default() }).await.unwrap();
    assert_eq!(runs[0].status, RunStatus::Failed);
}

#[tokio::test]
async fn plans_in_dependency_order_skip_locked_components_and_record_run_and_events() {
    let mut h = Harness::new().await;
    let held = LockRequest {
        key: LockKey::new("dev", "rds"),
        owner: "replica-2".into(),
        run_id: 99,
        pull_request: Some(7),
        lease: std::time::Duration::from_secs(600),
    };
    assert!(matches!(h.store.acquire_lock(&held).await.unwrap(), LockOutcome::Acquired { .. }));
    h.script(drifting(&["eks"]));
    // One at a time, the executor sees the dependency order itself.
    h.ctx.settings.max_parallelism = Some(1);
    let s = h.pass(20).await;
    assert_eq!(h.ran(), ["plan dev/vpc", "plan dev/eks"], "vpc before eks; rds not planned");
    let reported: Vec<&str> = s.components.iter().map(|c| c.component.as_str()).collect();
    assert_eq!(reported, ["vpc", "eks", "rds"], "reported in dependency order");
    let rds = s.components.iter().find(|c| c.component == "rds").unwrap();
    assert_eq!(rds.status, Status::Skipped);
    assert!(rds.message.as_deref().unwrap().contains("locked by run 99 on replica-2"), "{rds:?}");
    let cmd = &h.exec.calls()[0];
    assert_eq!(cmd.args(), ["-input=false", "-detailed-exitcode"]);
    // Our locks are given back; the other holder's stays.
    let locks = h.store.list_locks().await.unwrap();
    assert_eq!(locks.iter().map(|l| l.key.component.as_str()).collect::<Vec<_>>(), ["rds"]);

    let runs = h.store.list_runs(&RunFilter { kind: Some(RunKind::Drift), ..RunFilter::default() }).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].status, runs[0].repo.as_str()), (RunStatus::Succeeded, REPO));
    assert_eq!(s.runs, [runs[0].id]);
    assert_eq!(h.store.plans_for_run(runs[0].id).await.unwrap().len(), 2);
    let events = h.store.events_since(0, 100).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["run.started", "drift.detected", "drift.finished"]);
    let detected = &events[1].payload;
    assert_eq!((detected["stack"].as_str(), detected["component"].as_str()), (Some("dev"), Some("eks")));
    assert_eq!(detected["summary"]["change"], 2);
}

#[tokio::test]
async fn a_forge_failure_is_an_error_and_the_issue_is_opened_next_time() {
    let mut h = Harness::new().await;
    h.forge.fail("upsert_issue", 502);
    h.script(drifting(&["vpc"]));
    let s = h.pass(20).await;
    assert_eq!(s.exit_code(), 1, "{s:#?}");
    let vpc = s.components.iter().find(|c| c.component == "vpc").unwrap();
    assert!(vpc.message.as_deref().unwrap().starts_with("issue not updated"), "{vpc:?}");
    h.forge.heal("upsert_issue");
    h.script(drifting(&["vpc"]));
    let s = h.pass(20).await;
    assert_eq!(s.exit_code(), 2);
    assert_eq!(s.components.iter().find(|c| c.component == "vpc").unwrap().action, Action::Open);
    assert_eq!(h.forge.open_issues(&repo_id()).len(), 1);
}

#[tokio::test]
async fn filters_narrow_the_pass() {
    let h = Harness::new().await;
    let opts = paved::drift::DriftOptions {
        selection: paved::reconcile::Selection { stack: None, component: Some("rds".into()) },
        max_open_issues: 5,
        ..Default::default()
    };
    let s = paved::drift::run_drift(&h.ctx, &opts).await;
    assert_eq!(h.ran(), ["plan dev/rds"]);
    assert_eq!(s.components.len(), 1);
}

#[tokio::test]
async fn a_component_opted_out_is_not_planned_and_its_issue_stays_visible() {
    let mut h = Harness::new().await;
    h.script(drifting(&["vpc"]));
    assert_eq!(h.pass(20).await.drifted(), 1);
    assert_eq!(h.forge.open_issues(&repo_id()).len(), 1);

    // `settings.paved.drift: false` on vpc: skipped with the reason, never planned, and its
    // issue is neither closed nor updated (nothing was observed).
    h.set_drift("vpc", false);
    h.script(ScriptedExecutor::new());
    let before = issue_calls(&h);
    let s = h.pass(20).await;
    assert_eq!(h.ran(), ["plan dev/eks", "plan dev/rds"]);
    let vpc = s.components.iter().find(|c| c.component == "vpc").unwrap();
    assert_eq!((vpc.status, vpc.action), (Status::Skipped, Action::Skipped), "{vpc:?}");
    assert_eq!(vpc.message.as_deref(), Some("settings.paved.drift: false"));
    assert_eq!((s.skipped(), s.in_sync(), s.exit_code()), (1, 2, 0), "{s:#?}");
    assert_eq!(issue_calls(&h), before);
    assert_eq!(h.forge.open_issues(&repo_id()).len(), 1);
}
