//! `paved reconcile`, `paved plan`, `paved apply`: the reconciler from a terminal or a CI job.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use is_terminal::IsTerminal;
use paved::config::{self, Config};
use paved::reconcile::setup::{self, ExecutorKind, SetupOptions};
use paved::reconcile::worker;
use paved::reconcile::{Flow, Request, RunState, Selection, TargetStatus, reconcile};
use paved::store::{InterruptScope, ReconcileRequest, RunStatus, StoreTarget};

use super::Outcome;
use super::progress::Bar;

#[derive(Debug, clap::Args)]
#[command(
    about = "Reconcile local repositories once: validate, find what changed since the last run, plan and apply it",
    after_help = "Examples:\n  paved reconcile --once                 # the repository in the current directory\n  paved reconcile --once examples --dry-run\n  paved reconcile --once --config ci/paved.yaml\n\nWithout atmos on PATH the commands are printed, not run (the dry-run executor).\nState is kept in .paved/state.db (or store.url / DATABASE_URL)."
)]
pub struct ReconcileArgs {
    /// One pass over the queue, then exit (the long-running form is `paved serve`).
    #[arg(long)]
    once: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, clap::Args)]
pub struct Common {
    /// The repository root.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Configuration file used instead of paved.yaml (also instead of the base branch's).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Print the atmos commands instead of running them.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  paved plan                              # what the current branch changes\n  paved plan --pr 42                      # a pull request (needs forge: in paved.yaml)\n  paved plan -s plat-ue2-dev vpc          # one component\n  paved apply --ref main                  # apply what main changed since the last apply\n  paved apply -s plat-ue2-dev vpc --dry-run"
)]
pub struct TargetArgs {
    /// Only this component.
    #[arg(value_name = "COMPONENT")]
    component_arg: Option<String>,
    /// Only this component (the same as COMPONENT).
    #[arg(short = 'c', long, conflicts_with = "component_arg")]
    component: Option<String>,
    /// Only this stack.
    #[arg(short = 's', long)]
    stack: Option<String>,
    /// The ref to reconcile (default: the current branch).
    #[arg(long = "ref")]
    git_ref: Option<String>,
    /// A pull/merge request number: its state decides what happens (needs forge: in paved.yaml).
    #[arg(long)]
    pr: Option<u64>,
    /// Every component, not only those changed since the base.
    #[arg(long)]
    all: bool,
    /// The repository name from reconcile.repositories (default: the first).
    #[arg(long)]
    repo: Option<String>,
    /// The repository root.
    #[arg(long, default_value = ".")]
    path: PathBuf,
    #[arg(long)]
    config: Option<PathBuf>,
    #[arg(long)]
    dry_run: bool,
}

pub(super) fn load_config(root: &Path, explicit: Option<&Path>) -> anyhow::Result<(Config, Option<Config>)> {
    let (name, text) = match explicit {
        Some(p) => (
            p.display().to_string(),
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?,
        ),
        None => {
            let p = root.join(config::FILE_NAME);
            match std::fs::read_to_string(&p) {
                Ok(t) => (config::FILE_NAME.to_string(), t),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Config::default(), None)),
                Err(e) => return Err(e).with_context(|| format!("cannot read {}", p.display())),
            }
        }
    };
    let cfg = Config::parse(&name, &text).map_err(|diags| {
        let lines: Vec<String> = diags.iter().map(|d| format!("{}:{}: {}", d.file, d.line, d.message)).collect();
        anyhow::anyhow!("{name} is invalid:\n  {}", lines.join("\n  "))
    })?;
    let over = explicit.is_some().then(|| cfg.clone());
    Ok((cfg, over))
}

async fn build(root: &Path, config: Option<&Path>, dry_run: bool) -> anyhow::Result<(setup::Setup, Arc<Bar>)> {
    let (cfg, over) = load_config(root, config)?;
    let bar = Arc::new(Bar::new(std::io::stderr().is_terminal()));
    let opts = SetupOptions {
        dry_run,
        config_override: over,
        observer: bar.clone(),
        database_url: std::env::var("DATABASE_URL").ok(),
        ..SetupOptions::default()
    };
    let s = setup::build(root, &cfg, opts).await.context("cannot set up the reconciler")?;
    Ok((s, bar))
}

fn header(out: &mut impl Write, s: &setup::Setup) -> std::io::Result<()> {
    let exec = match &s.executor {
        ExecutorKind::Atmos(p) => format!("atmos at {}", p.display()),
        ExecutorKind::DryRun(why) => format!("dry run ({why})"),
    };
    writeln!(out, "store: {}\nexecutor: {exec}", s.store.describe())
}

