//! `paved serve`: the long-running reconciler. Webhooks and local/remote sources queue work,
//! workers drain the queue, and the HTTP API, events and metrics show it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use paved::forge::secret::SecretSource;
use paved::forge::webhook::StoreDeliveryLog;
use paved::reconcile::setup::{self, ExecutorKind, SetupOptions};
use paved::reconcile::{Action, sources, worker};
use paved::server::{self, Server};
use paved::store::{InterruptScope, ReconcileRequest, StoreTarget};
use tokio_util::sync::CancellationToken;

use super::Outcome;

#[derive(Debug, clap::Args)]
#[command(
    about = "Run the reconciler as a service: webhooks, ChatOps, REST API, events and metrics",
    after_help = "Examples:\n  paved serve                              # paved.yaml in the current directory, port 8080\n  paved serve /srv/platform --listen 127.0.0.1:9000\n  DATABASE_URL=postgres://paved@db/paved paved serve   # several replicas share one database\n\nEndpoints: /webhooks/github, /webhooks/gitlab, /api/v1/runs, /api/v1/locks, /api/v1/events,\n/metrics, /healthz, /readyz (docs/openapi.yaml). SIGTERM or Ctrl-C drains and stops."
)]
pub struct Args {
    /// The directory holding paved.yaml (and the repository, when reconcile.repositories lists none).
    #[arg(default_value = ".")]
    path: PathBuf,
    #[arg(long)]
    config: Option<PathBuf>,
    /// Address to listen on (default: server.listen, else 0.0.0.0:8080).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Print the atmos commands instead of running them.
    #[arg(long)]
    dry_run: bool,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the runtime")?;
    rt.block_on(serve(args))
}

async fn serve(args: Args) -> anyhow::Result<Outcome> {
    let (cfg, over) = super::reconcile::load_config(&args.path, args.config.as_deref())?;
    let replica = cfg.server.replica.clone().unwrap_or_else(server::default_replica);
    let opts = SetupOptions {
        dry_run: args.dry_run,
        config_override: over,
        replica: replica.clone(),
        database_url: std::env::var("DATABASE_URL").ok(),
        ..SetupOptions::default()
    };
    let setup = setup::build(&args.path, &cfg, opts).await.context("cannot set up the reconciler")?;
    let exec = match &setup.executor {
        ExecutorKind::Atmos(p) => format!("atmos at {}", p.display()),
        ExecutorKind::DryRun(why) => format!("dry run ({why})"),
    };
    let scope = match setup.store {
        StoreTarget::Postgres(_) => InterruptScope::Replica(replica.clone()),
        // The embedded store has one process: whatever ran before was interrupted.
        _ => InterruptScope::AllRunning,
    };
    let mut ctx = setup.ctx;
    ctx.settings.claim_lease = cfg.server.claim_lease;
    let ctx = Arc::new(ctx);
    for id in worker::recover(&ctx, &scope).await? {
        tracing::warn!(run = id, "run was interrupted; its locks stay pinned until a new plan");
    }

    let deliveries = Arc::new(StoreDeliveryLog(ctx.store.clone()));
    let receiver = paved::forge::setup::receiver(&cfg.forge, deliveries).context("cannot load webhook secrets")?;
    let mut srv = Server::new(ctx.store.clone(), receiver);
    if let Some(forge) = &ctx.forge {
        srv.forges.insert(forge.kind(), forge.clone());
    }
    if let Some(token) = &cfg.server.admin_token {
        let source = SecretSource::from(token);
        srv.admin_token = Some(source.load().map_err(|e| anyhow::anyhow!("server admin token: {e}"))?);
    }
    srv.runs = ctx.cancels.clone();
    for (name, handle) in &ctx.repos {
        if let Some(forge_repo) = &handle.forge_repo {
            srv.repo_names.insert(forge_repo.as_str().to_string(), name.clone());
        }
    }
    if srv.repo_names.is_empty() && ctx.forge.is_some() {
        tracing::warn!("no reconcile.repositories entry names a forge_repo: webhooks are matched by repository name");
    }
    let srv = Arc::new(srv);

    let shutdown = CancellationToken::new();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..cfg.server.workers {
        let (ctx, srv, stop) = (ctx.clone(), srv.clone(), shutdown.child_token());
        tasks.spawn(work(ctx, srv, stop));
    }
    tasks.spawn(server::follow_cancels(
        ctx.store.clone(),
        ctx.cancels.clone(),
        Duration::from_millis(500),
        shutdown.child_token(),
    ));
    let _watches = start_sources(&cfg, &args.path, &ctx, &shutdown, &mut tasks);
    spawn_drift_schedule(&cfg, &ctx, srv.metrics.clone(), &shutdown, &mut tasks);

    let listen = args.listen.unwrap_or(cfg.server.listen);
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    eprintln!(
        "paved serve: listening on {} as {replica}; store: {}; executor: {exec}",
        listener.local_addr()?,
        setup.store.describe()
    );
    let signal = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        eprintln!("paved serve: shutting down (finishing claimed work)");
        signal.cancel();
    });
    server::serve(srv, listener, shutdown.clone()).await.context("the HTTP server failed")?;
    shutdown.cancel();
    while tasks.join_next().await.is_some() {}
    let released = ctx.store.release_all(&replica).await.unwrap_or(0);
    eprintln!("paved serve: stopped; released {released} lock(s)");
    Ok(Outcome::Clean)
}

