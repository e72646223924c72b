//! `paved drift`: plan every enabled component of the default branch and keep one forge issue
//! per drifted stack-component. Exit 0 nothing drifted, 2 drift found, 1 errors.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use paved::drift::{DriftOptions, render, run_drift};
use paved::reconcile::Selection;
use paved::reconcile::setup::{self, ExecutorKind, SetupOptions};

use super::Outcome;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Markdown,
}

#[derive(Debug, clap::Args)]
#[command(
    about = "Plan every enabled component for drift and keep one forge issue per drifted component",
    after_help = "Runs `atmos terraform plan COMPONENT -s STACK -input=false -detailed-exitcode` for every enabled,\n\
                  non-abstract component of the default branch, in dependency order, skipping components whose\n\
                  lock is held. With forge: in paved.yaml, a drifted component gets one issue (labelled paved-drift),\n\
                  updated while it drifts and closed when it is in sync again; server.drift.max_open_issues caps them.\n\n\
                  Examples:\n  paved drift\n  paved drift -s plat-ue2-dev vpc --format json\n  paved drift --dry-run\n\n\
                  Exit status: 0 nothing drifted, 2 drift found, 1 errors (a plan failed, an issue could not be\n\
                  written, or paved could not run); errors win over drift."
)]
pub struct Args {
    /// Only this component.
    #[arg(value_name = "COMPONENT")]
    component_arg: Option<String>,
    /// Only this component (the same as COMPONENT).
    #[arg(short = 'c', long, conflicts_with = "component_arg")]
    component: Option<String>,
    /// Only this stack.
    #[arg(short = 's', long)]
    stack: Option<String>,
    /// Only this repository from reconcile.repositories (default: all).
    #[arg(long)]
    repo: Option<String>,
    /// The repository root (where paved.yaml is).
    #[arg(long, default_value = ".")]
    path: PathBuf,
    /// Configuration file used instead of paved.yaml.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Print the atmos commands instead of running them; no issue is touched.
    #[arg(long)]
    dry_run: bool,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Also append the Markdown summary to this file (e.g. "$GITHUB_STEP_SUMMARY").
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the runtime")?;
    match rt.block_on(drift(&args)) {
        Ok(outcome) => Ok(outcome),
        // Exit 2 means "drift found" here, so paved's own failures exit 1.
        Err(e) => {
            eprintln!("paved drift: error: {e:#}");
            Ok(Outcome::Problems)
        }
    }
}

async fn drift(args: &Args) -> anyhow::Result<Outcome> {
    let (cfg, over) = super::reconcile::load_config(&args.path, args.config.as_deref())?;
    let opts = SetupOptions {
        dry_run: args.dry_run,
        config_override: over,
        database_url: std::env::var("DATABASE_URL").ok(),
        ..SetupOptions::default()
    };
    let s = setup::build(&args.path, &cfg, opts).await.context("cannot set up the reconciler")?;
    if let ExecutorKind::DryRun(why) = &s.executor {
        eprintln!("paved drift: dry run ({why}): atmos commands are printed, not run");
    }
    let opts = DriftOptions {
        repo: args.repo.clone(),
        selection: Selection {
            stack: args.stack.clone(),
            component: args.component.clone().or(args.component_arg.clone()),
        },
        max_open_issues: cfg.server.drift_max_open_issues,
        actor: std::env::var("USER").ok().map(|u| format!("cli:{u}")),
        stop: None,
    };
    let summary = run_drift(&s.ctx, &opts).await;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Human => write!(out, "{}", render::human(&summary))?,
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&render::json(&summary))?)?,
        Format::Markdown => write!(out, "{}", render::markdown(&summary))?,
    }
    if let Some(file) = &args.summary {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .with_context(|| format!("cannot open {}", file.display()))?;
        write!(f, "{}", render::markdown(&summary)).with_context(|| format!("cannot write {}", file.display()))?;
    }
    Ok(match summary.exit_code() {
        0 => Outcome::Clean,
        2 => Outcome::Failure,
        _ => Outcome::Problems,
    })
}
