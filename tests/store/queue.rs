//! The persisted queue of reconcile requests: collapsing, claiming, leases, hand-back.

use std::time::Duration;

use paved::store::*;

use crate::both;
use crate::support::LEASE;

pub fn req(git_ref: &str, pr: Option<u64>, reason: &str) -> ReconcileRequest {
    ReconcileRequest { repo: "acme/infra".into(), git_ref: git_ref.into(), pull_request: pr, reason: reason.into() }
}

both! {
    async fn duplicates_collapse_while_waiting(db: TestDb) {
        let s = &db.store;
        let first = s.enqueue(&req("refs/pull/5/head", Some(5), "pull_request.opened")).await.unwrap();
        assert!(matches!(first, Enqueued::New(_)));
        let again = s.enqueue(&req("refs/pull/5/head", Some(5), "pull_request.synchronize")).await.unwrap();
        assert_eq!(again, Enqueued::Collapsed(first.id()));
        // Another PR, the same ref without a PR, another ref: three more requests.
        let mut ids = vec![first.id()];
        let others = [
            req("refs/pull/5/head", Some(6), "x"),
            req("refs/pull/5/head", None, "x"),
            req("refs/heads/main", None, "push"),
        ];
        for r in others {
            let Enqueued::New(id) = s.enqueue(&r).await.unwrap() else { panic!("{r:?} collapsed") };
            ids.push(id);
        }
        assert_eq!(s.enqueue(&req("refs/heads/main", None, "push")).await.unwrap(), Enqueued::Collapsed(ids[3]));
        assert_eq!(ids.iter().collect::<std::collections::BTreeSet<_>>().len(), 4);
        assert_eq!(s.depth().await.unwrap(), QueueDepth { pending: 4, claimed: 0 });

        let claim = s.claim_next("r1", LEASE).await.unwrap().unwrap();
        assert_eq!(claim.id, first.id());
        let latest = req("refs/pull/5/head", Some(5), "pull_request.synchronize");
        assert_eq!(claim.request, latest, "the latest reason wins");
        assert!(matches!(s.enqueue(&req("x", Some(0), "x")).await, Err(StoreError::Invalid(_))));
    }

    async fn claims_carry_leases(db: TestDb) {
        let s = &db.store;
        let id = s.enqueue(&req("refs/heads/main", None, "push")).await.unwrap().id();
        let claim = s.claim_next("r1", LEASE).await.unwrap().unwrap();
        assert_eq!((claim.id, claim.claimed_by.as_str(), claim.attempts), (id, "r1", 1));
        assert_eq!(claim.lease_expires_at, db.clock.now() + chrono::TimeDelta::seconds(60));
        assert_eq!(claim.enqueued_at, db.clock.now());
        assert_eq!(s.claim_next("r2", LEASE).await.unwrap(), None);
        assert_eq!(s.depth().await.unwrap(), QueueDepth { pending: 0, claimed: 1 });

        // While r1 works on main, a new push waits for it rather than running alongside.
        let Enqueued::New(next) = s.enqueue(&req("refs/heads/main", None, "push")).await.unwrap() else {
            panic!("collapsed into a claimed request")
        };
        assert_eq!(s.claim_next("r2", LEASE).await.unwrap(), None);

        db.clock.advance(Duration::from_secs(45));
        assert!(s.renew_lease(id, "r1", LEASE).await.unwrap());
        assert!(!s.renew_lease(id, "r2", LEASE).await.unwrap());
        db.clock.advance(Duration::from_secs(45));
        assert_eq!(s.claim_next("r2", LEASE).await.unwrap(), None, "the renewed lease still runs");

        assert!(!s.complete(id, "r2").await.unwrap());
        assert!(s.complete(id, "r1").await.unwrap());
        assert!(!s.complete(id, "r1").await.unwrap());
        assert_eq!(s.claim_next("r2", LEASE).await.unwrap().map(|c| c.id), Some(next));
    }

    async fn a_lapsed_claim_is_taken_over(db: TestDb) {
        let s = &db.store;
        let id = s.enqueue(&req("refs/pull/9/head", Some(9), "comment")).await.unwrap().id();
        s.claim_next("r1", LEASE).await.unwrap().unwrap();
        db.clock.advance(LEASE);
        assert_eq!(s.depth().await.unwrap(), QueueDepth { pending: 1, claimed: 0 });
        let taken = s.claim_next("r2", LEASE).await.unwrap().unwrap();
        assert_eq!((taken.id, taken.claimed_by.as_str(), taken.attempts), (id, "r2", 2));
        // r1 comes back from its pause: its claim is gone.
        assert!(!s.renew_lease(id, "r1", LEASE).await.unwrap());
        assert!(!s.complete(id, "r1").await.unwrap());
        assert!(!s.release(id, "r1").await.unwrap());
        assert!(s.complete(id, "r2").await.unwrap());
        assert_eq!(s.depth().await.unwrap(), QueueDepth::default());
    }

    async fn released_work_goes_back_or_merges(db: TestDb) {
        let s = &db.store;
        let id = s.enqueue(&req("refs/heads/main", None, "push")).await.unwrap().id();
        s.claim_next("r1", LEASE).await.unwrap().unwrap();
        assert!(s.release(id, "r1").await.unwrap());
        let again = s.claim_next("r2", LEASE).await.unwrap().unwrap();
        assert_eq!((again.id, again.attempts), (id, 2));

        // A duplicate arrived while r2 worked: handing back merges into it.
        let Enqueued::New(dup) = s.enqueue(&req("refs/heads/main", None, "push")).await.unwrap() else {
            panic!("collapsed into a claimed request")
        };
        assert!(s.release(id, "r2").await.unwrap());
        assert_eq!(s.depth().await.unwrap(), QueueDepth { pending: 1, claimed: 0 });
        assert_eq!(s.claim_next("r3", LEASE).await.unwrap().map(|c| c.id), Some(dup));
    }
}
