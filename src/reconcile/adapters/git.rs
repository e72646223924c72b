//! [`GitRepo`]: a local checkout or a clone of a remote, through `paved::git`, as the
//! reconciler's [`Repo`] and [`Notes`].

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;

use super::memo::Recent;
use crate::git::{self, AUDIT_NOTES_REF, Oid, Remote};
use crate::reconcile::ports::{ChangedLines, Notes, PortError, Repo, Revision};
use crate::source::RelPath;

/// A repository the reconciler reads through git2.
pub struct GitRepo {
    // libgit2 handles are Send but not Sync: one at a time.
    repo: Mutex<git::Repo>,
    /// The checkout atmos runs in for the commit it has checked out (`HEAD`), if any.
    workdir: Option<PathBuf>,
    /// Fetched before each resolve, notes pushed to it.
    remote: Option<Remote>,
    /// Where commits other than the work tree's are materialised for atmos.
    checkouts: PathBuf,
    /// The folder of the repository paved was pointed at (root: the whole repository). Files,
    /// changed paths and work directories are all seen from it.
    scope: RelPath,
    /// Commits read recently, by id: a commit's files never change, and opening its tree
    /// opens the repository again for each handle.
    revisions: Recent<Oid, Revision>,
}

/// Commits whose trees stay open.
const REVISIONS: usize = 32;

fn err(e: git::GitError) -> PortError {
    PortError::new(e.to_string())
}

impl GitRepo {
    /// A local repository with a work tree (or bare). Other commits are checked out under
    /// `checkouts` when atmos needs them.
    ///
    /// `path` may be a folder inside the repository (`paved reconcile --once examples`): the
    /// reconciler then sees only that folder, with paths relative to it.
    pub fn local(path: &Path, checkouts: impl Into<PathBuf>) -> Result<GitRepo, PortError> {
        let repo = git::Repo::discover(path).map_err(err)?;
        let workdir = repo.workdir().map(Path::to_path_buf);
        let scope = match &workdir {
            Some(wd) => scope_of(wd, path)?,
            None => RelPath::root(),
        };
        Ok(GitRepo {
            repo: Mutex::new(repo),
            workdir,
            remote: None,
            checkouts: checkouts.into(),
            scope,
            revisions: Recent::new(REVISIONS),
        })
    }

    /// A bare clone of `remote` kept in `cache` (cloned on first use), fetched before each
    /// resolve.
    pub fn remote(remote: Remote, cache: &Path, checkouts: impl Into<PathBuf>) -> Result<GitRepo, PortError> {
        let repo = if cache.join("HEAD").exists() {
            git::Repo::open(cache).map_err(err)?
        } else {
            let opts = git::remote::CloneOptions { bare: true, ..Default::default() };
            git::remote::clone(&remote, cache, &opts).map_err(|e| PortError::transient(e.to_string()))?
        };
        let scope = RelPath::root();
        Ok(GitRepo {
            repo: Mutex::new(repo),
            workdir: None,
            remote: Some(remote),
            checkouts: checkouts.into(),
            scope,
            revisions: Recent::new(REVISIONS),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&git::Repo) -> Result<T, PortError>) -> Result<T, PortError> {
        let repo = self.repo.lock().unwrap_or_else(|e| e.into_inner());
        f(&repo)
    }

    fn fetch(&self) -> Result<(), PortError> {
        let Some(remote) = &self.remote else { return Ok(()) };
        self.with(|r| {
            r.fetch(
                remote,
                &[
                    "+refs/heads/*:refs/heads/*",
                    "+refs/pull/*/head:refs/pull/*/head",
                    "+refs/notes/paved:refs/notes/paved",
                ],
                None,
            )
            .or_else(|_| r.fetch(remote, &["+refs/heads/*:refs/heads/*"], None))
            .map_err(|e| PortError::transient(e.to_string()))
        })
    }

    fn commit(r: &git::Repo, rev: &str) -> Result<git::Commit, PortError> {
        r.resolve(rev).or_else(|e| r.resolve(&format!("origin/{rev}")).map_err(|_| e)).map_err(err)
    }

    fn revision(&self, r: &git::Repo, c: &git::Commit) -> Result<Revision, PortError> {
        if let Some(known) = self.revisions.get(&c.id) {
            return Ok(known);
        }
        let files = r.tree_source(c).and_then(|t| t.scoped(&self.scope)).map_err(err)?;
        let revision = Revision { sha: c.id.to_string(), files: std::sync::Arc::new(files) };
        self.revisions.put(c.id, revision.clone());
        Ok(revision)
    }

    /// A folder of the whole repository, seen from the scope.
    fn in_scope(&self, dir: PathBuf) -> PathBuf {
        if self.scope.is_root() { dir } else { dir.join(self.scope.as_str()) }
    }
}

/// Where `path` sits inside the work tree `workdir`, as a relative path (root when it is the
/// work tree itself).
fn scope_of(workdir: &Path, path: &Path) -> Result<RelPath, PortError> {
    let canon = |p: &Path| std::fs::canonicalize(p).map_err(|e| PortError::new(format!("{}: {e}", p.display())));
    let (wd, p) = (canon(workdir)?, canon(path)?);
    let rel =
        p.strip_prefix(&wd).map_err(|_| PortError::new(format!("{} is outside {}", p.display(), wd.display())))?;
    let text = rel.to_str().ok_or_else(|| PortError::new(format!("{} is not UTF-8", rel.display())))?;
    if text.is_empty() {
        return Ok(RelPath::root());
    }
    RelPath::new(text).map_err(|e| PortError::new(format!("{text}: {e}")))
}

#[async_trait]
impl Repo for GitRepo {
    async fn resolve(&self, git_ref: &str) -> Result<Revision, PortError> {
        self.fetch()?;
        self.with(|r| self.revision(r, &Self::commit(r, git_ref)?))
    }

