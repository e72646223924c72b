//! Prometheus metrics, on a recorder owned by the server (not the process-wide one), so two
//! servers in one test process keep separate counts.

use std::sync::Arc;
use std::time::Duration;

use metrics::{Recorder, counter, gauge, histogram, with_local_recorder};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use crate::store::QueueDepth;

/// Seconds: webhook handling is milliseconds; plans and applies are minutes.
const WEBHOOK_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];
const RUN_BUCKETS: &[f64] = &[1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 3600.0];

/// The server's metrics. Cheap to clone; the reconciler's worker records runs through it too.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("paved_webhook_duration_seconds".into()), WEBHOOK_BUCKETS)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full("paved_run_duration_seconds".into()), RUN_BUCKETS))
            .map(|b| b.build_recorder())
            // The bucket lists are constants and not empty, so this branch is never taken.
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        Metrics { recorder: Arc::new(recorder), handle }
    }

    fn with<T>(&self, f: impl FnOnce() -> T) -> T {
        with_local_recorder(&*self.recorder as &dyn Recorder, f)
    }

    /// A webhook delivery handled: `outcome` is `queued`, `ignored`, `duplicate`, `refused` ...
    pub fn webhook(&self, forge: &'static str, outcome: &'static str, latency: Duration) {
        self.with(|| {
            counter!("paved_webhooks_total", "forge" => forge, "outcome" => outcome).increment(1);
            histogram!("paved_webhook_duration_seconds", "forge" => forge).record(latency.as_secs_f64());
        });
    }

    /// A run finished: `kind` is plan, apply or drift; `outcome` its status.
    pub fn run_finished(&self, kind: &str, outcome: &str, duration: Duration) {
        let (kind, outcome) = (kind.to_string(), outcome.to_string());
        self.with(|| {
            counter!("paved_runs_total", "kind" => kind.clone(), "outcome" => outcome).increment(1);
            histogram!("paved_run_duration_seconds", "kind" => kind).record(duration.as_secs_f64());
        });
    }

    /// A command accepted from a pull-request comment.
    pub fn chatops(&self, command: &'static str, outcome: &'static str) {
        self.with(|| counter!("paved_chatops_commands_total", "command" => command, "outcome" => outcome).increment(1));
    }

    pub fn queue_depth(&self, depth: QueueDepth) {
        self.with(|| {
            gauge!("paved_queue_depth", "state" => "pending").set(depth.pending as f64);
            gauge!("paved_queue_depth", "state" => "claimed").set(depth.claimed as f64);
        });
    }

    /// The exposition text for `/metrics`.
    pub fn render(&self) -> String {
        self.handle.render()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separate_servers_keep_separate_counts() {
        let (a, b) = (Metrics::new(), Metrics::new());
        a.webhook("github", "queued", Duration::from_millis(3));
        a.queue_depth(QueueDepth { pending: 4, claimed: 1 });
        let text = a.render();
        assert!(text.contains(r#"paved_webhooks_total{forge="github",outcome="queued"} 1"#), "{text}");
        assert!(text.contains(r#"paved_webhook_duration_seconds_bucket{forge="github",le="0.005"} 1"#), "{text}");
        assert!(text.contains(r#"paved_queue_depth{state="pending"} 4"#), "{text}");
        assert!(!b.render().contains("paved_webhooks_total"));
    }
}
