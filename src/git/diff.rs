//! Which paths changed between two commits, or between a commit and the working tree.

use std::collections::BTreeMap;

use git2::{Delta, DiffFindOptions, DiffOptions, FileMode, Patch};

use super::{Commit, GitError, Repo};
use crate::source::RelPath;

/// How a path changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    /// Moved from `from` (with or without edits).
    Renamed {
        from: RelPath,
    },
}

/// One changed path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub path: RelPath,
    pub kind: ChangeKind,
    /// The path is a submodule (a gitlink): its commit moved, there are no files to read.
    pub submodule: bool,
}

/// The changed paths, sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    pub changes: Vec<Change>,
    /// Paths git reported that cannot be repository paths here (not UTF-8): listed so a
    /// caller can say so rather than drop them silently.
    pub unreadable_paths: Vec<String>,
}

impl Diff {
    /// Every path the diff touches: new paths, and for renames the old path as well.
    pub fn touched(&self) -> impl Iterator<Item = &RelPath> {
        self.changes.iter().flat_map(|c| {
            let from = match &c.kind {
                ChangeKind::Renamed { from } => Some(from),
                _ => None,
            };
            std::iter::once(&c.path).chain(from)
        })
    }

    pub fn len(&self) -> usize {
        self.changes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Lines of the head side that a diff adds or changes, per path: 1-based inclusive ranges. A
/// pure deletion is the line where the removed lines were.
pub type ChangedLines = BTreeMap<RelPath, Vec<(u32, u32)>>;

/// Pairs considered for inexact rename detection; past it only exact renames are found, so a
/// 50,000-file diff stays quick.
const RENAME_LIMIT: usize = 1000;

impl Repo {
    /// The changes from `base`'s tree to `head`'s tree.
    pub fn diff(&self, base: &Commit, head: &Commit) -> Result<Diff, GitError> {
        let repo = self.raw();
        let old = repo.find_tree(base.tree).map_err(|e| GitError::git("reading the base tree", e))?;
        let new = repo.find_tree(head.tree).map_err(|e| GitError::git("reading the head tree", e))?;
        let mut opts = DiffOptions::new();
        opts.include_typechange(true).ignore_submodules(false);
        let mut diff = repo
            .diff_tree_to_tree(Some(&old), Some(&new), Some(&mut opts))
            .map_err(|e| GitError::git("diffing the two commits", e))?;
        collect(&mut diff, false)
    }

    /// Which lines of `head` differ from `base`, file by file (hunks without context).
    pub fn changed_lines(&self, base: &Commit, head: &Commit) -> Result<ChangedLines, GitError> {
        let repo = self.raw();
        let old = repo.find_tree(base.tree).map_err(|e| GitError::git("reading the base tree", e))?;
        let new = repo.find_tree(head.tree).map_err(|e| GitError::git("reading the head tree", e))?;
        let mut opts = DiffOptions::new();
        opts.context_lines(0);
        let diff = repo
            .diff_tree_to_tree(Some(&old), Some(&new), Some(&mut opts))
            .map_err(|e| GitError::git("diffing the two commits", e))?;
        let mut out = ChangedLines::new();
        for idx in 0..diff.deltas().len() {
            let patch = Patch::from_diff(&diff, idx).map_err(|e| GitError::git("reading a patch", e))?;
            let Some(patch) = patch else { continue };
            let Some(path) =
                patch.delta().new_file().path().and_then(|p| p.to_str()).and_then(|p| RelPath::new(p).ok())
            else {
                continue;
            };
            let mut ranges = Vec::with_capacity(patch.num_hunks());
            for h in 0..patch.num_hunks() {
                let (hunk, _) = patch.hunk(h).map_err(|e| GitError::git("reading a hunk", e))?;
                let start = hunk.new_start().max(1);
                ranges.push((start, start + hunk.new_lines().saturating_sub(1)));
            }
            if !ranges.is_empty() {
                out.insert(path, ranges);
            }
        }
        Ok(out)
    }

    /// The changes from `base`'s tree to the working tree as it is now: staged, unstaged and
    /// untracked (not ignored) files.
    pub fn diff_workdir(&self, base: &Commit) -> Result<Diff, GitError> {
        let repo = self.raw();
        self.require_workdir()?;
        let old = repo.find_tree(base.tree).map_err(|e| GitError::git("reading the base tree", e))?;
        let mut opts = DiffOptions::new();
        opts.include_untracked(true).recurse_untracked_dirs(true).include_typechange(true).ignore_submodules(false);
        let mut diff = repo
            .diff_tree_to_workdir_with_index(Some(&old), Some(&mut opts))
            .map_err(|e| GitError::git("diffing against the working tree", e))?;
        collect(&mut diff, true)
    }
}

fn collect(diff: &mut git2::Diff<'_>, untracked: bool) -> Result<Diff, GitError> {
    let mut find = DiffFindOptions::new();
    find.renames(true).rename_limit(RENAME_LIMIT).for_untracked(untracked);
    diff.find_similar(Some(&mut find)).map_err(|e| GitError::git("detecting renames", e))?;
    let mut out = Diff::default();
    for delta in diff.deltas() {
        let path_of = |f: git2::DiffFile<'_>| -> Option<Result<RelPath, String>> {
            let bytes = f.path_bytes()?;
            Some(match std::str::from_utf8(bytes) {
                Ok(s) => RelPath::new(s).map_err(|_| s.to_string()),
                Err(_) => Err(String::from_utf8_lossy(bytes).into_owned()),
            })
        };
        let (old, new) = (delta.old_file(), delta.new_file());
        let submodule = old.mode() == FileMode::Commit || new.mode() == FileMode::Commit;
        let (path, kind) = match delta.status() {
            Delta::Added | Delta::Untracked | Delta::Copied => (path_of(new), ChangeKind::Added),
            Delta::Deleted => (path_of(old), ChangeKind::Deleted),
            Delta::Renamed => match path_of(old) {
                Some(Ok(from)) => (path_of(new), ChangeKind::Renamed { from }),
                Some(Err(bad)) => {
                    out.unreadable_paths.push(bad);
                    (path_of(new), ChangeKind::Added)
                }
                None => (path_of(new), ChangeKind::Added),
            },
            Delta::Modified | Delta::Typechange | Delta::Conflicted | Delta::Unreadable => {
                (path_of(new).or_else(|| path_of(old)), ChangeKind::Modified)
            }
            Delta::Unmodified | Delta::Ignored => continue,
        };
        match path {
            Some(Ok(path)) => out.changes.push(Change { path, kind, submodule }),
            Some(Err(bad)) => out.unreadable_paths.push(bad),
            None => {}
        }
    }
    out.changes.sort();
    Ok(out)
}
