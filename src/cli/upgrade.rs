//! `paved upgrade`: bring a rendered project up to a newer template version.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use paved::golden::{self, ANSWERS_FILE, Answers, RenderRequest, TemplateDir, disk, upgrade};
use paved::report::Report;
use paved::source::{FileSource, WorkTree};

use super::Outcome;
use super::golden_paths::{self as gp, DEFAULT_TEMPLATES};

#[derive(Debug, clap::Args)]
#[command(
    about = "Re-render a project from a newer template version and merge the difference in",
    after_help = "Examples:\n  paved upgrade services/payments               # to the template as it is now\n  paved upgrade services/payments --to v2.1.0   # to a tag or commit of the template\n  paved upgrade . --dry-run\n\nThe old and the new version are rendered with the answers in .paved/answers.yaml and the\ndifference is merged into the project, as copier's update does: conflicts get markers and are\nlisted; files you deleted stay deleted. Exit status 1 when conflicts need resolving."
)]
pub struct Args {
    /// The project folder (holds .paved/answers.yaml).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// The template version to move to: a tag or commit (default: the template as it is now).
    #[arg(long)]
    to: Option<String>,
    /// Print what would change instead of writing.
    #[arg(long)]
    dry_run: bool,
    /// Where golden paths are looked up by name.
    #[arg(long, default_value = DEFAULT_TEMPLATES, env = "PAVED_GOLDEN_PATHS")]
    templates: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let answers_path = args.dir.join(ANSWERS_FILE);
    let text = std::fs::read_to_string(&answers_path).with_context(|| {
        format!("{} is not a rendered project: cannot read {}", args.dir.display(), answers_path.display())
    })?;
    let answers = Answers::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", answers_path.display()))?;
    let root = project_root(&args.dir, &answers)?;
    let dir = gp::find_template(&answers.template, &args.templates)?;
    let (repo, rel) = gp::open_repo(&dir)
        .with_context(|| format!("{} is not in a git repository: older versions cannot be found", dir.display()))?;
    let old_files = gp::files_at(&repo, &answers.version, &rel)?;
    let (new_files, new_version) = match &args.to {
        Some(v) => (gp::files_at(&repo, v, &rel)?, v.clone()),
        None => {
            let files = TemplateDir::load(&dir)?;
            let (v, _) = gp::version_of(&dir, &files);
            (files, v)
        }
    };
    if new_version == answers.version {
        println!("{} is already at {}@{}", args.dir.display(), answers.template, answers.version);
        return Ok(Outcome::Clean);
    }
    let base = WorkTree::new(&root).with_context(|| format!("cannot open {}", root.display()))?;
    let label = dir.display().to_string();
    let old = match render(old_files, &label, &answers, &answers.version, &base)? {
        Ok(r) => r,
        Err(mut r) => return Ok(problems(&mut r, "the old version")),
    };
    let new = match render(new_files, &label, &answers, &new_version, &base)? {
        Ok(r) => r,
        Err(mut r) => return Ok(problems(&mut r, "the new version")),
    };
    let plan = upgrade::plan(&old, &new, &base, &format!("{}@{new_version}", answers.template))?;
    for (p, change) in &plan.changes.files {
        let mark = match change {
            paved::changeset::FileChange::Delete => "-",
            _ if plan.conflicts.contains(p) => "C",
            _ => "M",
        };
        println!("{mark} {p}");
    }
    for p in &plan.kept_deleted {
        println!("  {p}: you deleted it; it stays deleted");
    }
    for p in &plan.kept_modified {
        println!("  {p}: the new version drops it, but you changed it; kept");
    }
    for p in &plan.kept_binary {
        println!("  {p}: a binary file both you and the template changed; yours kept");
    }
    if !args.dry_run {
        disk::write(&root, &plan.changes)?;
    }
    if plan.conflicts.is_empty() {
        println!("Upgraded {} to {}@{new_version}", args.dir.display(), answers.template);
        Ok(Outcome::Clean)
    } else {
        eprintln!("paved: {} files have conflicts (<<<<<<< markers) to resolve:", plan.conflicts.len());
        for p in &plan.conflicts {
            eprintln!("  {p}");
        }
        Ok(Outcome::Problems)
    }
}

/// The folder the project was rendered into: `dir` minus the recorded project path.
fn project_root(dir: &Path, answers: &Answers) -> anyhow::Result<PathBuf> {
    let mut root = dir.canonicalize().with_context(|| format!("cannot open {}", dir.display()))?;
    if answers.project.is_root() {
        return Ok(root);
    }
    for seg in answers.project.as_str().rsplit('/') {
        if root.file_name().and_then(|n| n.to_str()) != Some(seg) {
            bail!("{} does not end with the recorded project folder `{}`", dir.display(), answers.project);
        }
        root.pop();
    }
    Ok(root)
}

/// One render with the recorded answers (new parameters get their defaults).
fn render(
    files: TemplateDir,
    label: &str,
    answers: &Answers,
    version: &str,
    base: &dyn FileSource,
) -> anyhow::Result<Result<paved::changeset::ChangeSet, Report>> {
    let located = match gp::parse_files(files, label, version.to_string(), answers.source.clone()) {
        Ok(l) => l,
        Err(r) => return Ok(Err(r)),
    };
    let params = &located.template.parameters;
    let values = params.with_defaults(answers.parameters.clone());
    let diagnostics = params.validate(&values, ANSWERS_FILE);
    if !diagnostics.is_empty() {
        return Ok(Err(Report { diagnostics, ..Report::default() }));
    }
    let rendered = golden::render(&RenderRequest {
        template: &located.template,
        files: &located.files,
        label,
        parameters: &values,
        base,
        version,
        source: &answers.source,
    });
    Ok(rendered.map(|r| r.changes).map_err(|diagnostics| Report { diagnostics, ..Report::default() }))
}

fn problems(report: &mut Report, which: &str) -> Outcome {
    eprintln!("paved: {which} of the template does not render with the recorded answers");
    gp::print_report(report, &[]);
    Outcome::Problems
}
