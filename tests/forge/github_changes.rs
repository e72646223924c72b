//! Pull requests from change sets through the Git Data API.

use paved::changeset::{ChangeRequest, ChangeSet, FileMode};
use paved::forge::{Forge, ForgeError};
use paved::source::RelPath;
use serde_json::json;
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

const NEW_TREE: &str = "cd8274d15fa3ae2ab983129fb037999f264ba9a7";
const OLD_TREE: &str = "9fb037999f264ba9a7cd8274d15fa3ae2ab98312";
const COMMIT: &str = "7044a8a032e85b6ab611033b2ac8af7ce51805b0";
const OLD_BASE: &str = "553c2077f0edc3d5dc5d17262f6aa498e69d6f8e";

fn changes() -> ChangeSet {
    let mut cs = ChangeSet::new();
    cs.write(RelPath::new("catalog/payments/catalog-info.yaml").unwrap(), "kind: Component\n", FileMode::Regular)
        .unwrap();
    cs.write(RelPath::new("scripts/bootstrap.sh").unwrap(), "#!/bin/sh\necho hi\n", FileMode::Executable).unwrap();
    cs.write(RelPath::new("assets/logo.png").unwrap(), vec![0x89, b'P', b'N', b'G', 0xff, 0x00], FileMode::Regular)
        .unwrap();
    cs.delete(RelPath::new("old/service.yaml").unwrap()).unwrap();
    cs.delete(RelPath::new("never/existed.yaml").unwrap()).unwrap();
    cs
}

fn request() -> ChangeRequest {
    let mut r = ChangeRequest::new("paved/new-service-payments", "main", "Add the payments service");
    r.body = "Rendered from the `service` golden path.".into();
    r.labels = vec!["paved".into()];
    r.reviewers = vec!["octocat".into()];
    r.team_reviewers = vec!["platform".into()];
    r
}

fn git_ref(name: &str, sha: &str) -> serde_json::Value {
    json!({
        "ref": format!("refs/heads/{name}"),
        "node_id": "MDM6UmVmcmVmcy9oZWFkcy9mZWF0dXJlQQ==",
        "url": format!("https://api.github.com/repos/acme/infra/git/refs/heads/{name}"),
        "object": { "type": "commit", "sha": sha, "url": format!("https://api.github.com/repos/acme/infra/git/commits/{sha}") }
    })
}

fn git_commit(sha: &str, tree: &str, parents: &[&str]) -> serde_json::Value {
    json!({
        "sha": sha,
        "node_id": "MDY6Q29tbWl0NmRjYjA5YjViNTc4NzVmMzM0ZjYxYWViZWQ2OTVlMmU0MTkzZGI1ZQ==",
        "url": format!("https://api.github.com/repos/acme/infra/git/commits/{sha}"),
        "author": { "date": "2014-11-07T22:01:45Z", "name": "Monalisa Octocat", "email": "octocat@github.com" },
        "committer": { "date": "2014-11-07T22:01:45Z", "name": "Monalisa Octocat", "email": "octocat@github.com" },
        "message": "added readme, because im a good github citizen",
        "tree": { "url": format!("https://api.github.com/repos/acme/infra/git/trees/{tree}"), "sha": tree },
        "parents": parents.iter().map(|p| json!({ "url": "https://api.github.com/x", "sha": p, "html_url": "https://github.com/x" })).collect::<Vec<_>>(),
        "verification": { "verified": false, "reason": "unsigned", "signature": null, "payload": null }
    })
}

/// The reads every run makes: base ref, base commit, contents look-ups, blob, tree.
async fn mount_base(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/git/ref/heads/main"))
        .and(header("authorization", format!("Bearer {GH_TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(git_ref("main", BASE)))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/acme/infra/git/commits/{BASE}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(git_commit(BASE, OLD_TREE, &[OLD_BASE])))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/contents/old/service.yaml"))
        .and(query_param("ref", BASE))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "type": "file", "encoding": "base64", "size": 5, "name": "service.yaml", "path": "old/service.yaml",
            "content": "a2luZDoK", "sha": "3d21ec53a331a6f037a91c368710b99387d012c1"
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/contents/never/existed.yaml"))
        .respond_with(gh_not_found())
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/infra/git/blobs"))
        .and(header("content-type", "application/json"))
        .and(body_partial_json(json!({ "encoding": "base64", "content": "iVBOR/8A" })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "url": "https://api.github.com/repos/acme/infra/git/blobs/3a0f86fb8db8eea7ccbb9a95f325ddbedfb25e15",
            "sha": "3a0f86fb8db8eea7ccbb9a95f325ddbedfb25e15"
        })))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/infra/git/trees"))
        .and(body_partial_json(json!({ "base_tree": OLD_TREE })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "sha": NEW_TREE,
            "url": format!("https://api.github.com/repos/acme/infra/git/trees/{NEW_TREE}"),
            "tree": [], "truncated": false
        })))
        .mount(server)
        .await;
}

