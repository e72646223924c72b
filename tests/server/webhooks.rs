//! Deliveries in, queue rows out; forged, replayed and oversized deliveries queue nothing.

use paved::store::ReconcileRequest;
use serde_json::json;

use crate::harness::*;
use crate::support::Backend;

#[tokio::test]
async fn a_signed_pull_request_is_queued_once() {
    let t = TestServer::start(Backend::Sqlite).await;
    let body = pull_request("opened", 7, false);
    let (status, answer) = t.github("pull_request", "d-1", &body, Some(SECRET)).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["status"], "queued");
    let claim = t.db.store.claim_next("r1", std::time::Duration::from_secs(30)).await.unwrap().unwrap();
    assert_eq!(
        claim.request,
        ReconcileRequest {
            repo: "acme/infra".into(),
            git_ref: "feature/vpc".into(),
            pull_request: Some(7),
            reason: "pull_request.opened".into()
        }
    );

    // A second event for the same pull request while the first waits collapses into it.
    let (status, answer) = t.github("pull_request", "d-2", &pull_request("synchronize", 8, false), Some(SECRET)).await;
    assert_eq!((status, answer["collapsed"].clone()), (202, json!(false)));
    let (_, answer) = t.github("pull_request", "d-3", &pull_request("synchronize", 8, false), Some(SECRET)).await;
    assert_eq!(answer["collapsed"], json!(true));
}

