//! Time as a port: the store asks a [`Clock`] for "now", so lease expiry is tested by moving a
//! fake clock instead of sleeping.

use std::fmt::Debug;
use std::sync::Mutex;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync + Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// Wall-clock time, truncated to microseconds: PostgreSQL keeps microseconds, so a value read
/// back equals the value written on both databases.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        truncate(Utc::now())
    }
}

/// A clock that stands still until told to move.
#[derive(Debug)]
pub struct FakeClock(Mutex<DateTime<Utc>>);

impl FakeClock {
    pub fn new(start: DateTime<Utc>) -> FakeClock {
        FakeClock(Mutex::new(truncate(start)))
    }

    /// A fixed, readable starting point for tests: 2025-01-01T00:00:00Z.
    pub fn at_epoch() -> FakeClock {
        FakeClock::new(DateTime::from_timestamp(1_735_689_600, 0).expect("valid timestamp"))
    }

    pub fn advance(&self, by: std::time::Duration) {
        let by = TimeDelta::from_std(by).expect("test durations fit");
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now = truncate(*now + by);
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = truncate(to);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_clock_moves_only_when_told() {
        let c = FakeClock::at_epoch();
        let t0 = c.now();
        assert_eq!(c.now(), t0);
        c.advance(std::time::Duration::from_secs(90));
        assert_eq!(c.now() - t0, TimeDelta::seconds(90));
    }

    #[test]
    fn system_time_is_whole_microseconds() {
        assert_eq!(SystemClock.now().timestamp_subsec_nanos() % 1000, 0);
    }
}
