//! Cancelling a running run by id (`/paved cancel`, the API): each run's atmos commands share
//! one token, cancelled here; the executor then stops the process group (SIGTERM, then SIGKILL).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use tokio_util::sync::CancellationToken;

/// Tokens of the runs in progress in this process.
#[derive(Debug, Default)]
pub struct Cancellations {
    tokens: Mutex<BTreeMap<i64, CancellationToken>>,
    /// The repository and pull request of each registered run.
    owners: Mutex<BTreeMap<i64, (String, Option<u64>)>>,
    cancelled: Mutex<BTreeSet<i64>>,
}

impl Cancellations {
    /// Records which repository and pull request `run` works on, so it can be cancelled by
    /// pull request (`/paved cancel`).
    pub fn register(&self, run: i64, repo: &str, pull_request: Option<u64>) {
        self.token(run);
        self.owners.lock().unwrap_or_else(|e| e.into_inner()).insert(run, (repo.to_string(), pull_request));
    }

    /// Cancels every registered run of `repo`'s pull request `number`; how many.
    pub fn cancel_pull_request(&self, repo: &str, number: u64) -> usize {
        let runs: Vec<i64> = self
            .owners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(_, (r, n))| r == repo && *n == Some(number))
            .map(|(id, _)| *id)
            .collect();
        runs.into_iter().filter(|id| self.cancel(*id)).count()
    }

    /// The token for `run` (created on first use).
    pub fn token(&self, run: i64) -> CancellationToken {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner()).entry(run).or_default().clone()
    }

    /// Cancels `run`. False when it is not running here.
    pub fn cancel(&self, run: i64) -> bool {
        let token = self.tokens.lock().unwrap_or_else(|e| e.into_inner()).get(&run).cloned();
        match token {
            Some(t) => {
                t.cancel();
                self.cancelled.lock().unwrap_or_else(|e| e.into_inner()).insert(run);
                true
            }
            None => false,
        }
    }

    pub fn was_cancelled(&self, run: i64) -> bool {
        self.cancelled.lock().unwrap_or_else(|e| e.into_inner()).contains(&run)
    }

    /// The run ended: forget its token.
    pub fn forget(&self, run: i64) {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner()).remove(&run);
        self.owners.lock().unwrap_or_else(|e| e.into_inner()).remove(&run);
        self.cancelled.lock().unwrap_or_else(|e| e.into_inner()).remove(&run);
    }

    /// Runs in progress that can be cancelled.
    pub fn running(&self) -> Vec<i64> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner()).keys().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_reaches_the_runs_token() {
        let c = Cancellations::default();
        let t = c.token(4);
        assert!(!c.cancel(5));
        assert!(c.cancel(4) && t.is_cancelled() && c.was_cancelled(4));
        assert_eq!(c.running(), [4]);
        c.register(9, "acme/infra", Some(3));
        assert_eq!(c.cancel_pull_request("acme/infra", 3), 1);
        assert_eq!(c.cancel_pull_request("acme/infra", 4), 0);
        c.forget(4);
        c.forget(9);
        assert!(c.running().is_empty() && !c.was_cancelled(4));
    }
}
