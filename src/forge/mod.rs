//! GitHub and GitLab behind one small port.
//!
//! The reconciler talks to a [`Forge`]: open or update a pull/merge request from a
//! [`ChangeSet`](crate::changeset::ChangeSet), keep one sticky comment per purpose, publish a
//! check, read approvals and permissions, and keep drift issues. [`github::GitHub`] speaks to
//! GitHub through `octocrab`, [`gitlab::GitLab`] to GitLab through the `gitlab` crate, and
//! [`fake::MemoryForge`] records calls for tests of the layers above.
//!
//! Every HTTP call goes through one place per forge ([`retry`]): a timeout per attempt,
//! retries with backoff on 5xx and rate limits, and errors that name the operation and the
//! status but never a secret ([`secret`]). Webhook intake ([`webhook`]) is pure functions the
//! server calls.

pub mod check;
pub mod comment;
mod comment_sync;
mod error;
pub mod fake;
pub mod github;
pub mod gitlab;
mod names;
pub mod retry;
pub mod secret;
pub mod setup;
mod types;
pub mod webhook;

use async_trait::async_trait;

pub use error::ForgeError;
pub use types::{
    Annotation, AnnotationLevel, Approval, ChangeRequestRef, Check, CheckConclusion, CheckKind, CheckRef, CheckStatus,
    CommentRef, ForgeKind, IssueRef, IssueSpec, Permission, PullRequest, PullRequestState, RepoId, RepoIdError,
};

use crate::changeset::{ChangeRequest, ChangeSet};

/// Installs rustls's aws-lc provider as the process default (both forge clients build TLS
/// on it). Safe to call any number of times.
pub fn install_crypto_provider() {
    // Err means a provider is already installed, which is what we want.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// The hidden marker that identifies an issue paved keeps.
pub(crate) fn issue_marker(key: &str) -> String {
    format!("<!-- paved:issue:{key} -->")
}

/// An issue's body: the marker line, then the text cut to what both forges accept.
pub(crate) fn issue_body(spec: &IssueSpec) -> String {
    let marker = issue_marker(&spec.key);
    let room = comment::GITHUB_LIMIT - marker.chars().count() - 1;
    format!("{marker}\n{}", check::cut_with_note(&spec.body, room))
}

/// What paved needs from a forge. One value serves every repository on its host.
///
/// `number` is the pull request number (GitHub) or the merge request IID (GitLab).
#[async_trait]
pub trait Forge: Send + Sync {
    /// Which forge this is.
    fn kind(&self) -> ForgeKind;

    /// Creates or updates `request.branch` so it holds `request.base` plus `changes` in one
    /// commit, and opens (or updates the title and body of) the request from it. Idempotent by
    /// branch name. `None` when the changes leave the base branch as it is.
    async fn open_change_request(
        &self,
        repo: &RepoId,
        changes: &ChangeSet,
        request: &ChangeRequest,
    ) -> Result<Option<ChangeRequestRef>, ForgeError>;

    /// A request's state, head and mergeability (for apply requirements and audit notes).
    async fn pull_request(&self, repo: &RepoId, number: u64) -> Result<PullRequest, ForgeError>;

    /// Creates or edits the one comment for `purpose` on a request (split into marked parts
    /// when it is longer than the forge allows). Never duplicates it.
    async fn upsert_comment(
        &self,
        repo: &RepoId,
        number: u64,
        purpose: &str,
        body: &str,
    ) -> Result<CommentRef, ForgeError>;

    /// Publishes a check on a commit: a check run (GitHub, or a commit status when the
    /// credentials cannot write checks), or a commit status plus a sticky note (GitLab).
    async fn publish_check(&self, repo: &RepoId, check: &Check) -> Result<CheckRef, ForgeError>;

    /// Who currently approves a request (GitHub: each reviewer's latest decisive review).
    async fn approvals(&self, repo: &RepoId, number: u64) -> Result<Vec<Approval>, ForgeError>;

    /// A user's permission on the repository ([`Permission::None`] for strangers).
    async fn permission(&self, repo: &RepoId, user: &str) -> Result<Permission, ForgeError>;

    /// Whether `user` is an active member of `team`: a GitHub team slug (in the repository's
    /// organisation, or `org/slug`) or a GitLab group path.
    async fn is_member(&self, repo: &RepoId, team: &str, user: &str) -> Result<bool, ForgeError>;

    /// Creates the open issue identified by `issue.key`, or updates it when it exists.
    async fn upsert_issue(&self, repo: &RepoId, issue: &IssueSpec) -> Result<IssueRef, ForgeError>;

    /// Closes the open issue identified by `key` (after posting `comment`, if any). `None`
    /// when there was none.
    async fn close_issue(
        &self,
        repo: &RepoId,
        key: &str,
        comment: Option<&str>,
    ) -> Result<Option<IssueRef>, ForgeError>;
}
