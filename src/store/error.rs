//! The store's errors. None carries a database password: connection targets are redacted.

use std::path::PathBuf;

/// A failure of the store itself (not of the data it is asked to keep).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store at {target}")]
    Connect {
        /// The database, password redacted.
        target: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot create the store's folder {}", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot bring the store's schema up to date")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("store operation `{op}` failed")]
    Query {
        op: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("the store holds a value this version of paved does not know: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Invalid(String),
}

/// Wraps a sqlx error with the operation that failed: `.map_err(op("claim_next"))`.
pub(crate) fn op(op: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { op, source }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// True when a statement failed on a unique index (a concurrent writer got there first).
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|d| d.is_unique_violation())
}
