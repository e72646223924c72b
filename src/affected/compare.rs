//! The git edge of `paved affected`: resolve the two revisions, diff them, describe both and
//! compare. Everything after the diff is the pure core.

use std::path::PathBuf;

use super::load::{self, LoadError, StackLoader};
use super::snapshot::ChangedFiles;
use super::{Affected, Options, compute};
use crate::git::{Commit, GitError, Repo};
use crate::report::Diagnostic;
use crate::source::{FileSource, WorkTree};

/// Which revisions to compare.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Any path inside the repository.
    pub repo: PathBuf,
    /// The base revision; default: the fork point of the head from `merge_base_with`, else
    /// from the default branch.
    pub base: Option<String>,
    /// Without `base`: compare with the merge base of the head and this ref (a pull
    /// request's target branch, e.g. `origin/main`, as CI reports it).
    pub merge_base_with: Option<String>,
    /// The head revision; default: the working tree, uncommitted changes included.
    pub head: Option<String>,
    pub options: Options,
}

/// The head side: a commit, or the working tree on top of `HEAD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    Commit(Commit),
    WorkTree(Commit),
}

/// The comparison and what it was made from.
pub struct Comparison {
    pub affected: Affected,
    pub base: Commit,
    pub head: Head,
    /// Paths the diff touched.
    pub changed_paths: usize,
    /// Problems in the files of each side (shown as a count; `paved validate` has details).
    pub base_diagnostics: Vec<Diagnostic>,
    pub head_diagnostics: Vec<Diagnostic>,
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("cannot read the working tree {path}: {message}")]
    WorkTree { path: String, message: String },
}

/// The default base: where `head` forked from the default branch (not the branch's tip, so
/// changes merged to main since do not show up as this branch's).
pub fn default_base(repo: &Repo, head: &Commit) -> Result<Commit, GitError> {
    let default = repo.resolve(&repo.default_branch()?)?;
    let base = repo.merge_base(head.id, default.id)?;
    repo.resolve(&base.to_string())
}

/// Compares two revisions of the repository at `req.repo`.
pub fn compare(req: &Request, stacks: &dyn StackLoader) -> Result<Comparison, CompareError> {
    compare_with(req, stacks, Strategy::Incremental)
}

/// The same comparison describing both revisions in full: the baseline the benchmark
/// measures paved against, and a cross-check of the incremental path.
pub fn compare_naive(req: &Request, stacks: &dyn StackLoader) -> Result<Comparison, CompareError> {
    compare_with(req, stacks, Strategy::Full)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strategy {
    Incremental,
    Full,
}

fn compare_with(req: &Request, stacks: &dyn StackLoader, strategy: Strategy) -> Result<Comparison, CompareError> {
    let repo = Repo::discover(&req.repo)?;
    let head = match &req.head {
        Some(rev) => Head::Commit(repo.resolve(rev)?),
        None => Head::WorkTree(repo.head()?),
    };
    let head_commit = match &head {
        Head::Commit(c) | Head::WorkTree(c) => c,
    };
    let base = match (&req.base, &req.merge_base_with) {
        (Some(rev), _) => repo.resolve(rev)?,
        (None, Some(target)) => {
            let target = repo.resolve(target)?;
            repo.resolve(&repo.merge_base(head_commit.id, target.id)?.to_string())?
        }
        (None, None) => default_base(&repo, head_commit)?,
    };
    let diff = match &head {
        Head::Commit(h) => repo.diff(&base, h)?,
        Head::WorkTree(_) => repo.diff_workdir(&base)?,
    };
    let submodules: Vec<_> = diff.changes.iter().filter(|c| c.submodule).map(|c| c.path.clone()).collect();
    let changed = ChangedFiles::new(diff.touched()).with_submodules(&submodules);

    let base_src = repo.tree_source(&base)?;
    let head_src: Box<dyn FileSource> = match &head {
        Head::Commit(h) => Box::new(repo.tree_source(h)?),
        Head::WorkTree(_) => {
            let dir = repo.require_workdir()?;
            Box::new(
                WorkTree::new(&dir)
                    .map_err(|e| CompareError::WorkTree { path: dir.display().to_string(), message: e.to_string() })?,
            )
        }
    };
    let base_cfg = load::config(&base_src)?;
    let head_cfg = load::config(head_src.as_ref())?;
    let (b, h) = match strategy {
        // Only the part of the base the change reaches, and the head's stacks only where a
        // change reaches when that cannot change the result.
        Strategy::Incremental => load::pair(
            &base_src,
            &base_cfg,
            head_src.as_ref(),
            &head_cfg,
            stacks,
            &changed,
            req.options.include_dependents,
        ),
        // Both sides in full, at once.
        Strategy::Full => rayon::join(
            || load::snapshot(&base_src, &base_cfg, stacks),
            || load::snapshot(head_src.as_ref(), &head_cfg, stacks),
        ),
    };
    let affected = compute(&b.snapshot, &h.snapshot, &changed, &req.options);
    load::drop_in_background((b.snapshot, h.snapshot));
    let mut notes = h.notes;
    for n in b.notes {
        if !notes.contains(&n) {
            notes.push(n);
        }
    }
    for s in &submodules {
        notes.push(format!("{s} is a submodule whose commit moved: everything under it counts as changed"));
    }
    Ok(Comparison {
        affected,
        base,
        head,
        changed_paths: changed.len(),
        base_diagnostics: b.diagnostics,
        head_diagnostics: h.diagnostics,
        notes,
    })
}
