//! A few recent results of whole-revision work (validation, `affected`), so that the next run
//! on the same content reuses them: a busy pull request is reconciled again and again on an
//! unchanged head.

use std::collections::VecDeque;
use std::sync::Mutex;

/// Results looked up by equality; the least recently used is forgotten when full. Keys are
/// compared whole (a config has no hash), which is cheap at this size next to the work a hit
/// saves. Two runs computing the same key at once both compute it; the second to finish
/// replaces the first's entry with an equal result.
pub(crate) struct Recent<K, V> {
    capacity: usize,
    entries: Mutex<VecDeque<(K, V)>>,
}

impl<K: PartialEq, V: Clone> Recent<K, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Recent { capacity: capacity.max(1), entries: Mutex::new(VecDeque::with_capacity(capacity)) }
    }

    /// The value kept for `key`, which becomes the most recently used.
    pub(crate) fn get(&self, key: &K) -> Option<V> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let i = entries.iter().position(|(k, _)| k == key)?;
        let entry = entries.remove(i)?;
        let value = entry.1.clone();
        entries.push_front(entry);
        Some(value)
    }

    /// Keeps `value` for `key` (replacing an equal key's), forgetting the least recently used
    /// entry when full.
    pub(crate) fn put(&self, key: K, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = entries.iter().position(|(k, _)| *k == key) {
            entries.remove(i);
        }
        entries.push_front((key, value));
        entries.truncate(self.capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_entry_is_forgotten() {
        let r = Recent::new(2);
        r.put("a", 1);
        r.put("b", 2);
        assert_eq!(r.get(&"a"), Some(1)); // a is now the most recent
        r.put("c", 3); // b goes
        assert_eq!((r.get(&"a"), r.get(&"b"), r.get(&"c")), (Some(1), None, Some(3)));
        r.put("a", 10); // replaces, no duplicate
        r.put("d", 4); // c goes, a stays
        assert_eq!((r.get(&"a"), r.get(&"c"), r.get(&"d")), (Some(10), None, Some(4)));
    }
}
