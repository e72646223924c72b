//! `paved new`: render a golden path into a repository.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use paved::changeset::FileChange;
use paved::golden::{self, RenderRequest, Rendered, check::check_result, disk};
use paved::report::Report;
use paved::source::{FileSource, MemorySource, RelPath, WorkTree};
use serde_json::{Map as JsonMap, Value as Json};

use super::Outcome;
use super::golden_paths::{self as gp, DEFAULT_TEMPLATES};

#[derive(Debug, clap::Args)]
#[command(
    about = "Render a golden path (a Backstage Template) into a repository",
    after_help = "Examples:\n  paved new rust-http-service --set name=payments --set owner=group:payments\n  paved new golden-paths/atmos-terraform-component --values answers.yaml --dry-run\n  paved new team-onboarding --set name=data --out ../platform --publish\n\nParameters come from --values, then --set, then prompts (when stdin is a terminal), then\nschema defaults. The result is validated before anything is written; existing files are\nnot overwritten without --force (stack manifests and Location files are edited in place)."
)]
pub struct Args {
    /// A template folder, or a name under --templates.
    template: String,
    /// A parameter value, `name=value` (typed by the schema; lists are comma-separated).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// A YAML or JSON file of parameter values.
    #[arg(long, value_name = "FILE")]
    values: Option<PathBuf>,
    /// The repository to render into.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Print the files and a diff instead of writing.
    #[arg(long)]
    dry_run: bool,
    /// Overwrite existing files.
    #[arg(long)]
    force: bool,
    /// Open the template's pull/merge requests (forge from paved.yaml) instead of writing.
    #[arg(long, conflicts_with = "dry_run")]
    publish: bool,
    /// Never prompt, even on a terminal.
    #[arg(long)]
    no_input: bool,
    /// Where golden paths are looked up by name.
    #[arg(long, default_value = DEFAULT_TEMPLATES, env = "PAVED_GOLDEN_PATHS")]
    templates: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let dir = gp::find_template(&args.template, &args.templates)?;
    let located = match gp::load(&dir)? {
        Ok(l) => l,
        Err(mut r) => return Ok(problems(&mut r, &[])),
    };
    let params = &located.template.parameters;
    let mut values = match &args.values {
        Some(p) => read_values(p)?,
        None => JsonMap::new(),
    };
    for kv in &args.set {
        let Some((k, v)) = kv.split_once('=') else { bail!("--set takes NAME=VALUE, not `{kv}`") };
        values.insert(k.trim().to_string(), params.coerce(k.trim(), v));
    }
    if !args.no_input && std::io::stdin().is_terminal() {
        super::prompt::ask_missing(params, &mut values, &mut std::io::stdin().lock(), &mut std::io::stderr())?;
    }
    let values = params.with_defaults(values);
    let source = args.values.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    let diags = params.validate(&values, &source);
    if !diags.is_empty() {
        return Ok(problems(&mut Report { diagnostics: diags, ..Report::default() }, &[]));
    }
    let base: Box<dyn FileSource> = if args.out.is_dir() {
        Box::new(WorkTree::new(&args.out).with_context(|| format!("cannot open {}", args.out.display()))?)
    } else {
        Box::new(MemorySource::new())
    };
    let cfg = match gp::load_config(&args.out)? {
        Ok(c) => c,
        Err(mut r) => return Ok(problems(&mut r, &[&args.out])),
    };
    let rendered = golden::render(&RenderRequest {
        template: &located.template,
        files: &located.files,
        label: &located.label,
        parameters: &values,
        base: base.as_ref(),
        version: &located.version,
        source: &located.source,
    });
    let rendered = match rendered {
        Ok(r) => r,
        Err(diagnostics) => return Ok(problems(&mut Report { diagnostics, ..Report::default() }, &[])),
    };
    let ctx = golden::check::CheckContext { env: std::env::vars().collect(), today: chrono::Utc::now().date_naive() };
    let mut report = check_result(base.as_ref(), &rendered.changes, &cfg, &ctx);
    if report.has_errors() {
        eprintln!("paved: the rendered files are not valid; nothing was written");
        return Ok(problems(&mut report, &[]));
    }
    if !report.diagnostics.is_empty() {
        gp::print_report(&mut report, &[]);
    }
    if args.dry_run {
        print_plan(&args.out, &rendered)?;
        return Ok(Outcome::Clean);
    }
    if args.publish {
        return publish_all(&rendered, &cfg);
    }
    let overwrites: Vec<RelPath> =
        disk::existing(&args.out, &rendered.changes)?.into_iter().filter(|p| !rendered.edited.contains(p)).collect();
    if !overwrites.is_empty() && !args.force {
        eprintln!("paved: these files exist and would be overwritten (use --force):");
        for p in &overwrites {
            eprintln!("  {p}");
        }
        return Ok(Outcome::Problems);
    }
    disk::write(&args.out, &rendered.changes)?;
    let edited = rendered.edited.len();
    println!(
        "Rendered {}@{} into {}: {} files written, {edited} edited",
        located.template.name,
        located.version,
        args.out.display(),
        rendered.changes.len() - edited
    );
    Ok(Outcome::Clean)
}

