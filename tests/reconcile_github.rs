//! The reconciler end to end against a wiremock GitHub: a git repository made from examples/,
//! paved's real catalog/stacks/policy capabilities, the atmos stand-in run as a process, a
//! SQLite file store. Pull request opened → plan → one check and one sticky comment; approved
//! by the owners and merged → re-plan and deploy in dependency order → a check on the merge
//! commit, the apply comment, and the audit note in git. And step logs are in the store while
//! atmos still runs.

#[path = "reconcile_github/fake_github.rs"]
mod fake_github;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use fake_github::FakeGitHub;
use paved::exec::ProcessExecutor;
use paved::forge::RepoId;
use paved::forge::github::{GitHub, GitHubAuth, GitHubOptions};
use paved::forge::secret::Secret;
use paved::reconcile::adapters::{GitRepo, capabilities};
use paved::reconcile::{
    Context, Flow, NullObserver, RepoHandle, Request, Selection, Settings, TargetStatus, reconcile,
};
use paved::store::{RunFilter, RunStatus, SqliteStore, StepStatus, SystemClock};
use serde_json::Value;
use wiremock::MockServer;

const NAME: &str = "infra";
const STACK_FILE: &str = "stacks/orgs/acme/plat/dev/us-east-2.yaml";

struct World {
    dir: tempfile::TempDir,
    ctx: Context,
    gh: FakeGitHub,
    _server: MockServer,
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=Paved Test", "-c", "user.email=test@example.com"])
        .args(args)
        .current_dir(dir)
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn copy(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        if rel.components().any(|c| c.as_os_str() == ".paved") {
            continue;
        }
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"), &root);
        git(&root, &["init", "-q", "-b", "main"]);
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "examples"]);
        std::fs::write(dir.path().join("script"), "plan * * add=1 change=1\n").unwrap();

        let (server, gh) = FakeGitHub::start().await;
        let mut opts = GitHubOptions::new(GitHubAuth::Token(Secret::new("ghp_PavedTestToken0123456789abcdefghijklmn")));
        opts.api_url = server.uri();
        let forge = GitHub::new(opts).unwrap();

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
            forge_repo: Some(RepoId::parse(fake_github::REPO).unwrap()),
            default_branch: "main".into(),
        };
        let ctx = Context {
            store: Arc::new(store),
            executor: Arc::new(executor),
            forge: Some(Arc::new(forge)),
            repos: BTreeMap::from([(NAME.to_string(), handle)]),
            validator: caps.validator,
            affected: caps.affected,
            directory: caps.directory,
            clock,
            observer: Arc::new(NullObserver),
            cancels: Default::default(),
            settings: Settings::new("replica-1", dir.path().join("plans")),
        };
        World { dir, ctx, gh, _server: server }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// `verb stack/component` of every stand-in call, in order.
    fn calls(&self) -> Vec<String> {
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
fn grow(root: &Path) {
    let path = root.join(STACK_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    let grown = text.replacen("ipv4_primary_cidr_block: 10.0.0.0/18", "ipv4_primary_cidr_block: 10.0.0.0/17", 1);
    let grown = grown.replacen("desired_size: 2", "desired_size: 3", 1);
    assert_ne!(grown, text);
    std::fs::write(path, grown).unwrap();
}

fn with_purpose<'a>(comments: &'a [Value], purpose: &str) -> Vec<&'a Value> {
    let marker = format!("paved:{purpose}");
    comments.iter().filter(|c| c["body"].as_str().unwrap_or("").contains(&marker)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_request_is_planned_on_github_then_applied_in_dependency_order_when_merged() {
    let w = World::new().await;
    let root = w.root();
    let base = git(&root, &["rev-parse", "HEAD"]);
    git(&root, &["checkout", "-q", "-b", "grow"]);
    grow(&root);
    git(&root, &["commit", "-q", "-am", "Grow the dev VPC and its cluster"]);
    let head = git(&root, &["rev-parse", "HEAD"]);
    git(&root, &["checkout", "-q", "main"]);
    w.gh.open_pull(7, "grow", &head, &base);

    // Opened: plan.
    let (plan, outcome) = reconcile(Request::new(NAME, "grow").pull_request(7), &w.ctx).await;
    assert_eq!(outcome.status, RunStatus::Succeeded, "{:#?}", plan.conditions);
    assert_eq!(plan.flow, Flow::Plan);
    let mut planned: Vec<String> =
        plan.targets.iter().map(|t| format!("{}/{}", t.target.stack, t.target.component)).collect();
    planned.sort();
    assert_eq!(planned, ["plat-ue2-dev/eks/cluster", "plat-ue2-dev/vpc"]);
    let checks = w.gh.checks_on(&head);
    assert_eq!(checks.len(), 1, "{checks:#?}");
    assert_eq!((checks[0]["name"].as_str(), checks[0]["status"].as_str()), (Some("paved/plan"), Some("completed")));
    assert_eq!(checks[0]["conclusion"], "success");
    // Each component's annotation sits on the line the pull request changed in its block.
    let annotations = checks[0]["output"]["annotations"].as_array().cloned().unwrap_or_default();
    let head_text = git(&root, &["show", &format!("{head}:{STACK_FILE}")]);
    let line_of = |needle: &str| head_text.lines().position(|l| l.contains(needle)).unwrap() as u64 + 1;
    for (title, line) in
        [("vpc in plat-ue2-dev", line_of("10.0.0.0/17")), ("eks/cluster in plat-ue2-dev", line_of("desired_size: 3"))]
    {
        let found = annotations.iter().find(|a| a["title"] == title).unwrap_or_else(|| panic!("{annotations:#?}"));
        assert_eq!(found["path"], STACK_FILE);
        assert_eq!((found["start_line"].as_u64(), found["end_line"].as_u64()), (Some(line), Some(line)), "{found:#}");
    }
    let comments = w.gh.comments();
    assert_eq!(comments.len(), 1);
    let body = comments[0]["body"].as_str().unwrap();
    assert!(body.contains("| `plat-ue2-dev` | `vpc` | 1 | 1 | 0 |"), "{body}");
    assert!(body.contains("| `plat-ue2-dev` | `eks/cluster` | 1 | 1 | 0 |"), "{body}");

    // Planned again (a re-run): the sticky comment is found and kept, no second one is posted.
    let (_, again) = reconcile(Request::new(NAME, "grow").pull_request(7), &w.ctx).await;
    assert_eq!(again.status, RunStatus::Succeeded);
    assert_eq!(w.gh.comments().len(), 1);
    let posts = w.gh.calls().iter().filter(|c| *c == "POST /repos/acme/infra/issues/7/comments").count();
    assert_eq!(posts, 1);

    // Approved by a member of each owning Group (networking: vpc, compute: the cluster), merged.
    w.gh.approve("kwame.asante", &head);
    w.gh.approve("priya.raman", &head);
    git(&root, &["merge", "-q", "--no-ff", "-m", "Merge pull request #7 from acme/grow", "grow"]);
    let merge = git(&root, &["rev-parse", "HEAD"]);
    w.gh.merge(&merge, "carol");
    let before = w.calls().len();
    let (apply, outcome) = reconcile(Request::new(NAME, "main").pull_request(7), &w.ctx).await;
    assert_eq!(outcome.status, RunStatus::Succeeded, "{:#?}\n{:#?}", apply.conditions, apply.requirements);
    assert_eq!(apply.flow, Flow::Apply);
    assert!(apply.targets.iter().all(|t| t.status == TargetStatus::Applied), "{:#?}", apply.targets);
    assert_eq!(
        w.calls()[before..],
        [
            "plan plat-ue2-dev/vpc",
            "deploy plat-ue2-dev/vpc",
            "plan plat-ue2-dev/eks/cluster",
            "deploy plat-ue2-dev/eks/cluster"
        ]
    );
    let checks = w.gh.checks_on(&merge);
    assert_eq!(checks.len(), 1, "{checks:#?}");
    assert_eq!((checks[0]["name"].as_str(), checks[0]["conclusion"].as_str()), (Some("paved/apply"), Some("success")));
    let comments = w.gh.comments();
    assert_eq!(
        (with_purpose(&comments, "plan").len(), with_purpose(&comments, "apply").len()),
        (1, 1),
        "{comments:#?}"
    );
    let applied = with_purpose(&comments, "apply")[0]["body"].as_str().unwrap().to_string();
    assert!(applied.contains("applied"), "{applied}");

    // The audit note on the merge commit: who merged, who approved, what ran.
    let note = git(&root, &["notes", "--ref=paved", "show", &merge]);
    let entry: Value = serde_json::from_str(note.lines().last().unwrap()).unwrap();
    assert_eq!(entry["merged_by"], "carol", "{entry:#}");
    let approvers = entry["approved_by"].to_string();
    assert!(approvers.contains("kwame.asante") && approvers.contains("priya.raman"), "{entry:#}");
    assert_eq!(entry["components"].as_array().map(Vec::len), Some(2), "{entry:#}");

    assert!(w.gh.state().unknown.is_empty(), "unexpected GitHub calls: {:?}", w.gh.state().unknown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_logs_reach_the_store_while_atmos_runs() {
    let w = World::new().await;
    // The plan pauses after `terraform init`'s output, before the plan itself.
    std::fs::write(w.dir.path().join("script"), "plan vpc plat-ue2-dev add=1 sleep=3\n").unwrap();
    let mut req = Request::new(NAME, "main").flow(Flow::Plan);
    req.selection = Selection { stack: Some("plat-ue2-dev".into()), component: Some("vpc".into()) };
    req.all = true;
    let ctx = w.ctx.clone();
    let task = tokio::spawn(async move { reconcile(req, &ctx).await });

    let store = w.ctx.store.clone();
    let mut seen = None;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let Some(run) = store.list_runs(&RunFilter::default()).await.unwrap().into_iter().next() else { continue };
        for step in store.steps(run.id).await.unwrap() {
            let log = store.step_log(step.id).await.unwrap();
            if step.status == StepStatus::Running && log.contains("successfully initialized") {
                seen = Some(log);
            }
        }
        if seen.is_some() || task.is_finished() {
            break;
        }
    }
    let (state, outcome) = task.await.unwrap();
    assert_eq!(outcome.status, RunStatus::Succeeded, "{:#?}", state.conditions);
    let partial = seen.expect("no output was in the store while the plan ran");
    assert!(partial.starts_with("$ atmos terraform plan vpc -s plat-ue2-dev"), "{partial}");
    assert!(!partial.contains("Plan: 1 to add"), "the plan had not been printed yet: {partial}");
    let run = store.list_runs(&RunFilter::default()).await.unwrap().remove(0);
    let step = store.steps(run.id).await.unwrap().remove(0);
    let full = store.step_log(step.id).await.unwrap();
    assert!(full.starts_with(&partial) && full.contains("Plan: 1 to add"), "{full}");
}
