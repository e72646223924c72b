//! The trait implementations both backends share, written once and stamped out for each by
//! [`sql_backend!`]. The statements are the same on both databases (see [`super::sql`]); what
//! differs is supplied by each backend type:
//! - `begin_write(op)`: a transaction that may write (SQLite: `BEGIN IMMEDIATE`);
//! - `LOCK_GET`, `STEP_LOG_BYTES`, `CLAIM_CANDIDATE`: reads that lock their rows on PostgreSQL
//!   (`FOR UPDATE`, `FOR UPDATE SKIP LOCKED`);
//! - `serialise_events(tx)`: makes event ids visible in order (an advisory lock on PostgreSQL);
//! - `serialise_claims(tx)`: one claimer at a time, so two requests for one repo/ref/PR are
//!   never both claimed (an advisory lock on PostgreSQL);
//! - `BACKEND`: the name.

mod records;
mod work;

pub(crate) use records::records_backend;
pub(crate) use work::work_backend;

/// Attempts before giving up when a row changes between two statements of one operation.
pub(crate) const RETRIES: usize = 8;

/// Implements every store trait for `$store`, a struct with `pool: Pool<$db>` and
/// `clock: Arc<dyn Clock>`.
macro_rules! sql_backend {
    ($store:ident, $db:ty) => {
        crate::store::backend::records_backend!($store, $db);
        crate::store::backend::work_backend!($store, $db);
        crate::store::drift::drift_backend!($store, $db);
    };
}
pub(crate) use sql_backend;
