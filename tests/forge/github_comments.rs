//! Sticky pull request comments: created once, edited in place, found past the first page,
//! split when long.

use paved::forge::Forge;
use paved::forge::github::{GitHub, GitHubAuth, GitHubOptions};
use paved::forge::secret::Secret;
use serde_json::json;
use wiremock::matchers::header;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::*;

pub fn comment(id: u64, body: &str, login: &str) -> serde_json::Value {
    json!({
        "id": id,
        "node_id": "MDEyOklzc3VlQ29tbWVudDE=",
        "url": format!("https://api.github.com/repos/acme/infra/issues/comments/{id}"),
        "html_url": format!("https://github.com/acme/infra/pull/7#issuecomment-{id}"),
        "body": body,
        "user": { "login": login, "id": 1 },
        "created_at": "2011-04-14T16:00:49Z",
        "updated_at": "2011-04-14T16:00:49Z",
        "author_association": "COLLABORATOR"
    })
}

/// A fake comments API that keeps state, so create-then-edit is observable.
struct Comments(std::sync::Mutex<Vec<serde_json::Value>>);

impl wiremock::Respond for Comments {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let mut list = self.0.lock().unwrap();
        let p = r.url.path().to_string();
        match r.method.as_str() {
            "GET" => {
                let page: usize = r.url.query_pairs().find(|(k, _)| k == "page").map_or(1, |(_, v)| v.parse().unwrap());
                let chunk: Vec<_> = list.iter().skip((page - 1) * 100).take(100).cloned().collect();
                let mut t = ResponseTemplate::new(200).set_body_json(chunk);
                if list.len() > page * 100 {
                    t = t.insert_header(
                        "link",
                        format!("<https://api.github.com/repositories/1/issues/7/comments?per_page=100&page={}>; rel=\"next\"", page + 1).as_str(),
                    );
                }
                t
            }
            "POST" => {
                let id = 1000 + list.len() as u64;
                let c = comment(id, body(r)["body"].as_str().unwrap(), "paved-bot[bot]");
                list.push(c.clone());
                ResponseTemplate::new(201).set_body_json(c)
            }
            "PATCH" => {
                let id: u64 = p.rsplit('/').next().unwrap().parse().unwrap();
                let c = list.iter_mut().find(|c| c["id"] == id).unwrap();
                c["body"] = body(r)["body"].clone();
                ResponseTemplate::new(200).set_body_json(c.clone())
            }
            "DELETE" => {
                let id: u64 = p.rsplit('/').next().unwrap().parse().unwrap();
                list.retain(|c| c["id"] != id);
                ResponseTemplate::new(204)
            }
            _ => ResponseTemplate::new(405),
        }
    }
}

async fn comments_server(existing: Vec<serde_json::Value>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::path_regex(r"^/repos/acme/infra/issues/(7/comments|comments/\d+)$"))
        .and(header("authorization", format!("Bearer {GH_TOKEN}").as_str()))
        .respond_with(Comments(std::sync::Mutex::new(existing)))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_sticky_comment_is_created_once_then_edited_in_place() {
    let server = comments_server(vec![comment(1, "LGTM", "octocat")]).await;
    let gh = github(&server);
    let a = gh.upsert_comment(&repo(), 7, "plan", "Plan: 1 to add").await.unwrap();
    assert!(a.created);
    assert_eq!(a.parts, 1);
    let b = gh.upsert_comment(&repo(), 7, "plan", "Plan: 2 to add").await.unwrap();
    assert!(!b.created);
    assert_eq!(a.id, b.id);
    let c = gh.upsert_comment(&repo(), 7, "plan", "Plan: 2 to add").await.unwrap();
    assert_eq!(c.id, a.id);
    let other = gh.upsert_comment(&repo(), 7, "apply", "Applied").await.unwrap();
    assert_ne!(other.id, a.id);

    let writes: Vec<String> = seen(&server).await.into_iter().filter(|s| !s.starts_with("GET")).collect();
    assert_eq!(
        writes,
        [
            "POST /repos/acme/infra/issues/7/comments",
            format!("PATCH /repos/acme/infra/issues/comments/{}", a.id).as_str(),
            "POST /repos/acme/infra/issues/7/comments",
        ],
        "an unchanged body is not written again"
    );
    let reqs = server.received_requests().await.unwrap();
    let patched = reqs.iter().find(|r| r.method.as_str() == "PATCH").unwrap();
    assert_eq!(body(patched), json!({ "body": "<!-- paved:plan -->\nPlan: 2 to add" }));
}

#[tokio::test]
async fn the_marker_is_found_past_the_first_page() {
    let mut existing: Vec<_> = (0..150).map(|i| comment(i + 1, "chatter", "octocat")).collect();
    existing.push(comment(500, "<!-- paved:plan -->\nold", "paved-bot[bot]"));
    let server = comments_server(existing).await;
    let r = github(&server).upsert_comment(&repo(), 7, "plan", "new").await.unwrap();
    assert_eq!((r.id, r.created), (500, false));
    let s = seen(&server).await;
    assert!(s.contains(&"GET /repos/acme/infra/issues/7/comments?per_page=100&page=2".to_string()), "{s:?}");
    assert!(!s.iter().any(|x| x.starts_with("POST")));
}

#[tokio::test]
async fn a_long_body_is_split_and_stale_parts_are_deleted() {
    let server = comments_server(vec![]).await;
    let mut opts = GitHubOptions::new(GitHubAuth::Token(Secret::new(GH_TOKEN)));
    opts.api_url = server.uri();
    opts.comment_limit = 1_000;
    let gh = GitHub::new(opts).unwrap();
    let long: String = (0..40)
        .map(|i| format!("<details><summary>stack {i}</summary>\n\n```\nplan line\n```\n</details>\n"))
        .collect();
    let r = gh.upsert_comment(&repo(), 7, "plan", &long).await.unwrap();
    assert!(r.parts >= 3, "{}", r.parts);
    let posted = seen(&server).await.iter().filter(|s| s.starts_with("POST")).count();
    assert_eq!(posted, r.parts);

    let short = gh.upsert_comment(&repo(), 7, "plan", "all clean").await.unwrap();
    assert_eq!((short.parts, short.id, short.created), (1, r.id, false));
    let deleted = seen(&server).await.iter().filter(|s| s.starts_with("DELETE")).count();
    assert_eq!(deleted, r.parts - 1);
}
