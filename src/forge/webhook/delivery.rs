//! Remembering delivery ids, so a replayed delivery is dropped.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

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

#[cfg(test)]
mod tests {
    use super::*;

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
