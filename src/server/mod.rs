//! `paved serve`'s HTTP side: webhook intake, the REST API, server-sent events, metrics and
//! health endpoints (axum).
//!
//! The server only moves bytes and queues work: the forge layer verifies and parses deliveries,
//! the store keeps the queue, runs and events, and the reconciler's worker does the work. Every
//! handler reads [`Server`], so tests build one over a real store and a fake forge and drive
//! the router directly or over a socket.

mod api;
mod chatops;
mod events;
mod intake;
mod metrics;
mod runs;
mod webhooks;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use tokio_util::sync::CancellationToken;

use crate::forge::secret::Secret;
use crate::forge::webhook::Receiver;
use crate::forge::{Forge, ForgeKind};
use crate::store::Store;

pub use chatops::{ChatCommand, ChatError, Target, help_text};
pub use intake::{Intake, intake_for};
pub use metrics::Metrics;
pub use runs::{follow_cancels, latest_event_id};

/// This process's name in claims and locks when paved.yaml gives none: host name and pid, since
/// the pid alone repeats across containers (every replica is pid 1 there).
pub fn default_replica() -> String {
    let host = std::fs::read_to_string("/etc/hostname").ok().map(|h| h.trim().to_string()).filter(|h| !h.is_empty());
    format!("{}-{}", host.unwrap_or_else(|| "paved".into()), std::process::id())
}

/// Stops runs on this replica; the reconciler's worker implements it.
pub trait RunControl: Send + Sync {
    /// Cancels this replica's running runs of `repo`'s pull request `number`; how many.
    fn cancel(&self, repo: &str, number: u64) -> usize;
}

/// A replica that runs no work in process (intake only).
pub struct NoLocalRuns;

impl RunControl for NoLocalRuns {
    fn cancel(&self, _repo: &str, _number: u64) -> usize {
        0
    }
}

/// Everything the handlers share.
pub struct Server {
    pub store: Arc<dyn Store>,
    pub receiver: Receiver,
    /// Forges to answer ChatOps commands on, by kind.
    pub forges: BTreeMap<ForgeKind, Arc<dyn Forge>>,
    pub metrics: Metrics,
    /// Bearer token for admin endpoints (`DELETE /api/v1/locks`); none disables them.
    pub admin_token: Option<Secret>,
    pub runs: Arc<dyn RunControl>,
    /// How often an idle event stream asks the store for new events.
    pub event_poll: Duration,
    /// Set on shutdown: `/readyz` fails and webhooks are refused with 503 so the forge retries
    /// them against another replica.
    draining: AtomicBool,
    /// Wakes one in-process worker when a new request is queued, so it does not wait for its
    /// poll.
    pub queued: Arc<tokio::sync::Notify>,
    /// Forge repository (`owner/name`) → the name paved.yaml gives it (`reconcile.repositories`).
    /// Empty: names are used as the forge spells them.
    pub repo_names: BTreeMap<String, String>,
}

impl Server {
    /// The receiver's delivery log is replaced: the server records each delivery itself, in the
    /// transaction that queues its work (see `webhooks`), so a failed enqueue is no replay.
    pub fn new(store: Arc<dyn Store>, mut receiver: Receiver) -> Server {
        receiver.deliveries = Arc::new(webhooks::RecordedWithWork);
        Server {
            store,
            receiver,
            forges: BTreeMap::new(),
            metrics: Metrics::new(),
            admin_token: None,
            runs: Arc::new(NoLocalRuns),
            event_poll: Duration::from_millis(250),
            draining: AtomicBool::new(false),
            queued: Arc::new(tokio::sync::Notify::new()),
            repo_names: BTreeMap::new(),
        }
    }

    /// The reconciler's name for a forge repository; `None` for a repository paved does not manage.
    pub fn local_repo(&self, forge_repo: &str) -> Option<String> {
        if self.repo_names.is_empty() {
            return Some(forge_repo.to_string());
        }
        self.repo_names.get(forge_repo).cloned()
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Stops intake: readiness fails and new webhooks get 503.
    pub fn drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }
}

/// The HTTP routes.
pub fn router(server: Arc<Server>) -> Router {
    Router::new()
        .route("/webhooks/github", post(webhooks::github))
        .route("/webhooks/gitlab", post(webhooks::gitlab))
        .route("/api/v1/runs", get(api::list_runs))
        .route("/api/v1/runs/{id}", get(api::get_run))
        .route("/api/v1/locks", get(api::list_locks).delete(api::delete_lock))
        .route("/api/v1/events", get(events::stream))
        .route("/metrics", get(metrics_text))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(server)
}

async fn metrics_text(State(s): State<Arc<Server>>) -> String {
    // Queue depth is read at scrape time so it is never stale.
    if let Ok(depth) = s.store.depth().await {
        s.metrics.queue_depth(depth);
    }
    s.metrics.render()
}

async fn ready(State(s): State<Arc<Server>>) -> (StatusCode, &'static str) {
    if s.is_draining() {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining");
    }
    match s.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "store unavailable"),
    }
}

/// Serves until `shutdown` is cancelled, then drains: intake stops at once, open requests
/// (event streams included) end, and the function returns.
pub async fn serve(
    server: Arc<Server>,
    listener: tokio::net::TcpListener,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let app = router(server.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let stop = shutdown.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            stop.cancelled().await;
            server.drain();
        })
        .await
}
