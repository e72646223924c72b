//! `paved reconcile --once`, `paved plan|apply` and `paved audit` end to end: a temporary git
//! repository made from examples/, the atmos stand-in on PATH, the embedded SQLite store.

#[path = "support/repo.rs"]
mod repo_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use paved::store::{Locks, RunFilter, RunKind, RunStatus, Runs, SqliteStore, SystemClock};
use repo_support::{copy_dir, git};
use serde_json::Value;

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// examples/ committed on `main`, the stand-in answering with `script`.
    fn new(script: &str) -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"), &root);
        git(&root, &["init", "-q", "-b", "main"]);
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "examples"]);
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let standin = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/atmos-standin");
        std::os::unix::fs::symlink(&standin, bin.join("atmos")).unwrap();
        std::fs::write(dir.path().join("script"), script).unwrap();
        Repo { dir }
    }

    /// examples/ committed as the folder `infra/` of a larger repository.
    fn nested(script: &str) -> Repo {
        let repo = Repo::new(script);
        let root = repo.root();
        std::fs::remove_dir_all(root.join(".git")).unwrap();
        let inner = repo.dir.path().join("infra");
        std::fs::rename(&root, &inner).unwrap();
        std::fs::create_dir(&root).unwrap();
        std::fs::rename(&inner, root.join("infra")).unwrap();
        std::fs::write(root.join("README.md"), "# the platform\n").unwrap();
        git(&root, &["init", "-q", "-b", "main"]);
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "infra in a folder"]);
        repo
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    fn paved(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_paved"));
        let path = format!("{}:{}", self.dir.path().join("bin").display(), std::env::var("PATH").unwrap_or_default());
        c.args(args)
            .current_dir(self.root())
            .env("PATH", path)
            .env("ATMOS_STANDIN_LOG", self.dir.path().join("log"))
            .env("ATMOS_STANDIN_SCRIPT", self.dir.path().join("script"))
            .env_remove("DATABASE_URL");
        c
    }

    fn run(&self, args: &[&str]) -> (i32, String) {
        let out = self.paved(args).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.code().unwrap_or(-1), text)
    }

    /// `verb stack/component` of every stand-in call, in order.
    fn calls(&self) -> Vec<String> {
        let log = std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default();
        log.lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                let a: Vec<&str> = v["argv"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
                format!("{} {}/{}", a[1], a[4], a[2])
            })
            .collect()
    }

    fn commit(&self, path: &str, text: &str) {
        std::fs::write(self.root().join(path), text).unwrap();
        git(&self.root(), &["commit", "-q", "-am", "change"]);
    }

    async fn store(&self) -> SqliteStore {
        SqliteStore::open(&self.root().join(".paved/state.db"), std::sync::Arc::new(SystemClock)).await.unwrap()
    }
}

fn position(calls: &[String], call: &str) -> usize {
    calls.iter().position(|c| c == call).unwrap_or_else(|| panic!("{call} not in {calls:#?}"))
}

