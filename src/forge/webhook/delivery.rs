//! Remembering delivery ids, so a replayed delivery is dropped.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::forge::ForgeKind;

/// The store could not record a delivery.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DeliveryLogError(pub String);

/// Where delivery ids are kept. The store backs it with a table so every replica shares it.
#[async_trait]
pub trait DeliveryLog: Send + Sync {
    /// Records `delivery_id`; `false` when it was already recorded. Must be atomic: of two
    /// concurrent calls with one id, exactly one returns `true`.
    async fn record(&self, forge: ForgeKind, delivery_id: &str) -> Result<bool, DeliveryLogError>;
}

type Key = (ForgeKind, String);

/// An in-process log that remembers the last `capacity` deliveries.
pub struct MemoryDeliveryLog {
    capacity: usize,
    /// The ids, and the order they came in (to forget the oldest).
    seen: Mutex<(HashSet<Key>, VecDeque<Key>)>,
}

impl MemoryDeliveryLog {
    pub fn new(capacity: usize) -> MemoryDeliveryLog {
        MemoryDeliveryLog { capacity: capacity.max(1), seen: Mutex::new((HashSet::new(), VecDeque::new())) }
    }
}

impl Default for MemoryDeliveryLog {
    /// Room for a day of deliveries at one a second.
    fn default() -> Self {
        MemoryDeliveryLog::new(100_000)
    }
}

#[async_trait]
impl DeliveryLog for MemoryDeliveryLog {
    async fn record(&self, forge: ForgeKind, delivery_id: &str) -> Result<bool, DeliveryLogError> {
        let mut guard = self.seen.lock().map_err(|_| DeliveryLogError("delivery log lock poisoned".into()))?;
        let (set, order) = &mut *guard;
        let key = (forge, delivery_id.to_string());
        if set.contains(&key) {
            return Ok(false);
        }
        if order.len() >= self.capacity
            && let Some(old) = order.pop_front()
        {
            set.remove(&old);
        }
        set.insert(key.clone());
        order.push_back(key);
        Ok(true)
    }
}

/// The store's delivery table as a [`DeliveryLog`], shared by every replica. Ids are stored as
/// `github:<id>` / `gitlab:<id>` (a digest when that would be longer than the store takes).
pub struct StoreDeliveryLog<S: ?Sized>(pub Arc<S>);

#[async_trait]
impl<S: crate::store::Deliveries + ?Sized> DeliveryLog for StoreDeliveryLog<S> {
    async fn record(&self, forge: ForgeKind, delivery_id: &str) -> Result<bool, DeliveryLogError> {
        let mut id = format!("{forge}:{delivery_id}");
        if id.len() > 200 {
            use sha2::{Digest, Sha256};
            id = format!("{forge}:sha256:{}", hex::encode(Sha256::digest(delivery_id.as_bytes())));
        }
        self.0.record_delivery(&id).await.map_err(|e| DeliveryLogError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{SqliteStore, SystemClock};

    #[tokio::test]
    async fn the_store_backs_the_log() {
        let store = Arc::new(SqliteStore::in_memory(Arc::new(SystemClock)).await.unwrap());
        let log = StoreDeliveryLog(store);
        assert!(log.record(ForgeKind::GitHub, "72d3162e-cc78-11e3-81ab-4c9367dc0958").await.unwrap());
        assert!(!log.record(ForgeKind::GitHub, "72d3162e-cc78-11e3-81ab-4c9367dc0958").await.unwrap());
        assert!(log.record(ForgeKind::GitLab, "72d3162e-cc78-11e3-81ab-4c9367dc0958").await.unwrap());
        let long = "x".repeat(300);
        assert!(log.record(ForgeKind::GitLab, &long).await.unwrap());
        assert!(!log.record(ForgeKind::GitLab, &long).await.unwrap());
    }

    #[tokio::test]
    async fn remembers_up_to_capacity() {
        let log = MemoryDeliveryLog::new(2);
        assert!(log.record(ForgeKind::GitHub, "a").await.unwrap());
        assert!(!log.record(ForgeKind::GitHub, "a").await.unwrap());
        assert!(log.record(ForgeKind::GitLab, "a").await.unwrap(), "ids are per forge");
        assert!(log.record(ForgeKind::GitHub, "b").await.unwrap());
        assert!(log.record(ForgeKind::GitHub, "a").await.unwrap(), "the oldest was forgotten");
    }
}
