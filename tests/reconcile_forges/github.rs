//! GitHub: pull request opened → plan → one check run and one sticky comment; approved by the
//! owners and merged → re-plan and deploy in dependency order → a check run on the merge
//! commit, the apply comment, and the audit note in git. And step logs are in the store while
//! atmos still runs.

use std::sync::Arc;

use paved::forge::github::{GitHub, GitHubAuth, GitHubOptions};
use paved::forge::secret::Secret;
use paved::reconcile::{Flow, Request, Selection, TargetStatus, reconcile};
use paved::store::{RunFilter, RunStatus, StepStatus};
use serde_json::Value;
use wiremock::MockServer;

use crate::fake_github::FakeGitHub;
use crate::world::*;

async fn world() -> (World, FakeGitHub, MockServer) {
    let (server, gh) = FakeGitHub::start().await;
    let mut opts = GitHubOptions::new(GitHubAuth::Token(Secret::new("ghp_PavedTestToken0123456789abcdefghijklmn")));
    opts.api_url = server.uri();
    let w = World::new(Arc::new(GitHub::new(opts).unwrap())).await;
    (w, gh, server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_request_is_planned_on_github_then_applied_in_dependency_order_when_merged() {
    let (w, gh, _server) = world().await;
    let root = w.root();
    let base = git_out(&root, &["rev-parse", "HEAD"]);
    git(&root, &["checkout", "-q", "-b", "grow"]);
    grow(&root);
    git(&root, &["commit", "-q", "-am", "Grow the dev VPC and its cluster"]);
    let head = git_out(&root, &["rev-parse", "HEAD"]);
    git(&root, &["checkout", "-q", "main"]);
    gh.open_pull(7, "grow", &head, &base);

    // Opened: plan.
    let (plan, outcome) = reconcile(Request::new(NAME, "grow").pull_request(7), &w.ctx).await;
    assert_eq!(outcome.status, RunStatus::Succeeded, "{:#?}", plan.conditions);
    assert_eq!(plan.flow, Flow::Plan);
    let mut planned: Vec<String> =
        plan.targets.iter().map(|t| format!("{}/{}", t.target.stack, t.target.component)).collect();
    planned.sort();
    assert_eq!(planned, ["plat-ue2-dev/eks/cluster", "plat-ue2-dev/vpc"]);
    let checks = gh.checks_on(&head);
    assert_eq!(checks.len(), 1, "{checks:#?}");
    assert_eq!((checks[0]["name"].as_str(), checks[0]["status"].as_str()), (Some("paved/plan"), Some("completed")));
    assert_eq!(checks[0]["conclusion"], "success");
    // Each component's annotation sits on the line the pull request changed in its block.
    let annotations = checks[0]["output"]["annotations"].as_array().cloned().unwrap_or_default();
    let head_text = git_out(&root, &["show", &format!("{head}:{STACK_FILE}")]);
    let line_of = |needle: &str| head_text.lines().position(|l| l.contains(needle)).unwrap() as u64 + 1;
    for (title, line) in
        [("vpc in plat-ue2-dev", line_of("10.0.0.0/17")), ("eks/cluster in plat-ue2-dev", line_of("desired_size: 3"))]
    {
        let found = annotations.iter().find(|a| a["title"] == title).unwrap_or_else(|| panic!("{annotations:#?}"));
        assert_eq!(found["path"], STACK_FILE);
        assert_eq!((found["start_line"].as_u64(), found["end_line"].as_u64()), (Some(line), Some(line)), "{found:#}");
    }
    let comments = gh.comments();
    assert_eq!(comments.len(), 1);
    let body = comments[0]["body"].as_str().unwrap();
    assert!(body.contains("| `plat-ue2-dev` | `vpc` | 1 | 1 | 0 |"), "{body}");
    assert!(body.contains("| `plat-ue2-dev` | `eks/cluster` | 1 | 1 | 0 |"), "{body}");

    // Planned again (a re-run): the sticky comment is found and kept, no second one is posted.
    let (_, again) = reconcile(Request::new(NAME, "grow").pull_request(7), &w.ctx).await;
    assert_eq!(again.status, RunStatus::Succeeded);
    assert_eq!(gh.comments().len(), 1);
    let posts = gh.calls().iter().filter(|c| *c == "POST /repos/acme/infra/issues/7/comments").count();
    assert_eq!(posts, 1);

    // Approved by a member of each owning Group (networking: vpc, compute: the cluster), merged.
    gh.approve("kwame.asante", &head);
    gh.approve("priya.raman", &head);
    git(&root, &["merge", "-q", "--no-ff", "-m", "Merge pull request #7 from acme/grow", "grow"]);
    let merge = git_out(&root, &["rev-parse", "HEAD"]);
    gh.merge(&merge, "carol");
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
    let checks = gh.checks_on(&merge);
    assert_eq!(checks.len(), 1, "{checks:#?}");
    assert_eq!((checks[0]["name"].as_str(), checks[0]["conclusion"].as_str()), (Some("paved/apply"), Some("success")));
    let comments = gh.comments();
    assert_eq!(
        (with_purpose(&comments, "plan").len(), with_purpose(&comments, "apply").len()),
        (1, 1),
        "{comments:#?}"
    );
    let applied = with_purpose(&comments, "apply")[0]["body"].as_str().unwrap().to_string();
    assert!(applied.contains("applied"), "{applied}");

    // The audit note on the merge commit: who merged, who approved, what ran.
    let note = git_out(&root, &["notes", "--ref=paved", "show", &merge]);
    let entry: Value = serde_json::from_str(note.lines().last().unwrap()).unwrap();
    assert_eq!(entry["merged_by"], "carol", "{entry:#}");
    let approvers = entry["approved_by"].to_string();
    assert!(approvers.contains("kwame.asante") && approvers.contains("priya.raman"), "{entry:#}");
    assert_eq!(entry["components"].as_array().map(Vec::len), Some(2), "{entry:#}");

    assert!(gh.state().unknown.is_empty(), "unexpected GitHub calls: {:?}", gh.state().unknown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_logs_reach_the_store_while_atmos_runs() {
    let (w, _gh, _server) = world().await;
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