fn problems(report: &mut Report, roots: &[&Path]) -> Outcome {
    gp::print_report(report, roots);
    Outcome::Problems
}

/// Parameter values from a YAML (or JSON) mapping.
pub fn read_values(path: &Path) -> anyhow::Result<JsonMap<String, Json>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let node = paved::yaml::parse_one(&text, &Default::default()).with_context(|| format!("{}", path.display()))?;
    match node.to_json() {
        Json::Object(m) => Ok(m),
        Json::Null => Ok(JsonMap::new()),
        _ => bail!("{} must hold a mapping of parameter values", path.display()),
    }
}

/// The files a render would write, then a unified diff of each against the disk.
fn print_plan(root: &Path, rendered: &Rendered) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    for (p, change) in &rendered.changes.files {
        let exists = disk::current(root, p)?.is_some();
        let mark = match change {
            FileChange::Delete => "-",
            _ if rendered.edited.contains(p) => "~",
            _ if exists => "!",
            _ => "+",
        };
        writeln!(out, "{mark} {p}")?;
    }
    writeln!(out)?;
    for (p, change) in &rendered.changes.files {
        let old = disk::current(root, p)?.unwrap_or_default();
        let new = match change {
            FileChange::Write { content, .. } => content.clone(),
            FileChange::Delete => Vec::new(),
        };
        write!(out, "{}", diff(p.as_str(), &old, &new))?;
    }
    Ok(())
}

/// A unified diff of two versions of a file (a note for binary files).
pub fn diff(path: &str, old: &[u8], new: &[u8]) -> String {
    match (std::str::from_utf8(old), std::str::from_utf8(new)) {
        (Ok(a), Ok(b)) if !golden::fetch::is_binary(new) => similar::TextDiff::from_lines(a, b)
            .unified_diff()
            .header(&format!("a/{path}"), &format!("b/{path}"))
            .to_string(),
        _ if old == new => String::new(),
        _ => format!("Binary file {path}: {} bytes\n", new.len()),
    }
}

fn publish_all(rendered: &Rendered, cfg: &paved::config::Config) -> anyhow::Result<Outcome> {
    if rendered.publish.is_empty() {
        bail!("the template has no publish step; run without --publish to write the files");
    }
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        for req in &rendered.publish {
            let forge = super::publish::connect(req.forge, cfg).await?;
            match super::publish::publish(forge.as_ref(), req, &rendered.changes).await? {
                Some(r) => println!("{} {}: {}", if r.created { "Opened" } else { "Updated" }, req.repo, r.url),
                None => println!("{}: nothing to change", req.repo),
            }
        }
        Ok(Outcome::Clean)
    })
}
