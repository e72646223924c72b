//! `paved validate`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use is_terminal::IsTerminal;
use paved::config::{self, Config};
use paved::report::{self, Format, HumanOptions, Report};
use paved::source::{FileSource, RelPath, WorkTree};

use super::Outcome;

#[derive(Debug, clap::Args)]
#[command(
    about = "Validate catalog descriptors against Backstage's rules and paved's checks",
    after_help = "Examples:\n  paved validate                      # the repository in the current directory\n  paved validate examples             # another repository\n  paved validate --format sarif > paved.sarif\n  paved validate --format github      # annotations in GitHub Actions"
)]
pub struct Args {
    /// Repository roots to validate (each may hold a paved.yaml).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format (default: from the CI environment, else human).
    #[arg(long, short = 'f', value_enum, env = "PAVED_FORMAT")]
    format: Option<Format>,
    /// Configuration file (default: paved.yaml at each repository root).
    #[arg(long)]
    config: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let format = args.format.or_else(paved::ci::detected_format).unwrap_or(Format::Human);
    let mut report = Report::default();
    let mut trees = Vec::new();
    for path in &args.paths {
        let tree = WorkTree::new(path).with_context(|| format!("cannot open {}", path.display()))?;
        let (cfg, cfg_report) = load_config(&tree, args.config.as_deref())?;
        report.extend(cfg_report);
        if let Some(cfg) = cfg {
            let mut r = validate_tree(&tree, &cfg);
            r.finish(&cfg.rules);
            report.extend(r);
        }
        trees.push(tree);
    }
    report.finish(&Default::default());

    let lookup = |file: &str| -> Option<Arc<str>> {
        let p = RelPath::new(file).ok()?;
        trees.iter().find_map(|t| t.read(&p, 64 << 20).ok()).and_then(|b| std::str::from_utf8(&b).ok().map(Arc::from))
    };
    let color = format == Format::Human
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let out = report::render(&report, format, &lookup, HumanOptions { color });
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(if report.has_errors() { Outcome::Problems } else { Outcome::Clean })
}

/// Reads the configuration; a broken paved.yaml is a diagnostic, not a crash.
fn load_config(tree: &WorkTree, explicit: Option<&std::path::Path>) -> anyhow::Result<(Option<Config>, Report)> {
    let (name, text) = match explicit {
        Some(p) => (
            p.display().to_string(),
            Some(std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?),
        ),
        None => {
            let p = RelPath::new(config::FILE_NAME).expect("literal");
            match tree.read(&p, 1 << 20) {
                Ok(b) => (p.to_string(), Some(String::from_utf8_lossy(&b).into_owned())),
                Err(paved::source::SourceError::NotFound(_)) => (p.to_string(), None),
                Err(e) => return Err(e.into()),
            }
        }
    };
    let Some(text) = text else {
        return Ok((Some(Config::default()), Report::default()));
    };
    match Config::parse(&name, &text) {
        Ok(cfg) => Ok((Some(cfg), Report::default())),
        Err(diags) => Ok((None, Report { diagnostics: diags, ..Default::default() })),
    }
}

fn validate_tree(tree: &WorkTree, cfg: &Config) -> Report {
    let mut report = Report::default();
    let (catalog, catalog_report) = paved::catalog::load(tree, cfg);
    report.extend(catalog_report);
    let env = std::env::vars().collect();
    // One load of the stack set serves both the stacks checks and the policies.
    report.extend(paved::policy::validate_with_stacks(tree, cfg, &catalog, &env, chrono::Utc::now().date_naive()));
    // The process ends after the report: freeing every entity's tree one by one would cost a
    // sixth of a large catalog's run and give nothing back.
    std::mem::forget(catalog);
    report
}
