//! The shared backend: PostgreSQL, for several replicas on one database. Rows are claimed with
//! `FOR UPDATE SKIP LOCKED`, so replicas never wait on each other's work, and locks and leases
//! are read `FOR UPDATE` inside their transaction.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool, Postgres, Transaction};

use super::Clock;
use super::backend::sql_backend;
use super::error::{Result, StoreError, op};
use super::sql::{claim_candidate, lock_get, step_log_bytes};
use crate::config::StoreUrl;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Any constant works: it only has to be the same for every replica. ("paved" in ASCII.)
const EVENTS_LOCK_KEY: i64 = 0x70_6176_6564;
/// The same for claims ("pavedq").
const CLAIMS_LOCK_KEY: i64 = 0x7061_7665_6471;

/// The PostgreSQL store.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    /// The same database with `synchronous_commit = off`, for the records of runs and the
    /// queue's claims (see [`crate::store`]): a commit there does not wait for the WAL flush.
    records: PgPool,
    clock: Arc<dyn Clock>,
}

impl PgStore {
    const BACKEND: &'static str = "postgres";
    const LOCK_GET: &'static str = concat!(lock_get!(), " FOR UPDATE");
    const STEP_LOG_BYTES: &'static str = concat!(step_log_bytes!(), " FOR UPDATE");
    // Replicas skip rows another replica is claiming instead of queueing behind it.
    const CLAIM_CANDIDATE: &'static str = concat!(claim_candidate!(), " FOR UPDATE OF r SKIP LOCKED");

    /// Connects and migrates the schema on the connection's `search_path` (normally `public`).
    pub async fn connect(url: &StoreUrl, clock: Arc<dyn Clock>) -> Result<PgStore> {
        Self::connect_with(url, connect_options(url)?, clock).await
    }

    /// Connects with every connection's `search_path` set to `schema`, creating the schema if
    /// needed: for several paved installations on one database, and for isolated tests.
    pub async fn connect_in_schema(url: &StoreUrl, schema: &str, clock: Arc<dyn Clock>) -> Result<PgStore> {
        check_schema_name(schema)?;
        let options = connect_options(url)?;
        let mut conn = PgConnection::connect_with(&options).await.map_err(connect_error(url))?;
        // The name is checked to be a plain identifier above, so it can be spliced in.
        let create = format!("CREATE SCHEMA IF NOT EXISTS {schema}");
        sqlx::query(AssertSqlSafe(create)).execute(&mut conn).await.map_err(op("create_schema"))?;
        conn.close().await.map_err(op("create_schema"))?;
        Self::connect_with(url, options.options([("search_path", schema)]), clock).await
    }

    /// Drops a schema made by [`PgStore::connect_in_schema`] with everything in it.
    pub async fn drop_schema(url: &StoreUrl, schema: &str) -> Result<()> {
        check_schema_name(schema)?;
        let mut conn = PgConnection::connect_with(&connect_options(url)?).await.map_err(connect_error(url))?;
        let drop = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
        sqlx::query(AssertSqlSafe(drop)).execute(&mut conn).await.map_err(op("drop_schema"))?;
        conn.close().await.map_err(op("drop_schema"))
    }

    async fn connect_with(url: &StoreUrl, options: PgConnectOptions, clock: Arc<dyn Clock>) -> Result<PgStore> {
        let pool_options = || PgPoolOptions::new().max_connections(10).acquire_timeout(Duration::from_secs(30));
        let records = pool_options().connect_lazy_with(options.clone().options([("synchronous_commit", "off")]));
        let pool = pool_options().connect_with(options).await.map_err(connect_error(url))?;
        MIGRATOR.run(&pool).await.map_err(StoreError::Migrate)?;
        Ok(PgStore { pool, records, clock })
    }

    pub async fn close(&self) {
        self.records.close().await;
        self.pool.close().await;
    }

    async fn begin_write(&self, what: &'static str) -> Result<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(op(what))
    }

    async fn begin_records(&self, what: &'static str) -> Result<Transaction<'static, Postgres>> {
        self.records.begin().await.map_err(op(what))
    }

    /// `SKIP LOCKED` keeps two claimers off one row, but not off two requests for the same
    /// repo/ref/PR: each would see the other's claim as not yet committed and both start.
    /// Claims are short, so they take turns.
    async fn serialise_claims(tx: &mut Transaction<'static, Postgres>) -> Result<()> {
        let lock = sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(CLAIMS_LOCK_KEY).execute(&mut **tx).await;
        lock.map_err(op("claim_next"))?;
        Ok(())
    }

    /// Sequence values are taken before commit, so without this an event with a lower id could
    /// become visible after a higher one and an SSE reader polling `id > last` would miss it.
    async fn serialise_events(tx: &mut Transaction<'static, Postgres>) -> Result<()> {
        let lock = sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(EVENTS_LOCK_KEY).execute(&mut **tx).await;
        lock.map_err(op("publish_event"))?;
        Ok(())
    }
}

fn connect_options(url: &StoreUrl) -> Result<PgConnectOptions> {
    PgConnectOptions::from_str(url.expose()).map_err(connect_error(url))
}

fn connect_error(url: &StoreUrl) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |source| StoreError::Connect { target: url.redacted(), source }
}

/// Schema names are spliced into DDL, so only plain lower-case identifiers are accepted.
fn check_schema_name(schema: &str) -> Result<()> {
    let ok = schema.len() <= 63
        && schema.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && schema.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!("`{schema}` is not a schema name (lower-case letters, digits and _)")))
    }
}

sql_backend!(PgStore, Postgres);
