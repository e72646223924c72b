//! A running server on 127.0.0.1 with a signing client.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use paved::forge::fake::MemoryForge;
use paved::forge::secret::Secret;
use paved::forge::webhook::{Receiver, StoreDeliveryLog};
use paved::forge::{ForgeKind, Permission, PullRequest, PullRequestState, RepoId};
use paved::server::{Server, serve};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio_util::sync::CancellationToken;

use crate::support::{Backend, TestDb};

pub const SECRET: &str = "It's a Secret to Everybody";
pub const GITLAB_TOKEN: &str = "gitlab-hook-token-5f2c";
pub const ADMIN: &str = "admin-token-93ab1";
pub const MAX_PAYLOAD: usize = 64 * 1024;
pub const HEAD: &str = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
pub const BASE: &str = "9049f1265b7d61be4a8904a9a27120d2064dab3b";

pub struct TestServer {
    pub url: String,
    pub server: Arc<Server>,
    pub forge: Arc<MemoryForge>,
    pub db: TestDb,
    pub http: reqwest::Client,
    shutdown: CancellationToken,
}

impl TestServer {
    pub async fn start(backend: Backend) -> TestServer {
        let db = TestDb::new(backend).await;
        let mut receiver = Receiver::new(Arc::new(StoreDeliveryLog(db.store.clone())));
        receiver.github_secret = Some(Secret::new(SECRET));
        receiver.gitlab_token = Some(Secret::new(GITLAB_TOKEN));
        receiver.max_payload = MAX_PAYLOAD;
        let mut server = Server::new(db.store.clone(), receiver);
        let forge = Arc::new(MemoryForge::new(ForgeKind::GitHub));
        server.forges.insert(ForgeKind::GitHub, forge.clone());
        server.admin_token = Some(Secret::new(ADMIN));
        server.event_poll = Duration::from_millis(20);
        let server = Arc::new(server);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shutdown = CancellationToken::new();
        tokio::spawn(serve(server.clone(), listener, shutdown.clone()));
        paved::forge::install_crypto_provider();
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
        TestServer { url, server, forge, db, http, shutdown }
    }

    pub fn repo() -> RepoId {
        RepoId::parse("acme/infra").unwrap()
    }

    /// Posts a GitHub delivery, signed with `secret` (None: unsigned).
    pub async fn github(&self, event: &str, delivery: &str, body: &[u8], secret: Option<&str>) -> (u16, Value) {
        let mut req = self
            .http
            .post(format!("{}/webhooks/github", self.url))
            .header("x-github-event", event)
            .header("x-github-delivery", delivery)
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(secret) = secret {
            req = req.header("x-hub-signature-256", sign(secret, body));
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let resp = self.http.get(format!("{}{path}", self.url)).send().await.unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let (status, text) = self.get(path).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A pull request the forge knows, and a commenter with `permission`.
    pub fn given_pull_request(&self, number: u64, commenter: &str, permission: Permission) {
        self.forge.set_pull_request(
            &Self::repo(),
            PullRequest {
                number,
                title: "Widen the VPC".into(),
                author: "bob".into(),
                state: PullRequestState::Open,
                draft: false,
                head_ref: "feature/vpc".into(),
                head_sha: HEAD.into(),
                base_ref: "main".into(),
                mergeable: Some(true),
                merge_sha: None,
                merged_by: None,
                url: format!("https://github.com/acme/infra/pull/{number}"),
            },
        );
        self.forge.set_permission(&Self::repo(), commenter, permission);
    }

    pub async fn queued(&self) -> u64 {
        self.db.store.depth().await.unwrap().pending
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A `pull_request` delivery shaped like GitHub's documented example.
pub fn pull_request(action: &str, number: u64, merged: bool) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "action": action,
        "number": number,
        "pull_request": {
            "url": format!("https://api.github.com/repos/acme/infra/pulls/{number}"),
            "id": 279147437, "number": number, "state": if action == "closed" { "closed" } else { "open" },
            "title": "Widen the VPC", "user": { "login": "bob", "id": 2, "type": "User" },
            "merged": merged, "merge_commit_sha": "c4295bd74fb0f4fda03689c3df3f2803b658fd85",
            "head": { "label": "acme:feature/vpc", "ref": "feature/vpc", "sha": HEAD, "repo": { "full_name": "acme/infra" } },
            "base": { "label": "acme:main", "ref": "main", "sha": BASE, "repo": { "full_name": "acme/infra" } }
        },
        "repository": { "id": 186853002, "name": "infra", "full_name": "acme/infra", "private": true, "owner": { "login": "acme" } },
        "sender": { "login": "bob", "id": 2, "type": "User" },
        "installation": { "id": 2311213 }
    }))
    .unwrap()
}

/// An `issue_comment` on pull request `number`.
pub fn comment(number: u64, author: &str, body: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "action": "created",
        "issue": { "number": number, "title": "Widen the VPC", "user": { "login": "bob" },
            "pull_request": { "url": format!("https://api.github.com/repos/acme/infra/pulls/{number}") } },
        "comment": { "id": 11, "body": body, "user": { "login": author } },
        "repository": { "full_name": "acme/infra" }, "sender": { "login": author }
    }))
    .unwrap()
}
