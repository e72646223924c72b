//! A commit's tree as a [`FileSource`]: files read straight from the object database.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use git2::{ObjectType, Oid, Repository};

use super::GitError;
use crate::source::{DirEntry, EntryKind, FileSource, RelPath, SourceError};

const MODE_LINK: i32 = 0o120000;
/// Links followed in a row before giving up (a loop, or a silly chain).
const MAX_LINK_HOPS: usize = 8;

/// The tree of one commit. Thread-safe: it keeps a few libgit2 handles (which cannot be
/// shared between threads) and hands each caller a free one, so parallel loaders don't
/// queue on a single lock.
pub struct TreeSource {
    pool: Vec<Mutex<Repository>>,
    next: AtomicUsize,
    commit: Oid,
    tree: Oid,
}

/// What a path is in the tree, after looking it up.
#[derive(Debug, Clone, Copy)]
struct Found {
    id: Oid,
    kind: EntryKind,
}

impl TreeSource {
    /// Opens the repository at `git_dir` and the tree of `commit`.
    pub fn open(git_dir: &Path, commit: Oid) -> Result<TreeSource, GitError> {
        let handles = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4);
        let mut pool = Vec::with_capacity(handles);
        for _ in 0..handles {
            pool.push(Mutex::new(Repository::open(git_dir).map_err(|e| GitError::git("opening the repository", e))?));
        }
        let tree = {
            let repo = pool[0].lock().unwrap_or_else(|p| p.into_inner());
            let c = repo.find_commit(commit).map_err(|_| GitError::UnknownRevision { rev: commit.to_string() })?;
            c.tree_id()
        };
        Ok(TreeSource { pool, next: AtomicUsize::new(0), commit, tree })
    }

    /// The same commit seen from the folder `dir`: paths are relative to it, and nothing
    /// outside it is readable (links out of it are `OutsideRoot`). A commit without that folder
    /// reads as empty, so a folder added later compares as all new.
    pub fn scoped(mut self, dir: &RelPath) -> Result<TreeSource, GitError> {
        if dir.is_root() {
            return Ok(self);
        }
        let sub = {
            let repo = self.repo();
            let tree = repo.find_tree(self.tree).map_err(|e| GitError::git("reading a tree", e))?;
            match tree.get_path(Path::new(dir.as_str())) {
                Ok(e) if e.kind() == Some(ObjectType::Tree) => e.id(),
                Ok(_) => return Err(GitError::NotADirectory { path: dir.as_str().to_string() }),
                Err(e) if e.code() == git2::ErrorCode::NotFound => {
                    let empty = repo.treebuilder(None).and_then(|b| b.write());
                    empty.map_err(|e| GitError::git("writing the empty tree", e))?
                }
                Err(e) => return Err(GitError::git("reading a tree", e)),
            }
        };
        self.tree = sub;
        Ok(self)
    }

    /// The commit this tree belongs to.
    pub fn commit(&self) -> Oid {
        self.commit
    }

    /// The root tree's id.
    pub fn tree_id(&self) -> Oid {
        self.tree
    }

    fn repo(&self) -> MutexGuard<'_, Repository> {
        for m in &self.pool {
            if let Ok(g) = m.try_lock() {
                return g;
            }
        }
        // All busy: wait on one, spreading waiters round-robin.
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.pool.len();
        self.pool[i].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Looks `path` up without following a final link.
    fn lookup(&self, repo: &Repository, path: &RelPath) -> Result<Option<Found>, SourceError> {
        if path.is_root() {
            return Ok(Some(Found { id: self.tree, kind: EntryKind::Dir }));
        }
        let tree = repo.find_tree(self.tree).map_err(|e| io(path, e))?;
        let entry = match tree.get_path(Path::new(path.as_str())) {
            Ok(e) => e,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(io(path, e)),
        };
        let kind = match entry.kind() {
            Some(ObjectType::Tree) => EntryKind::Dir,
            Some(ObjectType::Commit) => EntryKind::Submodule,
            Some(ObjectType::Blob) if entry.filemode() == MODE_LINK => EntryKind::Symlink,
            _ => EntryKind::File,
        };
        Ok(Some(Found { id: entry.id(), kind }))
    }

    /// Looks `path` up, following links that stay inside the tree. A link out of the tree is
    /// `OutsideRoot`; a dangling one is `NotFound`.
    fn resolve(&self, repo: &Repository, path: &RelPath) -> Result<(RelPath, Found), SourceError> {
        let mut current = path.clone();
        for _ in 0..=MAX_LINK_HOPS {
            let Some(found) = self.lookup(repo, &current)? else {
                return Err(SourceError::NotFound(path.clone()));
            };
            if found.kind != EntryKind::Symlink {
                return Ok((current, found));
            }
            let blob = repo.find_blob(found.id).map_err(|e| io(path, e))?;
            let target = std::str::from_utf8(blob.content()).map_err(|_| SourceError::OutsideRoot(path.clone()))?;
            if target.starts_with('/') {
                return Err(SourceError::OutsideRoot(path.clone()));
            }
            current = current.parent().join(target).map_err(|_| SourceError::OutsideRoot(path.clone()))?;
        }
        Err(SourceError::Io { path: path.clone(), message: "too many levels of symbolic links".into() })
    }
}

