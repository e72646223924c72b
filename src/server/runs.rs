//! Cancelling runs across replicas: the replica that receives `/paved cancel` stops its own runs
//! and publishes `run.cancel_requested`; every replica follows the event stream and stops the
//! runs it holds.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::RunControl;
use crate::reconcile::cancel::Cancellations;
use crate::store::Store;

impl RunControl for Cancellations {
    fn cancel(&self, repo: &str, number: u64) -> usize {
        self.cancel_pull_request(repo, number)
    }
}

/// Follows `run.cancel_requested` events published after start-up until `stop`.
pub async fn follow_cancels(
    store: Arc<dyn Store>,
    runs: Arc<dyn RunControl>,
    every: Duration,
    stop: CancellationToken,
) {
    let mut after = latest_event_id(store.as_ref()).await;
    loop {
        if let Ok(events) = store.events_since(after, 500).await {
            for ev in events {
                after = ev.id;
                if ev.kind != "run.cancel_requested" {
                    continue;
                }
                let repo = ev.payload["repo"].as_str();
                let number = ev.payload["pull_request"].as_u64();
                if let (Some(repo), Some(number)) = (repo, number) {
                    let n = runs.cancel(repo, number);
                    if n > 0 {
                        tracing::info!(repo, number, runs = n, "cancelled runs on request");
                    }
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.cancelled() => return,
        }
    }
}

/// The newest event's id (0 when there is none, or when the store cannot say: a stream then
/// starts from the beginning rather than missing events).
pub async fn latest_event_id(store: &dyn Store) -> i64 {
    store.latest_event_id().await.unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{SqliteStore, SystemClock};

    #[tokio::test]
    async fn a_published_cancel_stops_the_runs_this_replica_holds() {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory(Arc::new(SystemClock)).await.unwrap());
        let runs = Arc::new(Cancellations::default());
        runs.register(11, "acme/infra", Some(7));
        runs.register(12, "acme/infra", Some(8));
        let token = runs.token(11);
        let stop = CancellationToken::new();
        let follower =
            tokio::spawn(follow_cancels(store.clone(), runs.clone(), Duration::from_millis(10), stop.clone()));
        tokio::time::sleep(Duration::from_millis(30)).await;
        let payload = serde_json::json!({"repo": "acme/infra", "pull_request": 7});
        store.publish_event("run.cancel_requested", &payload).await.unwrap();
        tokio::time::timeout(Duration::from_secs(5), token.cancelled()).await.expect("run 11 cancelled");
        assert!(!runs.token(12).is_cancelled(), "another pull request's run keeps going");
        stop.cancel();
        follower.await.unwrap();
    }
}