    async fn base_of(&self, head: &str, base_ref: &str) -> Result<Option<Revision>, PortError> {
        self.with(|r| {
            let head = Self::commit(r, head)?;
            let tip = Self::commit(r, base_ref)?;
            let base = if r.is_ancestor(head.id, tip.id).map_err(err)? {
                // Already on the base branch (merged): compare with the first parent.
                let c = r.raw().find_commit(head.id).map_err(|e| PortError::new(e.message().to_string()))?;
                c.parent_ids().next()
            } else {
                Some(r.merge_base(head.id, tip.id).map_err(err)?)
            };
            match base {
                Some(id) => Ok(Some(self.revision(r, &Self::commit(r, &id.to_string())?)?)),
                None => Ok(None),
            }
        })
    }

    async fn changed_paths(&self, base: &str, head: &str) -> Result<Vec<String>, PortError> {
        self.with(|r| {
            let diff = r.diff(&Self::commit(r, base)?, &Self::commit(r, head)?).map_err(err)?;
            // Only what lies in the scope, relative to it.
            let mut out: Vec<String> = diff
                .touched()
                .filter_map(|p| p.strip_prefix(&self.scope))
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
            out.sort();
            out.dedup();
            Ok(out)
        })
    }

    async fn changed_lines(&self, base: &str, head: &str) -> Result<ChangedLines, PortError> {
        self.with(|r| {
            let lines = r.changed_lines(&Self::commit(r, base)?, &Self::commit(r, head)?).map_err(err)?;
            Ok(lines
                .into_iter()
                .filter_map(|(p, ranges)| {
                    let rel = p.strip_prefix(&self.scope).filter(|s| !s.is_empty())?.to_string();
                    Some((rel, ranges))
                })
                .collect())
        })
    }

    async fn workdir(&self, sha: &str) -> Result<PathBuf, PortError> {
        self.with(|r| {
            if let Some(wd) = &self.workdir
                && r.head().is_ok_and(|h| h.id.to_string() == sha)
            {
                return Ok(self.in_scope(wd.clone()));
            }
            let dest = self.checkouts.join(sha);
            if dest.join(".paved-checkout").exists() {
                return Ok(self.in_scope(dest));
            }
            let oid = Oid::from_str(sha).map_err(|e| PortError::new(e.message().to_string()))?;
            let raw = r.raw();
            let tree = raw
                .find_commit(oid)
                .and_then(|c| c.tree())
                .map_err(|e| PortError::new(format!("cannot read commit {sha}: {}", e.message())))?;
            std::fs::create_dir_all(&dest).map_err(|e| PortError::new(format!("{}: {e}", dest.display())))?;
            let mut co = git2::build::CheckoutBuilder::new();
            // update_index(false): otherwise libgit2 writes this tree into the repository's own
            // index, and the user's work tree suddenly shows the pull request as staged changes.
            co.target_dir(&dest).force().recreate_missing(true).update_index(false);
            raw.checkout_tree(tree.as_object(), Some(&mut co))
                .map_err(|e| PortError::new(format!("cannot check out {sha}: {}", e.message())))?;
            std::fs::write(dest.join(".paved-checkout"), sha).map_err(|e| PortError::new(e.to_string()))?;
            Ok(self.in_scope(dest))
        })
    }
}

#[async_trait]
impl Notes for GitRepo {
    async fn add_note(&self, sha: &str, text: &str) -> Result<(), PortError> {
        self.with(|r| {
            let oid = Oid::from_str(sha).map_err(|e| PortError::new(e.message().to_string()))?;
            r.append_note(AUDIT_NOTES_REF, oid, text).map_err(err)?;
            if let Some(remote) = &self.remote {
                let spec = format!("{AUDIT_NOTES_REF}:{AUDIT_NOTES_REF}");
                r.push(remote, &[spec.as_str()]).map_err(|e| PortError::transient(e.to_string()))?;
            }
            Ok(())
        })
    }

    async fn notes(&self) -> Result<Vec<(String, String)>, PortError> {
        self.with(|r| {
            Ok(r.list_notes(AUDIT_NOTES_REF)
                .map_err(err)?
                .into_iter()
                .map(|n| (n.target.to_string(), n.message))
                .collect())
        })
    }
}

impl GitRepo {
    /// The default branch's name: `origin/HEAD`'s target, else `main` or `master`.
    pub fn default_branch(&self) -> Result<String, PortError> {
        self.with(|r| {
            let b = r.default_branch().map_err(err)?;
            Ok(b.strip_prefix("origin/").unwrap_or(&b).to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let ok = std::process::Command::new("git")
            .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir)
            .status()
            .expect("git runs")
            .success();
        assert!(ok, "git {args:?}");
    }

    #[tokio::test]
    async fn a_commit_read_again_reuses_its_open_tree() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "-b", "main"]);
        std::fs::write(dir.path().join("a.txt"), "a\n").unwrap();
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "-qm", "one"]);
        let repo = GitRepo::local(dir.path(), dir.path().join(".checkouts")).unwrap();
        let first = repo.resolve("main").await.unwrap();
        assert!(std::sync::Arc::ptr_eq(&first.files, &repo.resolve(&first.sha).await.unwrap().files));
        // A new commit is a new tree.
        std::fs::write(dir.path().join("b.txt"), "b\n").unwrap();
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "-qm", "two"]);
        let second = repo.resolve("main").await.unwrap();
        assert_ne!(second.sha, first.sha);
        assert!(second.files.kind(&RelPath::new("b.txt").unwrap()).is_some());
    }
}
