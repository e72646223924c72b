//! The schedule's lease on both backends: two replicas on one store, one pass per interval.

use std::time::Duration;

use paved::drift::DriftOptions;
use paved::drift::schedule::{LEASE, tick};

use crate::harness::Harness;
use crate::support::{Backend, TestDb};

const HOUR: Duration = Duration::from_secs(3600);

async fn lease_is_one_period_for_one_replica(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (a, b) = (db.store.clone(), db.handle().await);
    assert!(a.claim_lease(LEASE, "a", HOUR).await.unwrap());
    assert!(!b.claim_lease(LEASE, "b", HOUR).await.unwrap(), "held by a");
    assert!(!a.claim_lease(LEASE, "a", HOUR).await.unwrap(), "a period is taken once, even by its holder");
    db.clock.advance(HOUR);
    assert!(b.claim_lease(LEASE, "b", HOUR).await.unwrap(), "the period ran out");
    assert!(!a.extend_lease(LEASE, "a", HOUR).await.unwrap() && b.extend_lease(LEASE, "b", HOUR).await.unwrap());
    assert!(!a.release_lease(LEASE, "a").await.unwrap() && b.release_lease(LEASE, "b").await.unwrap());
    assert!(a.claim_lease(LEASE, "a", HOUR).await.unwrap(), "released: free at once");
    assert!(a.claim_lease("", "a", HOUR).await.is_err());
}

#[tokio::test]
async fn lease_is_one_period_for_one_replica_sqlite() {
    lease_is_one_period_for_one_replica(Backend::Sqlite).await;
}

#[tokio::test]
async fn lease_is_one_period_for_one_replica_postgres() {
    lease_is_one_period_for_one_replica(Backend::Postgres).await;
}

/// Two replicas tick at the same moment: one pass, each component planned once.
async fn two_replicas_run_one_pass(backend: Backend) {
    let db = TestDb::new(backend).await;
    let one = Harness::on(db.store.clone(), db.clock.clone());
    let mut two = Harness::on(db.handle().await, db.clock.clone());
    two.ctx.settings.replica = "replica-2".into();
    let opts = DriftOptions { max_open_issues: 5, ..DriftOptions::default() };
    let (x, y) = tokio::join!(tick(&one.ctx, &opts, HOUR), tick(&two.ctx, &opts, HOUR));
    assert_eq!(x.is_some() as u8 + y.is_some() as u8, 1, "exactly one replica ran the pass");
    assert_eq!(one.ran().len() + two.ran().len(), 3, "each component planned once");
    // Within the interval nobody runs again; after it, one does.
    let (x, y) = tokio::join!(tick(&one.ctx, &opts, HOUR), tick(&two.ctx, &opts, HOUR));
    assert!(x.is_none() && y.is_none());
    db.clock.advance(HOUR);
    let (x, y) = tokio::join!(tick(&one.ctx, &opts, HOUR), tick(&two.ctx, &opts, HOUR));
    assert_eq!(x.is_some() as u8 + y.is_some() as u8, 1);
    assert_eq!(one.ran().len() + two.ran().len(), 6);
}

#[tokio::test]
async fn two_replicas_run_one_pass_sqlite() {
    two_replicas_run_one_pass(Backend::Sqlite).await;
}

#[tokio::test]
async fn two_replicas_run_one_pass_postgres() {
    two_replicas_run_one_pass(Backend::Postgres).await;
}

#[tokio::test]
async fn a_pass_cut_short_by_shutdown_gives_the_lease_back() {
    let h = Harness::new().await;
    let stop = tokio_util::sync::CancellationToken::new();
    stop.cancel();
    let opts = DriftOptions { max_open_issues: 5, stop: Some(stop), ..DriftOptions::default() };
    let s = tick(&h.ctx, &opts, HOUR).await.expect("the lease was free");
    assert_eq!((s.skipped(), h.ran().len()), (3, 0));
    assert!(h.store.claim_lease(LEASE, "other", HOUR).await.unwrap(), "released for another replica");
}
