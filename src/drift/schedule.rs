//! The drift schedule of `paved serve`: every `server.drift.interval`, one replica of several
//! runs a drift pass. Replicas agree through a lease row named `drift` in the shared store: a
//! replica runs a pass only when it takes the lease, and the lease lasts one interval (extended
//! while a long pass runs), so the next pass starts an interval later on whichever replica
//! comes first.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::run::{DriftOptions, run_drift};
use super::summary::DriftSummary;
use crate::reconcile::Context;

/// The lease's name in the store.
pub const LEASE: &str = "drift";

/// How often a replica looks whether the lease is free: a tenth of the interval, 1 s to 60 s.
pub fn poll_every(interval: Duration) -> Duration {
    (interval / 10).clamp(Duration::from_secs(1), Duration::from_secs(60))
}

/// Runs one pass if this replica takes the lease now; `None` when another replica (or this one,
/// within the interval) already has. The lease is extended while the pass runs, and given back
/// when shutdown cut the pass short so another replica can do it.
pub async fn tick(ctx: &Context, opts: &DriftOptions, interval: Duration) -> Option<DriftSummary> {
    let replica = &ctx.settings.replica;
    match ctx.store.claim_lease(LEASE, replica, interval).await {
        Ok(true) => {}
        Ok(false) => return None,
        Err(e) => {
            tracing::warn!(error = %e, "drift schedule: cannot read the lease; trying again later");
            return None;
        }
    }
    let done = CancellationToken::new();
    let keeper = {
        let (store, replica, done) = (ctx.store.clone(), replica.clone(), done.clone());
        let every = (interval / 3).max(Duration::from_millis(100));
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = done.cancelled() => return,
                    _ = tokio::time::sleep(every) => {
                        let _ = store.extend_lease(LEASE, &replica, interval).await;
                    }
                }
            }
        })
    };
    let summary = run_drift(ctx, opts).await;
    done.cancel();
    let _ = keeper.await;
    if opts.stop.as_ref().is_some_and(CancellationToken::is_cancelled) {
        let _ = ctx.store.release_lease(LEASE, replica).await;
    }
    Some(summary)
}

/// The schedule: ticks until `stop`. `on_pass` hears of every pass this replica ran (metrics).
pub async fn run_schedule(
    ctx: Arc<Context>,
    mut opts: DriftOptions,
    interval: Duration,
    stop: CancellationToken,
    on_pass: impl Fn(&DriftSummary, Duration) + Send,
) {
    opts.stop = Some(stop.clone());
    opts.actor.get_or_insert_with(|| "schedule".into());
    let poll = poll_every(interval);
    while !stop.is_cancelled() {
        let started = Instant::now();
        if let Some(summary) = tick(&ctx, &opts, interval).await {
            tracing::info!(
                drifted = summary.drifted(),
                in_sync = summary.in_sync(),
                errors = summary.error_count(),
                capped = summary.capped(),
                "drift pass finished"
            );
            on_pass(&summary, started.elapsed());
        }
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tokio::time::sleep(poll) => {}
        }
    }
}
