//! `paved audit`: the audit notes under refs/notes/paved checked against the store.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, Utc};
use paved::config::{self, Config};
use paved::reconcile::Notes;
use paved::reconcile::adapters::GitRepo;
use paved::reconcile::audit::{report, to_csv, to_json, to_markdown};
use paved::store::{self, RunFilter, RunKind, StoreTarget, SystemClock};

use super::Outcome;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    Json,
    Csv,
    Markdown,
}

#[derive(Debug, clap::Args)]
#[command(
    about = "Report every apply from the git notes (refs/notes/paved) and the store",
    after_help = "Examples:\n  paved audit                                # markdown table\n  paved audit --since 2026-01-01 --format csv > applies.csv\n  paved audit --format json | jq '.[] | select(.check != \"ok\")'\n\nEach row is one component of one apply; `check` is `ok` when the store's run agrees with the note."
)]
pub struct Args {
    /// The repository root.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Only applies that finished on or after this date (YYYY-MM-DD) or time (RFC 3339).
    #[arg(long)]
    since: Option<String>,
    #[arg(long, value_enum, default_value = "markdown")]
    format: AuditFormat,
    #[arg(long)]
    config: Option<PathBuf>,
}

fn parse_since(text: &str) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("--since {text}: expected YYYY-MM-DD or an RFC 3339 time"))?;
    Ok(d.and_hms_opt(0, 0, 0).context("midnight exists")?.and_utc())
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let text = match &args.config {
        Some(p) => std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?,
        None => std::fs::read_to_string(args.path.join(config::FILE_NAME)).unwrap_or_default(),
    };
    let cfg = Config::parse(config::FILE_NAME, &text)
        .map_err(|d| anyhow::anyhow!("paved.yaml is invalid: {} problem(s)", d.len()))?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let rows = rt.block_on(async {
        let repo =
            GitRepo::local(&args.path, args.path.join(".paved/checkouts")).map_err(|e| anyhow::anyhow!("{e}"))?;
        let notes = repo.notes().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let target = StoreTarget::resolve(&cfg.store, std::env::var("DATABASE_URL").ok().as_deref(), &args.path)?;
        let store = store::open(&target, std::sync::Arc::new(SystemClock)).await?;
        let mut runs = Vec::new();
        let mut before = None;
        loop {
            let filter =
                RunFilter { kind: Some(RunKind::Apply), before_id: before, limit: 500, ..RunFilter::default() };
            let page = store.list_runs(&filter).await?;
            let Some(last) = page.last() else { break };
            before = Some(last.id);
            runs.extend(page);
        }
        anyhow::Ok(report(&notes, &runs, since))
    })?;
    let out = match args.format {
        AuditFormat::Json => to_json(&rows) + "\n",
        AuditFormat::Csv => to_csv(&rows),
        AuditFormat::Markdown => to_markdown(&rows),
    };
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(if rows.iter().all(|r| r.check == "ok") { Outcome::Clean } else { Outcome::Problems })
}
