//! Two replicas (two pools on one database, tasks on a multi-threaded runtime) never get the
//! same request or the same lock.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use paved::store::*;

use crate::both;
use crate::queue::req;
use crate::support::LEASE;

const TASKS_PER_POOL: usize = 3;

both! {
    async fn two_pools_never_claim_the_same_request(db: TestDb) {
        let pools = [db.handle().await, db.handle().await];
        for i in 0..120 {
            pools[0].enqueue(&req(&format!("refs/heads/b{i}"), None, "push")).await.unwrap();
        }
        let mut tasks = Vec::new();
        for (p, pool) in pools.iter().enumerate() {
            for t in 0..TASKS_PER_POOL {
                let store = pool.clone();
                let replica = format!("r{p}-{t}");
                tasks.push(tokio::spawn(async move {
                    let mut got = Vec::new();
                    while let Some(claim) = store.claim_next(&replica, LEASE).await.unwrap() {
                        assert_eq!(claim.claimed_by, replica);
                        got.push(claim.id);
                        assert!(store.complete(claim.id, &replica).await.unwrap(), "claim {} lost", claim.id);
                    }
                    got
                }));
            }
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let unique: BTreeSet<_> = all.iter().collect();
        assert_eq!((all.len(), unique.len()), (120, 120), "a request was claimed twice or lost");
        assert_eq!(db.store.depth().await.unwrap(), QueueDepth::default());
    }

    async fn two_pools_never_hold_the_same_lock(db: TestDb) {
        let pools = [db.handle().await, db.handle().await];
        let holder = Arc::new(AtomicI64::new(0));
        let mut tasks = Vec::new();
        for (p, pool) in pools.iter().enumerate() {
            for t in 0..TASKS_PER_POOL {
                let (store, holder) = (pool.clone(), holder.clone());
                let me = (p * TASKS_PER_POOL + t + 1) as i64;
                tasks.push(tokio::spawn(async move {
                    let owner = format!("r{me}");
                    let key = LockKey::new("plat-ue2-dev", "vpc");
                    let mut held = 0;
                    while held < 10 {
                        let want = LockRequest {
                            key: key.clone(),
                            owner: owner.clone(),
                            run_id: me,
                            pull_request: None,
                            lease: LEASE,
                        };
                        match store.acquire_lock(&want).await.unwrap() {
                            LockOutcome::Acquired { taken_over } => {
                                assert_eq!(taken_over, None, "nothing expires here");
                                assert_eq!(holder.swap(me, Ordering::SeqCst), 0, "two holders at once");
                                tokio::task::yield_now().await;
                                assert_eq!(holder.swap(0, Ordering::SeqCst), me);
                                assert!(store.release_lock(&key, &owner).await.unwrap());
                                held += 1;
                            }
                            LockOutcome::HeldBy(l) => assert_ne!(l.owner, owner),
                        }
                    }
                }));
            }
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert!(db.store.list_locks().await.unwrap().is_empty());
    }

    async fn concurrent_duplicates_collapse_into_one_request(db: TestDb) {
        let pools = [db.handle().await, db.handle().await];
        let mut tasks = Vec::new();
        for (p, pool) in pools.iter().enumerate() {
            for t in 0..TASKS_PER_POOL {
                let store = pool.clone();
                tasks.push(tokio::spawn(async move {
                    let mut ids = Vec::new();
                    for _ in 0..10 {
                        let r = req("refs/pull/1/head", Some(1), &format!("{p}-{t}"));
                        ids.push(store.enqueue(&r).await.unwrap().id());
                    }
                    ids
                }));
            }
        }
        let mut ids = BTreeSet::new();
        for t in tasks {
            ids.extend(t.await.unwrap());
        }
        assert_eq!(ids.len(), 1, "{ids:?}");
        assert_eq!(db.store.depth().await.unwrap(), QueueDepth { pending: 1, claimed: 0 });
    }
}