#[tokio::test]
async fn forged_unsigned_replayed_and_oversized_deliveries_queue_nothing() {
    let t = TestServer::start(Backend::Sqlite).await;
    let body = pull_request("opened", 7, false);

    let (status, answer) = t.github("pull_request", "f-1", &body, Some("not the secret")).await;
    assert_eq!(status, 401, "{answer}");
    assert!(!answer.to_string().contains(SECRET));
    let (status, _) = t.github("pull_request", "f-2", &body, None).await;
    assert_eq!(status, 401);
    let mut tampered = body.clone();
    let sig = sign(SECRET, &body);
    tampered.extend_from_slice(b" ");
    let resp = t
        .http
        .post(format!("{}/webhooks/github", t.url))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "f-3")
        .header("x-hub-signature-256", sig)
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);

    let huge = vec![b' '; MAX_PAYLOAD + 1];
    let (status, _) = t.github("pull_request", "f-4", &huge, Some(SECRET)).await;
    assert_eq!(status, 413);
    assert_eq!(t.queued().await, 0, "refused deliveries queue nothing");

    let (status, _) = t.github("pull_request", "ok-1", &body, Some(SECRET)).await;
    assert_eq!(status, 202);
    t.db.store.claim_next("r1", std::time::Duration::from_secs(30)).await.unwrap().unwrap();
    let (status, answer) = t.github("pull_request", "ok-1", &body, Some(SECRET)).await;
    assert_eq!((status, answer["status"].as_str()), (409, Some("duplicate")));
    assert_eq!(t.queued().await, 0, "a replay queues nothing");

    let metrics = t.get("/metrics").await.1;
    assert!(metrics.contains(r#"paved_webhooks_total{forge="github",outcome="refused"} 4"#), "{metrics}");
    assert!(metrics.contains(r#"paved_webhooks_total{forge="github",outcome="duplicate"} 1"#), "{metrics}");
    assert!(metrics.contains(r#"paved_webhooks_total{forge="github",outcome="queued"} 1"#), "{metrics}");
    assert!(metrics.contains("paved_webhook_duration_seconds_bucket"), "{metrics}");
    assert!(metrics.contains(r#"paved_queue_depth{state="claimed"} 1"#), "{metrics}");
}

#[tokio::test]
async fn gitlab_deliveries_need_the_token() {
    let t = TestServer::start(Backend::Sqlite).await;
    let body = serde_json::to_vec(&json!({
        "object_kind": "merge_request", "event_type": "merge_request",
        "user": { "username": "alice" },
        "project": { "path_with_namespace": "acme/platform/infra" },
        "object_attributes": { "iid": 12, "action": "open", "state": "opened",
            "source_branch": "feature/eks", "target_branch": "main",
            "last_commit": { "id": HEAD } }
    }))
    .unwrap();
    let post = |token: &'static str, uuid: &'static str| {
        t.http
            .post(format!("{}/webhooks/gitlab", t.url))
            .header("x-gitlab-event", "Merge Request Hook")
            .header("x-gitlab-token", token)
            .header("x-gitlab-event-uuid", uuid)
            .body(body.clone())
            .send()
    };
    assert_eq!(post("wrong", "u-1").await.unwrap().status().as_u16(), 401);
    assert_eq!(t.queued().await, 0);
    let resp = post(GITLAB_TOKEN, "u-2").await.unwrap();
    assert_eq!(resp.status().as_u16(), 202, "{}", resp.text().await.unwrap());
    let claim = t.db.store.claim_next("r1", std::time::Duration::from_secs(30)).await.unwrap().unwrap();
    assert_eq!(
        (claim.request.repo.as_str(), claim.request.git_ref.as_str(), claim.request.pull_request),
        ("acme/platform/infra", "feature/eks", Some(12))
    );
}

#[tokio::test]
async fn draining_refuses_intake_and_readiness() {
    let t = TestServer::start(Backend::Sqlite).await;
    assert_eq!(t.get("/healthz").await, (200, "ok".into()));
    assert_eq!(t.get("/readyz").await.0, 200);
    t.server.drain();
    assert_eq!(t.get("/readyz").await.0, 503);
    let (status, _) = t.github("pull_request", "late", &pull_request("opened", 7, false), Some(SECRET)).await;
    assert_eq!(status, 503, "the forge retries it elsewhere");
    assert_eq!(t.queued().await, 0);
}

#[tokio::test]
async fn webhooks_queue_on_postgres_too() {
    let t = TestServer::start(Backend::Postgres).await;
    assert_eq!(t.db.store.backend(), "postgres");
    let (status, _) = t.github("pull_request", "pg-1", &pull_request("opened", 3, false), Some(SECRET)).await;
    assert_eq!(status, 202);
    let (status, _) = t.github("pull_request", "pg-1", &pull_request("opened", 3, false), Some(SECRET)).await;
    assert_eq!(status, 409);
    assert_eq!(t.queued().await, 1);
}

#[tokio::test]
async fn forge_repositories_map_to_configured_names_and_others_are_ignored() {
    let t = TestServer::start_with(Backend::Sqlite, |s| {
        s.repo_names.insert("acme/infra".into(), "platform".into());
    })
    .await;
    let (status, _) = t.github("pull_request", "m-1", &pull_request("opened", 7, false), Some(SECRET)).await;
    assert_eq!(status, 202);
    let claim = t.db.store.claim_next("r1", std::time::Duration::from_secs(30)).await.unwrap().unwrap();
    assert_eq!(claim.request.repo, "platform");

    let other = String::from_utf8(pull_request("opened", 9, false)).unwrap().replace("acme/infra", "acme/unrelated");
    let (status, answer) = t.github("pull_request", "m-2", other.as_bytes(), Some(SECRET)).await;
    assert_eq!((status, answer["status"].as_str()), (200, Some("ignored")), "{answer}");
    assert_eq!(t.queued().await, 0);
}

/// The delivery id is recorded with the enqueue: when the enqueue fails, the forge's redelivery
/// is tried again rather than refused as a replay.
#[tokio::test]
async fn a_delivery_whose_enqueue_failed_is_not_a_replay() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let t = TestServer::start(backend).await;
        // The store takes pull request numbers up to i64::MAX; this one cannot be queued.
        let body = pull_request("opened", 1 << 63, false);
        let (status, answer) = t.github("pull_request", "e-1", &body, Some(SECRET)).await;
        assert_eq!(status, 503, "{answer}");
        let (status, answer) = t.github("pull_request", "e-1", &body, Some(SECRET)).await;
        assert_eq!(status, 503, "redelivery after a failed enqueue: {answer}");
        // A delivery that was queued is refused the second time, on every backend.
        let ok = pull_request("opened", 5, false);
        assert_eq!(t.github("pull_request", "e-2", &ok, Some(SECRET)).await.0, 202);
        assert_eq!(t.github("pull_request", "e-2", &ok, Some(SECRET)).await.0, 409);
        assert_eq!(t.queued().await, 1);
    }
}
