//! Runs, steps and their logs, plans.

use paved::store::*;
use serde_json::json;

use crate::both;

pub fn new_run(repo: &str, pr: Option<u64>, kind: RunKind) -> NewRun {
    NewRun {
        repo: repo.into(),
        git_ref: pr.map_or("refs/heads/main".into(), |n| format!("refs/pull/{n}/head")),
        sha: "4b6e0501f6398d1a2b3c4d5e6f708192a3b4c5d6".into(),
        pull_request: pr,
        kind,
        actor: Some("octocat".into()),
    }
}

both! {
    async fn run_lifecycle(db: TestDb) {
        let s = &db.store;
        let t0 = db.clock.now();
        let run = s.create_run(&new_run("acme/infra", Some(42), RunKind::Plan)).await.unwrap();
        assert_eq!((run.status, run.pull_request, run.created_at), (RunStatus::Queued, Some(42), t0));
        assert_eq!(run.summary, json!({}));
        assert_eq!((run.started_at, run.finished_at, run.replica.as_deref()), (None, None, None));

        db.clock.advance(std::time::Duration::from_millis(1500));
        assert!(s.start_run(run.id, "replica-a").await.unwrap());
        assert!(!s.start_run(run.id, "replica-b").await.unwrap(), "a running run cannot start again");

        db.clock.advance(std::time::Duration::from_secs(30));
        let summary = json!({"components": [{"stack": "plat-ue2-dev", "component": "vpc", "add": 3}], "ünïcode": "✓"});
        let end =
            RunEnd { status: RunStatus::Succeeded, conclusion: Some("3 to add".into()), summary: summary.clone() };
        assert!(s.finish_run(run.id, &end).await.unwrap());
        let failed = RunEnd { status: RunStatus::Failed, ..end.clone() };
        assert!(!s.finish_run(run.id, &failed).await.unwrap(), "the first ending wins");

        let got = s.get_run(run.id).await.unwrap().unwrap();
        assert_eq!(got.status, RunStatus::Succeeded);
        assert_eq!(got.replica.as_deref(), Some("replica-a"));
        assert_eq!(got.summary, summary);
        assert_eq!(got.started_at.unwrap() - t0, chrono::TimeDelta::milliseconds(1500));
        assert_eq!(got.finished_at.unwrap() - got.started_at.unwrap(), chrono::TimeDelta::seconds(30));
        assert!(s.get_run(run.id + 1000).await.unwrap().is_none());

        let running = RunEnd { status: RunStatus::Running, conclusion: None, summary: json!({}) };
        assert!(matches!(s.finish_run(run.id, &running).await, Err(StoreError::Invalid(_))));
    }

    async fn runs_are_listed_newest_first_and_filtered(db: TestDb) {
        let s = &db.store;
        let mut ids = Vec::new();
        for (repo, pr, kind) in [
            ("acme/infra", Some(1), RunKind::Plan),
            ("acme/infra", Some(2), RunKind::Plan),
            ("acme/infra", None, RunKind::Apply),
            ("acme/other", Some(1), RunKind::Plan),
            ("acme/infra", Some(1), RunKind::Plan),
        ] {
            ids.push(s.create_run(&new_run(repo, pr, kind)).await.unwrap().id);
        }
        let list =
            |f: RunFilter| async move { s.list_runs(&f).await.unwrap().iter().map(|r| r.id).collect::<Vec<_>>() };
        assert_eq!(list(RunFilter::default()).await, ids.iter().rev().copied().collect::<Vec<_>>());
        let infra_pr1 = RunFilter { repo: Some("acme/infra".into()), pull_request: Some(1), ..Default::default() };
        assert_eq!(list(infra_pr1.clone()).await, vec![ids[4], ids[0]]);
        assert_eq!(list(RunFilter { limit: 1, ..infra_pr1.clone() }).await, vec![ids[4]]);
        assert_eq!(list(RunFilter { before_id: Some(ids[4]), ..infra_pr1 }).await, vec![ids[0]]);
        assert_eq!(list(RunFilter { kind: Some(RunKind::Apply), ..Default::default() }).await, vec![ids[2]]);
        assert_eq!(
            list(RunFilter { git_ref: Some("refs/heads/main".into()), ..Default::default() }).await,
            vec![ids[2]]
        );
        s.start_run(ids[1], "r").await.unwrap();
        assert_eq!(list(RunFilter { status: Some(RunStatus::Running), ..Default::default() }).await, vec![ids[1]]);
    }

    async fn steps_keep_their_log_in_order(db: TestDb) {
        let s = &db.store;
        let run = s.create_run(&new_run("acme/infra", Some(7), RunKind::Plan)).await.unwrap();
        let plan = s.start_step(run.id, "plan plat-ue2-dev/vpc").await.unwrap();
        let apply = s.start_step(run.id, "apply plat-ue2-dev/vpc").await.unwrap();
        assert_eq!(plan.status, StepStatus::Running);
        let chunks = ["Initializing the backend...\n", "Plan: 3 to add, 0 to change, 0 to destroy.\n", "✓ done\n"];
        for chunk in chunks {
            s.append_log(plan.id, chunk).await.unwrap();
        }
        s.append_log(apply.id, "other step\n").await.unwrap();
        s.append_log(plan.id, "").await.unwrap();
        assert_eq!(s.step_log(plan.id).await.unwrap(), chunks.concat());
        assert!(s.finish_step(plan.id, StepStatus::Succeeded).await.unwrap());
        assert!(!s.finish_step(plan.id, StepStatus::Failed).await.unwrap());
        assert!(matches!(s.finish_step(apply.id, StepStatus::Running).await, Err(StoreError::Invalid(_))));
        let steps = s.steps(run.id).await.unwrap();
        let names: Vec<_> = steps.iter().map(|st| st.name.as_str()).collect();
        assert_eq!(names, ["plan plat-ue2-dev/vpc", "apply plat-ue2-dev/vpc"]);
        assert_eq!((steps[0].status, steps[0].log_bytes), (StepStatus::Succeeded, chunks.concat().len() as u64));
        assert!(steps[0].finished_at.is_some() && steps[1].finished_at.is_none());
        assert!(matches!(s.append_log(999_999, "x").await, Err(StoreError::Invalid(_))));
    }

    async fn a_step_log_stops_growing_at_its_limit(db: TestDb) {
        let s = &db.store;
        let run = s.create_run(&new_run("acme/infra", None, RunKind::Apply)).await.unwrap();
        let step = s.start_step(run.id, "apply").await.unwrap();
        let mib = "x".repeat(1 << 20);
        for _ in 0..(MAX_STEP_LOG >> 20) + 2 {
            s.append_log(step.id, &mib).await.unwrap();
        }
        let log = s.step_log(step.id).await.unwrap();
        assert!(log.len() as u64 <= MAX_STEP_LOG, "{}", log.len());
        assert!(log.ends_with("the step's log reached its size limit]\n"));
        assert_eq!(log.matches("log truncated").count(), 1);
    }

    async fn plans_are_found_by_pull_request_and_target(db: TestDb) {
        let s = &db.store;
        let key = LockKey::new("plat-ue2-dev", "vpc");
        let plan = |run_id: i64, add: u32| NewPlan {
            run_id,
            stack: key.stack.clone(),
            component: key.component.clone(),
            planfile: Some(format!("/work/.paved/plans/{run_id}.planfile")),
            planfile_digest: Some("ab".repeat(32)),
            plan_digest: Some(format!("{add:064}")),
            add,
            change: 1,
            destroy: 0,
            no_changes: false,
            exit_code: 2,
        };
        let first = s.create_run(&new_run("acme/infra", Some(5), RunKind::Plan)).await.unwrap();
        let second = s.create_run(&new_run("acme/infra", Some(5), RunKind::Plan)).await.unwrap();
        let other_pr = s.create_run(&new_run("acme/infra", Some(6), RunKind::Plan)).await.unwrap();
        let other_repo = s.create_run(&new_run("acme/else", Some(5), RunKind::Plan)).await.unwrap();
        let p1 = s.record_plan(&plan(first.id, 1)).await.unwrap();
        let p2 = s.record_plan(&plan(second.id, 2)).await.unwrap();
        s.record_plan(&plan(other_pr.id, 3)).await.unwrap();
        s.record_plan(&plan(other_repo.id, 4)).await.unwrap();
        let eks = NewPlan {
            component: "eks".into(),
            no_changes: true,
            add: 0,
            change: 0,
            exit_code: 0,
            ..plan(second.id, 0)
        };
        let p_eks = s.record_plan(&eks).await.unwrap();

        assert_eq!((p1.add, p1.change, p1.exit_code, p1.created_at), (1, 1, 2, db.clock.now()));
        assert_eq!(s.latest_plan("acme/infra", 5, &key).await.unwrap(), Some(p2.clone()));
        assert_eq!(s.latest_plan("acme/infra", 7, &key).await.unwrap(), None);
        assert_eq!(s.plans_for_run(second.id).await.unwrap(), vec![p2, p_eks.clone()]);
        assert!(p_eks.no_changes && p_eks.exit_code == 0);
        assert!(s.record_plan(&plan(999_999, 1)).await.is_err(), "a plan belongs to a run");
    }
}