pub fn run_reconcile(args: ReconcileArgs) -> anyhow::Result<Outcome> {
    if !args.once {
        anyhow::bail!("only `paved reconcile --once` exists; the long-running reconciler is `paved serve`");
    }
    runtime()?.block_on(async move {
        let c = &args.common;
        let (s, bar) = build(&c.path, c.config.as_deref(), c.dry_run).await?;
        let mut out = std::io::stdout().lock();
        header(&mut out, &s)?;
        // A single process owns the embedded store: whatever it left running was interrupted.
        let scope = match s.store {
            StoreTarget::Postgres(_) => InterruptScope::Replica(s.ctx.settings.replica.clone()),
            _ => InterruptScope::AllRunning,
        };
        for id in worker::recover(&s.ctx, &scope).await? {
            writeln!(out, "run {id} was interrupted (paved stopped while it ran); its locks stay until a new plan")?;
        }
        for (name, handle) in &s.ctx.repos {
            let git_ref = handle.default_branch.clone();
            let req =
                ReconcileRequest { repo: name.clone(), git_ref, pull_request: None, reason: "reconcile --once".into() };
            s.ctx.store.enqueue(&req).await?;
        }
        let mut worst = Outcome::Clean;
        while let Some(w) = worker::work_one(&s.ctx).await? {
            bar.finish();
            let Some((state, outcome)) = &w.run else { continue };
            print_run(&mut out, state, outcome, s.dry_run.as_deref())?;
            if outcome.status != RunStatus::Succeeded {
                worst = Outcome::Problems;
            }
        }
        Ok(worst)
    })
}

pub fn run_target(args: TargetArgs, flow: Flow) -> anyhow::Result<Outcome> {
    runtime()?.block_on(async move {
        let (s, bar) = build(&args.path, args.config.as_deref(), args.dry_run).await?;
        let mut out = std::io::stdout().lock();
        header(&mut out, &s)?;
        let repo = match &args.repo {
            Some(r) => r.clone(),
            None => s.ctx.repos.keys().next().cloned().context("no repository is configured")?,
        };
        let handle = s.ctx.repos.get(&repo).with_context(|| format!("no repository named {repo}"))?;
        let git_ref = match (&args.git_ref, flow) {
            (Some(r), _) => r.clone(),
            (None, Flow::Apply) => handle.default_branch.clone(),
            (None, Flow::Plan) => current_branch(&args.path).unwrap_or_else(|| "HEAD".into()),
        };
        let mut req = Request::new(repo, git_ref).flow(flow);
        req.pull_request = args.pr;
        req.selection =
            Selection { stack: args.stack.clone(), component: args.component.clone().or(args.component_arg.clone()) };
        req.all = args.all || !req.selection.is_all();
        req.actor = std::env::var("USER").ok().map(|u| format!("cli:{u}"));
        let (state, outcome) = reconcile(req, &s.ctx).await;
        bar.finish();
        print_run(&mut out, &state, &outcome, s.dry_run.as_deref())?;
        Ok(if outcome.status == RunStatus::Succeeded { Outcome::Clean } else { Outcome::Problems })
    })
}

/// The checked-out branch of the repository `path` is in (also from a folder inside it).
fn current_branch(path: &Path) -> Option<String> {
    paved::git::Repo::discover(path).ok()?.current_branch()
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

/// The validation summary, what was affected, the atmos commands in order, the result.
fn print_run(
    out: &mut impl Write,
    st: &RunState,
    outcome: &paved::reconcile::Outcome,
    dry: Option<&paved::exec::DryRunExecutor>,
) -> std::io::Result<()> {
    let short = |s: &str| s.get(..12).unwrap_or(s).to_string();
    writeln!(
        out,
        "\n{} {} at {} (run {})",
        st.request.repo,
        st.request.git_ref,
        short(st.head_sha()),
        st.run_id.unwrap_or_default()
    )?;
    let s = &st.report.summary;
    writeln!(out, "validation: {} error(s), {} warning(s)", s.errors, s.warnings)?;
    for d in st.report.diagnostics.iter().take(20) {
        writeln!(out, "  {}:{}:{}: {} [{}] {}", d.file, d.line, d.column, d.severity.as_str(), d.rule, d.message)?;
    }
    if st.report.diagnostics.len() > 20 {
        writeln!(out, "  … {} more (paved validate shows all)", st.report.diagnostics.len() - 20)?;
    }
    let since = match &st.base {
        Some(b) => format!("since {}", short(&b.sha)),
        None => "(first run: every component)".into(),
    };
    writeln!(out, "affected {since}: {} component(s)", st.targets.len())?;
    for t in &st.targets {
        let why = match (&st.base, t.target.reasons.as_slice()) {
            (None, _) => "first run".to_string(),
            (_, [one]) => one.clone(),
            (_, [first, rest @ ..]) => format!("{first} +{} more", rest.len()),
            (_, []) => String::new(),
        };
        writeln!(out, "  {}/{} ({why})", t.target.stack, t.target.component)?;
    }
    let commands: Vec<String> = match dry {
        Some(d) => d.commands().iter().map(|c| c.to_string()).collect(),
        None => st.targets.iter().flat_map(|t| t.commands.clone()).collect(),
    };
    if !commands.is_empty() {
        writeln!(out, "atmos commands, in order{}:", if dry.is_some() { " (not run)" } else { "" })?;
        for (i, c) in commands.iter().enumerate() {
            writeln!(out, "  {:>3}. {c}", i + 1)?;
        }
    }
    for t in st.targets.iter().filter(|t| !t.status.is_ok() && t.status != TargetStatus::Pending) {
        writeln!(
            out,
            "  {}/{}: {:?}: {}",
            t.target.stack,
            t.target.component,
            t.status,
            t.message.as_deref().unwrap_or("")
        )?;
    }
    for r in st.requirements.iter().filter(|r| !r.met) {
        writeln!(out, "requirement not met: {}: {}", r.name, r.detail)?;
    }
    writeln!(out, "result: {}: {}", outcome.status, outcome.conclusion)
}
