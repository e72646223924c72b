//! Reviews, permissions, teams, issues, pull request state and GitHub App auth.

use std::sync::Arc;

use paved::forge::github::{GitHub, GitHubAuth, GitHubOptions};
use paved::forge::secret::Secret;
use paved::forge::{Forge, IssueSpec, Permission, PullRequestState, RepoId};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::*;
use crate::github_comments::comment;

#[tokio::test]
async fn approvals_follow_each_reviewers_latest_decision() {
    let server = MockServer::start().await;
    let review = |id: u64, login: &str, state: &str, sha: &str| {
        json!({
            "id": id, "node_id": "MDE3OlB1bGxSZXF1ZXN0UmV2aWV3ODA=",
            "user": { "login": login, "id": id },
            "body": "", "state": state,
            "html_url": format!("https://github.com/acme/infra/pull/7#pullrequestreview-{id}"),
            "submitted_at": "2019-11-17T17:43:43Z", "commit_id": sha, "author_association": "COLLABORATOR"
        })
    };
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/pulls/7/reviews"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            review(1, "alice", "APPROVED", BASE),
            review(2, "bob", "APPROVED", BASE),
            review(3, "bob", "CHANGES_REQUESTED", HEAD),
            review(4, "carol", "DISMISSED", BASE),
            review(5, "dave", "COMMENTED", HEAD),
            review(6, "alice", "COMMENTED", HEAD),
        ])))
        .mount(&server)
        .await;
    let a = github(&server).approvals(&repo(), 7).await.unwrap();
    assert_eq!(a.len(), 1);
    assert_eq!((a[0].user.as_str(), a[0].commit_sha.as_deref()), ("alice", Some(BASE)));
    assert_eq!(a[0].submitted_at.as_deref(), Some("2019-11-17T17:43:43Z"));
}