/// Another replica's enqueue wakes nobody here, so an idle worker still looks every so often.
const IDLE_POLL: Duration = Duration::from_millis(500);

/// One worker: claims and reconciles requests until `stop`. A request newly queued through
/// this replica's webhooks wakes one idle worker at once; each run is counted in the replica's
/// metrics.
async fn work(ctx: Arc<paved::reconcile::Context>, srv: Arc<Server>, stop: CancellationToken) {
    while !stop.is_cancelled() {
        // Armed before the claim, so a request queued between "nothing to claim" and the wait
        // still wakes this worker.
        let mut queued = Box::pin(srv.queued.notified());
        queued.as_mut().enable();
        let began = Instant::now();
        let claimed = match worker::claim(&ctx).await {
            Ok(Some(claim)) => claim,
            Ok(None) | Err(_) => {
                tokio::select! {
                    _ = &mut queued => {}
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                    _ = stop.cancelled() => {}
                }
                continue;
            }
        };
        // Busy from here: a wake-up this worker took while claiming passes to an idle one
        // (tokio hands an unused `notify_one` on when its waiter is dropped).
        drop(queued);
        let Ok(worked) = worker::work_claimed(&ctx, claimed).await else { continue };
        let Some((state, outcome)) = &worked.run else { continue };
        let kind = state.flow.run_kind();
        srv.metrics.run_finished(kind.as_str(), outcome.status.as_str(), began.elapsed());
        if let Action::Requeue(after) = outcome.action {
            let (store, req, stop) = (ctx.store.clone(), worked.request.clone(), stop.clone());
            tokio::spawn(async move {
                tokio::select! {
                    _ = tokio::time::sleep(after) => { let _ = store.enqueue(&req).await; }
                    _ = stop.cancelled() => {}
                }
            });
        }
    }
}

/// Local repositories are watched; remote ones are polled.
fn start_sources(
    cfg: &paved::config::Config,
    root: &std::path::Path,
    ctx: &Arc<paved::reconcile::Context>,
    shutdown: &CancellationToken,
    tasks: &mut tokio::task::JoinSet<()>,
) -> Vec<sources::LocalWatch> {
    let mut watches = Vec::new();
    for (name, handle) in &ctx.repos {
        let request = ReconcileRequest {
            repo: name.clone(),
            git_ref: handle.default_branch.clone(),
            pull_request: None,
            reason: "push".into(),
        };
        let listed = cfg.reconcile.repositories.iter().find(|r| &r.name == name);
        match listed.map(|r| &r.source) {
            Some(paved::config::RepositorySource::Url(_)) => {
                let every = listed.map_or(Duration::from_secs(60), |r| r.poll);
                let (store, repo, stop) = (ctx.store.clone(), handle.repo.clone(), shutdown.child_token());
                tasks.spawn(sources::poll_remote(store, repo, request, every, stop));
            }
            source => {
                let dir = match source {
                    Some(paved::config::RepositorySource::Path(p)) => root.join(p),
                    _ => root.to_path_buf(),
                };
                match sources::watch_local(ctx.store.clone(), dir.clone(), request, cfg.reconcile.debounce) {
                    Ok(w) => watches.push(w),
                    Err(e) => tracing::warn!(path = %dir.display(), error = %e, "cannot watch a local repository"),
                }
            }
        }
    }
    watches
}

// ---- drift schedule (owned by the drift helper; see docs/drift.md) ----

/// Every `server.drift.interval`, one replica of those sharing the store runs a drift pass
/// (they agree through the store's `drift` lease). Stops with the server; a pass cut short
/// finishes its running plan and hands the lease back.
fn spawn_drift_schedule(
    cfg: &paved::config::Config,
    ctx: &Arc<paved::reconcile::Context>,
    metrics: server::Metrics,
    shutdown: &CancellationToken,
    tasks: &mut tokio::task::JoinSet<()>,
) {
    let Some(interval) = cfg.server.drift_interval else { return };
    let opts = paved::drift::DriftOptions { max_open_issues: cfg.server.drift_max_open_issues, ..Default::default() };
    eprintln!("paved serve: drift checks every {}s", interval.as_secs());
    let record = move |s: &paved::drift::DriftSummary, took: Duration| {
        let outcome = if s.error_count() > 0 { "failed" } else { "succeeded" };
        metrics.run_finished("drift", outcome, took);
    };
    tasks.spawn(paved::drift::schedule::run_schedule(ctx.clone(), opts, interval, shutdown.child_token(), record));
}

// ---- end of the drift schedule ----

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
