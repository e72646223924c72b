//! GitLab merge requests from change sets through the commits API.

use paved::changeset::{ChangeRequest, ChangeSet, FileMode};
use paved::forge::Forge;
use paved::source::RelPath;
use serde_json::json;
use sha2::Digest;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;
use crate::gitlab::{P, form};

const COMMIT: &str = "ed899a2f4b50b4370feeea94676502b42383c746";

pub fn mr(iid: u64, title: &str, description: &str, draft: bool) -> serde_json::Value {
    json!({
        "id": 1, "iid": iid, "project_id": 3, "title": title, "description": description,
        "state": "opened", "draft": draft, "work_in_progress": draft,
        "source_branch": "paved/new-service", "target_branch": "main",
        "author": { "id": 1, "username": "paved-bot", "name": "paved" },
        "labels": ["paved"], "sha": HEAD, "merge_commit_sha": null, "squash_commit_sha": null,
        "detailed_merge_status": "mergeable", "merge_status": "can_be_merged",
        "web_url": format!("https://gitlab.example.com/acme/infra/-/merge_requests/{iid}")
    })
}

fn file_head(sha256: &str, exec: bool) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("x-gitlab-blob-id", "79f7bbd25901e8334750839545a9bd021f0e4c83")
        .insert_header("x-gitlab-content-sha256", sha256)
        .insert_header("x-gitlab-execute-filemode", if exec { "true" } else { "false" })
        .insert_header("x-gitlab-file-path", "x")
        .insert_header("x-gitlab-size", "1476")
}

fn sha256(s: &str) -> String {
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

fn branch(name: &str, id: &str, parent: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "name": name, "merged": false, "protected": false, "default": name == "main",
        "commit": { "id": id, "short_id": &id[..8], "title": "x", "parent_ids": [parent] }
    }))
}

