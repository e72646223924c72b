//! `/paved unlock`: one rule for ChatOps and the queue — the pull request's locks go, except
//! those of an in-flight apply (interrupted, or running); another repository's #N is untouched.

use std::time::Duration;

use paved::reconcile::worker::{KeptBecause, unlock_pull_request};
use paved::store::{InterruptScope, LockKey, LockRequest, NewRun, ReconcileRequest, RunEnd, RunKind, RunStatus, Store};

use crate::support::*;

async fn run_with_lock(store: &dyn Store, repo: &str, pr: u64, component: &str) -> i64 {
    let run = store
        .create_run(&NewRun {
            repo: repo.into(),
            git_ref: "main".into(),
            sha: "2".repeat(40),
            pull_request: Some(pr),
            kind: RunKind::Apply,
            actor: None,
        })
        .await
        .unwrap();
    store.start_run(run.id, "replica-0").await.unwrap();
    let req = LockRequest {
        key: LockKey::new("dev", component),
        owner: "replica-0".into(),
        run_id: run.id,
        pull_request: Some(pr),
        lease: Duration::from_secs(600),
    };
    store.acquire_lock(&req).await.unwrap();
    run.id
}

async fn end(store: &dyn Store, run: i64, status: RunStatus) {
    let end = RunEnd { status, conclusion: None, summary: serde_json::json!({}) };
    assert!(store.finish_run(run, &end).await.unwrap());
}

on_both!(unlock_releases_all_but_in_flight_applies);
async fn unlock_releases_all_but_in_flight_applies(db: Backend) {
    let h = Harness::on(db, paved::exec::ScriptedExecutor::new()).await;
    let store = h.store.as_ref();
    // Interrupted while applying vpc: pinned.
    let interrupted = run_with_lock(store, REPO, 7, "vpc").await;
    assert_eq!(store.mark_interrupted(&InterruptScope::AllRunning).await.unwrap(), vec![interrupted]);
    // A failed apply kept eks's lock; a third run is applying dns right now.
    let failed = run_with_lock(store, REPO, 7, "eks").await;
    end(store, failed, RunStatus::Failed).await;
    run_with_lock(store, REPO, 7, "dns").await;
    // Same number, other repository; and another pull request of ours.
    let other = run_with_lock(store, "acme/other", 7, "cdn").await;
    end(store, other, RunStatus::Failed).await;
    let pr8 = run_with_lock(store, REPO, 8, "waf").await;
    end(store, pr8, RunStatus::Failed).await;

    let done = unlock_pull_request(store, REPO, 7).await.unwrap();
    assert_eq!(done.released, [LockKey::new("dev", "eks")]);
    let mut kept = done.kept.clone();
    kept.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        kept,
        [(LockKey::new("dev", "dns"), KeptBecause::Running), (LockKey::new("dev", "vpc"), KeptBecause::Interrupted)]
    );
    let mut left: Vec<String> = store.list_locks().await.unwrap().into_iter().map(|l| l.key.component).collect();
    left.sort();
    assert_eq!(left, ["cdn", "dns", "vpc", "waf"]);
}

on_both!(a_queued_unlock_comment_uses_the_same_rule);
async fn a_queued_unlock_comment_uses_the_same_rule(db: Backend) {
    let h = Harness::on(db, paved::exec::ScriptedExecutor::new()).await;
    let store = h.store.as_ref();
    let failed = run_with_lock(store, REPO, 7, "eks").await;
    end(store, failed, RunStatus::Failed).await;
    let interrupted = run_with_lock(store, REPO, 7, "vpc").await;
    store.mark_interrupted(&InterruptScope::AllRunning).await.unwrap();
    let req = ReconcileRequest {
        repo: REPO.into(),
        git_ref: "grow".into(),
        pull_request: Some(7),
        reason: paved::server::ChatCommand::Unlock.reason(),
    };
    store.enqueue(&req).await.unwrap();
    let worked = paved::reconcile::worker::work_one(&h.ctx).await.unwrap().unwrap();
    assert!(worked.run.is_none(), "an unlock runs no reconcile");
    let left = store.list_locks().await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!((left[0].run_id, left[0].is_pinned()), (interrupted, true));
}
