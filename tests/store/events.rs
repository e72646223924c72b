//! Events (SSE, audit) and webhook deliveries (replay protection).

use std::time::Duration;

use paved::store::*;
use serde_json::json;

use crate::both;

both! {
    async fn events_come_back_in_order(db: TestDb) {
        let s = &db.store;
        let mut ids = Vec::new();
        for (kind, n) in [("run.started", 1), ("plan.finished", 2), ("apply.finished", 3)] {
            let e = s.publish_event(kind, &json!({"run": n, "stack": "plat-ue2-dev"})).await.unwrap();
            assert_eq!((e.kind.as_str(), e.created_at), (kind, db.clock.now()));
            ids.push(e.id);
        }
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        let all = s.events_since(0, 100).await.unwrap();
        assert_eq!(all.iter().map(|e| e.id).collect::<Vec<_>>(), ids);
        assert_eq!(all[1].payload, json!({"run": 2, "stack": "plat-ue2-dev"}));
        let rest = s.events_since(ids[0], 1).await.unwrap();
        assert_eq!(rest.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["plan.finished"]);
        assert!(s.events_since(ids[2], 10).await.unwrap().is_empty());
    }

    async fn a_replayed_delivery_is_refused(db: TestDb) {
        let s = &db.store;
        let id = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
        assert!(s.record_delivery(id).await.unwrap());
        assert!(!s.record_delivery(id).await.unwrap());
        assert!(s.record_delivery("another").await.unwrap());
        assert!(matches!(s.record_delivery("").await, Err(StoreError::Invalid(_))));
        assert!(matches!(s.record_delivery(&"x".repeat(201)).await, Err(StoreError::Invalid(_))));

        db.clock.advance(Duration::from_secs(3600));
        assert!(s.record_delivery("fresh").await.unwrap());
        assert_eq!(s.forget_deliveries(db.clock.now()).await.unwrap(), 2);
        assert!(!s.record_delivery("fresh").await.unwrap(), "newer deliveries are kept");
        assert!(s.record_delivery(id).await.unwrap());
    }

    async fn ping_and_backend(db: TestDb) {
        db.store.ping().await.unwrap();
        let expected = match db.backend {
            crate::support::Backend::Sqlite => "sqlite",
            crate::support::Backend::Postgres => "postgres",
        };
        assert_eq!(db.store.backend(), expected);
    }
}
