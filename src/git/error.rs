//! What can go wrong talking to git, worded for the person who has to fix it.

use std::path::PathBuf;

/// A failure of the git layer. Messages never contain a credential: URLs are shown without
/// their user-info and libgit2's own text is redacted before it is kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GitError {
    #[error("{path} is not a git repository (or any parent of it): {message}")]
    NotARepository { path: PathBuf, message: String },
    #[error(
        "unknown revision `{rev}`: no branch, tag or commit by that name (try `git fetch` if it lives on a remote)"
    )]
    UnknownRevision { rev: String },
    #[error(
        "revision `{rev}` is not in this shallow clone; fetch more history (`git fetch --unshallow`, or \
         `fetch-depth: 0` in actions/checkout, or `GIT_DEPTH: 0` in GitLab CI)"
    )]
    NotInShallowClone { rev: String },
    #[error("`{rev}` names a {kind}, not a commit")]
    NotACommit { rev: String, kind: String },
    #[error(
        "{a} and {b} have no common ancestor{hint}",
        hint = if *.shallow { "; this is a shallow clone: fetch more history (`git fetch --unshallow`)" } else { "" }
    )]
    NoMergeBase { a: String, b: String, shallow: bool },
    #[error("cannot tell the default branch: no origin/HEAD, main or master; pass --base (e.g. --base origin/develop)")]
    NoDefaultBranch,
    #[error("{path} is a bare repository: it has no working tree")]
    Bare { path: PathBuf },
    #[error("{context}: {message}")]
    Git { context: String, message: String },
    #[error("`{path}` is not a folder in this commit")]
    NotADirectory { path: String },
}

impl GitError {
    /// Wraps a libgit2 error with what paved was doing, redacting any credentials in it.
    pub(crate) fn git(context: impl Into<String>, e: git2::Error) -> GitError {
        GitError::Git { context: context.into(), message: super::remote::redact(e.message(), None) }
    }
}