fn io(path: &RelPath, e: git2::Error) -> SourceError {
    SourceError::Io { path: path.clone(), message: e.message().to_string() }
}

impl FileSource for TreeSource {
    fn read(&self, path: &RelPath, max_len: u64) -> Result<Arc<[u8]>, SourceError> {
        let repo = self.repo();
        let (_, found) = self.resolve(&repo, path)?;
        if found.kind != EntryKind::File {
            return Err(SourceError::NotAFile(path.clone()));
        }
        // The header gives the size without inflating the object: a huge blob is refused
        // before it is read.
        let odb = repo.odb().map_err(|e| io(path, e))?;
        let (size, _) = odb.read_header(found.id).map_err(|e| io(path, e))?;
        if size as u64 > max_len {
            return Err(SourceError::TooLarge { path: path.clone(), size: size as u64, limit: max_len });
        }
        let blob = repo.find_blob(found.id).map_err(|e| io(path, e))?;
        Ok(Arc::from(blob.content()))
    }

    fn list(&self, dir: &RelPath) -> Result<Vec<DirEntry>, SourceError> {
        let repo = self.repo();
        let found = match self.resolve(&repo, dir) {
            Ok((_, f)) if f.kind == EntryKind::Dir => f,
            Ok(_) | Err(SourceError::NotFound(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let tree = repo.find_tree(found.id).map_err(|e| io(dir, e))?;
        let mut out = Vec::with_capacity(tree.len());
        for entry in tree.iter() {
            // Names that are not UTF-8 cannot be RelPaths; nothing in a stacks or catalog
            // repository needs them.
            let Some(name) = entry.name() else { continue };
            let Ok(path) = dir.join(name) else { continue };
            if path.parent() != *dir {
                continue; // a name like `..` that normalised elsewhere
            }
            let kind = match entry.kind() {
                Some(ObjectType::Tree) => EntryKind::Dir,
                Some(ObjectType::Commit) => EntryKind::Submodule,
                Some(ObjectType::Blob) if entry.filemode() == MODE_LINK => EntryKind::Symlink,
                Some(ObjectType::Blob) => EntryKind::File,
                _ => continue,
            };
            out.push(DirEntry { path, kind });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    fn kind(&self, path: &RelPath) -> Option<EntryKind> {
        let repo = self.repo();
        let found = self.lookup(&repo, path).ok()??;
        if found.kind != EntryKind::Symlink {
            return Some(found.kind);
        }
        // A link inside the tree counts as what it points at, as on disk.
        match self.resolve(&repo, path) {
            Ok((_, f)) if matches!(f.kind, EntryKind::File | EntryKind::Dir) => Some(f.kind),
            _ => Some(EntryKind::Symlink),
        }
    }

    fn content_id(&self, path: &RelPath) -> Option<String> {
        let repo = self.repo();
        match self.resolve(&repo, path) {
            Ok((_, f)) if f.kind == EntryKind::File => Some(f.id.to_string()),
            _ => None,
        }
    }

    fn tree_id(&self) -> Option<String> {
        Some(self.tree.to_string())
    }

    fn describe(&self) -> String {
        let id = self.commit.to_string();
        format!("commit {}", &id[..id.len().min(12)])
    }
}

impl std::fmt::Debug for TreeSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TreeSource").field("commit", &self.commit).finish()
    }
}
