//! GitLab v4: connecting, notes, statuses, approvals, members, merge request state, issues.

use paved::forge::gitlab::{GitLab, GitLabOptions};
use paved::forge::secret::Secret;
use paved::forge::{Check, CheckConclusion, CheckKind, CheckStatus, Forge, IssueSpec, Permission, PullRequestState};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::*;
use crate::gitlab_changes::mr;

pub const P: &str = "/api/v4/projects/acme%2Finfra";
const COMMIT: &str = "ed899a2f4b50b4370feeea94676502b42383c746";

pub fn form(r: &Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&r.body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

#[tokio::test]
async fn connecting_checks_the_token_against_the_user_endpoint() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v4/user"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({ "message": "401 Unauthorized" })))
        .mount(&server)
        .await;
    let mut o = GitLabOptions::new(Secret::new(GL_TOKEN));
    o.url = server.uri();
    let err = GitLab::connect(o).await.err().unwrap().to_string();
    assert!(err.starts_with("cannot connect to GitLab at http://"), "{err}");
    assert!(!err.contains(GL_TOKEN));
}

/// A fake notes API that keeps state.
struct Notes(std::sync::Mutex<Vec<serde_json::Value>>);

impl wiremock::Respond for Notes {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let mut list = self.0.lock().unwrap();
        let text = || {
            let f = form(r);
            f.into_iter().find(|(k, _)| k == "body").map(|(_, v)| v).unwrap_or_default()
        };
        let note = |id: u64, body: &str| {
            json!({ "id": id, "type": null, "body": body, "author": { "id": 1, "username": "paved-bot" },
                    "created_at": "2013-10-02T09:22:45Z", "system": false, "noteable_id": 377,
                    "noteable_type": "MergeRequest", "noteable_iid": 7, "resolvable": false })
        };
        match r.method.as_str() {
            "GET" => ResponseTemplate::new(200)
                .set_body_json(list.clone())
                .insert_header("x-next-page", "")
                .insert_header("x-page", "1"),
            "POST" => {
                let n = note(300 + list.len() as u64, &text());
                list.push(n.clone());
                ResponseTemplate::new(201).set_body_json(n)
            }
            "PUT" => {
                let id: u64 = r.url.path().rsplit('/').next().unwrap().parse().unwrap();
                let b = text();
                let n = list.iter_mut().find(|n| n["id"] == id).unwrap();
                n["body"] = json!(b);
                ResponseTemplate::new(200).set_body_json(n.clone())
            }
            "DELETE" => {
                let id: u64 = r.url.path().rsplit('/').next().unwrap().parse().unwrap();
                list.retain(|n| n["id"] != id);
                ResponseTemplate::new(204)
            }
            _ => ResponseTemplate::new(405),
        }
    }
}

