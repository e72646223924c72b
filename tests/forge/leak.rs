//! Secrets never reach a log line or an error: every event at TRACE level is captured while
//! operations (including failing ones) run on both forges and the webhook receiver.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use paved::forge::secret::Secret;
use paved::forge::webhook::{MemoryDeliveryLog, Receiver};
use paved::forge::{Check, CheckConclusion, CheckStatus, Forge};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One process-wide subscriber at TRACE (also bridging the `log` crate, which reqwest and
/// the `gitlab` crate use), installed once for this test binary.
fn capture() -> Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE
        .get_or_init(|| {
            let c = Capture::default();
            let writer = c.clone();
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .try_init()
                .expect("no other subscriber in this binary");
            c
        })
        .clone()
}

#[tokio::test]
async fn no_secret_appears_in_logs_or_errors() {
    let logs = capture();
    let hook_secret = "whsec-PavedWebhookSecretValue";
    let mut errors = Vec::new();

    // GitHub: a success, a 401 that echoes the token back in its body, a 5xx sequence.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/pulls/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(gh_pull(1, "t", "", "x")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/pulls/2"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "message": format!("Bad credentials: {GH_TOKEN}"), "documentation_url": "https://docs.github.com/rest"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/pulls/3"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/infra/check-runs"))
        .respond_with(
            ResponseTemplate::new(422)
                .set_body_json(json!({ "message": format!("Validation Failed for token {GH_TOKEN}") })),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/acme/infra/commits/{HEAD}/check-runs")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "total_count": 0, "check_runs": [] })))
        .mount(&server)
        .await;
    let gh = github(&server);
    gh.pull_request(&repo(), 1).await.unwrap();
    for n in [2, 3] {
        errors.push(gh.pull_request(&repo(), n).await.unwrap_err().to_string());
    }
    let check = Check::new("paved/plan", HEAD, CheckStatus::Completed(CheckConclusion::Success));
    errors.push(gh.publish_check(&repo(), &check).await.unwrap_err().to_string());
    errors.push(format!("{:?}", gh.pull_request(&repo(), 2).await.unwrap_err()));

    // A refused connection.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut o =
        paved::forge::github::GitHubOptions::new(paved::forge::github::GitHubAuth::Token(Secret::new(GH_TOKEN)));
    o.api_url = closed;
    o.clock = RecordingClock::new();
    let unreachable = paved::forge::github::GitHub::new(o).unwrap();
    errors.push(unreachable.pull_request(&repo(), 1).await.unwrap_err().to_string());

    // GitLab: connect, and a failure that echoes the token.
    let gl_server = MockServer::start().await;
    let gl = gitlab(&gl_server).await;
    Mock::given(method("GET"))
        .and(path("/api/v4/projects/acme%2Finfra/merge_requests/4"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({ "message": format!("403 Forbidden - token {GL_TOKEN} lacks api scope") })),
        )
        .mount(&gl_server)
        .await;
    errors.push(gl.pull_request(&repo(), 4).await.unwrap_err().to_string());

    // Webhooks: good and forged deliveries.
    let mut r = Receiver::new(Arc::new(MemoryDeliveryLog::default()));
    r.github_secret = Some(Secret::new(hook_secret));
    r.gitlab_token = Some(Secret::new(hook_secret));
    let mut h = http::HeaderMap::new();
    h.insert("x-github-event", "ping".parse().unwrap());
    h.insert("x-github-delivery", "1".parse().unwrap());
    h.insert("x-hub-signature-256", "sha256=00".parse().unwrap());
    h.insert("x-gitlab-token", "wrong".parse().unwrap());
    errors.push(r.github(&h, b"{}").await.unwrap_err().to_string());
    errors.push(r.gitlab(&h, b"{}").await.unwrap_err().to_string());
    errors.push(format!("{:?} {}", Secret::new(GH_TOKEN), Secret::new(hook_secret)));

    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(text.contains("github request"), "the capture works: {}", &text[..text.len().min(2000)]);
    assert!(text.contains("forge call will be retried"));
    for secret in [GH_TOKEN, GL_TOKEN, hook_secret] {
        assert!(!text.contains(secret), "a secret is in the logs");
        for e in &errors {
            assert!(!e.contains(secret), "a secret is in an error: {e}");
        }
    }
    assert!(errors[0].contains("HTTP 401 (Bad credentials: ***)"), "{}", errors[0]);
}
