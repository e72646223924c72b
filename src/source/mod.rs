//! Where files come from: a small trait with a working-tree implementation and an in-memory
//! one for tests. The git layer adds a third (a commit's tree), so the catalog and stacks code
//! reads any revision the same way.

mod memory;
mod path;
mod walk;
mod worktree;

use std::sync::Arc;

pub use memory::MemorySource;
pub use path::{RelPath, RelPathError};
pub use walk::{GlobError, compile_globs, glob, glob_is_valid, walk_files};
pub use worktree::WorkTree;

/// What a directory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    /// A symbolic link; never followed when listing.
    Symlink,
    /// A git submodule (gitlink): listed, never read.
    Submodule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub path: RelPath,
    pub kind: EntryKind,
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("{0} does not exist")]
    NotFound(RelPath),
    #[error("{path} is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { path: RelPath, size: u64, limit: u64 },
    #[error("{0} is a symbolic link that points outside the repository")]
    OutsideRoot(RelPath),
    #[error("{0} is not a regular file")]
    NotAFile(RelPath),
    #[error("{path} could not be read: {message}")]
    Io { path: RelPath, message: String },
}

impl SourceError {
    pub fn path(&self) -> &RelPath {
        match self {
            SourceError::NotFound(p) | SourceError::OutsideRoot(p) | SourceError::NotAFile(p) => p,
            SourceError::TooLarge { path, .. } | SourceError::Io { path, .. } => path,
        }
    }
}

/// A tree of files, addressed by repository-relative paths.
pub trait FileSource: Send + Sync {
    /// The bytes of a file, refusing files larger than `max_len`.
    fn read(&self, path: &RelPath, max_len: u64) -> Result<Arc<[u8]>, SourceError>;

    /// The entries of a directory, sorted by name. A missing directory lists as empty.
    fn list(&self, dir: &RelPath) -> Result<Vec<DirEntry>, SourceError>;

    /// What `path` is, or `None` when nothing is there.
    fn kind(&self, path: &RelPath) -> Option<EntryKind>;

    /// What the listing of `path`'s parent says `path` is (links not followed), or `None`
    /// when the listing does not show it: [`list`](Self::list) for one name, which a source
    /// may answer without listing the whole directory.
    fn entry_kind(&self, path: &RelPath) -> Result<Option<EntryKind>, SourceError> {
        Ok(self.list(&path.parent())?.into_iter().find(|e| e.path == *path).map(|e| e.kind))
    }

    /// A content id (a git blob id) when the source knows one cheaply, so parsed results can
    /// be cached across revisions.
    fn content_id(&self, _path: &RelPath) -> Option<String> {
        None
    }

    /// An id of everything the source holds (a git tree id) when it has one: two sources with
    /// the same id hold the same files, so a result computed from all of them can be reused.
    /// A view that changes what is visible must not pass its inner source's id on.
    fn tree_id(&self) -> Option<String> {
        None
    }

    /// A label for messages: the directory or the commit.
    fn describe(&self) -> String;
}

impl<T: FileSource + ?Sized> FileSource for Arc<T> {
    fn read(&self, path: &RelPath, max_len: u64) -> Result<Arc<[u8]>, SourceError> {
        (**self).read(path, max_len)
    }
    fn list(&self, dir: &RelPath) -> Result<Vec<DirEntry>, SourceError> {
        (**self).list(dir)
    }
    fn kind(&self, path: &RelPath) -> Option<EntryKind> {
        (**self).kind(path)
    }
    fn entry_kind(&self, path: &RelPath) -> Result<Option<EntryKind>, SourceError> {
        (**self).entry_kind(path)
    }
    fn content_id(&self, path: &RelPath) -> Option<String> {
        (**self).content_id(path)
    }
    fn tree_id(&self) -> Option<String> {
        (**self).tree_id()
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
}