#[tokio::test]
async fn permissions_and_team_membership() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/collaborators/alice/permission"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "permission": "write", "role_name": "maintain", "user": { "login": "alice", "id": 1 }
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/collaborators/mallory/permission"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "permission": "none", "role_name": "none", "user": { "login": "mallory", "id": 2 }
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/collaborators/ghost/permission"))
        .respond_with(gh_not_found())
        .mount(&server)
        .await;
    let membership = |state: &str| {
        ResponseTemplate::new(200).set_body_json(json!({
            "url": "https://api.github.com/teams/1/memberships/octocat", "role": "member", "state": state
        }))
    };
    Mock::given(method("GET"))
        .and(path("/orgs/acme/teams/platform/memberships/alice"))
        .respond_with(membership("active"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orgs/acme/teams/platform/memberships/carol"))
        .respond_with(membership("pending"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orgs/other/teams/sre/memberships/alice"))
        .respond_with(membership("active"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orgs/acme/teams/platform/memberships/bob"))
        .respond_with(gh_not_found())
        .mount(&server)
        .await;

    let gh = github(&server);
    assert_eq!(gh.permission(&repo(), "alice").await.unwrap(), Permission::Maintain);
    assert_eq!(gh.permission(&repo(), "mallory").await.unwrap(), Permission::None);
    assert_eq!(gh.permission(&repo(), "ghost").await.unwrap(), Permission::None);
    assert!(gh.is_member(&repo(), "platform", "alice").await.unwrap());
    assert!(!gh.is_member(&repo(), "platform", "carol").await.unwrap(), "an invitation is not membership");
    assert!(!gh.is_member(&repo(), "platform", "bob").await.unwrap());
    assert!(gh.is_member(&repo(), "other/sre", "alice").await.unwrap());
    assert!(gh.permission(&repo(), "../admin").await.is_err());
}

#[tokio::test]
async fn drift_issues_are_opened_updated_and_closed_by_key() {
    let server = MockServer::start().await;
    let issue = |number: u64, title: &str, body: &str, pr: bool| {
        let mut v = json!({
            "id": number, "number": number, "title": title, "body": body, "state": "open",
            "html_url": format!("https://github.com/acme/infra/issues/{number}"),
            "labels": [{ "id": 1, "name": "paved-drift", "color": "f29513" }],
            "user": { "login": "paved-bot[bot]" }
        });
        if pr {
            v["pull_request"] = json!({ "url": "https://api.github.com/repos/acme/infra/pulls/3" });
        }
        v
    };
    let key = "drift:plat-ue2-dev/vpc";
    let marker = format!("<!-- paved:issue:{key} -->");
    // First search: only a pull request that happens to quote the marker, and another issue.
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/issues"))
        .and(query_param("state", "open"))
        .and(query_param("labels", "paved-drift"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            issue(3, "A PR", &marker, true),
            issue(4, "Drift in other", "<!-- paved:issue:drift:plat-ue2-dev/eks -->\n", false),
        ])))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/infra/issues"))
        .and(body_json(json!({
            "title": "Drift: vpc in plat-ue2-dev",
            "body": format!("{marker}\n1 to change"),
            "labels": ["paved-drift"]
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(issue(12, "Drift: vpc in plat-ue2-dev", "", false)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/issues"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([issue(
            12,
            "Drift: vpc in plat-ue2-dev",
            &format!("{marker}\n1 to change"),
            false
        )])))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/repos/acme/infra/issues/12"))
        .and(body_json(json!({ "title": "Drift: vpc in plat-ue2-dev", "body": format!("{marker}\n2 to change"), "labels": ["paved-drift"] })))
        .respond_with(ResponseTemplate::new(200).set_body_json(issue(12, "x", "", false)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/infra/issues/12/comments"))
        .and(body_json(json!({ "body": "Recovered." })))
        .respond_with(ResponseTemplate::new(201).set_body_json(comment(77, "Recovered.", "paved-bot[bot]")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/repos/acme/infra/issues/12"))
        .and(body_json(json!({ "state": "closed", "state_reason": "completed" })))
        .respond_with(ResponseTemplate::new(200).set_body_json(issue(12, "x", "", false)))
        .expect(1)
        .mount(&server)
        .await;

    let gh = github(&server);
    let mut spec = IssueSpec {
        key: key.into(),
        title: "Drift: vpc in plat-ue2-dev".into(),
        body: "1 to change".into(),
        labels: vec!["paved-drift".into()],
    };
    let opened = gh.upsert_issue(&repo(), &spec).await.unwrap();
    assert_eq!((opened.number, opened.created), (12, true));
    let same = gh.upsert_issue(&repo(), &spec).await.unwrap();
    assert_eq!((same.number, same.created), (12, false));
    spec.body = "2 to change".into();
    gh.upsert_issue(&repo(), &spec).await.unwrap();
    let closed = gh.close_issue(&repo(), key, Some("Recovered.")).await.unwrap().unwrap();
    assert_eq!(closed.number, 12);
}

#[tokio::test]
async fn reads_a_merged_pull_request() {
    let server = MockServer::start().await;
    let mut pr = gh_pull(7, "Add vpc", "", "feature/vpc");
    pr["state"] = json!("closed");
    pr["merged"] = json!(true);
    pr["merged_at"] = json!("2011-01-26T19:01:12Z");
    pr["mergeable"] = json!(null);
    pr["merged_by"] = json!({ "login": "octocat" });
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/pulls/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(pr))
        .mount(&server)
        .await;
    let p = github(&server).pull_request(&repo(), 7).await.unwrap();
    assert_eq!(p.state, PullRequestState::Merged);
    assert_eq!(p.merge_sha.as_deref(), Some("e5bd3914e2e596debea16f433f57875b5b90bcd6"));
    assert_eq!(p.merged_by.as_deref(), Some("octocat"));
    assert_eq!((p.head_ref.as_str(), p.head_sha.as_str(), p.base_ref.as_str()), ("feature/vpc", HEAD, "main"));
    assert_eq!(p.mergeable, None);
}

const APP_KEY: &str = include_str!("fixtures/app-key.pem");
const APP_PUB: &str = include_str!("fixtures/app-key.pub.pem");
const INSTALLATION_TOKEN: &str = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";

/// A GitHub Enterprise Server URL with its `/api/v3` prefix, a JWT signed with the app's key,
/// exchanged for an installation token that later calls use and that is fetched once.
#[tokio::test]
async fn a_github_app_signs_a_jwt_and_uses_a_cached_installation_token() {
    let server = MockServer::start().await;
    let jwt_ok = |r: &Request| {
        let auth = r.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
        let Some(jwt) = auth.strip_prefix("Bearer ") else { return false };
        let key = jsonwebtoken::DecodingKey::from_rsa_pem(APP_PUB.as_bytes()).unwrap();
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.set_required_spec_claims(&["exp", "iat"]);
        // GitHub wants the app id as the issuer (octocrab writes it as a number).
        jsonwebtoken::decode::<serde_json::Value>(jwt, &key, &v).is_ok_and(|d| d.claims["iss"] == 424242)
    };
    Mock::given(method("GET"))
        .and(path("/api/v3/repos/acme/infra/installation"))
        .and(jwt_ok)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 1, "account": { "login": "acme", "id": 1 }, "app_id": 424242, "target_type": "Organization",
            "permissions": { "checks": "write", "pull_requests": "write" }, "events": ["pull_request"]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v3/app/installations/1/access_tokens"))
        .and(jwt_ok)
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "token": INSTALLATION_TOKEN,
            "expires_at": "2099-01-01T00:00:00Z",
            "permissions": { "checks": "write" },
            "repository_selection": "all"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v3/repos/acme/infra/pulls/7"))
        .and(header("authorization", format!("Bearer {INSTALLATION_TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(gh_pull(7, "t", "", "feature/x")))
        .expect(2)
        .mount(&server)
        .await;
    let mut opts = GitHubOptions::new(GitHubAuth::App {
        app_id: 424242,
        private_key: Secret::new(APP_KEY),
        installation_id: None,
    });
    opts.api_url = format!("{}/api/v3", server.uri());
    opts.clock = RecordingClock::new();
    let gh = Arc::new(GitHub::new(opts).unwrap());
    assert_eq!(gh.pull_request(&repo(), 7).await.unwrap().number, 7);
    assert_eq!(gh.pull_request(&RepoId::parse("acme/infra").unwrap(), 7).await.unwrap().head_ref, "feature/x");
}

#[tokio::test]
async fn an_installation_token_is_renewed_before_it_expires() {
    let server = MockServer::start().await;
    // Ten seconds left: inside octocrab's 30-second margin, so every call mints a new one.
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(10)).to_rfc3339();
    Mock::given(method("POST"))
        .and(path("/app/installations/5/access_tokens"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "token": INSTALLATION_TOKEN, "expires_at": soon,
            "permissions": { "checks": "write" }, "repository_selection": "all"
        })))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/pulls/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(gh_pull(7, "t", "", "feature/x")))
        .expect(2)
        .mount(&server)
        .await;
    let mut opts = GitHubOptions::new(GitHubAuth::App {
        app_id: 424242,
        private_key: Secret::new(APP_KEY),
        installation_id: Some(5),
    });
    opts.api_url = server.uri();
    opts.clock = RecordingClock::new();
    let gh = GitHub::new(opts).unwrap();
    gh.pull_request(&repo(), 7).await.unwrap();
    gh.pull_request(&repo(), 7).await.unwrap();
}

#[tokio::test]
async fn an_unreadable_token_response_fails_without_retrying() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/app/installations/5/access_tokens"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "token": INSTALLATION_TOKEN })))
        .expect(1)
        .mount(&server)
        .await;
    let mut opts = GitHubOptions::new(GitHubAuth::App {
        app_id: 424242,
        private_key: Secret::new(APP_KEY),
        installation_id: Some(5),
    });
    opts.api_url = server.uri();
    let clock = RecordingClock::new();
    opts.clock = clock.clone();
    let err = GitHub::new(opts).unwrap().pull_request(&repo(), 7).await.unwrap_err();
    assert!(err.to_string().contains("installation token response"), "{err}");
    assert!(clock.sleeps().is_empty());
}

#[test]
fn a_bad_app_key_or_url_is_a_setup_error() {
    let err = GitHub::new(GitHubOptions::new(GitHubAuth::App {
        app_id: 1,
        private_key: Secret::new("not a key"),
        installation_id: Some(1),
    }))
    .err()
    .unwrap();
    assert_eq!(err.to_string(), "the GitHub App private key is not an RSA key in PEM format");
    let mut o = GitHubOptions::new(GitHubAuth::Token(Secret::new(GH_TOKEN)));
    o.api_url = "ftp://example.com".into();
    assert!(GitHub::new(o).is_err());
    let o = GitHubOptions::new(GitHubAuth::Token(Secret::new("tok\nen")));
    assert!(GitHub::new(o).is_err(), "a header-breaking token is refused, not a panic");
}
