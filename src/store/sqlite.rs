//! The embedded backend: one SQLite file in WAL mode. Writes that read first run in
//! `BEGIN IMMEDIATE` transactions, which take SQLite's single write lock up front, so two
//! processes sharing the file queue up (busy timeout) instead of failing on a lock upgrade.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use super::Clock;
use super::backend::sql_backend;
use super::error::{Result, StoreError, op};
use super::sql::{claim_candidate, lock_get, step_log_bytes};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The same pool: in WAL mode with `synchronous = NORMAL` no commit waits for a disk flush,
    /// so records need nothing cheaper than the rest.
    records: SqlitePool,
    clock: Arc<dyn Clock>,
}

impl SqliteStore {
    const BACKEND: &'static str = "sqlite";
    // One writer at a time already: plain reads suffice inside `BEGIN IMMEDIATE`.
    const LOCK_GET: &'static str = lock_get!();
    const STEP_LOG_BYTES: &'static str = step_log_bytes!();
    const CLAIM_CANDIDATE: &'static str = claim_candidate!();

    /// Opens (creating it and its folder if needed) the database file and migrates it.
    pub async fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<SqliteStore> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir { path: dir.to_path_buf(), source })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Connect { target: path.display().to_string(), source })?;
        Self::migrated(pool, clock).await
    }

    /// A private in-memory database (one connection, gone with the store): for tests and
    /// one-shot commands that keep nothing.
    pub async fn in_memory(clock: Arc<dyn Clock>) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::new().in_memory(true).foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Connect { target: "sqlite::memory:".into(), source })?;
        Self::migrated(pool, clock).await
    }

    async fn migrated(pool: SqlitePool, clock: Arc<dyn Clock>) -> Result<SqliteStore> {
        MIGRATOR.run(&pool).await.map_err(StoreError::Migrate)?;
        Ok(SqliteStore { records: pool.clone(), pool, clock })
    }

    /// Closes the pool; the last connection checkpoints the WAL into the file.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn begin_write(&self, what: &'static str) -> Result<Transaction<'static, Sqlite>> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(op(what))
    }

    async fn begin_records(&self, what: &'static str) -> Result<Transaction<'static, Sqlite>> {
        self.begin_write(what).await
    }

    async fn serialise_claims(_: &mut Transaction<'static, Sqlite>) -> Result<()> {
        // `BEGIN IMMEDIATE` already lets one claimer in at a time.
        Ok(())
    }

    async fn serialise_events(_: &mut Transaction<'static, Sqlite>) -> Result<()> {
        // SQLite has one writer at a time: ids already become visible in order.
        Ok(())
    }
}

sql_backend!(SqliteStore, Sqlite);
