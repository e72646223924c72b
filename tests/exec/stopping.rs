//! Timeouts and cancels: SIGTERM to the whole process group, SIGKILL after the grace period.

use std::time::Duration;

use paved::exec::{AtmosCommand, Executor};

use crate::support::{Standin, context};

#[tokio::test]
async fn a_timeout_stops_atmos_like_ctrl_c() {
    let s = Standin::new("plan vpc dev add=1 sleep=60\n");
    let (ctx, sink) = context();
    let ctx = ctx.with_timeout(Duration::from_millis(500)).with_kill_grace(Duration::from_secs(20));
    let out = s.executor.run(&AtmosCommand::plan("vpc", "dev", &s.path("p")).unwrap(), &ctx).await.unwrap();
    assert!(out.timed_out && !out.cancelled && !out.killed, "{out:?}");
    // The stand-in handles SIGTERM as Terraform does: stop gracefully, exit 1.
    assert_eq!(out.exit_code, Some(1));
    assert!(sink.text(paved::exec::Stream::Stdout).contains("Interrupt received."));
    assert!(out.duration < Duration::from_secs(15), "{:?}", out.duration);
    assert!(!out.success());
}

#[tokio::test]
async fn a_timeout_that_sigterm_cannot_stop_ends_with_sigkill() {
    let s = Standin::new("deploy vpc dev add=1 sleep=60 trap=ignore\n");
    let (ctx, _) = context();
    let ctx = ctx.with_timeout(Duration::from_millis(400)).with_kill_grace(Duration::from_millis(400));
    let deploy = AtmosCommand::new(&["terraform", "deploy"], "vpc", "dev").unwrap();
    let out = s.executor.run(&deploy, &ctx).await.unwrap();
    assert!(out.timed_out && out.killed && !out.cancelled, "{out:?}");
    assert_eq!(out.signal, Some(libc::SIGKILL));
    assert!(out.stdout.contains("aws_subnet.private[0]: Creating..."), "output before the stop is kept");
    assert!(out.duration >= Duration::from_millis(800) && out.duration < Duration::from_secs(5), "{:?}", out.duration);
}

#[tokio::test]
async fn a_cancel_that_sigterm_cannot_stop_ends_with_sigkill() {
    // trap=ignore: SIGTERM is ignored by the stand-in and its `sleep` child alike.
    let s = Standin::new("destroy vpc dev sleep=60 trap=ignore\n");
    let (ctx, _) = context();
    let ctx = ctx.with_kill_grace(Duration::from_millis(700));
    let cancel = ctx.cancel.clone();
    let cancelled_at = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        cancel.cancel();
        std::time::Instant::now()
    });
    let out = s.executor.run(&AtmosCommand::destroy("vpc", "dev").unwrap(), &ctx).await.unwrap();
    let ended = std::time::Instant::now();
    let cancelled_at = cancelled_at.await.unwrap();
    assert!(out.cancelled && out.killed && !out.timed_out, "{out:?}");
    assert_eq!((out.exit_code, out.signal), (None, Some(libc::SIGKILL)));
    // Not before the grace period, and not after waiting on the orphaned `sleep` holding the
    // pipe: the whole group was killed at once.
    let stopping = ended - cancelled_at;
    assert!(stopping >= Duration::from_millis(650), "{stopping:?}");
    assert!(stopping < Duration::from_secs(4), "{stopping:?}");
}

#[tokio::test]
async fn dropping_the_run_kills_the_process_group() {
    let s = Standin::new("plan vpc dev sleep=60 trap=ignore\n");
    let executor = s.executor.clone();
    let planfile = s.path("p");
    let task = tokio::spawn(async move {
        let (ctx, _) = context();
        executor.run(&AtmosCommand::plan("vpc", "dev", &planfile).unwrap(), &ctx).await
    });
    let pid = loop {
        if let Some(call) = s.calls().first() {
            break call["pid"].as_i64().unwrap();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    task.abort();
    let _ = task.await;
    for _ in 0..100 {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Gone, or a zombie waiting to be reaped: not running either way.
        if state.is_empty() || state.split(") ").nth(1).is_some_and(|rest| rest.starts_with('Z')) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("atmos (pid {pid}) still runs after its run was dropped");
}
