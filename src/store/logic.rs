//! The decisions both backends make, as pure functions: each backend reads rows inside its
//! transaction, asks here what to do, then writes. Tested without a database.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::error::{Result, StoreError};
use super::model::{Lock, LockRequest, MAX_STEP_LOG, RunEnd};

/// What to do with a lock request when the lock row already exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LockDecision {
    /// Ours already (same owner and run): extend the lease.
    Renew,
    /// Its lease ran out: take it, and end the previous holder's run as interrupted.
    TakeOver(Lock),
    /// Someone else holds it (or it is pinned by an interrupted run).
    Held(Lock),
}

pub(crate) fn decide_lock(existing: Lock, req: &LockRequest, now: DateTime<Utc>) -> LockDecision {
    match existing.lease_expires_at {
        None => LockDecision::Held(existing),
        Some(_) if existing.owner == req.owner && existing.run_id == req.run_id => LockDecision::Renew,
        Some(until) if until <= now => LockDecision::TakeOver(existing),
        Some(_) => LockDecision::Held(existing),
    }
}

/// When a lease taken at `now` ends.
pub(crate) fn lease_until(now: DateTime<Utc>, lease: Duration) -> Result<DateTime<Utc>> {
    TimeDelta::from_std(lease)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .ok_or_else(|| StoreError::Invalid(format!("a lease of {lease:?} is too long")))
}

/// Only terminal statuses end a run.
pub(crate) fn check_end(end: &RunEnd) -> Result<()> {
    if end.status.is_terminal() {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!("a run cannot end as `{}`", end.status)))
    }
}

/// Forge delivery ids are GUIDs; anything empty or huge is not one.
pub(crate) fn check_delivery_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > 200 {
        return Err(StoreError::Invalid("a delivery id must have 1 to 200 characters".into()));
    }
    Ok(())
}

/// The notice appended once when a step's log reaches [`MAX_STEP_LOG`].
pub(crate) const TRUNCATED: &str = "\n[paved: log truncated here; the step's log reached its size limit]\n";

/// How much of `chunk` to keep for a step that already holds `current` bytes of log. Room for
/// the notice is kept back, so a log past the content limit is one that was truncated.
pub(crate) fn log_slice(current: u64, chunk: &str) -> Option<String> {
    let limit = MAX_STEP_LOG - TRUNCATED.len() as u64;
    if current > limit || chunk.is_empty() {
        return None;
    }
    let room = (limit - current) as usize;
    if chunk.len() <= room {
        return Some(chunk.to_string());
    }
    let mut cut = room;
    while !chunk.is_char_boundary(cut) {
        cut -= 1;
    }
    Some(format!("{}{TRUNCATED}", &chunk[..cut]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::model::LockKey;

    fn lock(owner: &str, run: i64, until: Option<i64>) -> Lock {
        let t0 = DateTime::from_timestamp(1_000, 0).unwrap();
        Lock {
            key: LockKey::new("dev", "vpc"),
            owner: owner.into(),
            run_id: run,
            pull_request: None,
            acquired_at: t0,
            lease_expires_at: until.map(|s| DateTime::from_timestamp(s, 0).unwrap()),
        }
    }

    fn req(owner: &str, run: i64) -> LockRequest {
        LockRequest {
            key: LockKey::new("dev", "vpc"),
            owner: owner.into(),
            run_id: run,
            pull_request: None,
            lease: Duration::from_secs(60),
        }
    }

    #[test]
    fn lock_decisions() {
        let now = DateTime::from_timestamp(2_000, 0).unwrap();
        assert_eq!(decide_lock(lock("a", 1, Some(3_000)), &req("a", 1), now), LockDecision::Renew);
        assert_eq!(
            decide_lock(lock("a", 1, Some(3_000)), &req("b", 2), now),
            LockDecision::Held(lock("a", 1, Some(3_000)))
        );
        // The same replica with another run waits like anyone else.
        assert!(matches!(decide_lock(lock("a", 1, Some(3_000)), &req("a", 2), now), LockDecision::Held(_)));
        // Expiry is inclusive: a lease ending now is over.
        assert!(matches!(decide_lock(lock("a", 1, Some(2_000)), &req("b", 2), now), LockDecision::TakeOver(_)));
        // A pinned lock is never taken over, not even by its own owner and run.
        assert!(matches!(decide_lock(lock("a", 1, None), &req("a", 1), now), LockDecision::Held(_)));
    }

    #[test]
    fn logs_stop_at_the_limit_with_one_notice() {
        assert_eq!(log_slice(0, "abc").as_deref(), Some("abc"));
        assert_eq!(log_slice(0, ""), None);
        let limit = MAX_STEP_LOG - TRUNCATED.len() as u64;
        // Filling the log exactly leaves room for the notice the next chunk brings.
        assert_eq!(log_slice(limit - 3, "abc").as_deref(), Some("abc"));
        assert_eq!(log_slice(limit, "d").as_deref(), Some(TRUNCATED));
        assert_eq!(log_slice(MAX_STEP_LOG, "abc"), None);
        let big = "é".repeat(200);
        let kept = log_slice(limit - 99, &big).unwrap();
        assert_eq!(kept, format!("{}{TRUNCATED}", "é".repeat(49)));
        assert_eq!(limit - 99 + kept.len() as u64, MAX_STEP_LOG - 1);
    }

    #[test]
    fn leases_and_ends_are_checked() {
        let now = DateTime::from_timestamp(0, 0).unwrap();
        assert_eq!(lease_until(now, Duration::from_secs(5)).unwrap().timestamp(), 5);
        assert!(lease_until(now, Duration::MAX).is_err());
        let end = |status| RunEnd { status, conclusion: None, summary: serde_json::Value::Null };
        assert!(check_end(&end(crate::store::RunStatus::Running)).is_err());
        assert!(check_end(&end(crate::store::RunStatus::Succeeded)).is_ok());
    }
}
