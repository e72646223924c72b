//! What the reconciler needs from the rest of paved, as small traits. Catalog, stacks, policy
//! and git sit behind these, so the engine is tested with the fakes in [`super::fake`] and the
//! real capabilities plug in through [`super::adapters`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;

use crate::config::Config;
use crate::report::{Diagnostic, Report};
use crate::source::FileSource;
use crate::store::LockKey;

/// Changed lines per path: `(first, last)`, 1-based, inclusive.
pub type ChangedLines = BTreeMap<String, Vec<(u32, u32)>>;

/// A failure of a port: git, a capability, the file system. The message never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PortError {
    pub message: String,
    /// Trying again later may help (a network fetch), as opposed to a broken input.
    pub transient: bool,
}

impl PortError {
    pub fn new(message: impl Into<String>) -> PortError {
        PortError { message: message.into(), transient: false }
    }

    pub fn transient(message: impl Into<String>) -> PortError {
        PortError { message: message.into(), transient: true }
    }
}

/// One commit of a repository, readable without a checkout.
#[derive(Clone)]
pub struct Revision {
    pub sha: String,
    pub files: Arc<dyn FileSource>,
}

impl std::fmt::Debug for Revision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revision").field("sha", &self.sha).finish()
    }
}

/// A repository: commits, their files and diffs, and a folder where atmos can run on one.
#[async_trait]
pub trait Repo: Send + Sync {
    /// The commit a ref (branch, tag, `refs/pull/…`, a sha) points at; remotes are fetched first.
    async fn resolve(&self, git_ref: &str) -> Result<Revision, PortError>;
    /// The base of `head` against `base_ref`: their merge base, or `head`'s first parent when
    /// `base_ref` already contains it (a merged change). `None` for a root commit.
    async fn base_of(&self, head: &str, base_ref: &str) -> Result<Option<Revision>, PortError>;
    /// Paths (repository-relative) that differ between two commits, both sides of renames.
    async fn changed_paths(&self, base: &str, head: &str) -> Result<Vec<String>, PortError>;
    /// The lines of `head` that differ from `base` (1-based inclusive ranges) per path, for
    /// annotations. Without it annotations fall back to where components are defined.
    async fn changed_lines(&self, _base: &str, _head: &str) -> Result<ChangedLines, PortError> {
        Ok(ChangedLines::new())
    }
    /// A folder holding `sha`'s files, where atmos runs (the work tree itself when it is there).
    async fn workdir(&self, sha: &str) -> Result<PathBuf, PortError>;
}

/// The audit trail: notes on commits under `refs/notes/paved`.
#[async_trait]
pub trait Notes: Send + Sync {
    /// Adds `text` to the note on `sha` (appending when one exists) and pushes the notes ref
    /// when the repository has a remote.
    async fn add_note(&self, sha: &str, text: &str) -> Result<(), PortError>;
    /// Every note, as (commit sha, text).
    async fn notes(&self) -> Result<Vec<(String, String)>, PortError>;
}

/// Validation of one revision: catalog, stacks and policies, as diagnostics.
pub trait Validator: Send + Sync {
    fn validate(&self, files: &dyn FileSource, config: &Config) -> Report;
}

/// A (stack, component) instance the reconciler plans or applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    pub stack: String,
    pub component: String,
    /// Why it is affected, in Atmos's words (`stack.vars`, `component`, `deleted`, …).
    pub reasons: Vec<String>,
    /// Present at the base, gone at the head: only a destroy applies to it.
    pub deleted: bool,
    /// Components it depends on (`dependencies.components`, `settings.depends_on`), all stacks.
    pub depends_on: Vec<LockKey>,
    /// The owning Group (`settings.catalog.owner`), e.g. `group:default/platform-networking`.
    pub owner: Option<String>,
    /// Where it is defined at the head (or at the base when deleted), for annotations.
    pub location: Option<Location>,
    /// Checked by drift passes; `settings.paved.drift: false` leaves it out (reported skipped).
    pub drift: bool,
}

impl Target {
    pub fn key(&self) -> LockKey {
        LockKey::new(&self.stack, &self.component)
    }
}

/// A place in a file: 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
}

/// What `affected` answers: targets, or the problems that stopped the stacks from loading.
pub type Affected = Result<Vec<Target>, Vec<Diagnostic>>;

/// Which components a change affects.
pub trait AffectedFinder: Send + Sync {
    /// Components that differ between `base` and `head` (every enabled, non-abstract component
    /// when `base` is `None`: a first reconcile), with `changed` the diff's paths. Abstract and
    /// disabled components are never returned.
    fn affected(
        &self,
        base: Option<&dyn FileSource>,
        head: &dyn FileSource,
        changed: &[String],
        config: &Config,
    ) -> Affected;
}

/// Who belongs to a catalog Group, read from the catalog of a revision.
pub trait Directory: Send + Sync {
    /// The forge logins of the Group's members (`spec.members`, users' `github.com/user-login`
    /// annotation when set, else their name). `None` when no such Group exists.
    fn members(&self, files: &dyn FileSource, config: &Config, group: &str) -> Option<Vec<String>>;
}
