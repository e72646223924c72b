//! Choosing and opening the store from paved.yaml and the environment.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::{Result, StoreError};
use super::{Clock, PgStore, SqliteStore, Store};
use crate::config::{StoreConfig, StoreScheme, StoreUrl};

/// Where the embedded database lives, under the repository.
pub const DEFAULT_SQLITE_PATH: &str = ".paved/state.db";

/// Which database to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreTarget {
    Sqlite(PathBuf),
    SqliteMemory,
    Postgres(StoreUrl),
}

impl StoreTarget {
    /// `store.url` from paved.yaml first; else `DATABASE_URL` when it is a PostgreSQL URL (other
    /// tools set it to their own databases, so anything else is ignored); else the embedded file
    /// `.paved/state.db` under `repo_root`. Relative SQLite paths are relative to `repo_root`.
    pub fn resolve(config: &StoreConfig, database_url: Option<&str>, repo_root: &Path) -> Result<StoreTarget> {
        if let Some(url) = &config.url {
            return Ok(Self::from_url(url, repo_root));
        }
        if let Some(env) = database_url.filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://")) {
            let url = StoreUrl::parse(env).map_err(|e| StoreError::Invalid(format!("DATABASE_URL: {e}")))?;
            return Ok(StoreTarget::Postgres(url));
        }
        Ok(StoreTarget::Sqlite(repo_root.join(DEFAULT_SQLITE_PATH)))
    }

    fn from_url(url: &StoreUrl, repo_root: &Path) -> StoreTarget {
        match url.scheme() {
            StoreScheme::Postgres => StoreTarget::Postgres(url.clone()),
            StoreScheme::Sqlite => {
                let rest = url.expose().trim_start_matches("sqlite:");
                // `sqlite:///abs/path` and `sqlite://rel/path` as sqlx spells them, `sqlite:rel` too.
                let path = rest.strip_prefix("//").unwrap_or(rest);
                let path = path.split('?').next().unwrap_or(path);
                if path == ":memory:" { StoreTarget::SqliteMemory } else { StoreTarget::Sqlite(repo_root.join(path)) }
            }
        }
    }

    /// For messages: never includes a password.
    pub fn describe(&self) -> String {
        match self {
            StoreTarget::Sqlite(p) => format!("SQLite at {}", p.display()),
            StoreTarget::SqliteMemory => "SQLite in memory".into(),
            StoreTarget::Postgres(u) => format!("PostgreSQL at {}", u.redacted()),
        }
    }
}

/// Opens (and migrates) the store.
pub async fn open(target: &StoreTarget, clock: Arc<dyn Clock>) -> Result<Arc<dyn Store>> {
    Ok(match target {
        StoreTarget::Sqlite(path) => Arc::new(SqliteStore::open(path, clock).await?),
        StoreTarget::SqliteMemory => Arc::new(SqliteStore::in_memory(clock).await?),
        StoreTarget::Postgres(url) => Arc::new(PgStore::connect(url, clock).await?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(url: Option<&str>) -> StoreConfig {
        StoreConfig { url: url.map(|u| StoreUrl::parse(u).unwrap()) }
    }

    #[test]
    fn config_then_postgres_env_then_the_embedded_file() {
        let root = Path::new("/repo");
        let pg = "postgres://paved@db/paved";
        assert_eq!(
            StoreTarget::resolve(&cfg(None), None, root).unwrap(),
            StoreTarget::Sqlite(PathBuf::from("/repo/.paved/state.db"))
        );
        assert!(matches!(StoreTarget::resolve(&cfg(None), Some(pg), root).unwrap(), StoreTarget::Postgres(_)));
        // Another tool's DATABASE_URL is not ours.
        assert!(matches!(StoreTarget::resolve(&cfg(None), Some("mysql://x"), root).unwrap(), StoreTarget::Sqlite(_)));
        assert_eq!(
            StoreTarget::resolve(&cfg(Some("sqlite:state/x.db")), Some(pg), root).unwrap(),
            StoreTarget::Sqlite(PathBuf::from("/repo/state/x.db"))
        );
        assert_eq!(
            StoreTarget::resolve(&cfg(Some("sqlite:///var/lib/paved.db")), None, root).unwrap(),
            StoreTarget::Sqlite(PathBuf::from("/var/lib/paved.db"))
        );
        assert_eq!(StoreTarget::resolve(&cfg(Some("sqlite::memory:")), None, root).unwrap(), StoreTarget::SqliteMemory);
        let t = StoreTarget::resolve(&cfg(None), Some("postgres://u:secret@db/paved"), root).unwrap();
        assert!(!t.describe().contains("secret"), "{}", t.describe());
    }
}
