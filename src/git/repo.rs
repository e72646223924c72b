//! Opening a repository and resolving revisions.

use std::path::{Path, PathBuf};

use git2::{ErrorCode, Oid, Repository};

use super::{GitError, TreeSource};

/// An open repository, bare or with a work tree.
pub struct Repo {
    inner: Repository,
}

/// A resolved commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub id: Oid,
    pub tree: Oid,
    /// The first line of the message.
    pub summary: String,
}

impl Repo {
    /// Opens the repository at `path` or the nearest parent holding one, so paved run from a
    /// subdirectory still sees the whole repository.
    pub fn discover(path: impl AsRef<Path>) -> Result<Repo, GitError> {
        let path = path.as_ref();
        Repository::discover(path)
            .map(|inner| Repo { inner })
            .map_err(|e| GitError::NotARepository { path: path.to_path_buf(), message: e.message().to_string() })
    }

    /// Opens exactly `path` (a work tree or a bare repository), without searching parents.
    pub fn open(path: impl AsRef<Path>) -> Result<Repo, GitError> {
        let path = path.as_ref();
        let flags = git2::RepositoryOpenFlags::NO_SEARCH;
        Repository::open_ext(path, flags, std::iter::empty::<&std::ffi::OsStr>())
            .map(|inner| Repo { inner })
            .map_err(|e| GitError::NotARepository { path: path.to_path_buf(), message: e.message().to_string() })
    }

    /// Initialises an empty repository (used by tests and by clones into a fresh cache).
    pub fn init(path: impl AsRef<Path>, bare: bool) -> Result<Repo, GitError> {
        let r = if bare { Repository::init_bare(path.as_ref()) } else { Repository::init(path.as_ref()) };
        r.map(|inner| Repo { inner }).map_err(|e| GitError::git("init", e))
    }

    pub(crate) fn from_inner(inner: Repository) -> Repo {
        Repo { inner }
    }

    pub(crate) fn raw(&self) -> &Repository {
        &self.inner
    }

    /// The `.git` directory (or the bare repository itself).
    pub fn git_dir(&self) -> &Path {
        self.inner.path()
    }

    /// The working tree's root, `None` for a bare repository.
    pub fn workdir(&self) -> Option<&Path> {
        self.inner.workdir()
    }

    /// The working tree's root, or an error naming the bare repository.
    pub fn require_workdir(&self) -> Result<PathBuf, GitError> {
        self.workdir().map(Path::to_path_buf).ok_or_else(|| GitError::Bare { path: self.git_dir().to_path_buf() })
    }

    pub fn is_bare(&self) -> bool {
        self.inner.is_bare()
    }

    /// Whether history was cut short (`git clone --depth`): missing commits then call for a
    /// deeper fetch rather than a typo fix.
    pub fn is_shallow(&self) -> bool {
        self.inner.is_shallow()
    }

    /// Resolves a branch, tag, SHA or any `git rev-parse` expression to a commit.
    pub fn resolve(&self, rev: &str) -> Result<Commit, GitError> {
        let obj = self.inner.revparse_single(rev).map_err(|e| self.lookup_error(rev, e))?;
        let commit = obj.peel_to_commit().map_err(|_| GitError::NotACommit {
            rev: rev.to_string(),
            kind: obj.kind().map_or("unknown object", |k| k.str()).to_string(),
        })?;
        Ok(Commit {
            id: commit.id(),
            tree: commit.tree_id(),
            summary: commit.summary().map(str::to_string).unwrap_or_default(),
        })
    }

    fn lookup_error(&self, rev: &str, e: git2::Error) -> GitError {
        match e.code() {
            ErrorCode::NotFound | ErrorCode::Ambiguous | ErrorCode::InvalidSpec if self.is_shallow() => {
                GitError::NotInShallowClone { rev: rev.to_string() }
            }
            ErrorCode::NotFound | ErrorCode::InvalidSpec => GitError::UnknownRevision { rev: rev.to_string() },
            _ => GitError::git(format!("resolving `{rev}`"), e),
        }
    }

    /// The branch `HEAD` is on (`None` when detached or unborn).
    pub fn current_branch(&self) -> Option<String> {
        let head = self.inner.head().ok()?;
        if head.is_branch() { head.shorthand().map(str::to_string) } else { None }
    }

    /// The commit `HEAD` points at.
    pub fn head(&self) -> Result<Commit, GitError> {
        self.resolve("HEAD")
    }

    /// The best common ancestor of two commits: the fork point a pull request should be
    /// compared with, rather than the target branch's tip.
    pub fn merge_base(&self, a: Oid, b: Oid) -> Result<Oid, GitError> {
        self.inner.merge_base(a, b).map_err(|e| match e.code() {
            ErrorCode::NotFound => {
                GitError::NoMergeBase { a: a.to_string(), b: b.to_string(), shallow: self.is_shallow() }
            }
            _ => GitError::git("finding the merge base", e),
        })
    }

    /// The default branch as a revision to resolve: `origin/HEAD`'s target, else `main`,
    /// `master`, `origin/main`, `origin/master`, in that order.
    pub fn default_branch(&self) -> Result<String, GitError> {
        if let Ok(r) = self.inner.find_reference("refs/remotes/origin/HEAD")
            && let Some(target) = r.symbolic_target()
            && self.inner.find_reference(target).is_ok()
        {
            return Ok(target.strip_prefix("refs/remotes/").unwrap_or(target).to_string());
        }
        for name in ["refs/heads/main", "refs/heads/master", "refs/remotes/origin/main", "refs/remotes/origin/master"] {
            if self.inner.find_reference(name).is_ok() {
                let short = name.strip_prefix("refs/heads/").or_else(|| name.strip_prefix("refs/remotes/"));
                return Ok(short.unwrap_or(name).to_string());
            }
        }
        Err(GitError::NoDefaultBranch)
    }

    /// The fork point of `HEAD` from the default branch.
    pub fn fork_point(&self) -> Result<Commit, GitError> {
        let head = self.head()?;
        let default = self.resolve(&self.default_branch()?)?;
        let base = self.merge_base(head.id, default.id)?;
        self.resolve(&base.to_string())
    }

    /// Whether `ancestor` is reachable from `commit` (or is it).
    pub fn is_ancestor(&self, ancestor: Oid, commit: Oid) -> Result<bool, GitError> {
        if ancestor == commit {
            return Ok(true);
        }
        self.inner.graph_descendant_of(commit, ancestor).map_err(|e| GitError::git("walking history", e))
    }

    /// A commit's tree as a file source. It reopens the repository so it can be shared
    /// between threads (a libgit2 handle cannot).
    pub fn tree_source(&self, commit: &Commit) -> Result<TreeSource, GitError> {
        TreeSource::open(self.git_dir(), commit.id)
    }
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo").field("git_dir", &self.git_dir()).finish()
    }
}
