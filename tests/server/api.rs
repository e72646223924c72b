//! `/api/v1/runs` and `/api/v1/locks`.

use std::time::Duration;

use paved::store::{LockKey, LockRequest, NewPlan, NewRun, RunKind, StepStatus};

use crate::harness::*;
use crate::support::Backend;

async fn a_run_with_a_step(t: &TestServer) -> i64 {
    let store = &t.db.store;
    let run = store
        .create_run(&NewRun {
            repo: "acme/infra".into(),
            git_ref: "feature/vpc".into(),
            sha: HEAD.into(),
            pull_request: Some(7),
            kind: RunKind::Plan,
            actor: Some("bob".into()),
        })
        .await
        .unwrap();
    store.start_run(run.id, "replica-a").await.unwrap();
    let step = store.start_step(run.id, "plan vpc -s plat-ue2-dev").await.unwrap();
    store.append_log(step.id, "Plan: 1 to add, 0 to change, 0 to destroy.\n").await.unwrap();
    store.finish_step(step.id, StepStatus::Succeeded).await.unwrap();
    store
        .record_plan(&NewPlan {
            run_id: run.id,
            stack: "plat-ue2-dev".into(),
            component: "vpc".into(),
            planfile: None,
            planfile_digest: None,
            plan_digest: Some("sha256:ab".into()),
            add: 1,
            change: 0,
            destroy: 0,
            no_changes: false,
            exit_code: 2,
        })
        .await
        .unwrap();
    run.id
}

#[tokio::test]
async fn runs_are_listed_filtered_and_shown_with_their_logs() {
    let t = TestServer::start(Backend::Sqlite).await;
    let id = a_run_with_a_step(&t).await;
    let (status, body) = t.get_json("/api/v1/runs?repo=acme/infra&kind=plan").await;
    assert_eq!(status, 200);
    assert_eq!(body["runs"][0]["id"], id);
    assert_eq!(body["runs"][0]["status"], "running");
    let (_, body) = t.get_json("/api/v1/runs?repo=other/repo").await;
    assert_eq!(body["runs"].as_array().unwrap().len(), 0);
    let (status, body) = t.get_json("/api/v1/runs?kind=destroy-everything").await;
    assert_eq!(status, 400, "{body}");

    let (status, body) = t.get_json(&format!("/api/v1/runs/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["steps"][0]["log"], "Plan: 1 to add, 0 to change, 0 to destroy.\n");
    assert_eq!(body["plans"][0]["add"], 1);
    assert_eq!(t.get_json("/api/v1/runs/999999").await.0, 404);
}

#[tokio::test]
async fn the_admin_unlock_needs_the_token() {
    let t = TestServer::start(Backend::Sqlite).await;
    let id = a_run_with_a_step(&t).await;
    let key = LockKey::new("plat-ue2-dev", "eks/cluster");
    let req = LockRequest {
        key,
        owner: "replica-a".into(),
        run_id: id,
        pull_request: Some(7),
        lease: Duration::from_secs(60),
    };
    t.db.store.acquire_lock(&req).await.unwrap();
    let (status, body) = t.get_json("/api/v1/locks").await;
    assert_eq!(status, 200);
    assert_eq!(body["locks"][0]["key"]["component"], "eks/cluster");
    assert_eq!(body["locks"][0]["pinned"], false);

    let url = format!("{}/api/v1/locks?stack=plat-ue2-dev&component=eks%2Fcluster", t.url);
    let delete = |token: Option<&'static str>| {
        let mut r = t.http.delete(&url);
        if let Some(token) = token {
            r = r.bearer_auth(token);
        }
        r.send()
    };
    assert_eq!(delete(None).await.unwrap().status().as_u16(), 401);
    assert_eq!(delete(Some("admin-token-93ab0")).await.unwrap().status().as_u16(), 401);
    let resp = delete(Some(ADMIN)).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["released"]["run_id"], id);
    assert!(t.db.store.list_locks().await.unwrap().is_empty());
    assert_eq!(delete(Some(ADMIN)).await.unwrap().status().as_u16(), 404);
}
