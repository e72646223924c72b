//! The drift schedule inside `paved serve`: the first pass runs at start-up (the lease is free),
//! opens the issue, counts in the metrics, and the server still stops cleanly on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wiremock::MockServer;

use crate::cli::Repo;
use crate::forges;
use crate::repo_support::ServeLog;

#[tokio::test(flavor = "multi_thread")]
async fn serve_runs_the_drift_schedule_and_opens_the_issue() {
    let server = MockServer::start().await;
    let issues = forges::github(&server).await;
    let repo =
        Repo::github(&server, "server:\n  listen: 127.0.0.1:0\n  replica: drift-test\n  drift:\n    interval: 1h\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_paved"));
    repo.env(&mut child, "plan vpc core-ue2-dev change=1\n");
    let child = child.arg("serve").arg(repo.root()).stderr(Stdio::piped()).spawn().unwrap();
    // Killed when the test fails half-way, so no server outlives it.
    let mut child = KillOnDrop(child);
    let log = ServeLog::wait(&mut child.0);
    let early = log.early.clone();
    let addr = log.addr.clone();
    paved::forge::install_crypto_provider();
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    let metrics = loop {
        let m = http.get(format!("http://{addr}/metrics")).send().await.unwrap().text().await.unwrap();
        if m.contains(r#"paved_runs_total{kind="drift""#) {
            break m;
        }
        assert!(Instant::now() < deadline, "no drift pass was recorded:\n{m}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(metrics.contains(r#"paved_runs_total{kind="drift",outcome="succeeded"} 1"#), "{metrics}");
    let open = issues.open();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].title, "Drift: vpc in core-ue2-dev");
    let runs: serde_json::Value =
        http.get(format!("http://{addr}/api/v1/runs?repo=platform")).send().await.unwrap().json().await.unwrap();
    let run = &runs["runs"][0];
    assert_eq!((run["kind"].as_str(), run["actor"].as_str()), (Some("drift"), Some("schedule")), "{runs}");

    unsafe { libc::kill(child.0.id() as i32, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "paved serve did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    let logs = log.finish();
    assert!(status.success(), "{logs}");
    assert!(early.contains("drift checks every 3600s"), "{early}");
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
