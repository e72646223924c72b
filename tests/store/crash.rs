//! Crash safety: paved killed in the middle of an apply, then started again.

use std::time::Duration;

use paved::store::*;

use crate::both;
use crate::locks::request;
use crate::runs::new_run;
use crate::support::LEASE;

both! {
    async fn a_restart_interrupts_running_runs_and_pins_their_locks(db: TestDb) {
        let key = LockKey::new("plat-ue2-dev", "vpc");
        // Before the crash: replica r1 applies vpc; r2 runs something else; a run is queued.
        let (applying, other, queued) = {
            let s = db.handle().await;
            let applying = s.create_run(&new_run("acme/infra", None, RunKind::Apply)).await.unwrap();
            s.start_run(applying.id, "r1").await.unwrap();
            s.acquire_lock(&request("r1", applying.id)).await.unwrap();
            let step = s.start_step(applying.id, "apply plat-ue2-dev/vpc").await.unwrap();
            s.append_log(step.id, "aws_vpc.default: Creating...\n").await.unwrap();
            let other = s.create_run(&new_run("acme/infra", Some(3), RunKind::Plan)).await.unwrap();
            s.start_run(other.id, "r2").await.unwrap();
            let queued = s.create_run(&new_run("acme/infra", Some(4), RunKind::Plan)).await.unwrap();
            (applying.id, other.id, queued.id)
            // The pool is dropped without closing anything: the process died.
        };

        // r1 starts again, on a new pool.
        let s = db.handle().await;
        assert_eq!(s.mark_interrupted(&InterruptScope::Replica("r1".into())).await.unwrap(), vec![applying]);
        let run = s.get_run(applying).await.unwrap().unwrap();
        assert_eq!(run.status, RunStatus::Interrupted);
        assert!(run.finished_at.is_some());
        assert_eq!(s.steps(applying).await.unwrap()[0].status, StepStatus::Interrupted);
        assert_eq!(s.get_run(other).await.unwrap().unwrap().status, RunStatus::Running, "r2's run is r2's business");
        assert_eq!(s.get_run(queued).await.unwrap().unwrap().status, RunStatus::Queued);
        // A late report from the interrupted run changes nothing.
        let late = RunEnd { status: RunStatus::Succeeded, conclusion: None, summary: serde_json::json!({}) };
        assert!(!s.finish_run(applying, &late).await.unwrap());

        // Its lock stays, pinned: no lease runs out, so nothing applies it again without a new plan.
        let lock = s.list_locks().await.unwrap().remove(0);
        assert!(lock.is_pinned() && lock.run_id == applying);
        db.clock.advance(Duration::from_secs(7 * 86_400));
        let LockOutcome::HeldBy(holder) = s.acquire_lock(&request("r2", 77)).await.unwrap() else { panic!("taken") };
        assert!(holder.is_pinned());
        assert!(matches!(s.acquire_lock(&request("r1", applying)).await.unwrap(), LockOutcome::HeldBy(_)));
        assert!(!s.renew_lock(&key, "r1", LEASE).await.unwrap());
        assert!(!s.release_lock(&key, "r1").await.unwrap());
        assert_eq!(s.release_all("r1").await.unwrap(), 0);

        // Only an explicit unlock (admin, or after a new successful plan) frees it.
        assert_eq!(s.force_unlock(&key).await.unwrap().map(|l| l.run_id), Some(applying));
        assert!(matches!(s.acquire_lock(&request("r2", 77)).await.unwrap(), LockOutcome::Acquired { .. }));

        // A single-process install ends every running run.
        assert_eq!(s.mark_interrupted(&InterruptScope::AllRunning).await.unwrap(), vec![other]);
        assert_eq!(s.mark_interrupted(&InterruptScope::AllRunning).await.unwrap(), Vec::<i64>::new());
    }
}
