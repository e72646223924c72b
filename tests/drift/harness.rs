//! A drift pass wired to fakes: `main` with three components (eks depends on vpc), a memory
//! forge, a scripted executor, a store with a fake clock.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use paved::drift::{DriftOptions, DriftSummary, run_drift};
use paved::exec::ScriptedExecutor;
use paved::forge::fake::MemoryForge;
use paved::forge::{ForgeKind, RepoId};
use paved::reconcile::fake::{FakeAffected, FakeDirectory, FakeRepo, FakeValidator, MemoryNotes};
use paved::reconcile::{Context, Location, NullObserver, RepoHandle, Settings, Target};
use paved::store::{FakeClock, LockKey, SqliteStore, Store};

pub const REPO: &str = "platform";

pub fn repo_id() -> RepoId {
    RepoId::parse("acme/infra").unwrap()
}

fn target(component: &str, deps: &[&str]) -> Target {
    Target {
        stack: "dev".into(),
        component: component.into(),
        reasons: vec![],
        deleted: false,
        depends_on: deps.iter().map(|d| LockKey::new("dev", *d)).collect(),
        owner: None,
        location: Some(Location { file: format!("stacks/{component}.yaml"), line: 1 }),
        drift: true,
    }
}

pub struct Harness {
    pub forge: Arc<MemoryForge>,
    pub store: Arc<dyn Store>,
    pub clock: Arc<FakeClock>,
    pub ctx: Context,
    pub exec: Arc<ScriptedExecutor>,
    pub affected: Arc<FakeAffected>,
}

impl Harness {
    pub async fn new() -> Harness {
        let clock = Arc::new(FakeClock::at_epoch());
        let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory(clock.clone()).await.unwrap());
        Harness::on(store, clock)
    }

    /// A harness on a given store (shared by two replicas in the schedule tests).
    pub fn on(store: Arc<dyn Store>, clock: Arc<FakeClock>) -> Harness {
        let repo = Arc::new(FakeRepo::new());
        let c = "components:\n  terraform:\n    x: {}\n";
        repo.commit(
            "main",
            None,
            &[("paved.yaml", "# drift test\n"), ("stacks/vpc.yaml", c), ("stacks/eks.yaml", c), ("stacks/rds.yaml", c)],
        );
        // Listed dependents first: the pass must still plan vpc before eks.
        let affected =
            Arc::new(FakeAffected(Mutex::new(vec![target("eks", &["vpc"]), target("vpc", &[]), target("rds", &[])])));
        let forge = Arc::new(MemoryForge::new(ForgeKind::GitHub));
        let exec = Arc::new(ScriptedExecutor::new());
        let handle = RepoHandle {
            repo,
            notes: Arc::new(MemoryNotes::default()),
            forge_repo: Some(repo_id()),
            default_branch: "main".into(),
        };
        let ctx = Context {
            store: store.clone(),
            executor: exec.clone(),
            forge: Some(forge.clone()),
            repos: BTreeMap::from([(REPO.to_string(), handle)]),
            validator: Arc::new(FakeValidator::default()),
            affected: affected.clone(),
            directory: Arc::new(FakeDirectory::default()),
            clock: clock.clone(),
            observer: Arc::new(NullObserver),
            cancels: Default::default(),
            settings: Settings::new("replica-1", std::env::temp_dir().join("paved-drift-plans")),
        };
        Harness { forge, store, clock, ctx, exec, affected }
    }

    /// The next pass answers with `exec`.
    pub fn script(&mut self, exec: ScriptedExecutor) {
        self.exec = Arc::new(exec);
        self.ctx.executor = self.exec.clone();
    }

    pub async fn pass(&self, max_open_issues: usize) -> DriftSummary {
        run_drift(&self.ctx, &DriftOptions { max_open_issues, ..DriftOptions::default() }).await
    }

    /// What `settings.paved.drift` says for `component` from now on.
    pub fn set_drift(&self, component: &str, drift: bool) {
        let mut targets = self.affected.0.lock().unwrap();
        targets.iter_mut().filter(|t| t.component == component).for_each(|t| t.drift = drift);
    }

    /// `plan dev/vpc`, … in the order the executor saw them.
    pub fn ran(&self) -> Vec<String> {
        self.exec.calls().iter().map(|c| format!("{} {}/{}", c.verb(), c.stack(), c.component())).collect()
    }
}
