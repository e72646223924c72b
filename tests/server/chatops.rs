//! `/paved …` comments: authorisation, replies in the sticky comment, unlock and cancel.

use std::time::Duration;

use paved::forge::Permission;
use paved::forge::fake::Call;
use paved::store::{LockKey, LockRequest, NewRun, RunEnd, RunKind, RunStatus};

use crate::harness::*;
use crate::support::Backend;

fn sticky(t: &TestServer, number: u64) -> String {
    t.forge.comment(&TestServer::repo(), number, "chatops").unwrap_or_default()
}

#[tokio::test]
async fn a_commenter_without_write_access_is_refused_and_nothing_is_queued() {
    let t = TestServer::start(Backend::Sqlite).await;
    t.given_pull_request(7, "mallory", Permission::Read);
    let (status, answer) = t
        .github("issue_comment", "c-1", &comment(7, "mallory", "/paved apply -s plat-ue2-prod vpc"), Some(SECRET))
        .await;
    assert_eq!((status, answer["status"].as_str()), (403, Some("refused")), "{answer}");
    assert_eq!(t.queued().await, 0);
    let reply = sticky(&t, 7);
    assert!(reply.contains("@mallory") && reply.contains("needs write access"), "{reply}");
}

#[tokio::test]
async fn a_writer_queues_a_plan_on_the_pull_requests_branch_and_the_reply_is_edited_in_place() {
    let t = TestServer::start(Backend::Sqlite).await;
    t.given_pull_request(7, "alice", Permission::Write);
    let (status, answer) =
        t.github("issue_comment", "c-2", &comment(7, "alice", "/paved plan -s plat-ue2-dev vpc"), Some(SECRET)).await;
    assert_eq!(status, 202, "{answer}");
    let claim = t.db.store.claim_next("r1", Duration::from_secs(30)).await.unwrap().unwrap();
    assert_eq!(claim.request.git_ref, "feature/vpc");
    assert_eq!(claim.request.reason, "comment: /paved plan -s plat-ue2-dev vpc");
    assert!(sticky(&t, 7).contains("queued"));

    t.github("issue_comment", "c-3", &comment(7, "alice", "/paved help"), Some(SECRET)).await;
    t.github("issue_comment", "c-4", &comment(7, "alice", "/paved plan -s ../../etc"), Some(SECRET)).await;
    let reply = sticky(&t, 7);
    assert!(reply.contains("not a valid stack name") && reply.contains("/paved unlock"), "{reply}");
    let upserts = t.forge.calls().iter().filter(|c| matches!(c, Call::UpsertComment { .. })).count();
    assert_eq!(upserts, 3, "every reply goes through the one sticky comment");
    assert_eq!(t.queued().await, 0, "the hostile stack name queued nothing");
}

#[tokio::test]
async fn unlock_releases_the_requests_locks_but_keeps_pinned_ones() {
    let t = TestServer::start(Backend::Sqlite).await;
    t.given_pull_request(7, "alice", Permission::Maintain);
    let store = &t.db.store;
    let run = |pr| NewRun {
        repo: "acme/infra".into(),
        git_ref: "feature/vpc".into(),
        sha: HEAD.into(),
        pull_request: Some(pr),
        kind: RunKind::Plan,
        actor: Some("alice".into()),
    };
    let interrupted = store.create_run(&run(7)).await.unwrap();
    let mine = store.create_run(&run(7)).await.unwrap();
    let other = store.create_run(&run(8)).await.unwrap();
    let running = store.create_run(&run(7)).await.unwrap();
    let locks = [("vpc", interrupted.id, 7), ("eks", mine.id, 7), ("rds", other.id, 8), ("s3", running.id, 7)];
    for (key, run_id, pr) in locks {
        let req = LockRequest {
            key: LockKey::new("plat-ue2-dev", key),
            owner: "replica-a".into(),
            run_id,
            pull_request: Some(pr),
            lease: Duration::from_secs(60),
        };
        store.acquire_lock(&req).await.unwrap();
    }
    // An interrupted apply pins its lock: `vpc` must stay held.
    store.start_run(interrupted.id, "replica-a").await.unwrap();
    store.mark_interrupted(&paved::store::InterruptScope::Replica("replica-a".into())).await.unwrap();
    let pinned: Vec<_> = store.list_locks().await.unwrap().into_iter().filter(|l| l.is_pinned()).collect();
    assert_eq!(pinned.len(), 1, "interrupting the run pins its lock");

    // `eks` was kept by a failed run; `s3` belongs to a run still going.
    let failed = RunEnd { status: RunStatus::Failed, conclusion: None, summary: serde_json::json!({}) };
    store.finish_run(mine.id, &failed).await.unwrap();
    store.start_run(running.id, "replica-b").await.unwrap();

    let (status, _) = t.github("issue_comment", "u-1", &comment(7, "alice", "/paved unlock"), Some(SECRET)).await;
    assert_eq!(status, 200);
    let mut left: Vec<String> = store.list_locks().await.unwrap().into_iter().map(|l| l.key.component).collect();
    left.sort();
    assert_eq!(left, ["rds", "s3", "vpc"], "eks released; pinned, running and another request's locks stay");
    let reply = sticky(&t, 7);
    assert!(reply.contains("released 1 lock(s): `eks`"), "{reply}");
    assert!(reply.contains("interrupted apply") && reply.contains("an apply is running"), "{reply}");
}

#[tokio::test]
async fn cancel_is_published_for_every_replica() {
    let t = TestServer::start(Backend::Sqlite).await;
    t.given_pull_request(7, "alice", Permission::Write);
    let (status, _) = t.github("issue_comment", "x-1", &comment(7, "alice", "/paved cancel"), Some(SECRET)).await;
    assert_eq!(status, 200);
    let events = t.db.store.events_since(0, 10).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "run.cancel_requested");
    assert_eq!(events[0].payload["pull_request"], 7);
    assert!(sticky(&t, 7).contains("cancel requested"));
}
