//! `paved serve` as a process: it starts on a git repository made from the examples, takes a
//! signed webhook into a run, answers the API, and drains and exits cleanly on SIGTERM.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/repo.rs"]
mod repo_support;

use repo_support::{ServeLog, copy_dir, git};

const SECRET: &str = "serve-process-hook-secret";

fn sign(body: &[u8]) -> String {
    repo_support::sign(SECRET, body)
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_takes_a_webhook_to_a_run_and_stops_cleanly_on_sigterm() {
    let forge = wiremock::MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"), repo);
    let mut cfg = std::fs::read_to_string(repo.join("paved.yaml")).unwrap();
    cfg.push_str(&format!(
        "reconcile:\n  default_branch: main\n  repositories:\n    - name: platform\n      path: .\n      forge_repo: acme/infra\n\
         forge:\n  github:\n    api_url: {}\n    token_env: PAVED_TEST_GH_TOKEN\n    webhook_secret_env: PAVED_TEST_HOOK_SECRET\n\
         server:\n  listen: 127.0.0.1:0\n  replica: test-replica\n  admin_token_env: PAVED_TEST_ADMIN\n",
        forge.uri()
    ));
    std::fs::write(repo.join("paved.yaml"), cfg).unwrap();
    std::fs::write(repo.join(".gitignore"), ".paved/\n").unwrap();
    git(repo, &["init", "-q"]);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-qm", "platform"]);
    git(repo, &["branch", "feature/vpc"]);

    let mut child = Command::new(env!("CARGO_BIN_EXE_paved"))
        .args(["serve", "--dry-run"])
        .arg(repo)
        .env("PAVED_TEST_GH_TOKEN", "ghp_serveprocesstesttoken000000000000000")
        .env("PAVED_TEST_HOOK_SECRET", SECRET)
        .env("PAVED_TEST_ADMIN", "admin-secret")
        .env_remove("DATABASE_URL")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = ServeLog::wait(&mut child);
    let addr = log.addr.clone();
    paved::forge::install_crypto_provider();
    let http = reqwest::Client::new();
    let base = format!("http://{addr}");
    assert_eq!(http.get(format!("{base}/readyz")).send().await.unwrap().status().as_u16(), 200);

    let body = serde_json::to_vec(&serde_json::json!({
        "action": "opened", "number": 7,
        "pull_request": { "number": 7, "state": "open", "title": "Widen the VPC", "user": { "login": "bob" },
            "merged": false,
            "head": { "ref": "feature/vpc", "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e", "repo": { "full_name": "acme/infra" } },
            "base": { "ref": "main", "sha": "9049f1265b7d61be4a8904a9a27120d2064dab3b", "repo": { "full_name": "acme/infra" } } },
        "repository": { "full_name": "acme/infra" }, "sender": { "login": "bob" }
    }))
    .unwrap();
    let resp = http
        .post(format!("{base}/webhooks/github"))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "proc-1")
        .header("x-hub-signature-256", sign(&body))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 202, "{}", resp.text().await.unwrap());

    // The worker claims it and records a run for the configured repository name.
    let deadline = Instant::now() + Duration::from_secs(60);
    let run = loop {
        let runs: serde_json::Value =
            http.get(format!("{base}/api/v1/runs?repo=platform")).send().await.unwrap().json().await.unwrap();
        if let Some(run) = runs["runs"].as_array().and_then(|r| r.first()).cloned() {
            break run;
        }
        assert!(Instant::now() < deadline, "no run was recorded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(run["pull_request"], 7);
    // Once it has ended, the replica's metrics count it.
    let deadline = Instant::now() + Duration::from_secs(60);
    let (status, metrics) = loop {
        let path = format!("{base}/api/v1/runs/{}", run["id"]);
        let shown: serde_json::Value = http.get(path).send().await.unwrap().json().await.unwrap();
        let status = shown["run"]["status"].as_str().unwrap_or_default().to_string();
        let metrics = http.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
        if !matches!(status.as_str(), "queued" | "running") && metrics.contains("paved_runs_total") {
            break (status, metrics);
        }
        assert!(Instant::now() < deadline, "the run did not end or was not counted: {status}\n{metrics}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(metrics.contains(r#"paved_webhooks_total{forge="github",outcome="queued"} 1"#), "{metrics}");
    let counted = format!(r#"paved_runs_total{{kind="plan",outcome="{status}"}} 1"#);
    assert!(metrics.contains(&counted), "{counted} in\n{metrics}");
    assert!(metrics.contains(r#"paved_run_duration_seconds_count{kind="plan"} 1"#), "{metrics}");
    assert!(metrics.contains(r#"paved_queue_depth{state="pending"} 0"#), "{metrics}");

    // SIGTERM: drain, release, exit 0.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "paved serve did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    let logs = log.finish();
    assert!(status.success(), "exit {status:?}\n{logs}");
    assert!(logs.contains("stopped; released"), "{logs}");
    assert!(!logs.contains("ghp_serveprocesstesttoken") && !logs.contains(SECRET), "secrets never reach the log");
}
