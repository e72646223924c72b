//! Fresh databases for each test: SQLite in a temporary folder, PostgreSQL in a schema of its
//! own (dropped afterwards), so tests run in parallel and repeatably.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use paved::config::StoreUrl;
use paved::store::{Clock, FakeClock, PgStore, SqliteStore, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// PostgreSQL tests never skip: CI must run them, so an unreachable server is a failure.
pub fn database_url() -> StoreUrl {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    StoreUrl::parse(&url).expect("DATABASE_URL is a postgres:// URL")
}

/// A store on a database of its own, with a fake clock the test moves.
pub struct TestDb {
    pub store: Arc<dyn Store>,
    pub clock: Arc<FakeClock>,
    pub backend: Backend,
    place: Place,
}

enum Place {
    Dir(tempfile::TempDir),
    Schema(String),
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let clock = Arc::new(FakeClock::at_epoch());
        let place = match backend {
            Backend::Sqlite => Place::Dir(tempfile::tempdir().expect("temp dir")),
            Backend::Postgres => Place::Schema(fresh_schema().await),
        };
        let store = open_at(&place, clock.clone()).await;
        TestDb { store, clock, backend, place }
    }

    /// Another pool on the same database (as a second replica or a restarted paved would
    /// open), sharing the test's clock.
    pub async fn handle(&self) -> Arc<dyn Store> {
        open_at(&self.place, self.clock.clone()).await
    }
}

async fn open_at(place: &Place, clock: Arc<FakeClock>) -> Arc<dyn Store> {
    let clock: Arc<dyn Clock> = clock;
    match place {
        Place::Dir(dir) => Arc::new(SqliteStore::open(&dir.path().join(".paved/state.db"), clock).await.unwrap()),
        Place::Schema(schema) => Arc::new(connect(schema, clock).await),
    }
}

async fn connect(schema: &str, clock: Arc<dyn Clock>) -> PgStore {
    let url = database_url();
    match PgStore::connect_in_schema(&url, schema, clock).await {
        Ok(store) => store,
        Err(e) => panic!(
            "PostgreSQL is not reachable at {url} ({e}: {}). Start it with \
             `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` or set DATABASE_URL.",
            std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_default()
        ),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Place::Schema(schema) = &self.place {
            drop_schema_blocking(schema.clone());
        }
    }
}

/// Drop cannot await, and the test's runtime may be shutting down: use a runtime of its own.
fn drop_schema_blocking(schema: String) {
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(PgStore::drop_schema(&database_url(), &schema))
    })
    .join();
}

const PREFIX: &str = "paved_test_";

async fn fresh_schema() -> String {
    static SWEPT: AtomicBool = AtomicBool::new(false);
    if !SWEPT.swap(true, Ordering::SeqCst) {
        sweep_stale_schemas().await;
    }
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    format!("{PREFIX}{secs}_{:016x}", rand::random::<u64>())
}

/// Schemas left by killed test runs (their Drop never ran), older than a day.
async fn sweep_stale_schemas() {
    use sqlx::Connection;
    let Ok(mut conn) = sqlx::PgConnection::connect(database_url().expose()).await else { return };
    let names: Vec<String> =
        sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'paved\\_test\\_%'")
            .fetch_all(&mut conn)
            .await
            .unwrap_or_default();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    for name in names {
        let born = name.strip_prefix(PREFIX).and_then(|r| r.split('_').next()).and_then(|s| s.parse::<u64>().ok());
        if born.is_some_and(|b| now.saturating_sub(b) > 86_400) {
            let _ = PgStore::drop_schema(&database_url(), &name).await;
        }
    }
}

/// A lease long enough never to run out unless the test moves the clock.
pub const LEASE: Duration = Duration::from_secs(60);

/// Defines each test once and runs it on both databases: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($(async fn $name:ident($db:ident: TestDb) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($db: $crate::support::TestDb) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                body($crate::support::TestDb::new($crate::support::Backend::Sqlite).await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                body($crate::support::TestDb::new($crate::support::Backend::Postgres).await).await
            }
        }
    )*};
}
