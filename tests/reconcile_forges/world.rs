//! The world the end-to-end tests run in: a git repository made from examples/, paved's real
//! catalog/stacks/policy capabilities, the atmos stand-in run as a process, a SQLite file
//! store, and a forge (a wiremock GitHub or GitLab).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::repo_support::copy_dir;
pub use crate::repo_support::{git, git_out};
use paved::exec::ProcessExecutor;
use paved::forge::{Forge, RepoId};
use paved::reconcile::adapters::{GitRepo, capabilities};
use paved::reconcile::{Context, NullObserver, RepoHandle, Settings};
use paved::store::{SqliteStore, SystemClock};
use serde_json::Value;

pub const NAME: &str = "infra";
pub const STACK_FILE: &str = "stacks/orgs/acme/plat/dev/us-east-2.yaml";

pub struct World {
    pub dir: tempfile::TempDir,
    pub ctx: Context,
}

impl World {
    /// The repository `acme/infra` on `forge`.
    pub async fn new(forge: Arc<dyn Forge>) -> World {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"), &root);
        git(&root, &["init", "-q", "-b", "main"]);
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "examples"]);
        std::fs::write(dir.path().join("script"), "plan * * add=1 change=1\n").unwrap();

        let standin = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/atmos-standin");
        let env = BTreeMap::from([
            ("ATMOS_STANDIN_LOG".to_string(), dir.path().join("log").display().to_string()),
            ("ATMOS_STANDIN_SCRIPT".to_string(), dir.path().join("script").display().to_string()),
        ]);
        let executor = ProcessExecutor::locate(standin.to_str().unwrap()).unwrap().with_env(env);
        // A file, not memory: parallel commands write through several connections.
        let clock = Arc::new(SystemClock);
        let store = SqliteStore::open(&dir.path().join("state.db"), clock.clone()).await.unwrap();
        let git_repo = Arc::new(GitRepo::local(&root, dir.path().join("checkouts")).unwrap());
        let caps = capabilities();
        let handle = RepoHandle {
            repo: git_repo.clone(),
            notes: git_repo,
            forge_repo: Some(RepoId::parse("acme/infra").unwrap()),
            default_branch: "main".into(),
        };
        let ctx = Context {
            store: Arc::new(store),
            executor: Arc::new(executor),
            forge: Some(forge),
            repos: BTreeMap::from([(NAME.to_string(), handle)]),
            validator: caps.validator,
            affected: caps.affected,
            directory: caps.directory,
            clock,
            observer: Arc::new(NullObserver),
            cancels: Default::default(),
            settings: Settings::new("replica-1", dir.path().join("plans")),
        };
        World { dir, ctx }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// `verb stack/component` of every stand-in call, in order.
    pub fn calls(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default();
        text.lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                let argv: Vec<&str> = v["argv"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
                let stack = argv.iter().position(|a| *a == "-s").map(|i| argv[i + 1]).unwrap_or("");
                format!("{} {stack}/{}", argv[1], argv[2])
            })
            .collect()
    }
}

/// The pull request's branch: a wider dev VPC and a bigger cluster, which depends on it.
pub fn grow(root: &Path) {
    let path = root.join(STACK_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    let grown = text.replacen("ipv4_primary_cidr_block: 10.0.0.0/18", "ipv4_primary_cidr_block: 10.0.0.0/17", 1);
    let grown = grown.replacen("desired_size: 2", "desired_size: 3", 1);
    assert_ne!(grown, text);
    std::fs::write(path, grown).unwrap();
}

/// Sticky comments (or notes) carrying `purpose`'s marker.
pub fn with_purpose<'a>(comments: &'a [Value], purpose: &str) -> Vec<&'a Value> {
    let marker = format!("paved:{purpose} -->");
    comments.iter().filter(|c| c["body"].as_str().unwrap_or("").contains(&marker)).collect()
}
