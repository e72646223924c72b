//! `paved affected`.

use std::io::Write;
use std::path::PathBuf;

use paved::affected::compare::{self, Head, Request};
use paved::affected::{Format, Options, render};

use super::Outcome;

#[derive(Debug, clap::Args)]
#[command(
    about = "List the stack components and catalog entities a change affects (Atmos's describe affected)",
    after_help = "The base defaults to where HEAD forked from the default branch (origin/HEAD, else main or \
                  master), not the branch's tip; the head defaults to the working tree, uncommitted changes \
                  included.\n\nExamples:\n  paved affected                                  # this branch vs its \
                  fork point\n  paved affected --base origin/main --head HEAD --format matrix\n  paved affected \
                  --include-dependents --format markdown > comment.md\n  paved affected --repo ../infra \
                  --format gitlab-matrix > matrix.yml\n\nExit status: 0 compared (whatever changed), 2 usage error \
                  or failure (unknown ref, shallow clone without the base, ...)."
)]
pub struct Args {
    /// The base revision (branch, tag, SHA).
    #[arg(long)]
    base: Option<String>,
    /// The head revision; without it, the working tree.
    #[arg(long)]
    head: Option<String>,
    /// Any path inside the repository.
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// Add the components that depend on each affected one, recursively.
    #[arg(long)]
    include_dependents: bool,
    /// Put each component's settings in the output.
    #[arg(long)]
    include_settings: bool,
    /// Leave out components with `metadata.locked: true`.
    #[arg(long)]
    exclude_locked: bool,
    /// Only this stack.
    #[arg(long, short = 's')]
    stack: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "json")]
    format: Format,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let req = Request {
        repo: args.repo,
        base: args.base,
        head: args.head,
        options: Options {
            include_dependents: args.include_dependents,
            include_settings: args.include_settings,
            exclude_locked: args.exclude_locked,
            stack: args.stack,
        },
    };
    let engine = paved::affected::stacks::Engine::new(std::env::vars().collect());
    let cmp = compare::compare(&req, &engine)?;
    let head = match &cmp.head {
        Head::Commit(c) => short(&c.id.to_string()),
        Head::WorkTree(c) => format!("working tree on {}", short(&c.id.to_string())),
    };
    eprintln!(
        "paved: {} .. {head}: {} changed paths, {} affected components, {} catalog changes",
        short(&cmp.base.id.to_string()),
        cmp.changed_paths,
        cmp.affected.affected.len(),
        cmp.affected.catalog.len()
    );
    for (side, diags) in [("base", &cmp.base_diagnostics), ("head", &cmp.head_diagnostics)] {
        let errors = diags.iter().filter(|d| d.severity == paved::report::Severity::Error).count();
        if errors > 0 {
            eprintln!("paved: warning: {errors} problems in the {side} revision's files (see `paved validate`)");
        }
    }
    for n in &cmp.notes {
        eprintln!("paved: note: {n}");
    }
    if args.format == Format::GitlabMatrix
        && cmp.affected.affected.iter().filter(|i| !i.deleted).count() > paved::affected::render::GITLAB_MATRIX_LIMIT
    {
        eprintln!(
            "paved: warning: more than {} jobs: GitLab rejects a parallel:matrix this large; split it by stack",
            paved::affected::render::GITLAB_MATRIX_LIMIT
        );
    }
    std::io::stdout().lock().write_all(render(&cmp.affected, args.format).as_bytes())?;
    Ok(Outcome::Clean)
}

fn short(id: &str) -> String {
    id.chars().take(12).collect()
}
