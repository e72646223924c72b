//! `paved drift` as a process: examples/ committed in a temporary git repository, the atmos
//! stand-in on PATH, issues on a wiremock GitHub or GitLab.

use std::path::{Path, PathBuf};
use std::process::Command;

use wiremock::MockServer;

use crate::forges;
use crate::repo_support::{copy_dir, git};

const GH_TOKEN: &str = "ghp_drifttesttoken00000000000000000000000";
const GL_TOKEN: &str = "glpat-drifttesttoken0000";

pub struct Repo {
    pub dir: tempfile::TempDir,
}

impl Repo {
    /// examples/ with `extra` appended to paved.yaml, committed on `main`.
    fn new(extra: &str) -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"), &root);
        let mut cfg = std::fs::read_to_string(root.join("paved.yaml")).unwrap();
        cfg.push_str(extra);
        std::fs::write(root.join("paved.yaml"), cfg).unwrap();
        std::fs::write(root.join(".gitignore"), ".paved/\n").unwrap();
        git(&root, &["init", "-q", "-b", "main"]);
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "examples"]);
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let standin = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/atmos-standin");
        std::os::unix::fs::symlink(&standin, bin.join("atmos")).unwrap();
        Repo { dir }
    }

    pub fn github(server: &MockServer, extra: &str) -> Repo {
        Repo::new(&format!(
            "reconcile:\n  default_branch: main\n  repositories:\n    - name: platform\n      path: .\n      forge_repo: acme/infra\n\
             forge:\n  github:\n    api_url: {}\n    token_env: PAVED_TEST_GH_TOKEN\n{extra}",
            server.uri()
        ))
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// The environment of a paved process: the stand-in on PATH answering `script`, tokens.
    pub fn env(&self, cmd: &mut Command, script: &str) {
        let script_file = self.dir.path().join("script");
        std::fs::write(&script_file, script).unwrap();
        let path = format!("{}:{}", self.dir.path().join("bin").display(), std::env::var("PATH").unwrap_or_default());
        cmd.current_dir(self.root())
            .env("PATH", path)
            .env("ATMOS_STANDIN_SCRIPT", &script_file)
            .env("PAVED_TEST_GH_TOKEN", GH_TOKEN)
            .env("PAVED_TEST_GL_TOKEN", GL_TOKEN)
            .env_remove("DATABASE_URL");
    }

    /// Runs `paved drift ARGS` with the stand-in answering `script`.
    fn drift(&self, script: &str, args: &[&str]) -> (i32, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_paved"));
        self.env(&mut cmd, script);
        let out = cmd.arg("drift").args(args).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!text.contains(GH_TOKEN) && !text.contains(GL_TOKEN), "a token leaked:\n{text}");
        (out.status.code().unwrap_or(-1), text)
    }
}

const VPC_DRIFTS: &str = "plan vpc core-ue2-dev change=1\n";
const STACK: &[&str] = &["-s", "core-ue2-dev"];

