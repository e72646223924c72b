//! Webhook verification and parsing with GitHub's documented test vector and payloads shaped
//! like the documented examples.

use std::sync::Arc;

use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderValue};
use paved::forge::ForgeKind;
use paved::forge::secret::Secret;
use paved::forge::webhook::{
    EventKind, MemoryDeliveryLog, Received, Receiver, WebhookError, parse_github, parse_gitlab, verify_github,
    verify_gitlab,
};
use serde_json::json;
use sha2::Sha256;

use crate::common::{BASE, HEAD};

const SECRET: &str = "It's a Secret to Everybody";

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    pairs.iter().map(|(k, v)| (http::HeaderName::from_static(k), HeaderValue::from_str(v).unwrap())).collect()
}

fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[test]
fn githubs_documented_test_vector() {
    let h =
        headers(&[("x-hub-signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]);
    verify_github(&Secret::new(SECRET), &h, b"Hello, World!").unwrap();
    assert!(matches!(verify_github(&Secret::new(SECRET), &h, b"Hello, World?"), Err(WebhookError::BadSignature)));
    assert!(matches!(
        verify_github(&Secret::new("another secret"), &h, b"Hello, World!"),
        Err(WebhookError::BadSignature)
    ));
    assert!(matches!(
        verify_github(&Secret::new(SECRET), &HeaderMap::new(), b"x"),
        Err(WebhookError::MissingHeader(_))
    ));
    for bad in ["757107ea", "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "sha256=zz"] {
        let h = headers(&[("x-hub-signature-256", bad)]);
        assert!(verify_github(&Secret::new(SECRET), &h, b"Hello, World!").is_err(), "{bad}");
    }
}

#[test]
fn gitlab_token_check() {
    let t = Secret::new("gitlab-hook-token");
    verify_gitlab(&t, &headers(&[("x-gitlab-token", "gitlab-hook-token")])).unwrap();
    assert!(matches!(
        verify_gitlab(&t, &headers(&[("x-gitlab-token", "gitlab-hook-tokeN")])),
        Err(WebhookError::BadToken)
    ));
    assert!(matches!(verify_gitlab(&t, &headers(&[("x-gitlab-token", "")])), Err(WebhookError::BadToken)));
    assert!(matches!(verify_gitlab(&t, &HeaderMap::new()), Err(WebhookError::MissingHeader(_))));
}

fn pull_request_payload(action: &str, merged: bool) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "action": action,
        "number": 2,
        "pull_request": {
            "url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/2",
            "id": 279147437, "number": 2, "state": if action == "closed" { "closed" } else { "open" },
            "title": "Update the README with new information.",
            "user": { "login": "Codertocat", "id": 21031067, "type": "User" },
            "body": "This is a pretty simple change that we need to pull into master.",
            "merged": merged, "merge_commit_sha": "c4295bd74fb0f4fda03689c3df3f2803b658fd85",
            "head": { "label": "Codertocat:changes", "ref": "changes", "sha": HEAD, "repo": { "full_name": "Codertocat/Hello-World" } },
            "base": { "label": "Codertocat:master", "ref": "master", "sha": BASE, "repo": { "full_name": "Codertocat/Hello-World" } }
        },
        "repository": { "id": 186853002, "name": "Hello-World", "full_name": "Codertocat/Hello-World", "private": false, "owner": { "login": "Codertocat" } },
        "sender": { "login": "Codertocat", "id": 21031067, "type": "User" },
        "installation": { "id": 2311213, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMjMxMTIxMw==" }
    }))
    .unwrap()
}

