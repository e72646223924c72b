//! Stateful wiremock forges speaking the documented Issues APIs: GitHub (list, create, PATCH,
//! comment) and GitLab v4 (list, create, PUT with `state_event=close`, notes).

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// An issue as the fake keeps it.
#[derive(Debug, Clone)]
pub struct Issue {
    pub number: u64,
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    pub open: bool,
    pub comments: Vec<String>,
}

#[derive(Default)]
pub struct Issues {
    pub list: Mutex<Vec<Issue>>,
    /// Every request, as `METHOD path`.
    pub seen: Mutex<Vec<String>>,
}

impl Issues {
    pub fn all(&self) -> Vec<Issue> {
        self.list.lock().unwrap().clone()
    }

    pub fn open(&self) -> Vec<Issue> {
        self.all().into_iter().filter(|i| i.open).collect()
    }

    pub fn count(&self, what: &str) -> usize {
        self.seen.lock().unwrap().iter().filter(|s| s.starts_with(what)).count()
    }
}

fn query(r: &Request, key: &str) -> Option<String> {
    r.url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

fn form(r: &Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&r.body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The issue number after `.../issues/`, if the path has one.
fn number(path: &str) -> Option<u64> {
    path.split("/issues/").nth(1)?.split('/').next()?.parse().ok()
}

pub struct GitHubIssues(pub Arc<Issues>);

impl GitHubIssues {
    fn json(i: &Issue) -> Value {
        json!({ "number": i.number, "html_url": format!("https://github.com/acme/infra/issues/{}", i.number),
            "title": i.title, "body": i.body, "state": if i.open { "open" } else { "closed" },
            "labels": i.labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>() })
    }
}

impl Respond for GitHubIssues {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let path = r.url.path().to_string();
        self.0.seen.lock().unwrap().push(format!("{} {path}", r.method));
        let mut list = self.0.list.lock().unwrap();
        let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        match (r.method.as_str(), number(&path)) {
            ("GET", None) => {
                let label = query(r, "labels");
                let open = query(r, "state").as_deref() != Some("closed");
                let page = query(r, "page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1);
                let found: Vec<Value> = list
                    .iter()
                    .filter(|i| i.open == open && label.as_ref().is_none_or(|l| i.labels.contains(l)))
                    .skip((page - 1) * 100)
                    .take(100)
                    .map(Self::json)
                    .collect();
                ResponseTemplate::new(200).set_body_json(found)
            }
            ("POST", None) => {
                let issue = Issue {
                    number: list.len() as u64 + 1,
                    title: body["title"].as_str().unwrap_or_default().into(),
                    body: body["body"].as_str().unwrap_or_default().into(),
                    labels: body["labels"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|l| l.as_str())
                        .map(Into::into)
                        .collect(),
                    open: true,
                    comments: vec![],
                };
                list.push(issue.clone());
                ResponseTemplate::new(201).set_body_json(Self::json(&issue))
            }
            ("PATCH", Some(n)) => {
                let Some(i) = list.iter_mut().find(|i| i.number == n) else { return ResponseTemplate::new(404) };
                if let Some(t) = body["title"].as_str() {
                    i.title = t.into();
                }
                if let Some(b) = body["body"].as_str() {
                    i.body = b.into();
                }
                if body["state"] == "closed" {
                    i.open = false;
                }
                ResponseTemplate::new(200).set_body_json(Self::json(i))
            }
            ("POST", Some(n)) if path.ends_with("/comments") => {
                let Some(i) = list.iter_mut().find(|i| i.number == n) else { return ResponseTemplate::new(404) };
                i.comments.push(body["body"].as_str().unwrap_or_default().into());
                ResponseTemplate::new(201).set_body_json(json!({ "id": 1, "body": body["body"] }))
            }
            _ => ResponseTemplate::new(405),
        }
    }
}

pub async fn github(server: &MockServer) -> Arc<Issues> {
    let issues = Arc::new(Issues::default());
    Mock::given(path_regex(r"^/repos/acme/infra/issues(/.*)?$"))
        .respond_with(GitHubIssues(issues.clone()))
        .mount(server)
        .await;
    issues
}

pub struct GitLabIssues(pub Arc<Issues>);

impl GitLabIssues {
    fn json(i: &Issue) -> Value {
        json!({ "id": 1000 + i.number, "iid": i.number, "project_id": 3,
            "web_url": format!("https://gitlab.example.com/acme/infra/-/issues/{}", i.number),
            "title": i.title, "description": i.body, "state": if i.open { "opened" } else { "closed" },
            "labels": i.labels })
    }
}

impl Respond for GitLabIssues {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let path = r.url.path().to_string();
        self.0.seen.lock().unwrap().push(format!("{} {path}", r.method));
        let mut list = self.0.list.lock().unwrap();
        let f = form(r);
        let get = |k: &str| f.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        let page = |t: ResponseTemplate| t.insert_header("x-next-page", "").insert_header("x-page", "1");
        match (r.method.as_str(), number(&path)) {
            ("GET", None) => {
                let label = query(r, "labels");
                let open = query(r, "state").as_deref() == Some("opened");
                let found: Vec<Value> = list
                    .iter()
                    .filter(|i| i.open == open && label.as_ref().is_none_or(|l| i.labels.contains(l)))
                    .map(Self::json)
                    .collect();
                page(ResponseTemplate::new(200).set_body_json(found))
            }
            ("POST", None) => {
                let issue = Issue {
                    number: list.len() as u64 + 1,
                    title: get("title").unwrap_or_default(),
                    body: get("description").unwrap_or_default(),
                    labels: get("labels").map(|l| l.split(',').map(Into::into).collect()).unwrap_or_default(),
                    open: true,
                    comments: vec![],
                };
                list.push(issue.clone());
                ResponseTemplate::new(201).set_body_json(Self::json(&issue))
            }
            ("PUT", Some(n)) => {
                let Some(i) = list.iter_mut().find(|i| i.number == n) else { return ResponseTemplate::new(404) };
                if let Some(t) = get("title") {
                    i.title = t;
                }
                if let Some(b) = get("description") {
                    i.body = b;
                }
                if get("state_event").as_deref() == Some("close") {
                    i.open = false;
                }
                ResponseTemplate::new(200).set_body_json(Self::json(i))
            }
            ("POST", Some(n)) if path.ends_with("/notes") => {
                let Some(i) = list.iter_mut().find(|i| i.number == n) else { return ResponseTemplate::new(404) };
                i.comments.push(get("body").unwrap_or_default());
                ResponseTemplate::new(201).set_body_json(json!({ "id": 1, "body": get("body") }))
            }
            _ => ResponseTemplate::new(405),
        }
    }
}

pub async fn gitlab(server: &MockServer) -> Arc<Issues> {
    Mock::given(method("GET"))
        .and(path("/api/v4/user"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 1, "username": "paved-bot", "name": "paved", "state": "active",
            "avatar_url": "https://gitlab.example.com/a.png", "web_url": "https://gitlab.example.com/paved-bot"
        })))
        .mount(server)
        .await;
    let issues = Arc::new(Issues::default());
    Mock::given(path_regex(r"^/api/v4/projects/acme%2Finfra/issues(/.*)?$"))
        .respond_with(GitLabIssues(issues.clone()))
        .mount(server)
        .await;
    issues
}
