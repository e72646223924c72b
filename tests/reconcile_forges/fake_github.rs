//! A small stateful GitHub behind wiremock, speaking the REST shapes paved uses: a pull
//! request, its reviews, check runs (create, list by commit, update) and issue comments (list,
//! create, edit, delete). Every request is recorded; anything else answers 404 and is kept in
//! `unknown` so a test can insist there was none.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const REPO: &str = "acme/infra";

#[derive(Default)]
pub struct State {
    pub pull: Value,
    pub reviews: Vec<Value>,
    pub check_runs: Vec<Value>,
    pub comments: Vec<Value>,
    /// `METHOD path` of every request, in order.
    pub calls: Vec<String>,
    pub unknown: Vec<String>,
    next_id: u64,
}

impl State {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

#[derive(Clone, Default)]
pub struct FakeGitHub(pub Arc<Mutex<State>>);

impl FakeGitHub {
    pub async fn start() -> (MockServer, FakeGitHub) {
        let server = MockServer::start().await;
        let fake = FakeGitHub::default();
        Mock::given(any()).respond_with(fake.clone()).mount(&server).await;
        (server, fake)
    }

    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap()
    }

    /// An open pull request from `head_ref` at `head_sha` into main, by alice.
    pub fn open_pull(&self, number: u64, head_ref: &str, head_sha: &str, base_sha: &str) {
        self.state().pull = json!({
            "number": number,
            "title": "Grow the dev VPC and its cluster",
            "body": null,
            "html_url": format!("https://github.com/{REPO}/pull/{number}"),
            "state": "open",
            "draft": false,
            "merged": false,
            "merged_at": null,
            "mergeable": true,
            "merge_commit_sha": null,
            "merged_by": null,
            "user": {"login": "alice", "id": 1, "type": "User"},
            "head": {"ref": head_ref, "sha": head_sha, "label": format!("acme:{head_ref}")},
            "base": {"ref": "main", "sha": base_sha, "label": "acme:main"},
        });
    }

    pub fn approve(&self, login: &str, commit: &str) {
        let mut st = self.state();
        let id = st.id();
        st.reviews.push(json!({
            "id": id,
            "user": {"login": login, "id": id, "type": "User"},
            "state": "APPROVED",
            "commit_id": commit,
            "submitted_at": "2026-11-26T08:00:00Z",
            "body": "",
        }));
    }

    pub fn merge(&self, merge_sha: &str, by: &str) {
        let mut st = self.state();
        let p = &mut st.pull;
        p["state"] = json!("closed");
        p["merged"] = json!(true);
        p["merged_at"] = json!("2026-11-26T08:05:00Z");
        p["merge_commit_sha"] = json!(merge_sha);
        p["merged_by"] = json!({"login": by, "id": 99, "type": "User"});
    }

    /// The check runs on `sha` (newest last).
    pub fn checks_on(&self, sha: &str) -> Vec<Value> {
        self.state().check_runs.iter().filter(|c| c["head_sha"] == sha).cloned().collect()
    }

    pub fn comments(&self) -> Vec<Value> {
        self.state().comments.clone()
    }

    pub fn calls(&self) -> Vec<String> {
        self.state().calls.clone()
    }
}

fn page(req: &Request) -> u64 {
    req.url.query_pairs().find(|(k, _)| k == "page").and_then(|(_, v)| v.parse().ok()).unwrap_or(1)
}

fn body(req: &Request) -> Value {
    serde_json::from_slice(&req.body).unwrap_or(Value::Null)
}

fn same_id(v: &Value, id: &str) -> bool {
    v["id"].as_u64().is_some_and(|n| id.parse() == Ok(n))
}

fn merge_into(target: &mut Value, patch: &Value) {
    if let (Some(t), Some(p)) = (target.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            t.insert(k.clone(), v.clone());
        }
    }
}

impl Respond for FakeGitHub {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut st = self.0.lock().unwrap();
        let method = req.method.to_string();
        let path = req.url.path().to_string();
        st.calls.push(format!("{method} {path}"));
        let prefix = format!("/repos/{REPO}/");
        let rest = path.strip_prefix(&prefix).unwrap_or("");
        let parts: Vec<&str> = rest.split('/').collect();
        let ok = |v: Value| ResponseTemplate::new(200).set_body_json(v);
        let number = st.pull["number"].as_u64().unwrap_or(0).to_string();
        match (method.as_str(), parts.as_slice()) {
            ("GET", ["pulls", n]) if *n == number => ok(st.pull.clone()),
            // Lists: one page, then an empty one.
            ("GET", ["pulls", n, "reviews"]) if *n == number => {
                ok(if page(req) == 1 { Value::Array(st.reviews.clone()) } else { json!([]) })
            }
            ("GET", ["commits", sha, "check-runs"]) => {
                let name = req.url.query_pairs().find(|(k, _)| k == "check_name").map(|(_, v)| v.into_owned());
                let runs: Vec<Value> = st
                    .check_runs
                    .iter()
                    .filter(|c| c["head_sha"] == *sha && name.as_deref().is_none_or(|n| c["name"] == n))
                    .cloned()
                    .collect();
                ok(json!({"total_count": runs.len(), "check_runs": runs}))
            }
            ("POST", ["check-runs"]) => {
                let mut run = body(req);
                let id = st.id();
                run["id"] = json!(id);
                run["html_url"] = json!(format!("https://github.com/{REPO}/runs/{id}"));
                st.check_runs.push(run.clone());
                ResponseTemplate::new(201).set_body_json(run)
            }
            ("PATCH", ["check-runs", id]) => {
                let patch = body(req);
                match st.check_runs.iter_mut().find(|c| same_id(c, id)) {
                    Some(run) => {
                        merge_into(run, &patch);
                        ok(run.clone())
                    }
                    None => ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})),
                }
            }
            ("GET", ["issues", n, "comments"]) if *n == number => {
                ok(if page(req) == 1 { Value::Array(st.comments.clone()) } else { json!([]) })
            }
            ("POST", ["issues", n, "comments"]) if *n == number => {
                let id = st.id();
                let c = json!({
                    "id": id,
                    "body": body(req)["body"],
                    "html_url": format!("https://github.com/{REPO}/pull/{n}#issuecomment-{id}"),
                    "user": {"login": "paved[bot]", "id": 42, "type": "Bot"},
                });
                st.comments.push(c.clone());
                ResponseTemplate::new(201).set_body_json(c)
            }
            ("PATCH", ["issues", "comments", id]) => {
                let text = body(req)["body"].clone();
                match st.comments.iter_mut().find(|c| same_id(c, id)) {
                    Some(c) => {
                        c["body"] = text;
                        ok(c.clone())
                    }
                    None => ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})),
                }
            }
            ("DELETE", ["issues", "comments", id]) => {
                st.comments.retain(|c| !same_id(c, id));
                ResponseTemplate::new(204)
            }
            _ => {
                st.unknown.push(format!("{method} {path}"));
                ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}))
            }
        }
    }
}
