//! Where reconcile requests come from without a webhook: local folders watched with `notify`
//! (debounced: a burst of writes, a checkout or a commit becomes one request) and remote
//! repositories polled at an interval. Both enqueue into the store's persisted queue, where
//! duplicates collapse; `paved serve` adds webhooks as a third intake.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::ports::Repo;
use crate::store::{ReconcileRequest, Store};

/// Whether a changed path should wake the reconciler: paved's own state and git's internals
/// other than refs (a commit or a checkout moves a ref) are ignored.
pub fn is_relevant(root: &Path, path: &Path) -> bool {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    match parts.first().map(String::as_str) {
        Some(".paved") => false,
        // Branch moves only: paved's own audit notes (refs/notes) must not queue another run.
        Some(".git") => match parts.get(1).map(String::as_str) {
            Some("HEAD" | "packed-refs") => true,
            Some("refs") => parts.get(2).is_some_and(|p| p == "heads"),
            _ => false,
        },
        _ => true,
    }
}

/// Whether a watcher event is a change at all. Reads (inotify's open and close-without-write)
/// are not: a reconcile reads every stack file of the work tree, and counting its own reads
/// queued the next run, forever.
pub fn is_change(e: &notify::Event) -> bool {
    !matches!(e.kind, notify::EventKind::Access(_))
}

/// Calls `fire` once per burst of signals: after `quiet` has passed without a new one.
pub async fn debounce(mut rx: mpsc::UnboundedReceiver<()>, quiet: Duration, mut fire: impl FnMut()) {
    while rx.recv().await.is_some() {
        loop {
            match tokio::time::timeout(quiet, rx.recv()).await {
                Ok(Some(())) => continue,
                Ok(None) => {
                    fire();
                    return;
                }
                Err(_) => break,
            }
        }
        fire();
    }
}

/// A running watcher; dropping it stops watching.
pub struct LocalWatch {
    _watcher: notify::RecommendedWatcher,
    pub task: tokio::task::JoinHandle<()>,
}

/// Watches `root` and enqueues `request` after each debounced burst of relevant changes.
pub fn watch_local(
    store: Arc<dyn Store>,
    root: PathBuf,
    request: ReconcileRequest,
    quiet: Duration,
) -> notify::Result<LocalWatch> {
    let (tx, rx) = mpsc::unbounded_channel();
    let filter_root = root.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(e) = event
            && is_change(&e)
            && e.paths.iter().any(|p| is_relevant(&filter_root, p))
        {
            let _ = tx.send(());
        }
    })?;
    watcher.watch(&root, RecursiveMode::Recursive)?;
    let (fire_tx, mut fire_rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        let debouncer = tokio::spawn(debounce(rx, quiet, move || {
            let _ = fire_tx.send(());
        }));
        while fire_rx.recv().await.is_some() {
            // A failed enqueue is retried by the next change; the store logs nothing secret.
            let _ = store.enqueue(&request).await;
        }
        debouncer.abort();
    });
    Ok(LocalWatch { _watcher: watcher, task })
}

/// Polls `repo` (fetching a remote) every `every` and enqueues `request` whenever the commit
/// of `request.git_ref` moved. Returns when `stop` is cancelled.
pub async fn poll_remote(
    store: Arc<dyn Store>,
    repo: Arc<dyn Repo>,
    request: ReconcileRequest,
    every: Duration,
    stop: CancellationToken,
) {
    let mut seen: Option<String> = None;
    loop {
        // A fetch that fails (network) is tried again at the next tick.
        if let Ok(rev) = repo.resolve(&request.git_ref).await
            && seen.as_deref() != Some(rev.sha.as_str())
            && store.enqueue(&request).await.is_ok()
        {
            seen = Some(rev.sha);
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.cancelled() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn reads_are_not_changes() {
        use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, ModifyKind};
        use notify::{Event, EventKind};
        let read = Event::new(EventKind::Access(AccessKind::Close(AccessMode::Read)));
        assert!(!is_change(&read));
        assert!(!is_change(&Event::new(EventKind::Access(AccessKind::Open(AccessMode::Any)))));
        assert!(is_change(&Event::new(EventKind::Modify(ModifyKind::Data(DataChange::Content)))));
        assert!(is_change(&Event::new(EventKind::Create(CreateKind::File))));
        assert!(is_change(&Event::new(EventKind::Any)));
    }

    #[test]
    fn paved_state_and_git_internals_are_ignored() {
        let root = Path::new("/repo");
        assert!(is_relevant(root, Path::new("/repo/stacks/dev.yaml")));
        assert!(is_relevant(root, Path::new("/repo/.git/refs/heads/main")));
        assert!(is_relevant(root, Path::new("/repo/.git/HEAD")));
        assert!(!is_relevant(root, Path::new("/repo/.git/objects/ab/cdef")));
        assert!(!is_relevant(root, Path::new("/repo/.git/refs/notes/paved/audit")));
        assert!(!is_relevant(root, Path::new("/repo/.git/refs/tags/v1")));
        assert!(!is_relevant(root, Path::new("/repo/.git/index.lock")));
        assert!(!is_relevant(root, Path::new("/repo/.paved/state.db-wal")));
    }

    #[tokio::test]
    async fn a_burst_fires_once_after_the_quiet_time() {
        let ms = Duration::from_millis;
        let (tx, rx) = mpsc::unbounded_channel();
        let fired = Arc::new(AtomicUsize::new(0));
        let f = fired.clone();
        let task = tokio::spawn(debounce(rx, ms(300), move || {
            f.fetch_add(1, Ordering::SeqCst);
        }));
        for _ in 0..5 {
            tx.send(()).unwrap();
            tokio::time::sleep(ms(30)).await;
        }
        assert_eq!(fired.load(Ordering::SeqCst), 0, "still within the burst");
        tokio::time::sleep(ms(900)).await;
        assert_eq!(fired.load(Ordering::SeqCst), 1);
        tx.send(()).unwrap();
        tokio::time::sleep(ms(900)).await;
        assert_eq!(fired.load(Ordering::SeqCst), 2);
        drop(tx);
        task.await.unwrap();
        assert_eq!(fired.load(Ordering::SeqCst), 2);
    }
}