#[tokio::test]
async fn github_one_issue_per_drift_updated_kept_on_error_and_closed_on_recovery() {
    let server = MockServer::start().await;
    let issues = forges::github(&server).await;
    let repo = Repo::github(&server, "");

    let (code, out) = repo.drift(VPC_DRIFTS, STACK);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("4 component(s) checked: 1 drifted, 3 in sync"), "{out}");
    assert!(out.contains("DRIFTED  core-ue2-dev/vpc  0 to add, 1 to change, 0 to destroy; issue opened"), "{out}");
    let open = issues.open();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].title.as_str(), open[0].labels.as_slice()),
        ("Drift: vpc in core-ue2-dev", ["paved-drift".to_string()].as_slice())
    );
    assert!(open[0].body.starts_with("<!-- paved:issue:drift:core-ue2-dev/vpc -->\n"), "{}", open[0].body);
    assert!(open[0].body.contains("~ resource \"aws_route_table\" \"private\""), "{}", open[0].body);

    // Drifting again: the same issue is found by its marker and updated, never duplicated.
    let (code, out) = repo.drift("plan vpc core-ue2-dev change=2\n", STACK);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("issue updated: https://github.com/acme/infra/issues/1"), "{out}");
    assert_eq!(issues.all().len(), 1);
    assert!(issues.open()[0].body.contains("| Plan | 0 to add, 2 to change, 0 to destroy |"));
    assert_eq!(issues.count("POST /repos/acme/infra/issues") - issues.count("POST /repos/acme/infra/issues/"), 1);

    // A failing plan is an error (exit 1) and leaves the issue open.
    let (code, out) = repo.drift("plan vpc core-ue2-dev exit=1\n", STACK);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ERROR    core-ue2-dev/vpc"), "{out}");
    assert_eq!(issues.open().len(), 1);

    // In sync: closed with a comment; JSON output.
    let (code, out) = repo.drift("", &["-s", "core-ue2-dev", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!((v["drifted"].as_u64(), v["exit_code"].as_u64()), (Some(0), Some(0)));
    let vpc = v["components"].as_array().unwrap().iter().find(|c| c["component"] == "vpc").unwrap();
    assert_eq!(vpc["action"], "close");
    let all = issues.all();
    assert!(!all[0].open);
    assert_eq!(all[0].comments.len(), 1);
    assert!(all[0].comments[0].contains("in sync again"), "{:?}", all[0].comments);
}

#[tokio::test]
async fn github_the_cap_opens_no_more_issues_and_says_so() {
    let server = MockServer::start().await;
    let issues = forges::github(&server).await;
    let repo = Repo::github(&server, "server:\n  drift:\n    max_open_issues: 1\n");
    let summary = repo.dir.path().join("summary.md");
    let script = "plan vpc core-ue2-dev change=1\nplan kms-key core-ue2-dev add=1\n";
    let (code, out) = repo.drift(script, &["-s", "core-ue2-dev", "--summary", summary.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert_eq!(issues.all().len(), 1);
    assert!(out.contains("1 drifted component(s) got no issue: server.drift.max_open_issues is reached"), "{out}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("## paved drift: drift found") && md.contains("| ⚠️ drifted | `core-ue2-dev` |"), "{md}");
}

#[tokio::test]
async fn gitlab_issues_are_opened_updated_and_closed() {
    let server = MockServer::start().await;
    let issues = forges::gitlab(&server).await;
    let repo = Repo::new(&format!(
        "reconcile:\n  default_branch: main\n  repositories:\n    - name: platform\n      path: .\n      forge_repo: acme/infra\n\
         forge:\n  gitlab:\n    url: {}\n    token_env: PAVED_TEST_GL_TOKEN\n",
        server.uri()
    ));
    let (code, out) = repo.drift(VPC_DRIFTS, STACK);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("issue opened: https://gitlab.example.com/acme/infra/-/issues/1"), "{out}");
    let (code, out) = repo.drift(VPC_DRIFTS, STACK);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("core-ue2-dev/vpc  0 to add, 1 to change, 0 to destroy; issue updated"), "{out}");
    assert_eq!(issues.all().len(), 1);
    let (code, out) = repo.drift("", STACK);
    assert_eq!(code, 0, "{out}");
    let all = issues.all();
    assert!(!all[0].open && all[0].comments[0].contains("in sync again"), "{all:?}");
    assert_eq!(all[0].labels, ["paved-drift"]);
}

#[test]
fn dry_run_prints_the_plan_commands_and_touches_nothing() {
    let repo = Repo::new("");
    let (code, out) = repo.drift("", &["--dry-run", "-s", "core-ue2-dev", "vpc"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "skipped  core-ue2-dev/vpc  atmos terraform plan vpc -s core-ue2-dev -input=false -detailed-exitcode"
        ),
        "{out}"
    );
    assert!(out.contains("dry run: the commands above were printed, not run"), "{out}");
}

#[test]
fn a_broken_configuration_exits_1_not_2() {
    let repo = Repo::new("server:\n  drift:\n    interval: soon\n");
    let (code, out) = repo.drift("", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("paved drift: error:"), "{out}");
}
