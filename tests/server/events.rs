//! `/api/v1/events`: server-sent events from the store.

use std::time::Duration;

use serde_json::json;

use crate::harness::*;
use crate::support::Backend;

/// Reads SSE frames until `n` events arrived (or the time runs out).
async fn read_events(resp: reqwest::Response, n: usize) -> Vec<(String, String, serde_json::Value)> {
    let mut resp = resp;
    let mut buf = String::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while out.len() < n {
        let chunk = tokio::time::timeout_at(deadline, resp.chunk()).await.expect("events in time").unwrap();
        let Some(chunk) = chunk else { break };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let frame: String = buf.drain(..end + 2).collect();
            let field =
                |name: &str| frame.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim_start().to_string());
            if let (Some(id), Some(kind), Some(data)) = (field("id:"), field("event:"), field("data:")) {
                out.push((id, kind, serde_json::from_str(&data).unwrap()));
            }
        }
    }
    out
}

#[tokio::test]
async fn events_stream_in_order_filtered_and_resumable() {
    let t = TestServer::start(Backend::Sqlite).await;
    let store = t.db.store.clone();
    let old = store.publish_event("run.started", &json!({"run": 1})).await.unwrap();

    // A fresh client starts at "now": the old event is not replayed.
    let resp = t.http.get(format!("{}/api/v1/events", t.url)).send().await.unwrap();
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let publisher = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        store.publish_event("plan.finished", &json!({"run": 1, "add": 2})).await.unwrap();
        store.publish_event("policy.violation", &json!({"rule": "policy/paved.stacks/tags"})).await.unwrap();
    });
    let got = read_events(resp, 2).await;
    publisher.await.unwrap();
    assert_eq!(got.iter().map(|e| e.1.as_str()).collect::<Vec<_>>(), ["plan.finished", "policy.violation"]);
    assert_eq!(got[0].2["payload"]["add"], 2);

    // Resuming after the first event replays the rest; a kind filter keeps only what was asked.
    let resp = t
        .http
        .get(format!("{}/api/v1/events", t.url))
        .header("last-event-id", old.id.to_string())
        .send()
        .await
        .unwrap();
    let got = read_events(resp, 2).await;
    assert_eq!(got[0].1, "plan.finished");
    let resp = t.http.get(format!("{}/api/v1/events?after=0&kinds=policy.violation", t.url)).send().await.unwrap();
    let got = read_events(resp, 1).await;
    assert_eq!(got[0].1, "policy.violation");
}

#[tokio::test]
async fn the_latest_event_id_is_read_without_walking_the_table() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = crate::support::TestDb::new(backend).await;
        assert_eq!(paved::server::latest_event_id(db.store.as_ref()).await, 0);
        let mut last = 0;
        for i in 0..3 {
            last = db.store.publish_event("run.started", &serde_json::json!({"run": i})).await.unwrap().id;
        }
        assert_eq!(paved::server::latest_event_id(db.store.as_ref()).await, last);
    }
}