#[test]
fn github_payloads() {
    let ev = parse_github("pull_request", "d1", &pull_request_payload("opened", false)).unwrap().unwrap();
    assert_eq!(ev.kind, EventKind::PullRequestOpened);
    assert_eq!((ev.repo.as_str(), ev.number, ev.installation_id), ("Codertocat/Hello-World", Some(2), Some(2311213)));
    assert_eq!((ev.head_ref.as_deref(), ev.head_sha.as_deref()), (Some("changes"), Some(HEAD)));
    assert_eq!((ev.base_ref.as_deref(), ev.base_sha.as_deref()), (Some("master"), Some(BASE)));
    assert_eq!(ev.sender.as_deref(), Some("Codertocat"));
    assert_eq!(
        parse_github("pull_request", "d", &pull_request_payload("synchronize", false)).unwrap().unwrap().kind,
        EventKind::PullRequestUpdated
    );
    assert_eq!(
        parse_github("pull_request", "d", &pull_request_payload("reopened", false)).unwrap().unwrap().kind,
        EventKind::PullRequestReopened
    );
    assert_eq!(
        parse_github("pull_request", "d", &pull_request_payload("closed", false)).unwrap().unwrap().kind,
        EventKind::PullRequestClosed
    );
    let merged = parse_github("pull_request", "d", &pull_request_payload("closed", true)).unwrap().unwrap();
    assert_eq!(
        (merged.kind, merged.merge_sha.as_deref()),
        (EventKind::PullRequestMerged, Some("c4295bd74fb0f4fda03689c3df3f2803b658fd85"))
    );
    assert_eq!(parse_github("pull_request", "d", &pull_request_payload("labeled", false)).unwrap(), None);
    assert_eq!(parse_github("ping", "d", br#"{"zen":"Design for failure.","hook_id":1}"#).unwrap(), None);

    let push = json!({
        "ref": "refs/heads/main", "before": BASE, "after": HEAD, "created": false, "deleted": false, "forced": false,
        "repository": { "full_name": "acme/infra" }, "pusher": { "name": "octocat" }, "sender": { "login": "octocat" }
    });
    let ev = parse_github("push", "d", &serde_json::to_vec(&push).unwrap()).unwrap().unwrap();
    assert_eq!(
        (ev.kind, ev.head_ref.as_deref(), ev.head_sha.as_deref(), ev.base_sha.as_deref()),
        (EventKind::Push, Some("main"), Some(HEAD), Some(BASE))
    );
    let mut tag = push.clone();
    tag["ref"] = json!("refs/tags/v1.0.0");
    assert_eq!(parse_github("push", "d", &serde_json::to_vec(&tag).unwrap()).unwrap(), None);
    let mut deleted = push.clone();
    deleted["deleted"] = json!(true);
    deleted["after"] = json!("0000000000000000000000000000000000000000");
    assert_eq!(parse_github("push", "d", &serde_json::to_vec(&deleted).unwrap()).unwrap(), None);

    let comment = |pr: bool| {
        let mut issue = json!({ "number": 7, "title": "x", "user": { "login": "octocat" } });
        if pr {
            issue["pull_request"] = json!({ "url": "https://api.github.com/repos/acme/infra/pulls/7" });
        }
        serde_json::to_vec(&json!({
            "action": "created", "issue": issue,
            "comment": { "id": 1, "body": "/paved plan -s plat-ue2-dev vpc", "user": { "login": "alice" } },
            "repository": { "full_name": "acme/infra" }, "sender": { "login": "alice" }
        }))
        .unwrap()
    };
    let ev = parse_github("issue_comment", "d", &comment(true)).unwrap().unwrap();
    assert_eq!(
        (ev.kind, ev.number, ev.comment.as_deref()),
        (EventKind::Comment, Some(7), Some("/paved plan -s plat-ue2-dev vpc"))
    );
    assert_eq!(
        parse_github("issue_comment", "d", &comment(false)).unwrap(),
        None,
        "comments on issues are not ChatOps"
    );

    let rerun = json!({
        "action": "rerequested",
        "check_run": { "id": 4, "name": "paved/plan", "head_sha": HEAD, "status": "completed",
            "check_suite": { "id": 5, "head_branch": "feature/vpc", "head_sha": HEAD },
            "pull_requests": [{ "number": 7, "head": { "ref": "feature/vpc", "sha": HEAD }, "base": { "ref": "main", "sha": BASE } }] },
        "repository": { "full_name": "acme/infra" }, "sender": { "login": "alice" }, "installation": { "id": 9 }
    });
    let ev = parse_github("check_run", "d", &serde_json::to_vec(&rerun).unwrap()).unwrap().unwrap();
    assert_eq!(
        (ev.kind, ev.number, ev.head_ref.as_deref()),
        (EventKind::CheckRerequested, Some(7), Some("feature/vpc"))
    );

    let group = json!({
        "action": "checks_requested",
        "merge_group": { "head_sha": HEAD, "head_ref": "refs/heads/gh-readonly-queue/main/pr-7-7638417", "base_sha": BASE, "base_ref": "refs/heads/main",
            "head_commit": { "id": HEAD, "message": "Merge pull request #7" } },
        "repository": { "full_name": "acme/infra" }, "sender": { "login": "github-merge-queue[bot]" }
    });
    let ev = parse_github("merge_group", "d", &serde_json::to_vec(&group).unwrap()).unwrap().unwrap();
    assert_eq!(
        (ev.kind, ev.head_ref.as_deref(), ev.base_ref.as_deref()),
        (EventKind::MergeGroup, Some("gh-readonly-queue/main/pr-7-7638417"), Some("main"))
    );
}

#[test]
fn hostile_payloads_are_refused_without_echoing_them() {
    let mut p: serde_json::Value = serde_json::from_slice(&pull_request_payload("opened", false)).unwrap();
    p["pull_request"]["head"]["ref"] = json!("x; rm -rf / #");
    let err = parse_github("pull_request", "d", &serde_json::to_vec(&p).unwrap()).unwrap_err();
    assert_eq!(err.to_string(), "pull_request payload: pull_request.head.ref is not a valid git ref name");
    p["pull_request"]["head"]["ref"] = json!("ok");
    p["repository"]["full_name"] = json!("../../etc/passwd");
    assert!(parse_github("pull_request", "d", &serde_json::to_vec(&p).unwrap()).is_err());
    p["repository"]["full_name"] = json!("acme/infra");
    p["pull_request"]["head"]["sha"] = json!("ghp_notasha");
    let err = parse_github("pull_request", "d", &serde_json::to_vec(&p).unwrap()).unwrap_err();
    assert!(!err.to_string().contains("ghp_"), "{err}");
    let err = parse_github("push", "d", br#"{"ref": 42, "repository": {"full_name": "a/b"}}"#).unwrap_err();
    assert!(err.to_string().starts_with("push payload: a field is missing or has the wrong type"), "{err}");
    assert!(parse_github("push", "d", b"{not json").is_err());
}

#[test]
fn gitlab_payloads() {
    let mr = |action: &str, oldrev: Option<&str>| {
        let mut attrs = json!({
            "id": 99, "iid": 1, "target_branch": "master", "source_branch": "ms-viewport", "title": "MS-Viewport",
            "state": "opened", "action": action, "merge_commit_sha": null,
            "last_commit": { "id": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", "message": "fixed readme" }
        });
        if let Some(o) = oldrev {
            attrs["oldrev"] = json!(o);
        }
        if action == "merge" {
            attrs["merge_commit_sha"] = json!(HEAD);
        }
        serde_json::to_vec(&json!({
            "object_kind": "merge_request", "event_type": "merge_request",
            "user": { "id": 1, "name": "Administrator", "username": "root" },
            "project": { "id": 1, "name": "Gitlab Test", "path_with_namespace": "gitlabhq/gitlab-test" },
            "object_attributes": attrs, "labels": [], "changes": {}
        }))
        .unwrap()
    };
    let ev = parse_gitlab("Merge Request Hook", "u1", &mr("open", None)).unwrap().unwrap();
    assert_eq!(ev.forge, ForgeKind::GitLab);
    assert_eq!((ev.kind, ev.repo.as_str(), ev.number), (EventKind::PullRequestOpened, "gitlabhq/gitlab-test", Some(1)));
    assert_eq!((ev.head_ref.as_deref(), ev.base_ref.as_deref()), (Some("ms-viewport"), Some("master")));
    assert_eq!(ev.head_sha.as_deref(), Some("da1560886d4f094c3e6c9ef40349f7d38b5d27d7"));
    assert_eq!(ev.sender.as_deref(), Some("root"));
    assert_eq!(
        parse_gitlab("Merge Request Hook", "u", &mr("update", Some(BASE))).unwrap().unwrap().kind,
        EventKind::PullRequestUpdated
    );
    assert_eq!(
        parse_gitlab("Merge Request Hook", "u", &mr("update", None)).unwrap(),
        None,
        "a title edit is not new code"
    );
    assert_eq!(
        parse_gitlab("Merge Request Hook", "u", &mr("reopen", None)).unwrap().unwrap().kind,
        EventKind::PullRequestReopened
    );
    assert_eq!(
        parse_gitlab("Merge Request Hook", "u", &mr("close", None)).unwrap().unwrap().kind,
        EventKind::PullRequestClosed
    );
    let merged = parse_gitlab("Merge Request Hook", "u", &mr("merge", None)).unwrap().unwrap();
    assert_eq!((merged.kind, merged.merge_sha.as_deref()), (EventKind::PullRequestMerged, Some(HEAD)));
    assert_eq!(parse_gitlab("Merge Request Hook", "u", &mr("approved", None)).unwrap(), None);

    let push = json!({
        "object_kind": "push", "event_name": "push", "before": BASE, "after": HEAD, "ref": "refs/heads/master",
        "checkout_sha": HEAD, "user_username": "jsmith", "project": { "path_with_namespace": "mike/diaspora" }, "commits": []
    });
    let ev = parse_gitlab("Push Hook", "u", &serde_json::to_vec(&push).unwrap()).unwrap().unwrap();
    assert_eq!(
        (ev.kind, ev.head_ref.as_deref(), ev.sender.as_deref()),
        (EventKind::Push, Some("master"), Some("jsmith"))
    );

    let note = |noteable: &str| {
        serde_json::to_vec(&json!({
            "object_kind": "note", "event_type": "note",
            "user": { "id": 1, "name": "Administrator", "username": "root" },
            "project": { "path_with_namespace": "gitlab-org/gitlab-test" },
            "object_attributes": { "id": 1244, "note": "/paved apply", "noteable_type": noteable, "action": "create" },
            "merge_request": { "iid": 1, "source_branch": "tutorials_git_tricks", "target_branch": "master",
                "last_commit": { "id": "562e173be03b8ff2efb05345d12df18815438a4b" } }
        }))
        .unwrap()
    };
    let ev = parse_gitlab("Note Hook", "u", &note("MergeRequest")).unwrap().unwrap();
    assert_eq!((ev.kind, ev.number, ev.comment.as_deref()), (EventKind::Comment, Some(1), Some("/paved apply")));
    assert_eq!(parse_gitlab("Note Hook", "u", &note("Issue")).unwrap(), None);
    assert_eq!(parse_gitlab("Pipeline Hook", "u", b"{}").unwrap(), None);
}

fn receiver() -> Receiver {
    let mut r = Receiver::new(Arc::new(MemoryDeliveryLog::default()));
    r.github_secret = Some(Secret::new(SECRET));
    r.gitlab_token = Some(Secret::new("gitlab-hook-token"));
    r.max_payload = 64 * 1024;
    r
}

#[tokio::test]
async fn the_receiver_verifies_parses_and_drops_replays() {
    let r = receiver();
    let body = pull_request_payload("opened", false);
    let sig = sign(SECRET, &body);
    let h = headers(&[
        ("x-github-event", "pull_request"),
        ("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ("x-hub-signature-256", &sig),
    ]);
    match r.github(&h, &body).await.unwrap() {
        Received::Event(ev) => assert_eq!(ev.delivery_id, "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(r.github(&h, &body).await.unwrap(), Received::Duplicate { .. }), "a replay is dropped");

    let forged = headers(&[
        ("x-github-event", "pull_request"),
        ("x-github-delivery", "other"),
        ("x-hub-signature-256", &sign("guess", &body)),
    ]);
    assert_eq!(r.github(&forged, &body).await.unwrap_err().http_status(), 401);
    let unsigned = headers(&[("x-github-event", "pull_request"), ("x-github-delivery", "other")]);
    assert!(matches!(r.github(&unsigned, &body).await, Err(WebhookError::MissingHeader("x-hub-signature-256"))));

    let big = vec![b' '; 64 * 1024 + 1];
    let h = headers(&[
        ("x-github-event", "push"),
        ("x-github-delivery", "big"),
        ("x-hub-signature-256", &sign(SECRET, &big)),
    ]);
    let err = r.github(&h, &big).await.unwrap_err();
    assert!(matches!(err, WebhookError::TooLarge { .. }));
    assert_eq!(err.http_status(), 413);

    let ping = br#"{"zen":"Keep it logically awesome.","hook_id":1}"#;
    let h = headers(&[
        ("x-github-event", "ping"),
        ("x-github-delivery", "p"),
        ("x-hub-signature-256", &sign(SECRET, ping)),
    ]);
    assert!(matches!(r.github(&h, ping).await.unwrap(), Received::Ignored { .. }));

    let none = Receiver::new(Arc::new(MemoryDeliveryLog::default()));
    assert_eq!(
        none.github(&h, ping).await.unwrap_err().http_status(),
        401,
        "no secret configured: refuse, never accept unsigned"
    );
}

#[tokio::test]
async fn gitlab_deliveries_use_the_idempotency_key() {
    let r = receiver();
    let body = serde_json::to_vec(&json!({
        "object_kind": "push", "before": BASE, "after": HEAD, "ref": "refs/heads/main", "user_username": "root",
        "project": { "path_with_namespace": "acme/infra" }
    }))
    .unwrap();
    let h = headers(&[
        ("x-gitlab-event", "Push Hook"),
        ("x-gitlab-token", "gitlab-hook-token"),
        ("x-gitlab-event-uuid", "13792a34-cac6-4fda-95a8-c58e00a3954e"),
        ("idempotency-key", "f5e5f430-f57b-4e6e-9fac-d9128cd7232f"),
    ]);
    let Received::Event(ev) = r.gitlab(&h, &body).await.unwrap() else { panic!() };
    assert_eq!(ev.delivery_id, "f5e5f430-f57b-4e6e-9fac-d9128cd7232f");
    assert!(matches!(r.gitlab(&h, &body).await.unwrap(), Received::Duplicate { .. }));
    let bad = headers(&[("x-gitlab-event", "Push Hook"), ("x-gitlab-token", "nope")]);
    assert!(matches!(r.gitlab(&bad, &body).await, Err(WebhookError::BadToken)));
    // No id header (older GitLab): the body's digest stands in, so a replay is still caught.
    let old = headers(&[("x-gitlab-event", "Push Hook"), ("x-gitlab-token", "gitlab-hook-token")]);
    assert!(matches!(r.gitlab(&old, &body).await.unwrap(), Received::Event(_)));
    assert!(matches!(r.gitlab(&old, &body).await.unwrap(), Received::Duplicate { .. }));
}
