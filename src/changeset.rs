//! Change sets: the files a pull/merge request should change, as plain values.
//!
//! The golden-paths renderer produces a [`ChangeSet`]; the forge layer turns it into a branch, a
//! commit and a pull request ([`crate::forge::Forge::open_change_request`]). Keeping it pure
//! lets both sides be tested without a forge.

use std::collections::BTreeMap;

use crate::source::RelPath;

/// Whether a written file is executable (git mode `100755`) or not (`100644`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FileMode {
    #[default]
    Regular,
    Executable,
}

impl FileMode {
    /// The git tree mode string.
    pub fn git_mode(self) -> &'static str {
        match self {
            FileMode::Regular => "100644",
            FileMode::Executable => "100755",
        }
    }
}

/// What happens to one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileChange {
    /// Create or replace the file with these bytes.
    Write { content: Vec<u8>, mode: FileMode },
    /// Remove the file (nothing happens when it does not exist).
    Delete,
}

/// Why a path cannot be part of a change set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeSetError {
    #[error("a change set cannot write the repository root")]
    Root,
    #[error("`{0}` is inside .git, which a change set never touches")]
    GitDir(RelPath),
}

/// The files to change, keyed by repository-relative path (sorted, so commits are
/// reproducible).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangeSet {
    pub files: BTreeMap<RelPath, FileChange>,
}

impl ChangeSet {
    pub fn new() -> ChangeSet {
        ChangeSet::default()
    }

    /// Adds (or replaces) a write of `content` at `path`.
    pub fn write(
        &mut self,
        path: RelPath,
        content: impl Into<Vec<u8>>,
        mode: FileMode,
    ) -> Result<&mut Self, ChangeSetError> {
        check_path(&path)?;
        self.files.insert(path, FileChange::Write { content: content.into(), mode });
        Ok(self)
    }

    /// Adds (or replaces) a deletion of `path`.
    pub fn delete(&mut self, path: RelPath) -> Result<&mut Self, ChangeSetError> {
        check_path(&path)?;
        self.files.insert(path, FileChange::Delete);
        Ok(self)
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Every path is valid for a commit: checked again by the forge layer because `files` is
    /// public.
    pub fn validate(&self) -> Result<(), ChangeSetError> {
        self.files.keys().try_for_each(check_path)
    }
}

fn check_path(path: &RelPath) -> Result<(), ChangeSetError> {
    if path.is_root() {
        return Err(ChangeSetError::Root);
    }
    if path.as_str().split('/').any(|seg| seg.eq_ignore_ascii_case(".git")) {
        return Err(ChangeSetError::GitDir(path.clone()));
    }
    Ok(())
}

/// The pull/merge request a change set is proposed in. Running again with the same `branch`
/// updates the same branch and request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRequest {
    /// The head branch paved owns (e.g. `paved/new-service-payments`).
    pub branch: String,
    /// The branch the request merges into (e.g. `main`).
    pub base: String,
    pub title: String,
    pub body: String,
    pub commit_message: String,
    pub draft: bool,
    pub labels: Vec<String>,
    /// User logins asked to review.
    pub reviewers: Vec<String>,
    /// Team slugs asked to review (GitHub only; GitLab has no team reviewers).
    pub team_reviewers: Vec<String>,
}

impl ChangeRequest {
    /// A request with the title doubling as the commit message and nothing else set.
    pub fn new(branch: impl Into<String>, base: impl Into<String>, title: impl Into<String>) -> ChangeRequest {
        let title = title.into();
        ChangeRequest {
            branch: branch.into(),
            base: base.into(),
            commit_message: title.clone(),
            title,
            body: String::new(),
            draft: false,
            labels: Vec::new(),
            reviewers: Vec::new(),
            team_reviewers: Vec::new(),
        }
    }
}

/// Whether `name` is a branch name git and both forges accept (`git check-ref-format`
/// rules, stricter on characters), so hostile names never reach a URL or a ref.
pub fn valid_branch_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with(['/', '-', '.'])
        && !name.ends_with(['/', '.'])
        && !name.ends_with(".lock")
        && !name.contains("..")
        && !name.contains("//")
        && !name.contains("@{")
        && !name.split('/').any(|seg| seg.starts_with('.') || seg.ends_with(".lock"))
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | '+'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> RelPath {
        RelPath::new(s).unwrap()
    }

    #[test]
    fn refuses_root_and_git_dir() {
        let mut cs = ChangeSet::new();
        assert_eq!(cs.write(RelPath::root(), "x", FileMode::Regular).unwrap_err(), ChangeSetError::Root);
        assert!(matches!(cs.delete(p(".git/config")), Err(ChangeSetError::GitDir(_))));
        assert!(matches!(cs.write(p("a/.GIT/hooks/x"), "x", FileMode::Executable), Err(ChangeSetError::GitDir(_))));
        cs.write(p("a/.gitignore"), "x", FileMode::Regular).unwrap();
        cs.write(p("b.sh"), "#!/bin/sh\n", FileMode::Executable).unwrap().delete(p("old.txt")).unwrap();
        assert_eq!(cs.len(), 3);
        assert_eq!(cs.files.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["a/.gitignore", "b.sh", "old.txt"]);
        cs.files.insert(RelPath::root(), FileChange::Delete);
        assert!(cs.validate().is_err());
    }

    #[test]
    fn branch_names() {
        for ok in ["paved/new-service", "feature/x_1.2", "a+b"] {
            assert!(valid_branch_name(ok), "{ok}");
        }
        for bad in ["", "-x", "a..b", "a/", "x.lock", "a b", "a~1", "a^", "a:b", "a/.hidden", "@{x}", "a//b", "ü"] {
            assert!(!valid_branch_name(bad), "{bad}");
        }
    }
}
