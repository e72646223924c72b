//! `paved ci`: glue for CI jobs (the GitHub Action's entrypoint and the GitLab template).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use paved::ci::{self, affected, gitlab_pipeline, summary};
use paved::report::{self, Format, HumanOptions, Severity};
use paved::source::{FileSource, RelPath, WorkTree};

use super::Outcome;

/// The largest report or affected file read (a report of every finding in a big monorepo).
const MAX_INPUT: u64 = 256 << 20;

#[derive(Debug, clap::Args)]
#[command(
    about = "Helpers for CI jobs: detected environment, job summaries, matrices, child pipelines",
    after_help = "Examples:\n  eval \"$(paved ci env)\"                                 # PAVED_CI_BASE, PAVED_CI_FORMAT, ...\n  paved validate --format json > report.json\n  paved ci render report.json --format sarif > paved.sarif\n  paved ci summary --report report.json >> \"$GITHUB_STEP_SUMMARY\"\n  paved affected --format json > affected.json\n  paved ci matrix affected.json\n  paved ci gitlab-pipeline affected.json --image \"$PAVED_IMAGE\" > plan.gitlab-ci.yml"
)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Print what paved detects about the CI it runs in (provider, base ref, format).
    Env {
        /// `shell`: KEY='value' lines to eval; `json`: one object.
        #[arg(long, value_enum, default_value = "shell")]
        format: EnvFormat,
    },
    /// Render a saved JSON report (`paved validate --format json`) in another format.
    Render {
        /// The JSON report; `-` reads standard input.
        report: PathBuf,
        #[arg(long, short = 'f', value_enum)]
        format: Format,
    },
    /// Print a Markdown job summary of a JSON report or of affected components.
    Summary {
        /// A JSON report from `paved validate --format json`.
        #[arg(long, conflicts_with = "affected", required_unless_present = "affected")]
        report: Option<PathBuf>,
        /// Affected components from `paved affected --format json`.
        #[arg(long)]
        affected: Option<PathBuf>,
    },
    /// Print how many findings a JSON report holds, or how many affected components to plan.
    Count {
        /// A JSON report from `paved validate --format json`.
        #[arg(long, conflicts_with = "affected", required_unless_present = "affected")]
        report: Option<PathBuf>,
        /// Only findings of this severity.
        #[arg(long, value_enum, requires = "report")]
        severity: Option<SeverityArg>,
        /// Affected components from `paved affected --format json` (deleted ones are not counted).
        #[arg(long)]
        affected: Option<PathBuf>,
    },
    /// Print a GitHub Actions matrix (`{"include":[...]}`) of the affected components to plan.
    Matrix {
        /// Affected components from `paved affected --format json`; `-` reads standard input.
        affected: PathBuf,
    },
    /// Print a GitLab child pipeline with one plan job per affected component.
    GitlabPipeline {
        /// Affected components from `paved affected --format json`; `-` reads standard input.
        affected: PathBuf,
        /// The image the jobs run in.
        #[arg(long)]
        image: Option<String>,
        /// A runner tag for every job (repeatable).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// The plan job's script, one line per flag; it reads $PAVED_STACK and $PAVED_COMPONENT.
        #[arg(long = "plan-script", value_name = "LINE")]
        plan_script: Vec<String>,
        /// The stage of the plan jobs.
        #[arg(long, default_value = "plan")]
        stage: String,
        /// A pipeline-wide variable, KEY=VALUE (repeatable).
        #[arg(long = "variable", value_name = "KEY=VALUE", value_parser = parse_variable)]
        variables: Vec<(String, String)>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SeverityArg {
    Error,
    Warning,
    Note,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum EnvFormat {
    Shell,
    Json,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let out = match args.command {
        Command::Env { format } => {
            let ctx = ci::from_process_env();
            match format {
                EnvFormat::Shell => ci::context_shell(ctx.as_ref()),
                EnvFormat::Json => ci::context_json(ctx.as_ref()),
            }
        }
        Command::Render { report, format } => {
            let mut r = read_report(&report)?;
            // The JSON report has no rule descriptions: SARIF's rule table takes those of the
            // rules it raises from the registry `paved rules` lists.
            r.rules = super::rules::all_rules()
                .into_iter()
                .filter(|rule| r.diagnostics.iter().any(|d| d.rule == rule.id))
                .collect();
            let tree = WorkTree::new(".").context("cannot open the current directory")?;
            let lookup = |file: &str| -> Option<Arc<str>> {
                let p = RelPath::new(file).ok()?;
                let b = tree.read(&p, 64 << 20).ok()?;
                std::str::from_utf8(&b).ok().map(Arc::from)
            };
            report::render(&r, format, &lookup, HumanOptions { color: false })
        }
        Command::Summary { report, affected } => match (report, affected) {
            (Some(r), _) => summary::validation(&read_report(&r)?),
            (None, Some(a)) => {
                let (items, catalog) = affected::parse_with_catalog(&read_input(&a)?)
                    .with_context(|| format!("cannot read affected components from {}", a.display()))?;
                summary::affected(&items, &catalog)
            }
            (None, None) => anyhow::bail!("give --report or --affected"),
        },
        Command::Count { report, severity, affected } => {
            let n = match (report, affected) {
                (Some(r), _) => {
                    let r = read_report(&r)?;
                    let want = severity.map(|s| match s {
                        SeverityArg::Error => Severity::Error,
                        SeverityArg::Warning => Severity::Warning,
                        SeverityArg::Note => Severity::Note,
                    });
                    r.diagnostics.iter().filter(|d| want.is_none_or(|w| d.severity == w)).count()
                }
                (None, Some(a)) => affected::plannable(&read_affected(&a)?).count(),
                (None, None) => anyhow::bail!("give --report or --affected"),
            };
            format!("{n}\n")
        }
        Command::Matrix { affected } => {
            let mut s = affected::github_matrix(&read_affected(&affected)?);
            s.push('\n');
            s
        }
        Command::GitlabPipeline { affected, image, tags, plan_script, stage, variables } => {
            let mut opts = gitlab_pipeline::PipelineOptions { image, tags, stage, variables, ..Default::default() };
            if !plan_script.is_empty() {
                opts.plan_script = plan_script;
            }
            gitlab_pipeline::render(&read_affected(&affected)?, &opts)
        }
    };
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(Outcome::Clean)
}

fn read_input(path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin().lock().take(MAX_INPUT).read_to_end(&mut bytes).context("cannot read standard input")?;
    } else {
        let f = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        f.take(MAX_INPUT).read_to_end(&mut bytes).with_context(|| format!("cannot read {}", path.display()))?;
    }
    Ok(bytes)
}

fn read_report(path: &Path) -> anyhow::Result<paved::report::Report> {
    ci::read_report(&read_input(path)?)
        .with_context(|| format!("{} is not a paved JSON report (paved validate --format json)", path.display()))
}

fn read_affected(path: &Path) -> anyhow::Result<Vec<affected::AffectedItem>> {
    affected::parse(&read_input(path)?)
        .with_context(|| format!("cannot read affected components from {}", path.display()))
}

/// `KEY=VALUE`, with a key GitLab accepts as a variable name.
fn parse_variable(s: &str) -> Result<(String, String), String> {
    let (k, v) = s.split_once('=').ok_or_else(|| format!("{s:?} is not KEY=VALUE"))?;
    let valid =
        !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') && !k.as_bytes()[0].is_ascii_digit();
    if !valid {
        return Err(format!("{k:?} is not a variable name (letters, digits and _, not starting with a digit)"));
    }
    Ok((k.to_string(), v.to_string()))
}
