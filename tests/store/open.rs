//! Opening the store: the embedded default, migrations, unreachable databases.

use std::sync::Arc;

use paved::config::{StoreConfig, StoreUrl};
use paved::store::*;

#[tokio::test]
async fn the_default_is_a_sqlite_file_under_the_repository() {
    let repo = tempfile::tempdir().unwrap();
    let target = StoreTarget::resolve(&StoreConfig::default(), None, repo.path()).unwrap();
    let clock: Arc<dyn Clock> = Arc::new(FakeClock::at_epoch());
    let store = open(&target, clock.clone()).await.unwrap();
    assert_eq!(store.backend(), "sqlite");
    let run = store
        .create_run(&NewRun {
            repo: "local".into(),
            git_ref: "HEAD".into(),
            sha: "0".repeat(40),
            pull_request: None,
            kind: RunKind::Plan,
            actor: None,
        })
        .await
        .unwrap();
    let path = repo.path().join(".paved/state.db");
    assert!(path.is_file());
    // WAL mode: the write-ahead log sits next to the database while it is open.
    assert!(repo.path().join(".paved/state.db-wal").exists());
    drop(store);

    // Opening again migrates nothing and finds the data.
    let again = open(&target, clock).await.unwrap();
    assert_eq!(again.get_run(run.id).await.unwrap().unwrap().repo, "local");
}

#[tokio::test]
async fn an_unreachable_database_is_a_plain_error_without_its_password() {
    // Port 1 on localhost: nothing listens there.
    let url = StoreUrl::parse("postgres://paved:hunter2@127.0.0.1:1/paved?connect_timeout=2").unwrap();
    let err = match open(&StoreTarget::Postgres(url), Arc::new(SystemClock)).await {
        Ok(_) => panic!("connected to port 1"),
        Err(e) => e,
    };
    let mut text = format!("{err} {err:?}");
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    assert!(text.contains("cannot open the store at postgres://paved:***@127.0.0.1:1/paved"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[tokio::test]
async fn an_unwritable_location_is_a_plain_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".paved"), "a file where the folder should be").unwrap();
    let target = StoreTarget::Sqlite(dir.path().join(".paved/state.db"));
    let err = open(&target, Arc::new(SystemClock)).await.err().expect("opened under a file");
    assert!(err.to_string().starts_with("cannot create the store's folder"), "{err}");
}
