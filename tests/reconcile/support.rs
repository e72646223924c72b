//! A reconciler wired to fakes: a repository with `main`, a pull request branch, a forge, a store.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use paved::exec::ScriptedExecutor;
use paved::forge::fake::MemoryForge;
use paved::forge::{ForgeKind, PullRequest, PullRequestState, RepoId};
use paved::reconcile::fake::{FakeAffected, FakeDirectory, FakeRepo, FakeValidator, MemoryNotes};
use paved::reconcile::{Context, Location, NullObserver, RepoHandle, Settings, Target};
use paved::store::{FakeClock, LockKey, Store};

pub use crate::db::Backend;
use crate::db::TestDb;

/// Runs the engine test `name(backend)` on both stores, as `name::sqlite` and `name::postgres`.
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(crate::db::Backend::Sqlite).await
            }

            #[tokio::test]
            async fn postgres() {
                super::$name(crate::db::Backend::Postgres).await
            }
        }
    };
}
pub(crate) use on_both;

pub const REPO: &str = "acme/infra";
pub const NET: &str = "group:default/platform-networking";

pub const BASE_CONFIG: &str = "reconcile:\n  apply:\n    approvals: 1\n    owner_approval: true\n";
pub const DEV: &str = "components:\n  terraform:\n    vpc:\n      vars: {cidr: 10.0.0.0/16}\n";
pub const EKS: &str = "components:\n  terraform:\n    eks:\n      vars: {size: 3}\n";

pub struct Harness {
    pub repo: Arc<FakeRepo>,
    pub notes: Arc<MemoryNotes>,
    pub forge: Arc<MemoryForge>,
    pub store: Arc<dyn Store>,
    pub exec: Arc<ScriptedExecutor>,
    pub validator: Arc<FakeValidator>,
    pub clock: Arc<FakeClock>,
    pub ctx: Context,
    _dir: tempfile::TempDir,
    _db: TestDb,
}

pub fn target(stack: &str, component: &str, file: &str, deps: &[&str]) -> Target {
    Target {
        stack: stack.into(),
        component: component.into(),
        reasons: vec!["stack.vars".into()],
        deleted: false,
        depends_on: deps.iter().map(|d| LockKey::new(stack, *d)).collect(),
        owner: Some(NET.into()),
        location: Some(Location { file: file.into(), line: 3 }),
        drift: true,
    }
}

pub fn repo_id() -> RepoId {
    RepoId::parse(REPO).unwrap()
}

impl Harness {
    /// `main` holds paved.yaml and two stack files; vpc, then eks which depends on it.
    pub async fn on(backend: Backend, exec: ScriptedExecutor) -> Harness {
        let repo = Arc::new(FakeRepo::new());
        repo.commit("main", None, &[("paved.yaml", BASE_CONFIG), ("stacks/vpc.yaml", DEV), ("stacks/eks.yaml", EKS)]);
        let affected = Arc::new(FakeAffected(Mutex::new(vec![
            target("dev", "eks", "stacks/eks.yaml", &["vpc"]),
            target("dev", "vpc", "stacks/vpc.yaml", &[]),
        ])));
        let directory =
            Arc::new(FakeDirectory(Mutex::new(BTreeMap::from([(NET.to_string(), vec!["bob".to_string()])]))));
        let db = TestDb::new(backend).await;
        let (clock, store): (Arc<FakeClock>, Arc<dyn Store>) = (db.clock.clone(), db.store.clone());
        let notes = Arc::new(MemoryNotes::default());
        let forge = Arc::new(MemoryForge::new(ForgeKind::GitHub));
        let exec = Arc::new(exec);
        let validator = Arc::new(FakeValidator::default());
        let dir = tempfile::tempdir().unwrap();
        let handle = RepoHandle {
            repo: repo.clone(),
            notes: notes.clone(),
            forge_repo: Some(repo_id()),
            default_branch: "main".into(),
        };
        let ctx = Context {
            store: store.clone(),
            executor: exec.clone(),
            forge: Some(forge.clone()),
            repos: BTreeMap::from([(REPO.to_string(), handle)]),
            validator: validator.clone(),
            affected,
            directory,
            clock: clock.clone(),
            observer: Arc::new(NullObserver),
            cancels: Default::default(),
            settings: Settings::new("replica-1", dir.path().join("plans")),
        };
        Harness { repo, notes, forge, store, exec, validator, clock, ctx, _dir: dir, _db: db }
    }

    /// Opens pull request `number` from `branch` with `files` committed on it.
    pub fn open_pr(&self, number: u64, branch: &str, files: &[(&str, &str)]) -> String {
        let sha = self.repo.commit(branch, Some("main"), files);
        self.forge.set_pull_request(&repo_id(), pr(number, branch, &sha, PullRequestState::Open, None));
        sha
    }

    /// Merges the pull request's branch into main (a merge commit with the branch's files).
    pub fn merge_pr(&self, number: u64, branch: &str, files: &[(&str, &str)], merged_by: &str) -> String {
        let merge = self.repo.commit("main", None, files);
        let mut p = pr(number, branch, &merge, PullRequestState::Merged, Some(merge.clone()));
        p.merged_by = Some(merged_by.into());
        self.forge.set_pull_request(&repo_id(), p);
        merge
    }

    /// The verbs and targets the executor ran, in order: `plan dev/vpc`, `deploy dev/vpc`.
    pub fn ran(&self) -> Vec<String> {
        self.exec.calls().iter().map(|c| format!("{} {}/{}", c.verb(), c.stack(), c.component())).collect()
    }
}

pub fn pr(number: u64, branch: &str, head: &str, state: PullRequestState, merge: Option<String>) -> PullRequest {
    PullRequest {
        number,
        title: "Grow the VPC".into(),
        author: "alice".into(),
        state,
        draft: false,
        head_ref: branch.into(),
        head_sha: head.into(),
        base_ref: "main".into(),
        mergeable: Some(true),
        merge_sha: merge,
        merged_by: None,
        url: format!("https://github.com/{REPO}/pull/{number}"),
    }
}
