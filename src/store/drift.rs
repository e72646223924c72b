//! Drift state per (repository, stack, component) and named leases: what `paved drift`
//! remembers between checks, and how replicas agree on who runs the drift schedule.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::error::{Result, StoreError};
use super::model::LockKey;

/// What the last drift check found for one component instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftState {
    pub repo: String,
    pub key: LockKey,
    /// Its last plan had changes.
    pub drifted: bool,
    /// When the current drift was first seen (`None` while in sync).
    pub first_seen: Option<DateTime<Utc>>,
    /// The last check that found it drifted.
    pub last_seen: Option<DateTime<Utc>>,
    pub checked_at: DateTime<Utc>,
    /// The commit the last check planned.
    pub sha: String,
    pub add: u32,
    pub change: u32,
    pub destroy: u32,
    /// The open drift issue on the forge (number, URL), if any.
    pub issue: Option<(u64, String)>,
}

/// Drift states and leases.
#[async_trait]
pub trait DriftStates: Send + Sync {
    /// Every drift state, of one repository or (`None`) of all, by repo, stack and component.
    async fn drift_states(&self, repo: Option<&str>) -> Result<Vec<DriftState>>;
    /// Writes a state, replacing the one of the same repository, stack and component.
    async fn put_drift_state(&self, state: &DriftState) -> Result<()>;
    /// Takes the lease `name` for `owner` until now + `lease` when nobody holds it or its lease
    /// ran out (whoever held it). False while it is held, by anyone: a lease marks a period.
    async fn claim_lease(&self, name: &str, owner: &str, lease: std::time::Duration) -> Result<bool>;
    /// Extends `owner`'s lease to now + `lease`. False when it is not `owner`'s.
    async fn extend_lease(&self, name: &str, owner: &str, lease: std::time::Duration) -> Result<bool>;
    /// Gives the lease back. False when it is not `owner`'s.
    async fn release_lease(&self, name: &str, owner: &str) -> Result<bool>;
}

macro_rules! drift_cols {
    () => {
        "repo, stack, component, drifted, first_seen, last_seen, checked_at, sha, to_add, to_change, to_destroy, \
         issue_number, issue_url"
    };
}

pub(crate) const DRIFT_LIST: &str = concat!(
    "SELECT ",
    drift_cols!(),
    " FROM drift_states WHERE (CAST($1 AS TEXT) IS NULL OR repo = $1) ORDER BY repo, stack, component"
);
pub(crate) const DRIFT_PUT: &str = concat!(
    "INSERT INTO drift_states (",
    drift_cols!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ",
    "ON CONFLICT (repo, stack, component) DO UPDATE SET drifted = excluded.drifted, ",
    "first_seen = excluded.first_seen, last_seen = excluded.last_seen, checked_at = excluded.checked_at, ",
    "sha = excluded.sha, to_add = excluded.to_add, to_change = excluded.to_change, ",
    "to_destroy = excluded.to_destroy, issue_number = excluded.issue_number, issue_url = excluded.issue_url"
);
/// $1 name, $2 owner, $3 lease end, $4 now. One statement, so two replicas racing for a free
/// lease cannot both win.
pub(crate) const LEASE_CLAIM: &str = "INSERT INTO leases (name, owner, expires_at) VALUES ($1, $2, $3) \
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at \
     WHERE leases.expires_at <= $4";
pub(crate) const LEASE_EXTEND: &str = "UPDATE leases SET expires_at = $3 WHERE name = $1 AND owner = $2";
pub(crate) const LEASE_RELEASE: &str = "DELETE FROM leases WHERE name = $1 AND owner = $2";

#[derive(sqlx::FromRow)]
pub(crate) struct DriftRow {
    repo: String,
    stack: String,
    component: String,
    drifted: bool,
    first_seen: Option<DateTime<Utc>>,
    last_seen: Option<DateTime<Utc>>,
    checked_at: DateTime<Utc>,
    sha: String,
    to_add: i64,
    to_change: i64,
    to_destroy: i64,
    issue_number: Option<i64>,
    issue_url: Option<String>,
}

