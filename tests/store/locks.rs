//! Locks per (stack, component): conflicts, renewal, lease expiry and take-over, admin unlock.

use std::time::Duration;

use paved::store::*;

use crate::both;
use crate::runs::new_run;
use crate::support::LEASE;

pub fn request(owner: &str, run_id: i64) -> LockRequest {
    LockRequest {
        key: LockKey::new("plat-ue2-dev", "vpc"),
        owner: owner.into(),
        run_id,
        pull_request: Some(12),
        lease: LEASE,
    }
}

both! {
    async fn one_holder_at_a_time(db: TestDb) {
        let s = &db.store;
        let key = LockKey::new("plat-ue2-dev", "vpc");
        assert_eq!(s.acquire_lock(&request("a", 1)).await.unwrap(), LockOutcome::Acquired { taken_over: None });
        let LockOutcome::HeldBy(holder) = s.acquire_lock(&request("b", 2)).await.unwrap() else {
            panic!("b got a held lock")
        };
        assert_eq!((holder.owner.as_str(), holder.run_id, holder.pull_request), ("a", 1, Some(12)));
        assert_eq!(holder.lease_expires_at, Some(db.clock.now() + chrono::TimeDelta::seconds(60)));
        // The same replica, another run: waits like anyone else.
        assert!(matches!(s.acquire_lock(&request("a", 3)).await.unwrap(), LockOutcome::HeldBy(_)));

        // Asking again for the same run extends the lease.
        db.clock.advance(Duration::from_secs(50));
        assert_eq!(s.acquire_lock(&request("a", 1)).await.unwrap(), LockOutcome::Acquired { taken_over: None });
        db.clock.advance(Duration::from_secs(50));
        assert!(matches!(s.acquire_lock(&request("b", 2)).await.unwrap(), LockOutcome::HeldBy(_)));
        assert!(s.renew_lock(&key, "a", LEASE).await.unwrap());
        assert!(!s.renew_lock(&key, "b", LEASE).await.unwrap());

        assert!(!s.release_lock(&key, "b").await.unwrap(), "only the holder releases");
        assert!(s.release_lock(&key, "a").await.unwrap());
        assert!(!s.release_lock(&key, "a").await.unwrap());
        assert_eq!(s.acquire_lock(&request("b", 2)).await.unwrap(), LockOutcome::Acquired { taken_over: None });

        // Another component is another lock.
        let eks = LockRequest { key: LockKey::new("plat-ue2-dev", "eks"), ..request("a", 1) };
        assert_eq!(s.acquire_lock(&eks).await.unwrap(), LockOutcome::Acquired { taken_over: None });
    }

    async fn an_expired_lease_is_taken_over_and_its_run_interrupted(db: TestDb) {
        let s = &db.store;
        let key = LockKey::new("plat-ue2-dev", "vpc");
        let dead = s.create_run(&new_run("acme/infra", None, RunKind::Apply)).await.unwrap();
        s.start_run(dead.id, "a").await.unwrap();
        s.start_step(dead.id, "apply plat-ue2-dev/vpc").await.unwrap();
        s.acquire_lock(&request("a", dead.id)).await.unwrap();

        db.clock.advance(LEASE - Duration::from_secs(1));
        assert!(matches!(s.acquire_lock(&request("b", 99)).await.unwrap(), LockOutcome::HeldBy(_)));
        db.clock.advance(Duration::from_secs(1));
        let taken = s.acquire_lock(&request("b", 99)).await.unwrap();
        let LockOutcome::Acquired { taken_over: Some(previous) } = taken else {
            panic!("the expired lock was not taken over")
        };
        assert_eq!((previous.owner.as_str(), previous.run_id), ("a", dead.id));

        let run = s.get_run(dead.id).await.unwrap().unwrap();
        assert_eq!(run.status, RunStatus::Interrupted);
        assert!(run.conclusion.unwrap().contains("lease"));
        assert_eq!(s.steps(dead.id).await.unwrap()[0].status, StepStatus::Interrupted);
        // The replica that lost it finds out when it renews, and cannot release the new holder's lock.
        assert!(!s.renew_lock(&key, "a", LEASE).await.unwrap());
        assert!(!s.release_lock(&key, "a").await.unwrap());
        let locks = s.list_locks().await.unwrap();
        assert_eq!((locks.len(), locks[0].owner.as_str(), locks[0].run_id), (1, "b", 99));
    }

    async fn release_all_list_and_force_unlock(db: TestDb) {
        let s = &db.store;
        for (i, (stack, component)) in [("dev", "vpc"), ("dev", "eks"), ("prod", "vpc")].into_iter().enumerate() {
            let owner = if i < 2 { "a" } else { "b" };
            let req = LockRequest { key: LockKey::new(stack, component), ..request(owner, i as i64 + 1) };
            s.acquire_lock(&req).await.unwrap();
        }
        let keys: Vec<_> = s.list_locks().await.unwrap().into_iter().map(|l| (l.key.stack, l.key.component)).collect();
        assert_eq!(keys, [("dev".into(), "eks".into()), ("dev".into(), "vpc".into()), ("prod".into(), "vpc".into())]);
        assert_eq!(s.release_all("a").await.unwrap(), 2);
        assert_eq!(s.release_all("a").await.unwrap(), 0);
        let forced = s.force_unlock(&LockKey::new("prod", "vpc")).await.unwrap().unwrap();
        assert_eq!(forced.owner, "b");
        assert_eq!(s.force_unlock(&LockKey::new("prod", "vpc")).await.unwrap(), None);
        assert!(s.list_locks().await.unwrap().is_empty());
    }
}