#[tokio::test]
async fn opens_a_merge_request_then_running_again_changes_nothing() {
    let server = MockServer::start().await;
    let gl = gitlab(&server).await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/repository/branches/main")))
        .respond_with(branch("main", BASE, "0000000"))
        .mount(&server)
        .await;
    // On the base: the catalog file exists with other content, the script does not, the
    // deleted file exists.
    Mock::given(method("HEAD"))
        .and(path(format!("{P}/repository/files/catalog%2Fcatalog-info.yaml")))
        .and(query_param("ref", BASE))
        .respond_with(file_head(&sha256("kind: Old\n"), false))
        .mount(&server)
        .await;
    Mock::given(method("HEAD"))
        .and(path(format!("{P}/repository/files/run.sh")))
        .and(query_param("ref", BASE))
        .respond_with(gl_not_found("File"))
        .mount(&server)
        .await;
    Mock::given(method("HEAD"))
        .and(path(format!("{P}/repository/files/old.yaml")))
        .and(query_param("ref", BASE))
        .respond_with(file_head("abc", false))
        .mount(&server)
        .await;
    // On paved's branch (second run): the change set, exactly.
    Mock::given(method("HEAD"))
        .and(path(format!("{P}/repository/files/catalog%2Fcatalog-info.yaml")))
        .and(query_param("ref", COMMIT))
        .respond_with(file_head(&sha256("kind: Component\n"), false))
        .mount(&server)
        .await;
    Mock::given(method("HEAD"))
        .and(path(format!("{P}/repository/files/run.sh")))
        .and(query_param("ref", COMMIT))
        .respond_with(file_head(&sha256("#!/bin/sh\n"), true))
        .mount(&server)
        .await;
    Mock::given(method("HEAD"))
        .and(path(format!("{P}/repository/files/old.yaml")))
        .and(query_param("ref", COMMIT))
        .respond_with(gl_not_found("File"))
        .mount(&server)
        .await;

    Mock::given(method("GET"))
        .and(path(format!("{P}/repository/branches/paved%2Fnew-service")))
        .respond_with(gl_not_found("Branch"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/repository/branches/paved%2Fnew-service")))
        .respond_with(branch("paved/new-service", COMMIT, BASE))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/repository/compare")))
        .and(query_param("from", BASE))
        .and(query_param("to", COMMIT))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "commit": { "id": COMMIT, "parent_ids": [BASE] },
            "commits": [{ "id": COMMIT, "short_id": "ed899a2f", "title": "Add the service", "parent_ids": [BASE] }],
            "diffs": [
                { "old_path": "catalog/catalog-info.yaml", "new_path": "catalog/catalog-info.yaml", "a_mode": "100644", "b_mode": "100644", "new_file": false, "renamed_file": false, "deleted_file": false, "diff": "" },
                { "old_path": "run.sh", "new_path": "run.sh", "a_mode": "0", "b_mode": "100755", "new_file": true, "renamed_file": false, "deleted_file": false, "diff": "" },
                { "old_path": "old.yaml", "new_path": "old.yaml", "a_mode": "100644", "b_mode": "0", "new_file": false, "renamed_file": false, "deleted_file": true, "diff": "" }
            ],
            "compare_timeout": false, "compare_same_ref": false,
            "web_url": "https://gitlab.example.com/acme/infra/-/compare/x...y"
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/repository/commits")))
        .and(header("private-token", GL_TOKEN))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": COMMIT, "short_id": "ed899a2f", "title": "Add the service", "parent_ids": [BASE],
            "web_url": format!("https://gitlab.example.com/acme/infra/-/commit/{COMMIT}")
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/merge_requests")))
        .and(query_param("state", "opened"))
        .and(query_param("source_branch", "paved/new-service"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/merge_requests")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([mr(5, "Draft: Add the service", "Body", true)])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v4/users"))
        .and(query_param("username", "alice"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{ "id": 42, "username": "alice", "name": "Alice", "state": "active" }])),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/merge_requests")))
        .respond_with(ResponseTemplate::new(201).set_body_json(mr(5, "Draft: Add the service", "Body", true)))
        .expect(1)
        .mount(&server)
        .await;

    let mut cs = ChangeSet::new();
    cs.write(RelPath::new("catalog/catalog-info.yaml").unwrap(), "kind: Component\n", FileMode::Regular).unwrap();
    cs.write(RelPath::new("run.sh").unwrap(), "#!/bin/sh\n", FileMode::Executable).unwrap();
    cs.delete(RelPath::new("old.yaml").unwrap()).unwrap();
    let mut req = ChangeRequest::new("paved/new-service", "main", "Add the service");
    req.body = "Body".into();
    req.draft = true;
    req.labels = vec!["paved".into()];
    req.reviewers = vec!["alice".into()];

    let first = gl.open_change_request(&repo(), &cs, &req).await.unwrap().unwrap();
    assert_eq!((first.number, first.created, first.committed), (5, true, true));
    assert_eq!(first.url, "https://gitlab.example.com/acme/infra/-/merge_requests/5");

    let reqs = server.received_requests().await.unwrap();
    let commit = form(
        reqs.iter().find(|r| r.method.as_str() == "POST" && r.url.path().ends_with("/repository/commits")).unwrap(),
    );
    let get = |k: &str| commit.iter().filter(|(key, _)| key == k).map(|(_, v)| v.as_str()).collect::<Vec<_>>();
    assert_eq!(get("branch"), ["paved/new-service"]);
    assert_eq!(get("start_sha"), [BASE]);
    assert_eq!(get("force"), ["true"]);
    assert_eq!(get("actions[][action]"), ["update", "delete", "create", "chmod"]);
    assert_eq!(get("actions[][file_path]"), ["catalog/catalog-info.yaml", "old.yaml", "run.sh", "run.sh"]);
    assert_eq!(get("actions[][execute_filemode]"), ["true"]);
    let create =
        form(reqs.iter().find(|r| r.method.as_str() == "POST" && r.url.path().ends_with("/merge_requests")).unwrap());
    assert!(create.contains(&("title".into(), "Draft: Add the service".into())), "{create:?}");
    assert!(create.contains(&("source_branch".into(), "paved/new-service".into())));
    assert!(create.contains(&("reviewer_ids[]".into(), "42".into())), "{create:?}");

    let again = gl.open_change_request(&repo(), &cs, &req).await.unwrap().unwrap();
    assert_eq!((again.number, again.created, again.committed, again.head_sha.as_str()), (5, false, false, COMMIT));
    assert!(!seen(&server).await.iter().any(|s| s.starts_with("PUT")), "nothing to update");
}

#[tokio::test]
async fn a_branch_with_someone_elses_commits_is_not_overwritten() {
    let server = MockServer::start().await;
    let gl = gitlab(&server).await;
    let theirs = "2222222222222222222222222222222222222222";
    Mock::given(method("GET"))
        .and(path(format!("{P}/repository/branches/main")))
        .respond_with(branch("main", BASE, "0000000"))
        .mount(&server)
        .await;
    Mock::given(method("HEAD"))
        .and(path(format!("{P}/repository/files/a.yaml")))
        .respond_with(gl_not_found("File"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/repository/branches/paved%2Fx")))
        .respond_with(branch("paved/x", theirs, COMMIT))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/repository/compare")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "commits": [{ "id": COMMIT, "parent_ids": [BASE] }, { "id": theirs, "parent_ids": [COMMIT] }],
            "diffs": [], "compare_timeout": false, "compare_same_ref": false
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/repository/commits")))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let mut cs = ChangeSet::new();
    cs.write(RelPath::new("a.yaml").unwrap(), "a: 1\n", FileMode::Regular).unwrap();
    let err = gl.open_change_request(&repo(), &cs, &ChangeRequest::new("paved/x", "main", "x")).await.unwrap_err();
    assert!(err.to_string().contains("commits paved did not make"), "{err}");
}