#[tokio::test]
async fn reconcile_once_applies_in_dependency_order_notes_and_audits() {
    let repo = Repo::new("plan * * add=1\n");
    let (code, out) = repo.run(&["reconcile", "--once"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("executor: atmos at"), "{out}");
    assert!(out.contains("validation: 0 error(s)"), "{out}");
    assert!(out.contains("affected (first run: every component)"), "{out}");
    let calls = repo.calls();
    // rds/booking depends on vpc (settings.depends_on): vpc is deployed first.
    assert!(position(&calls, "deploy core-ue2-dev/vpc") < position(&calls, "plan core-ue2-dev/rds/booking"));
    assert!(position(&calls, "plan core-ue2-dev/vpc") < position(&calls, "deploy core-ue2-dev/vpc"));
    assert_eq!(calls.iter().filter(|c| c.starts_with("deploy")).count() * 2, calls.len());

    // The audit note is on HEAD and agrees with the store.
    let (code, audit) = repo.run(&["audit", "--format", "json"]);
    assert_eq!(code, 0, "{audit}");
    let rows: Vec<Value> = serde_json::from_str(&audit).unwrap();
    assert_eq!(rows.len() * 2, calls.len(), "one row per applied component");
    assert!(rows.iter().all(|r| r["check"] == "ok" && r["result"] == "applied"), "{audit}");
    let (_, csv) = repo.run(&["audit", "--format", "csv", "--since", "2000-01-01"]);
    assert!(csv.starts_with("finished_at,repo,sha,run,"), "{csv}");

    // Nothing changed: nothing runs. A change to one stack reaches its components only.
    let (code, out) = repo.run(&["reconcile", "--once"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("nothing changed since"), "{out}");
    let before = repo.calls().len();
    let path = "stacks/orgs/acme/plat/dev/us-east-2.yaml";
    let text = std::fs::read_to_string(repo.root().join(path)).unwrap();
    repo.commit(path, &format!("{text}\n# a comment changes nothing Atmos sees\n"));
    let (code, out) = repo.run(&["reconcile", "--once"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(repo.calls().len(), before, "{out}");
}

#[tokio::test]
async fn a_failing_apply_stops_its_dependents_and_exits_1() {
    let repo = Repo::new("deploy vpc core-ue2-dev exit=1\nplan * * add=1\n");
    let (code, out) = repo.run(&["apply", "--all", "--stack", "core-ue2-dev"]);
    assert_eq!(code, 1, "{out}");
    let calls = repo.calls();
    assert!(calls.contains(&"deploy core-ue2-dev/vpc".to_string()));
    assert!(!calls.iter().any(|c| c.ends_with("core-ue2-dev/rds/booking")), "{calls:#?}");
    assert!(out.contains("it depends on core-ue2-dev/vpc"), "{out}");
    let store = repo.store().await;
    let locks = store.list_locks().await.unwrap();
    assert_eq!(locks.len(), 1, "the failed component keeps its lock");
    assert_eq!((locks[0].key.stack.as_str(), locks[0].key.component.as_str()), ("core-ue2-dev", "vpc"));
}

#[tokio::test]
async fn kill_9_in_the_middle_of_an_apply_leaves_an_interrupted_run_and_its_lock() {
    let repo = Repo::new("deploy vpc core-ue2-dev sleep=30\nplan * * add=1\n");
    let mut child = repo.paved(&["apply", "--all", "--stack", "core-ue2-dev", "--component", "vpc"]).spawn().unwrap();
    let started = Instant::now();
    while !repo.calls().contains(&"deploy core-ue2-dev/vpc".to_string()) {
        assert!(started.elapsed() < Duration::from_secs(120), "the deploy never started: {:?}", repo.calls());
        std::thread::sleep(Duration::from_millis(100));
    }
    // kill -9: no chance to clean up. The stand-in (its own process group) is stopped too.
    child.kill().unwrap();
    child.wait().unwrap();
    let log = std::fs::read_to_string(repo.dir.path().join("log")).unwrap();
    let pid = serde_json::from_str::<Value>(log.lines().last().unwrap()).unwrap()["pid"].as_i64().unwrap();
    unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };

    let (code, out) = repo.run(&["reconcile", "--once"]);
    assert!(out.contains("was interrupted (paved stopped while it ran)"), "{out}");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("locked by run 1 (interrupted)"), "{out}");
    let deploys = repo.calls().iter().filter(|c| *c == "deploy core-ue2-dev/vpc").count();
    assert_eq!(deploys, 1, "nothing is applied again without a new plan");

    let store = repo.store().await;
    let run = store.get_run(1).await.unwrap().unwrap();
    assert_eq!((run.kind, run.status), (RunKind::Apply, RunStatus::Interrupted));
    let lock = store.list_locks().await.unwrap().into_iter().find(|l| l.key.component == "vpc").unwrap();
    assert!(lock.is_pinned() && lock.run_id == 1);

    // A new plan releases it; then it applies.
    let (code, out) = repo.run(&["plan", "--all", "-s", "core-ue2-dev", "vpc"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        store.list_locks().await.unwrap().iter().all(|l| l.key.component != "vpc" || l.key.stack != "core-ue2-dev")
    );
    std::fs::write(repo.dir.path().join("script"), "plan * * add=1\n").unwrap();
    let (code, out) = repo.run(&["apply", "--all", "-s", "core-ue2-dev", "-c", "vpc"]);
    assert_eq!(code, 0, "{out}");
    let applies = store
        .list_runs(&RunFilter { kind: Some(RunKind::Apply), status: Some(RunStatus::Succeeded), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(applies.len(), 1);
}

#[test]
fn without_atmos_the_commands_are_printed_not_run() {
    let repo = Repo::new("");
    let out = repo.paved(&["reconcile", "--once"]).env("PATH", "/usr/bin:/bin").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("executor: dry run (atmos not found on PATH"), "{text}");
    assert!(text.contains("atmos commands, in order (not run):"), "{text}");
    assert!(text.contains("atmos terraform deploy vpc -s core-ue2-dev --planfile "), "{text}");
    // Nothing ran, so the result must not claim anything was applied.
    assert!(text.contains("result: succeeded: dry run: would apply "), "{text}");
    assert!(!text.contains("applied"), "{text}");
    assert!(repo.calls().is_empty());
}

#[test]
fn reconcile_once_on_a_folder_of_a_repository_sees_only_that_folder() {
    let repo = Repo::nested("plan * * add=1\n");
    let (code, out) = repo.run(&["reconcile", "--once", "infra"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("affected (first run: every component): 42 component(s)"), "{out}");
    let deploys = repo.calls().iter().filter(|c| c.starts_with("deploy")).count();
    assert_eq!(deploys, 42, "{out}");

    // A change outside the folder is not the reconciler's business.
    repo.commit("README.md", "# the platform, described\n");
    let (code, out) = repo.run(&["reconcile", "--once", "infra"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("affected since ") && out.contains(": 0 component(s)"), "{out}");

    // One inside it reaches its components, planned in the folder's own checkout.
    let path = "infra/stacks/orgs/acme/plat/dev/us-east-2.yaml";
    let text = std::fs::read_to_string(repo.root().join(path)).unwrap();
    repo.commit(path, &text.replacen("10.0.0.0/18", "10.0.0.0/17", 1));
    let before = repo.calls().len();
    let (code, out) = repo.run(&["reconcile", "--once", "infra"]);
    assert_eq!(code, 0, "{out}");
    assert!(repo.calls()[before..].contains(&"deploy plat-ue2-dev/vpc".to_string()), "{out}");
    let log = std::fs::read_to_string(repo.dir.path().join("log")).unwrap();
    let last: Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert!(last["cwd"].as_str().unwrap().ends_with("/infra"), "{last}");

    // `paved plan` from the folder plans the branch the repository is on.
    git(&repo.root(), &["checkout", "-q", "-b", "wider"]);
    repo.commit(path, &text.replacen("10.0.0.0/18", "10.0.0.0/16", 1));
    let (code, out) = repo.run(&["plan", "--path", "infra"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\ninfra wider at "), "{out}");
    assert!(out.contains("affected since ") && out.contains("plat-ue2-dev/vpc"), "{out}");
}
