//! The `store` section: where paved keeps runs, locks and its work queue.

use std::fmt;

use serde::Deserialize;

use super::RULE;
use crate::report::Diagnostic;

/// `store:` in paved.yaml.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreConfig {
    /// `sqlite:PATH` or `postgres://…`. When absent, `DATABASE_URL` (if it is a PostgreSQL URL)
    /// and then the embedded SQLite file `.paved/state.db` are used.
    pub url: Option<StoreUrl>,
}

/// A database URL whose password never reaches `Debug` or `Display` output.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreUrl(String);

/// The kind of database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreScheme {
    Sqlite,
    Postgres,
}

impl StoreUrl {
    /// Accepts `sqlite:PATH`, `sqlite://PATH`, `sqlite::memory:`, `postgres://…` and
    /// `postgresql://…`. The error never repeats the URL, which may carry a password.
    pub fn parse(url: &str) -> Result<StoreUrl, String> {
        let url = url.trim();
        match Self::scheme_of(url) {
            Some(StoreScheme::Sqlite) => {
                if url.trim_start_matches("sqlite:").trim_start_matches("//").is_empty() {
                    return Err("a sqlite URL needs a path (e.g. sqlite:.paved/state.db)".into());
                }
                Ok(StoreUrl(url.to_string()))
            }
            Some(StoreScheme::Postgres) => match url::Url::parse(url) {
                // An empty host is allowed: `postgres:///db?host=/run/postgresql` uses a socket.
                Ok(_) => Ok(StoreUrl(url.to_string())),
                _ => Err("the postgres URL is malformed (expected postgres://USER@HOST:PORT/DATABASE)".into()),
            },
            None => Err("unsupported database URL: use sqlite:PATH or postgres://USER@HOST/DATABASE".into()),
        }
    }

    fn scheme_of(url: &str) -> Option<StoreScheme> {
        if url.starts_with("sqlite:") {
            Some(StoreScheme::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(StoreScheme::Postgres)
        } else {
            None
        }
    }

    pub fn scheme(&self) -> StoreScheme {
        Self::scheme_of(&self.0).expect("checked when parsed")
    }

    /// The URL with its password: only for handing to the database driver.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with any password replaced by `***`, for messages.
    pub fn redacted(&self) -> String {
        match url::Url::parse(&self.0) {
            Ok(mut u) if u.password().is_some() => {
                let _ = u.set_password(Some("***"));
                u.to_string()
            }
            Ok(_) => self.0.clone(),
            // Not parseable as a URL (e.g. `sqlite:relative.db`): there is no password to hide.
            Err(_) if self.scheme() == StoreScheme::Sqlite => self.0.clone(),
            Err(_) => "<postgres URL>".into(),
        }
    }
}

impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreUrl({})", self.redacted())
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStore {
    url: Option<String>,
}

impl RawStore {
    pub(super) fn check(self, file: &str, errs: &mut Vec<Diagnostic>) -> StoreConfig {
        let url = self.url.and_then(|u| {
            StoreUrl::parse(&u)
                .map_err(|e| errs.push(Diagnostic::error(RULE, format!("store.url: {e}")).in_file(file)))
                .ok()
        });
        StoreConfig { url }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_debug_or_display() {
        let u = StoreUrl::parse("postgres://paved:hunter2@db.internal:5432/paved").unwrap();
        assert_eq!(u.scheme(), StoreScheme::Postgres);
        assert!(!format!("{u:?}{u}").contains("hunter2"));
        assert_eq!(u.redacted(), "postgres://paved:***@db.internal:5432/paved");
        assert_eq!(u.expose(), "postgres://paved:hunter2@db.internal:5432/paved");
    }

    #[test]
    fn schemes_are_checked_without_echoing_the_url() {
        assert_eq!(StoreUrl::parse("sqlite:.paved/x.db").unwrap().scheme(), StoreScheme::Sqlite);
        assert!(StoreUrl::parse("sqlite:").is_err());
        let e = StoreUrl::parse("mysql://root:pw@h/db").unwrap_err();
        assert!(e.contains("unsupported") && !e.contains("pw"), "{e}");
        let e = StoreUrl::parse("postgres://u:pw@h:notaport/db").unwrap_err();
        assert!(e.contains("malformed") && !e.contains("pw"), "{e}");
    }
}
