//! Check runs with annotation batches, and the commit-status fallback.

use paved::forge::check::OUTPUT_LIMIT;
use paved::forge::{Annotation, AnnotationLevel, Check, CheckConclusion, CheckKind, CheckStatus, Forge};
use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

fn check_run(id: u64, status: &str) -> serde_json::Value {
    json!({
        "id": id,
        "head_sha": HEAD,
        "node_id": "MDg6Q2hlY2tSdW40",
        "external_id": "run-42",
        "url": format!("https://api.github.com/repos/acme/infra/check-runs/{id}"),
        "html_url": format!("https://github.com/acme/infra/runs/{id}"),
        "details_url": "https://paved.example.com/runs/42",
        "status": status,
        "conclusion": null,
        "started_at": "2018-05-04T01:14:52Z",
        "completed_at": null,
        "output": { "title": "Plan", "summary": "", "text": null, "annotations_count": 0, "annotations_url": "https://api.github.com/repos/acme/infra/check-runs/4/annotations" },
        "name": "paved/plan",
        "check_suite": { "id": 5 },
        "app": { "id": 1, "slug": "paved", "name": "paved" },
        "pull_requests": []
    })
}

fn failing_check(annotations: usize) -> Check {
    let mut c = Check::new("paved/plan", HEAD, CheckStatus::Completed(CheckConclusion::Failure));
    c.title = format!("{annotations} problems");
    c.summary = "x".repeat(70_000);
    c.details_url = Some("https://paved.example.com/runs/42".into());
    c.external_id = Some("run-42".into());
    c.annotations = (0..annotations)
        .map(|i| Annotation {
            path: "stacks/orgs/acme/plat/ue2/dev.yaml".into(),
            start_line: i as u32 + 1,
            end_line: i as u32 + 1,
            level: AnnotationLevel::Failure,
            title: Some("stacks/unknown-component".into()),
            message: format!("problem {i}"),
        })
        .collect();
    c
}

#[tokio::test]
async fn annotations_go_fifty_per_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/acme/infra/commits/{HEAD}/check-runs")))
        .and(query_param("check_name", "paved/plan"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "total_count": 0, "check_runs": [] })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/infra/check-runs"))
        .and(body_partial_json(json!({ "name": "paved/plan", "head_sha": HEAD, "status": "completed", "conclusion": "failure", "external_id": "run-42" })))
        .respond_with(ResponseTemplate::new(201).set_body_json(check_run(4, "completed")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/repos/acme/infra/check-runs/4"))
        .respond_with(ResponseTemplate::new(200).set_body_json(check_run(4, "completed")))
        .expect(2)
        .mount(&server)
        .await;

    let r = github(&server).publish_check(&repo(), &failing_check(120)).await.unwrap();
    assert_eq!((r.kind, r.id), (CheckKind::CheckRun, 4));
    assert_eq!(r.url.as_deref(), Some("https://github.com/acme/infra/runs/4"));

    let reqs = server.received_requests().await.unwrap();
    let writes: Vec<_> = reqs.iter().filter(|r| r.method.as_str() != "GET").collect();
    let counts: Vec<usize> =
        writes.iter().map(|r| body(r)["output"]["annotations"].as_array().map_or(0, Vec::len)).collect();
    assert_eq!(counts, [50, 50, 20]);
    let first = body(writes[0]);
    let summary = first["output"]["summary"].as_str().unwrap();
    assert!(summary.chars().count() <= OUTPUT_LIMIT && summary.contains("more characters did not fit"));
    assert_eq!(
        first["output"]["annotations"][0],
        json!({
            "path": "stacks/orgs/acme/plat/ue2/dev.yaml", "start_line": 1, "end_line": 1,
            "annotation_level": "failure", "message": "problem 0", "title": "stacks/unknown-component"
        })
    );
    // Later batches carry the required output title and summary too.
    assert_eq!(body(writes[2])["output"]["title"], "120 problems");
    assert_eq!(body(writes[2])["output"]["annotations"][19]["message"], "problem 119");
}

#[tokio::test]
async fn an_in_progress_run_is_completed_in_place() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/acme/infra/commits/{HEAD}/check-runs")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "total_count": 1, "check_runs": [check_run(9, "in_progress")] })),
        )
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/repos/acme/infra/check-runs/9"))
        .and(body_partial_json(json!({ "status": "completed", "conclusion": "success" })))
        .respond_with(ResponseTemplate::new(200).set_body_json(check_run(9, "completed")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/infra/check-runs"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let mut c = Check::new("paved/plan", HEAD, CheckStatus::Completed(CheckConclusion::Success));
    c.summary = "No changes.".into();
    let r = github(&server).publish_check(&repo(), &c).await.unwrap();
    assert_eq!(r.id, 9);
}

#[tokio::test]
async fn a_token_that_cannot_write_checks_falls_back_to_commit_statuses_and_remembers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/acme/infra/commits/{HEAD}/check-runs")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "total_count": 0, "check_runs": [] })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/infra/check-runs"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "message": "You must authenticate via a GitHub App.",
            "documentation_url": "https://docs.github.com/rest/checks/runs#create-a-check-run",
            "status": "403"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/repos/acme/infra/statuses/{HEAD}")))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "url": format!("https://api.github.com/repos/acme/infra/statuses/{HEAD}"),
            "avatar_url": "https://github.com/images/error/hubot_happy.gif",
            "id": 1, "node_id": "MDY6U3RhdHVzMQ==", "state": "failure",
            "description": "120 problems", "target_url": "https://paved.example.com/runs/42",
            "context": "paved/plan", "created_at": "2012-07-20T01:19:13Z", "updated_at": "2012-07-20T01:19:13Z"
        })))
        .expect(2)
        .mount(&server)
        .await;

    let gh = github(&server);
    let mut check = failing_check(120);
    check.name = format!("paved/{}", "n".repeat(300));
    check.title = "t".repeat(500);
    let first = gh.publish_check(&repo(), &check).await.unwrap();
    assert_eq!(first.kind, CheckKind::CommitStatus);
    // Remembered: the second check goes straight to a commit status.
    gh.publish_check(&repo(), &check).await.unwrap();

    let statuses: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().contains("/statuses/"))
        .map(|r| body(&r))
        .collect();
    assert_eq!(statuses.len(), 2);
    let s = &statuses[0];
    assert_eq!(s["state"], "failure");
    assert_eq!(s["target_url"], "https://paved.example.com/runs/42");
    assert_eq!(s["context"].as_str().unwrap().chars().count(), 255);
    assert_eq!(s["description"].as_str().unwrap().chars().count(), 140);
}
