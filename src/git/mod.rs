//! The git edge: repositories read through git2 (vendored libgit2), never through a checkout.
//!
//! - [`Repo`] opens a repository (bare or with a work tree), resolves revisions, finds merge
//!   bases and the default branch.
//! - [`TreeSource`] is a commit's tree as a [`crate::source::FileSource`], so the catalog and
//!   stacks engines describe any revision without checking it out; its
//!   [`content_id`](crate::source::FileSource::content_id) is the blob id, which lets parsed
//!   files be cached across revisions.
//! - [`diff`](Repo::diff) lists added, modified, deleted and renamed paths between two
//!   commits, or between a commit and the working tree (uncommitted and untracked files too).
//! - [`notes`] reads and writes git notes (the reconciler's audit trail under
//!   `refs/notes/paved`).
//! - [`remote`] clones, fetches and pushes with token authentication; the token never reaches
//!   a log or an error message.

mod diff;
mod error;
pub mod notes;
pub mod remote;
mod repo;
mod tree;

pub use diff::{Change, ChangeKind, ChangedLines, Diff};
pub use error::GitError;
pub use git2::Oid;
pub use remote::{Auth, Remote};
pub use repo::{Commit, Repo};
pub use tree::TreeSource;

/// The notes ref paved's audit trail is written under.
pub const AUDIT_NOTES_REF: &str = "refs/notes/paved";