#[tokio::test]
async fn checks_are_a_commit_status_plus_one_sticky_note() {
    let server = MockServer::start().await;
    let gl = gitlab(&server).await;
    let system = json!({ "id": 1, "body": "added 1 commit", "system": true, "author": { "username": "alice" } });
    Mock::given(wiremock::matchers::path_regex(r"^/api/v4/projects/acme%2Finfra/merge_requests/7/notes(/\d+)?$"))
        .respond_with(Notes(std::sync::Mutex::new(vec![system])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/statuses/{HEAD}")))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": 93, "sha": HEAD, "ref": "paved/new-service", "status": "failed", "name": "paved/plan",
            "target_url": "https://paved.example.com/runs/42", "description": "1 error",
            "created_at": "2016-01-19T09:05:50.355Z", "allow_failure": false
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    // GitLab refuses a transition to the state a status is already in.
    Mock::given(method("POST"))
        .and(path(format!("{P}/statuses/{HEAD}")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "message": "Cannot transition status via :drop from :failed (Reason(s): Status cannot transition via \"drop\")"
        })))
        .mount(&server)
        .await;
    let mut c = Check::new("paved/plan", HEAD, CheckStatus::Completed(CheckConclusion::Failure));
    c.title = "1 error".into();
    c.summary = "| stack | add |\n|---|---|\n| dev | 1 |".into();
    c.details_url = Some("https://paved.example.com/runs/42".into());
    c.change_request = Some(7);
    let first = gl.publish_check(&repo(), &c).await.unwrap();
    assert_eq!((first.kind, first.id), (CheckKind::CommitStatus, 93));
    let note = first.comment.unwrap();
    assert!(note.created);
    let again = gl.publish_check(&repo(), &c).await.unwrap();
    assert_eq!(again.comment.unwrap().id, note.id, "one note, edited in place");

    let reqs = server.received_requests().await.unwrap();
    let status = form(reqs.iter().find(|r| r.url.path().ends_with(&format!("/statuses/{HEAD}"))).unwrap());
    for pair in [
        ("state", "failed"),
        ("name", "paved/plan"),
        ("description", "1 error"),
        ("target_url", "https://paved.example.com/runs/42"),
    ] {
        assert!(status.contains(&(pair.0.into(), pair.1.into())), "{status:?}");
    }
    let posted = reqs.iter().filter(|r| r.method.as_str() == "POST" && r.url.path().ends_with("/notes")).count();
    assert_eq!(posted, 1);
    let body = form(reqs.iter().find(|r| r.method.as_str() == "POST" && r.url.path().ends_with("/notes")).unwrap());
    assert!(
        body.iter().any(|(k, v)| k == "body" && v.starts_with("<!-- paved:check-paved/plan -->\n### paved/plan")),
        "{body:?}"
    );
}

