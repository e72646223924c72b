//! A small stateful GitLab behind wiremock: the current user (checked when the client is
//! built), a merge request, its approvals, its notes (list, create, edit, delete) and commit
//! statuses. Parameters arrive as JSON or form-encoded, as the gitlab crate sends them.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The project as it appears in paths: `acme/infra`, encoded.
const PROJECT: &str = "acme%2Finfra";

#[derive(Default)]
pub struct State {
    pub mr: Value,
    pub approvers: Vec<String>,
    pub notes: Vec<Value>,
    pub statuses: Vec<Value>,
    pub unknown: Vec<String>,
    next_id: u64,
}

#[derive(Clone, Default)]
pub struct FakeGitLab(pub Arc<Mutex<State>>);

impl FakeGitLab {
    pub async fn start() -> (MockServer, FakeGitLab) {
        let server = MockServer::start().await;
        let fake = FakeGitLab::default();
        Mock::given(any()).respond_with(fake.clone()).mount(&server).await;
        (server, fake)
    }

    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap()
    }

    pub fn open_mr(&self, iid: u64, source: &str, sha: &str) {
        self.state().mr = json!({
            "id": 1000 + iid, "iid": iid, "project_id": 1,
            "title": "Grow the dev VPC and its cluster", "description": "",
            "state": "opened", "draft": false,
            "source_branch": source, "target_branch": "main", "sha": sha,
            "web_url": format!("https://gitlab.example.com/acme/infra/-/merge_requests/{iid}"),
            "author": {"id": 2, "username": "alice", "name": "Alice"},
            "merge_commit_sha": null, "squash_commit_sha": null, "merge_user": null, "merged_by": null,
            "detailed_merge_status": "mergeable", "merge_status": "can_be_merged", "labels": [],
        });
    }

    pub fn approve(&self, username: &str) {
        self.state().approvers.push(username.to_string());
    }

    pub fn merge(&self, merge_sha: &str, by: &str) {
        let mut st = self.state();
        st.mr["state"] = json!("merged");
        st.mr["merge_commit_sha"] = json!(merge_sha);
        st.mr["merge_user"] = json!({"id": 9, "username": by, "name": by});
        st.mr["detailed_merge_status"] = json!("not_open");
    }

    pub fn statuses_on(&self, sha: &str) -> Vec<Value> {
        self.state().statuses.iter().filter(|s| s["sha"] == sha).cloned().collect()
    }

    pub fn notes(&self) -> Vec<Value> {
        self.state().notes.clone()
    }
}

/// A parameter from a JSON or a form-encoded body, or the query string.
fn param(req: &Request, key: &str) -> Option<String> {
    if let Ok(v) = serde_json::from_slice::<Value>(&req.body)
        && let Some(s) = v.get(key).and_then(Value::as_str)
    {
        return Some(s.to_string());
    }
    let form = url::form_urlencoded::parse(&req.body).chain(req.url.query_pairs());
    form.into_iter().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

fn same_id(v: &Value, id: &str) -> bool {
    v["id"].as_u64().is_some_and(|n| id.parse() == Ok(n))
}

impl Respond for FakeGitLab {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut st = self.0.lock().unwrap();
        let method = req.method.to_string();
        let path = req.url.path().to_string();
        let ok = |v: Value| ResponseTemplate::new(200).set_body_json(v);
        if path == "/api/v4/user" {
            return ok(json!({"id": 1, "username": "paved-bot", "name": "paved", "state": "active", "bot": true}));
        }
        let prefix = format!("/api/v4/projects/{PROJECT}/");
        let parts: Vec<&str> = path.strip_prefix(&prefix).unwrap_or("").split('/').collect();
        let iid = st.mr["iid"].as_u64().unwrap_or(0).to_string();
        match (method.as_str(), parts.as_slice()) {
            ("GET", ["merge_requests", n]) if *n == iid => ok(st.mr.clone()),
            ("GET", ["merge_requests", n, "approvals"]) if *n == iid => {
                let by: Vec<Value> = st.approvers.iter().map(|u| json!({"user": {"username": u, "id": 5}})).collect();
                ok(json!({"approved": !by.is_empty(), "approved_by": by}))
            }
            // One page: without `x-next-page` the client stops.
            ("GET", ["merge_requests", n, "notes"]) if *n == iid => ok(Value::Array(st.notes.clone())),
            ("POST", ["merge_requests", n, "notes"]) if *n == iid => {
                st.next_id += 1;
                let note = json!({"id": st.next_id, "body": param(req, "body"), "system": false,
                    "author": {"username": "paved-bot"}});
                st.notes.push(note.clone());
                ResponseTemplate::new(201).set_body_json(note)
            }
            ("PUT", ["merge_requests", n, "notes", id]) if *n == iid => {
                let body = param(req, "body");
                match st.notes.iter_mut().find(|x| same_id(x, id)) {
                    Some(note) => {
                        note["body"] = json!(body);
                        ok(note.clone())
                    }
                    None => ResponseTemplate::new(404).set_body_json(json!({"message": "404 Not found"})),
                }
            }
            ("DELETE", ["merge_requests", n, "notes", id]) if *n == iid => {
                st.notes.retain(|x| !same_id(x, id));
                ResponseTemplate::new(204)
            }
            ("POST", ["statuses", sha]) => {
                st.next_id += 1;
                let status = json!({"id": st.next_id, "sha": sha, "status": param(req, "state"),
                    "name": param(req, "name"), "description": param(req, "description"), "target_url": null});
                st.statuses.push(status.clone());
                ResponseTemplate::new(201).set_body_json(status)
            }
            _ => {
                st.unknown.push(format!("{method} {path}"));
                ResponseTemplate::new(404).set_body_json(json!({"message": "404 Not found"}))
            }
        }
    }
}
