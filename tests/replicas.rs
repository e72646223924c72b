//! Several `paved serve` processes on one PostgreSQL database (issue 9): they share the work
//! without doing any of it twice at once, lose nothing, and a replica that dies has its work
//! taken over once its leases run out.

#[path = "support/repo.rs"]
mod repo_support;

#[path = "replicas/cluster.rs"]
mod cluster;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use paved::store::{Locks, Run, RunFilter, RunStatus, Runs, Store};

use cluster::{Cluster, Delivery, overlaps, settle};

/// Every run, newest first (the store lists at most a page at a time).
async fn all_runs(store: &dyn Store) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    loop {
        let filter = RunFilter { limit: 200, before_id: out.last().map(|r| r.id), ..Default::default() };
        let page = store.list_runs(&filter).await.unwrap();
        if page.is_empty() {
            return out;
        }
        out.extend(page);
    }
}

const PRS: u64 = 8;
const EVENTS: usize = 500;

/// 500 deliveries, alternating between two replicas, eight in flight at a time: pull request
/// updates for eight requests (each plans its own stack), pushes to main (which apply), and
/// every tenth one a redelivery of an earlier delivery to the *other* replica.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_share_500_deliveries_without_overlap_loss_or_duplicates() {
    let cluster = Cluster::new("share", PRS).await;
    let mut a = cluster.start("replica-a", "");
    let mut b = cluster.start("replica-b", "");
    let urls = [a.url.clone(), b.url.clone()];
    paved::forge::install_crypto_provider();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();

    // Build the stream: (replica index, delivery, is a redelivery, pull request or None for main).
    let mut plan: Vec<(usize, Delivery, bool, Option<u64>)> = Vec::new();
    for i in 0..EVENTS {
        let to = i % 2;
        if i % 10 == 9 {
            // The same delivery again, to the other replica: a replay, refused. At least eight
            // back, so the first sending has been answered (eight are in flight at a time).
            let earlier = if (i / 10) % 2 == 0 { i - 9 } else { i - 15 };
            let (_, d, _, pr) = &plan[earlier];
            let again = Delivery { event: d.event, id: d.id.clone(), body: d.body.clone() };
            plan.push((to, again, true, *pr));
        } else if i % 10 == 4 {
            plan.push((to, Delivery::push_main(format!("push-{i}"), &cluster.main_sha), false, None));
        } else {
            let n = (i as u64 % PRS) + 1;
            plan.push((to, Delivery::synchronize(format!("pr-{i}"), n, &cluster.heads[&n]), false, Some(n)));
        }
    }

    let started = Instant::now();
    let answers: Vec<(u16, serde_json::Value, Instant)> = futures_util::stream::iter(plan.iter())
        .map(|(to, d, _, _)| {
            let (http, url) = (http.clone(), urls[*to].clone());
            async move {
                let sent = Instant::now();
                let (status, body) = d.send(&http, &url).await;
                (status, body, sent)
            }
        })
        .buffered(8)
        .collect()
        .await;

    let store = cluster.db.store().await;
    let settled = settle(&store, Duration::from_secs(45)).await;
    let elapsed = started.elapsed();
    settled.unwrap_or_else(|e| panic!("{e}\nA:\n{}\nB:\n{}", a.logs(), b.logs()));

    // Replays are refused (409), everything else is queued (202), nothing else happens.
    let mut new_requests: BTreeMap<Option<u64>, usize> = BTreeMap::new();
    for ((_, d, replay, pr), (status, body, _)) in plan.iter().zip(&answers) {
        if *replay {
            assert_eq!(*status, 409, "redelivery {} was not refused: {body}", d.id);
        } else {
            assert_eq!(*status, 202, "delivery {} not queued: {body}", d.id);
            if body["collapsed"] == false {
                *new_requests.entry(*pr).or_default() += 1;
            }
        }
    }

    let runs = all_runs(&store).await;
    // Nothing lost: every pull request and main has a run that started after its last delivery
    // was sent, and every run ended well.
    for pr in new_requests.keys() {
        let last_sent = plan
            .iter()
            .zip(&answers)
            .filter(|((_, _, replay, p), _)| !replay && p == pr)
            .map(|(_, (_, _, sent))| *sent)
            .max()
            .unwrap();
        let age = chrono::Duration::from_std(last_sent.elapsed()).unwrap();
        let after = chrono::Utc::now() - age;
        let ours: Vec<&Run> = runs.iter().filter(|r| &r.pull_request == pr).collect();
        assert!(
            ours.iter().any(|r| r.created_at >= after - chrono::Duration::milliseconds(5)),
            "no run of {pr:?} began after its last delivery: {ours:#?}"
        );
    }
    let bad: Vec<_> = runs.iter().filter(|r| r.status != RunStatus::Succeeded).collect();
    assert!(bad.is_empty(), "runs that did not succeed: {bad:#?}\nA:\n{}\nB:\n{}", a.logs(), b.logs());

    // No duplicates: a request is worked once, so no more runs than requests were queued new.
    for (pr, new) in &new_requests {
        let count = runs.iter().filter(|r| &r.pull_request == pr).count();
        assert!(count <= *new, "{count} runs of {pr:?} for {new} queued request(s)");
    }

    // Never twice at once: no two atmos calls of one (stack, component) overlap in time.
    let calls = cluster.calls();
    let clash = overlaps(&calls);
    assert!(clash.is_empty(), "overlapping calls:\n{}", clash.join("\n"));
    // Each pull request planned its own stack; main applied dev/vpc exactly once.
    for n in 1..=PRS {
        let stack = format!("pr{n}");
        assert!(calls.iter().any(|c| c.verb == "plan" && c.stack == stack), "pr{n} was never planned");
    }
    assert_eq!(calls.iter().filter(|c| c.verb == "deploy").count(), 1, "dev/vpc is applied once: {calls:#?}");
    // Each pull request's check reached GitHub (through the HTTP API the fake speaks).
    let requests = cluster.forge.received_requests().await.unwrap_or_default();
    for (n, head) in &cluster.heads {
        let posted = requests.iter().any(|r| {
            r.method.as_str() == "POST"
                && r.url.path().ends_with("/check-runs")
                && serde_json::from_slice::<serde_json::Value>(&r.body).is_ok_and(|b| b["head_sha"] == head.as_str())
        });
        assert!(posted, "no check was posted for pull request {n}");
    }
    // The work was shared.
    for r in ["replica-a", "replica-b"] {
        assert!(runs.iter().any(|run| run.replica.as_deref() == Some(r)), "{r} ran nothing");
    }
    eprintln!(
        "{EVENTS} deliveries, {} runs, {} atmos calls, settled in {:.1} s",
        runs.len(),
        calls.len(),
        elapsed.as_secs_f64()
    );

    a.stop();
    b.stop();
    assert!(store.list_locks().await.unwrap().is_empty(), "locks left after both stopped");
    store.close().await;
    cluster.db.drop_now().await;
}