#[tokio::test]
async fn approvals_permissions_and_group_membership() {
    let server = MockServer::start().await;
    let gl = gitlab(&server).await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/merge_requests/7/approvals")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 5, "iid": 7, "project_id": 1, "state": "opened", "approved": true,
            "approvals_required": 2, "approvals_left": 0,
            "approved_by": [
                { "user": { "name": "Administrator", "username": "root", "id": 1, "state": "active" } },
                { "user": { "name": "Alice", "username": "alice", "id": 42, "state": "active" } }
            ]
        })))
        .mount(&server)
        .await;
    let user = |name: &str, id: u64| {
        ResponseTemplate::new(200)
            .set_body_json(json!([{ "id": id, "username": name, "name": name, "state": "active" }]))
    };
    Mock::given(method("GET"))
        .and(path("/api/v4/users"))
        .and(query_param("username", "alice"))
        .respond_with(user("alice", 42))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v4/users"))
        .and(query_param("username", "bob"))
        .respond_with(user("bob", 43))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v4/users"))
        .and(query_param("username", "nobody"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/members/all/42")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 42, "username": "alice", "name": "Alice", "state": "active", "access_level": 40,
            "created_at": "2012-09-22T14:13:35Z", "expires_at": null
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/members/all/43")))
        .respond_with(gl_not_found("Member"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v4/groups/acme%2Fplatform/members/all/42"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "id": 42, "username": "alice", "state": "active", "access_level": 30 })),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v4/groups/acme%2Fplatform/members/all/43"))
        .respond_with(gl_not_found("Member"))
        .mount(&server)
        .await;

    let a: Vec<String> = gl.approvals(&repo(), 7).await.unwrap().into_iter().map(|a| a.user).collect();
    assert_eq!(a, ["alice", "root"]);
    assert_eq!(gl.permission(&repo(), "alice").await.unwrap(), Permission::Maintain);
    assert_eq!(gl.permission(&repo(), "bob").await.unwrap(), Permission::None);
    assert_eq!(gl.permission(&repo(), "nobody").await.unwrap(), Permission::None);
    assert!(gl.is_member(&repo(), "acme/platform", "alice").await.unwrap());
    assert!(!gl.is_member(&repo(), "acme/platform", "bob").await.unwrap());
}

#[tokio::test]
async fn merge_request_state_and_issues() {
    let server = MockServer::start().await;
    let gl = gitlab(&server).await;
    let mut merged = mr(7, "Add vpc", "", false);
    merged["state"] = json!("merged");
    merged["merge_commit_sha"] = json!(COMMIT);
    merged["merge_user"] = json!({ "id": 1, "username": "root" });
    Mock::given(method("GET"))
        .and(path(format!("{P}/merge_requests/7")))
        .respond_with(ResponseTemplate::new(200).set_body_json(merged))
        .mount(&server)
        .await;
    let p = gl.pull_request(&repo(), 7).await.unwrap();
    assert_eq!(p.state, PullRequestState::Merged);
    assert_eq!((p.merge_sha.as_deref(), p.merged_by.as_deref()), (Some(COMMIT), Some("root")));

    let key = "drift:plat-ue2-dev/vpc";
    let marker = format!("<!-- paved:issue:{key} -->");
    let issue = |desc: &str| {
        json!({ "id": 76, "iid": 6, "project_id": 1, "title": "Drift: vpc", "description": desc, "state": "opened",
                "labels": ["paved-drift"], "web_url": "https://gitlab.example.com/acme/infra/-/issues/6" })
    };
    Mock::given(method("GET"))
        .and(path(format!("{P}/issues")))
        .and(query_param("state", "opened"))
        .and(query_param("labels", "paved-drift"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/issues")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([issue(&format!("{marker}\nold"))])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/issues")))
        .respond_with(ResponseTemplate::new(201).set_body_json(issue("")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/issues/6")))
        .respond_with(ResponseTemplate::new(200).set_body_json(issue("")))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/issues/6/notes")))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "id": 1, "body": "Recovered." })))
        .expect(1)
        .mount(&server)
        .await;
    let spec = IssueSpec {
        key: key.into(),
        title: "Drift: vpc".into(),
        body: "new".into(),
        labels: vec!["paved-drift".into()],
    };
    assert!(gl.upsert_issue(&repo(), &spec).await.unwrap().created);
    let updated = gl.upsert_issue(&repo(), &spec).await.unwrap();
    assert_eq!((updated.number, updated.created), (6, false));
    assert_eq!(gl.close_issue(&repo(), key, Some("Recovered.")).await.unwrap().unwrap().number, 6);
    let reqs = server.received_requests().await.unwrap();
    let puts: Vec<_> = reqs.iter().filter(|r| r.method.as_str() == "PUT").map(form).collect();
    assert!(puts[0].contains(&("description".into(), format!("{marker}\nnew"))), "{:?}", puts[0]);
    assert!(puts[1].contains(&("state_event".into(), "close".into())), "{:?}", puts[1]);
}

#[tokio::test]
async fn notes_are_read_page_by_page() {
    let server = MockServer::start().await;
    let gl = gitlab(&server).await;
    let note = |id: u64, body: &str| json!({ "id": id, "body": body, "system": false, "author": { "username": "x" } });
    let page1: Vec<_> = (1..=100).map(|i| note(i, "chatter")).collect();
    Mock::given(method("GET"))
        .and(path(format!("{P}/merge_requests/7/notes")))
        .and(query_param("page", "1"))
        .and(query_param("per_page", "100"))
        .and(query_param("sort", "asc"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page1)
                .insert_header("x-next-page", "2")
                .insert_header("x-page", "1"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/merge_requests/7/notes")))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([note(555, "<!-- paved:plan -->\nold")]))
                .insert_header("x-next-page", "")
                .insert_header("x-page", "2"),
        )
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/merge_requests/7/notes/555")))
        .respond_with(ResponseTemplate::new(200).set_body_json(note(555, "<!-- paved:plan -->\nnew")))
        .expect(1)
        .mount(&server)
        .await;
    let r = gl.upsert_comment(&repo(), 7, "plan", "new").await.unwrap();
    assert_eq!((r.id, r.created), (555, false));
}
