//! `paved golden`: questions about golden paths across a repository.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use paved::golden::{ANNOTATION, TEMPLATE_FILE, TemplateDir};
use paved::source::WorkTree;

use super::Outcome;
use super::golden_paths::{self as gp, DEFAULT_TEMPLATES};

#[derive(Debug, clap::Args)]
#[command(about = "Golden path maintenance")]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// List catalog entities whose template version is behind the template's current one.
    #[command(
        after_help = "Examples:\n  paved golden outdated\n  paved golden outdated ../platform --templates ../golden-paths\n\nReads the `paved.dev/template: NAME@VERSION` annotation of every catalog entity. A version\nwhose template folder is the same as the current one's (in git) is up to date. Exit status 1\nwhen something is outdated."
    )]
    Outdated {
        /// The repository whose catalog is read.
        #[arg(default_value = ".")]
        repo: PathBuf,
        #[arg(long, default_value = DEFAULT_TEMPLATES, env = "PAVED_GOLDEN_PATHS")]
        templates: PathBuf,
    },
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    match args.command {
        Sub::Outdated { repo, templates } => outdated(repo, templates),
    }
}

/// A template's current version and a way to tell whether an older one differs.
struct Current {
    version: String,
    repo: Option<(git2::Repository, String)>,
}

impl Current {
    /// Whether `version` renders the same files as the current version.
    fn same_as(&self, version: &str) -> bool {
        if version == self.version {
            return true;
        }
        let Some((repo, rel)) = &self.repo else { return false };
        let tree_at = |rev: &str| -> Option<git2::Oid> {
            let tree = repo.revparse_single(rev).ok()?.peel_to_commit().ok()?.tree().ok()?;
            if rel.is_empty() { Some(tree.id()) } else { tree.get_path(std::path::Path::new(rel)).ok().map(|e| e.id()) }
        };
        matches!((tree_at(version), tree_at(&self.version)), (Some(a), Some(b)) if a == b)
    }
}

fn outdated(repo: PathBuf, templates: PathBuf) -> anyhow::Result<Outcome> {
    let tree = WorkTree::new(&repo).with_context(|| format!("cannot open {}", repo.display()))?;
    let cfg = match gp::load_config(&repo)? {
        Ok(c) => c,
        Err(mut r) => {
            gp::print_report(&mut r, &[&repo]);
            return Ok(Outcome::Problems);
        }
    };
    let (catalog, _) = paved::catalog::load(&tree, &cfg);
    let mut current: BTreeMap<String, Option<Current>> = BTreeMap::new();
    let mut rows = Vec::new();
    for e in catalog.entities() {
        let Some(value) = e.node.pointer(&format!("/metadata/annotations/{}", ANNOTATION.replace('/', "~1"))) else {
            continue;
        };
        let Some((name, version)) = value.as_str().and_then(|v| v.rsplit_once('@')) else { continue };
        let cur = current.entry(name.to_string()).or_insert_with(|| {
            let dir = templates.join(name);
            if !dir.join(TEMPLATE_FILE).is_file() {
                return None;
            }
            let files = TemplateDir::load(&dir).ok()?;
            let (version, _) = gp::version_of(&dir, &files);
            Some(Current { version, repo: gp::open_repo(&dir) })
        });
        match cur {
            None => {
                rows.push((e.entity_ref.clone(), e.file.clone(), name.to_string(), version.to_string(), "?".into()))
            }
            Some(c) if !c.same_as(version) => rows.push((
                e.entity_ref.clone(),
                e.file.clone(),
                name.to_string(),
                version.to_string(),
                c.version.clone(),
            )),
            Some(_) => {}
        }
    }
    if rows.is_empty() {
        println!("Every entity is on its template's current version.");
        return Ok(Outcome::Clean);
    }
    println!("{:<40} {:<28} {:<14} CURRENT  FILE", "ENTITY", "TEMPLATE", "VERSION");
    for (entity, file, name, version, cur) in &rows {
        println!("{entity:<40} {name:<28} {version:<14} {cur:<8} {file}");
    }
    Ok(Outcome::Problems)
}