#[tokio::test]
async fn opens_a_pull_request_then_running_again_changes_nothing() {
    let server = MockServer::start().await;
    mount_base(&server).await;
    // First run: no branch yet, then it exists at the commit paved wrote.
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/git/ref/heads/paved/new-service-payments"))
        .respond_with(gh_not_found())
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/git/ref/heads/paved/new-service-payments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(git_ref("paved/new-service-payments", COMMIT)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/acme/infra/git/commits/{COMMIT}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(git_commit(COMMIT, NEW_TREE, &[BASE])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/infra/git/commits"))
        .and(body_partial_json(json!({ "tree": NEW_TREE, "parents": [BASE], "message": "Add the payments service" })))
        .respond_with(ResponseTemplate::new(201).set_body_json(git_commit(COMMIT, NEW_TREE, &[BASE])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/infra/git/refs"))
        .and(body_partial_json(json!({ "ref": "refs/heads/paved/new-service-payments", "sha": COMMIT })))
        .respond_with(ResponseTemplate::new(201).set_body_json(git_ref("paved/new-service-payments", COMMIT)))
        .expect(1)
        .mount(&server)
        .await;
    let title = "Add the payments service";
    let pr_body = "Rendered from the `service` golden path.";
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/pulls"))
        .and(query_param("state", "open"))
        .and(query_param("head", "acme:paved/new-service-payments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/pulls"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([gh_pull(
            1347,
            title,
            pr_body,
            "paved/new-service-payments"
        )])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/infra/pulls"))
        .and(body_partial_json(json!({ "title": title, "head": "paved/new-service-payments", "base": "main", "body": pr_body, "draft": false })))
        .respond_with(ResponseTemplate::new(201).set_body_json(gh_pull(1347, title, pr_body, "paved/new-service-payments")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/infra/issues/1347/labels"))
        .and(body_partial_json(json!({ "labels": ["paved"] })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{ "id": 208045946, "name": "paved", "color": "f29513", "default": false }])),
        )
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/infra/pulls/1347/requested_reviewers"))
        .and(body_partial_json(json!({ "reviewers": ["octocat"], "team_reviewers": ["platform"] })))
        .respond_with(ResponseTemplate::new(201).set_body_json(gh_pull(
            1347,
            title,
            pr_body,
            "paved/new-service-payments",
        )))
        .expect(1)
        .mount(&server)
        .await;

    let gh = github(&server);
    let first = gh.open_change_request(&repo(), &changes(), &request()).await.unwrap().unwrap();
    assert_eq!((first.number, first.created, first.committed), (1347, true, true));
    assert_eq!(first.head_sha, COMMIT);
    assert_eq!(first.url, "https://github.com/acme/infra/pull/1347");

    // The tree request: text inline, the executable bit, the binary as a blob, a delete of
    // the file that exists and nothing for the one that does not.
    let reqs = server.received_requests().await.unwrap();
    let tree = reqs.iter().find(|r| r.url.path() == "/repos/acme/infra/git/trees").unwrap();
    let entries = body(tree)["tree"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 4, "{entries:#?}");
    assert!(entries.contains(
        &json!({ "path": "scripts/bootstrap.sh", "mode": "100755", "type": "blob", "content": "#!/bin/sh\necho hi\n" })
    ));
    assert!(entries.contains(&json!({ "path": "assets/logo.png", "mode": "100644", "type": "blob", "sha": "3a0f86fb8db8eea7ccbb9a95f325ddbedfb25e15" })));
    assert!(entries.contains(&json!({ "path": "old/service.yaml", "mode": "100644", "type": "blob", "sha": null })));
    assert!(reqs.iter().all(|r| r.headers.get("x-github-api-version").is_some_and(|v| v == "2022-11-28")));

    // Second run with the same change set: the branch already holds it and the request is
    // current, so nothing is written (labels are re-applied, which GitHub treats as a no-op).
    let again = gh.open_change_request(&repo(), &changes(), &request()).await.unwrap().unwrap();
    assert_eq!((again.number, again.created, again.committed), (1347, false, false));
    assert_eq!(again.head_sha, COMMIT);
    let writes: Vec<String> = seen(&server)
        .await
        .into_iter()
        .filter(|s| !s.starts_with("GET") && !s.contains("/git/trees") && !s.contains("/git/blobs"))
        .collect();
    assert_eq!(
        writes,
        [
            "POST /repos/acme/infra/git/commits",
            "POST /repos/acme/infra/git/refs",
            "POST /repos/acme/infra/pulls",
            "POST /repos/acme/infra/issues/1347/labels",
            "POST /repos/acme/infra/pulls/1347/requested_reviewers",
            "POST /repos/acme/infra/issues/1347/labels",
        ]
    );
}

#[tokio::test]
async fn a_moved_base_resets_the_branch_and_a_new_title_updates_the_request() {
    let server = MockServer::start().await;
    mount_base(&server).await;
    let old = "1111111111111111111111111111111111111111";
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/git/ref/heads/paved/new-service-payments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(git_ref("paved/new-service-payments", old)))
        .mount(&server)
        .await;
    // paved's earlier commit sits on an older base head.
    Mock::given(method("GET"))
        .and(path(format!("/repos/acme/infra/git/commits/{old}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(git_commit(old, OLD_TREE, &[OLD_BASE])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/acme/infra/compare/{BASE}...{OLD_BASE}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "behind", "ahead_by": 0, "behind_by": 3, "total_commits": 0, "commits": [], "files": []
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/infra/git/commits"))
        .and(body_partial_json(json!({ "parents": [BASE] })))
        .respond_with(ResponseTemplate::new(201).set_body_json(git_commit(COMMIT, NEW_TREE, &[BASE])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/repos/acme/infra/git/refs/heads/paved/new-service-payments"))
        .and(body_partial_json(json!({ "sha": COMMIT, "force": true })))
        .respond_with(ResponseTemplate::new(200).set_body_json(git_ref("paved/new-service-payments", COMMIT)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/pulls"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([gh_pull(
            1347,
            "Old title",
            "",
            "paved/new-service-payments"
        )])))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/repos/acme/infra/pulls/1347"))
        .and(body_partial_json(json!({ "title": "Add the payments service", "base": "main" })))
        .respond_with(ResponseTemplate::new(200).set_body_json(gh_pull(
            1347,
            "Add the payments service",
            "",
            "paved/new-service-payments",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let mut req = request();
    req.labels.clear();
    let r = github(&server).open_change_request(&repo(), &changes(), &req).await.unwrap().unwrap();
    assert_eq!((r.number, r.created, r.committed, r.head_sha.as_str()), (1347, false, true, COMMIT));
}

#[tokio::test]
async fn a_branch_with_someone_elses_commits_is_not_overwritten() {
    let server = MockServer::start().await;
    mount_base(&server).await;
    let theirs = "2222222222222222222222222222222222222222";
    let ours = "3333333333333333333333333333333333333333";
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/git/ref/heads/paved/new-service-payments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(git_ref("paved/new-service-payments", theirs)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/acme/infra/git/commits/{theirs}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(git_commit(theirs, OLD_TREE, &[ours])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/acme/infra/compare/{BASE}...{ours}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "status": "diverged", "ahead_by": 1, "behind_by": 2 })),
        )
        .mount(&server)
        .await;
    let err = github(&server).open_change_request(&repo(), &changes(), &request()).await.unwrap_err();
    assert!(matches!(err, ForgeError::Conflict { .. }), "{err}");
    assert!(err.to_string().contains("commits paved did not make"), "{err}");
    assert!(!seen(&server).await.iter().any(|s| s.contains("/git/commits") && s.starts_with("POST")));
}

#[tokio::test]
async fn nothing_to_change_opens_nothing_and_bad_names_are_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/git/ref/heads/main"))
        .respond_with(ResponseTemplate::new(200).set_body_json(git_ref("main", BASE)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/acme/infra/git/commits/{BASE}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(git_commit(BASE, OLD_TREE, &[OLD_BASE])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/infra/git/trees"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({ "sha": OLD_TREE, "tree": [], "truncated": false })),
        )
        .mount(&server)
        .await;
    let gh = github(&server);
    let mut same = ChangeSet::new();
    same.write(RelPath::new("README.md").unwrap(), "unchanged\n", FileMode::Regular).unwrap();
    assert_eq!(gh.open_change_request(&repo(), &same, &request()).await.unwrap(), None);
    assert!(!seen(&server).await.iter().any(|s| s.contains("/pulls")));

    let mut bad = request();
    bad.branch = "paved/$(reboot)".into();
    let err = gh.open_change_request(&repo(), &same, &bad).await.unwrap_err();
    assert!(matches!(err, ForgeError::Invalid { .. }), "{err}");
}
