//! The server against docs/openapi.yaml: every documented operation is served, and each JSON
//! answer validates against the schema documented for its status.

use std::collections::BTreeSet;
use std::time::Duration;

use paved::store::{LockKey, LockRequest, NewRun, RunKind};
use serde_json::Value;

use crate::harness::*;
use crate::support::Backend;

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.yaml")).unwrap();
    yaml_serde::from_str(&text).unwrap()
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointer to the schema of (path, method, status), following a response `$ref`.
fn schema_pointer(spec: &Value, path: &str, method: &str, status: u16) -> String {
    let base = format!("/paths/{}/{method}/responses/{status}", escape(path));
    let response = spec.pointer(&base).unwrap_or_else(|| panic!("{method} {path} documents no {status}"));
    let base = match response.get("$ref").and_then(Value::as_str) {
        Some(r) => r.trim_start_matches('#').to_string(),
        None => base,
    };
    format!("{base}/content/application~1json/schema")
}

struct Checker {
    spec: Value,
    seen: BTreeSet<(String, String)>,
}

impl Checker {
    fn check(&mut self, path: &str, method: &str, status: u16, body: &Value) {
        let pointer = schema_pointer(&self.spec, path, method, status);
        let mut root = self.spec.clone();
        let fragment = pointer.replace('{', "%7B").replace('}', "%7D");
        root["$ref"] = Value::String(format!("#{fragment}"));
        root["$schema"] = Value::String("https://json-schema.org/draft/2020-12/schema".into());
        let validator = jsonschema::validator_for(&root).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{method} {path} → {status}: {errors:?}\n{body}");
        self.seen.insert((path.to_string(), method.to_string()));
    }
}

#[tokio::test]
async fn the_server_answers_as_documented() {
    let t = TestServer::start(Backend::Sqlite).await;
    let mut c = Checker { spec: spec(), seen: BTreeSet::new() };
    let store = &t.db.store;
    let run = store
        .create_run(&NewRun {
            repo: "acme/infra".into(),
            git_ref: "main".into(),
            sha: HEAD.into(),
            pull_request: None,
            kind: RunKind::Apply,
            actor: None,
        })
        .await
        .unwrap();
    let key = LockKey::new("core-uw2-prod", "rds");
    let lease = Duration::from_secs(60);
    let lock = LockRequest { key, owner: "replica-a".into(), run_id: run.id, pull_request: None, lease };
    store.acquire_lock(&lock).await.unwrap();

    let (s, b) = t.get_json("/api/v1/runs").await;
    c.check("/api/v1/runs", "get", s, &b);
    let (s, b) = t.get_json("/api/v1/runs?status=nonsense").await;
    c.check("/api/v1/runs", "get", s, &b);
    let (s, b) = t.get_json(&format!("/api/v1/runs/{}", run.id)).await;
    c.check("/api/v1/runs/{id}", "get", s, &b);
    let (s, b) = t.get_json("/api/v1/runs/424242").await;
    c.check("/api/v1/runs/{id}", "get", s, &b);
    let (s, b) = t.get_json("/api/v1/locks").await;
    c.check("/api/v1/locks", "get", s, &b);
    for token in [None, Some(ADMIN), Some(ADMIN)] {
        let mut r = t.http.delete(format!("{}/api/v1/locks?stack=core-uw2-prod&component=rds", t.url));
        if let Some(token) = token {
            r = r.bearer_auth(token);
        }
        let resp = r.send().await.unwrap();
        let s = resp.status().as_u16();
        c.check("/api/v1/locks", "delete", s, &resp.json().await.unwrap());
    }
    for (delivery, secret, body) in [
        ("o-1", Some(SECRET), pull_request("opened", 4, false)),
        ("o-1", Some(SECRET), pull_request("opened", 4, false)),
        ("o-2", Some("forged"), pull_request("opened", 4, false)),
        ("o-3", Some(SECRET), pull_request("labeled", 4, false)),
        ("o-4", Some(SECRET), vec![b'x'; MAX_PAYLOAD + 10]),
    ] {
        let (s, b) = t.github("pull_request", delivery, &body, secret).await;
        c.check("/webhooks/github", "post", s, &b);
    }
    let resp = t.http.post(format!("{}/webhooks/gitlab", t.url)).body("{}").send().await.unwrap();
    let s = resp.status().as_u16();
    c.check("/webhooks/gitlab", "post", s, &resp.json().await.unwrap());

    // Non-JSON endpoints: served with the documented status and content type.
    for (path, ctype) in [("/metrics", "text/plain"), ("/healthz", "text/plain"), ("/readyz", "text/plain")] {
        let resp = t.http.get(format!("{}{path}", t.url)).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with(ctype), "{path}");
        c.seen.insert((path.to_string(), "get".into()));
    }
    let resp = t.http.get(format!("{}/api/v1/events", t.url)).send().await.unwrap();
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    c.seen.insert(("/api/v1/events".into(), "get".into()));

    let documented: BTreeSet<(String, String)> = c.spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, ops)| ops.as_object().unwrap().keys().map(move |m| (p.clone(), m.clone())))
        .collect();
    assert_eq!(c.seen, documented, "every documented operation is exercised");
}
