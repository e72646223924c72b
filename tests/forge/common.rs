//! Shared helpers: clients pointed at a wiremock server, a clock that records waits.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use paved::forge::RepoId;
use paved::forge::github::{GitHub, GitHubAuth, GitHubOptions};
use paved::forge::gitlab::{GitLab, GitLabOptions};
use paved::forge::retry::{Clock, RetryPolicy};
use paved::forge::secret::Secret;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A GitHub personal access token shape; never a real one.
pub const GH_TOKEN: &str = "ghp_PavedTestToken0123456789abcdefghijklmn";
/// A GitLab personal access token shape.
pub const GL_TOKEN: &str = "glpat-PavedTestToken0123456789";

pub const BASE: &str = "7638417db6d59f3c431d3e1f261cc637155684cd";
pub const HEAD: &str = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

/// Fixed "now" for rate-limit arithmetic: 2023-11-14T22:13:20Z.
pub const NOW: u64 = 1_700_000_000;

pub fn repo() -> RepoId {
    RepoId::parse("acme/infra").unwrap()
}

/// Records every wait instead of taking it, and moves its own time forward.
pub struct RecordingClock {
    now: Mutex<SystemTime>,
    pub sleeps: Mutex<Vec<Duration>>,
}

impl RecordingClock {
    pub fn new() -> Arc<RecordingClock> {
        Arc::new(RecordingClock {
            now: Mutex::new(UNIX_EPOCH + Duration::from_secs(NOW)),
            sleeps: Mutex::new(Vec::new()),
        })
    }

    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().unwrap().clone()
    }
}

impl Clock for RecordingClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap()
    }

    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.sleeps.lock().unwrap().push(d);
        *self.now.lock().unwrap() += d;
        Box::pin(async {})
    }
}

pub fn policy() -> RetryPolicy {
    RetryPolicy { timeout: Duration::from_secs(10), ..RetryPolicy::default() }
}

pub fn github_at(server: &MockServer, clock: Arc<RecordingClock>) -> GitHub {
    let mut o = GitHubOptions::new(GitHubAuth::Token(Secret::new(GH_TOKEN)));
    o.api_url = server.uri();
    o.clock = clock;
    o.retry = policy();
    GitHub::new(o).unwrap()
}

pub fn github(server: &MockServer) -> GitHub {
    github_at(server, RecordingClock::new())
}

/// Mounts the `GET /api/v4/user` that the `gitlab` crate calls when it builds a client.
pub async fn gitlab_user(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/api/v4/user"))
        .and(header("private-token", GL_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 1, "username": "paved-bot", "name": "paved", "state": "active",
            "avatar_url": "https://gitlab.example.com/uploads/-/system/user/avatar/1/avatar.png",
            "web_url": "https://gitlab.example.com/paved-bot", "bot": true
        })))
        .mount(server)
        .await;
}

pub async fn gitlab_at(server: &MockServer, clock: Arc<RecordingClock>) -> GitLab {
    gitlab_user(server).await;
    let mut o = GitLabOptions::new(Secret::new(GL_TOKEN));
    o.url = server.uri();
    o.clock = clock;
    o.retry = policy();
    GitLab::connect(o).await.unwrap()
}

pub async fn gitlab(server: &MockServer) -> GitLab {
    gitlab_at(server, RecordingClock::new()).await
}

/// GitHub's 404 body.
pub fn gh_not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest",
        "status": "404"
    }))
}

/// GitLab's 404 body.
pub fn gl_not_found(what: &str) -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({ "message": format!("404 {what} Not Found") }))
}

pub fn body(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap_or(Value::Null)
}

/// Requests the server saw, as `METHOD path?query`.
pub async fn seen(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| match r.url.query() {
            Some(q) => format!("{} {}?{q}", r.method, r.url.path()),
            None => format!("{} {}", r.method, r.url.path()),
        })
        .collect()
}

/// A GitHub pull request object as the REST API returns it (trimmed to the documented fields
/// paved reads, plus a few neighbours).
pub fn gh_pull(number: u64, title: &str, body: &str, head_ref: &str) -> Value {
    json!({
        "url": format!("https://api.github.com/repos/acme/infra/pulls/{number}"),
        "id": 1296269,
        "node_id": "MDExOlB1bGxSZXF1ZXN0MQ==",
        "html_url": format!("https://github.com/acme/infra/pull/{number}"),
        "number": number,
        "state": "open",
        "locked": false,
        "title": title,
        "user": { "login": "paved-bot[bot]", "id": 1, "type": "Bot" },
        "body": body,
        "labels": [],
        "draft": false,
        "merged": false,
        "mergeable": true,
        "merge_commit_sha": "e5bd3914e2e596debea16f433f57875b5b90bcd6",
        "merged_by": null,
        "head": { "label": format!("acme:{head_ref}"), "ref": head_ref, "sha": HEAD, "user": { "login": "acme" } },
        "base": { "label": "acme:main", "ref": "main", "sha": BASE, "user": { "login": "acme" } },
        "author_association": "NONE"
    })
}