impl DriftRow {
    pub(crate) fn into_model(self) -> Result<DriftState> {
        let count = |n: i64| u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("drift count `{n}`")));
        let issue = match (self.issue_number, self.issue_url) {
            (Some(n), Some(url)) => {
                Some((u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("issue number `{n}`")))?, url))
            }
            _ => None,
        };
        Ok(DriftState {
            repo: self.repo,
            key: LockKey::new(self.stack, self.component),
            drifted: self.drifted,
            first_seen: self.first_seen,
            last_seen: self.last_seen,
            checked_at: self.checked_at,
            sha: self.sha,
            add: count(self.to_add)?,
            change: count(self.to_change)?,
            destroy: count(self.to_destroy)?,
            issue,
        })
    }
}

/// Checks a lease name: short, printable.
pub(crate) fn check_lease_name(name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
        return Err(StoreError::Invalid("a lease name must have 1 to 100 printable characters".into()));
    }
    Ok(())
}

pub(crate) fn issue_in(issue: &Option<(u64, String)>) -> Result<(Option<i64>, Option<&str>)> {
    match issue {
        Some((n, url)) => {
            let n = i64::try_from(*n).map_err(|_| StoreError::Invalid(format!("issue number {n} is too large")))?;
            Ok((Some(n), Some(url.as_str())))
        }
        None => Ok((None, None)),
    }
}

/// Implements [`DriftStates`] for a backend with `pool` and `clock`.
macro_rules! drift_backend {
    ($store:ident, $db:ty) => {
        const _: () = {
            use async_trait::async_trait;

            use crate::store::drift::*;
            use crate::store::error::{Result, op};
            use crate::store::logic::lease_until;

            #[async_trait]
            impl DriftStates for $store {
                async fn drift_states(&self, repo: Option<&str>) -> Result<Vec<DriftState>> {
                    let rows = sqlx::query_as::<_, DriftRow>(DRIFT_LIST)
                        .bind(repo)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(op("drift_states"))?;
                    rows.into_iter().map(DriftRow::into_model).collect()
                }

                async fn put_drift_state(&self, s: &DriftState) -> Result<()> {
                    let (number, url) = issue_in(&s.issue)?;
                    sqlx::query(DRIFT_PUT)
                        .bind(&s.repo)
                        .bind(&s.key.stack)
                        .bind(&s.key.component)
                        .bind(s.drifted)
                        .bind(s.first_seen)
                        .bind(s.last_seen)
                        .bind(s.checked_at)
                        .bind(&s.sha)
                        .bind(i64::from(s.add))
                        .bind(i64::from(s.change))
                        .bind(i64::from(s.destroy))
                        .bind(number)
                        .bind(url)
                        .execute(&self.pool)
                        .await
                        .map_err(op("put_drift_state"))?;
                    Ok(())
                }

                async fn claim_lease(&self, name: &str, owner: &str, lease: std::time::Duration) -> Result<bool> {
                    check_lease_name(name)?;
                    let now = self.clock.now();
                    let until = lease_until(now, lease)?;
                    let done = sqlx::query(LEASE_CLAIM).bind(name).bind(owner).bind(until).bind(now);
                    Ok(done.execute(&self.pool).await.map_err(op("claim_lease"))?.rows_affected() == 1)
                }

                async fn extend_lease(&self, name: &str, owner: &str, lease: std::time::Duration) -> Result<bool> {
                    let until = lease_until(self.clock.now(), lease)?;
                    let done = sqlx::query(LEASE_EXTEND).bind(name).bind(owner).bind(until);
                    Ok(done.execute(&self.pool).await.map_err(op("extend_lease"))?.rows_affected() == 1)
                }

                async fn release_lease(&self, name: &str, owner: &str) -> Result<bool> {
                    let done = sqlx::query(LEASE_RELEASE).bind(name).bind(owner).execute(&self.pool).await;
                    Ok(done.map_err(op("release_lease"))?.rows_affected() == 1)
                }
            }
        };
    };
}
pub(crate) use drift_backend;