/// Replica A claims an apply whose deploy hangs, and is killed (SIGKILL: no draining, nothing
/// released). Replica B takes the request over once A's claim lease runs out, takes A's lock
/// over once its lease runs out (A's run becomes interrupted), and finishes the apply.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_replicas_apply_is_taken_over_after_its_leases() {
    // Locks lapse before claims, so B finds the lock free when it gets the request.
    let cluster = Cluster::with_reconcile("takeover", 0, "  lock_lease: 2s\n").await;
    std::fs::write(cluster.slow_file(), "60").unwrap();
    let leases = "  claim_lease: 4s\n";
    let mut a = cluster.start("replica-a", leases);
    paved::forge::install_crypto_provider();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let push = Delivery::push_main("takeover-1".into(), &cluster.main_sha);
    assert_eq!(push.send(&http, &a.url).await.0, 202);

    // A holds dev/vpc and is deploying it.
    let store = cluster.db.store().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let first = loop {
        let locks = store.list_locks().await.unwrap();
        if let Some(lock) = locks.iter().find(|l| l.owner == "replica-a") {
            break lock.clone();
        }
        assert!(Instant::now() < deadline, "replica A never locked dev/vpc\n{}", a.logs());
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // Its deploy has started (the plan before it ended and was logged).
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cluster.calls().iter().any(|c| c.verb == "plan") {
        assert!(Instant::now() < deadline, "replica A never planned\n{}", a.logs());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut b = cluster.start("replica-b", leases);
    a.kill_hard();
    let killed = Instant::now();
    // B's deploy is quick but not instant, so the lock can be seen re-owned while it runs.
    std::fs::write(cluster.slow_file(), "1").unwrap();

    let deadline = Instant::now() + Duration::from_secs(40);
    let mut reowned = false;
    let finished = loop {
        if let Some(l) = store.list_locks().await.unwrap().iter().find(|l| l.key == first.key) {
            reowned |= l.owner == "replica-b" && l.run_id != first.run_id;
        }
        let runs = all_runs(&store).await;
        if let Some(done) = runs.iter().find(|r| r.replica.as_deref() == Some("replica-b") && r.status.is_terminal()) {
            break done.clone();
        }
        assert!(Instant::now() < deadline, "replica B did not finish the apply: {runs:#?}\n{}", b.logs());
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let took = killed.elapsed();
    assert_eq!(finished.status, RunStatus::Succeeded, "{finished:#?}\n{}", b.logs());
    assert!(reowned, "the lock of dev/vpc was never seen held by replica B's run");
    assert!(took >= Duration::from_secs(2), "taken over before the lease ran out ({took:?})");
    let a_run = store.get_run(first.run_id).await.unwrap().unwrap();
    assert_eq!(a_run.status, RunStatus::Interrupted, "A's run: {a_run:#?}");
    let deploys: Vec<_> = cluster.calls().into_iter().filter(|c| c.verb == "deploy").collect();
    assert!(deploys.iter().any(|c| c.replica == "replica-b"), "B deployed: {deploys:#?}");
    eprintln!("taken over and finished {:.1} s after the kill", took.as_secs_f64());

    b.stop();
    cluster.reap_sleeps();
    assert!(store.list_locks().await.unwrap().is_empty(), "B released the lock when it stopped");
    store.close().await;
    cluster.db.drop_now().await;
}
