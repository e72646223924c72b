//! An in-memory file tree, for tests and for rendering change sets before they are written.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{DirEntry, EntryKind, FileSource, RelPath, SourceError};

#[derive(Debug, Clone, Default)]
pub struct MemorySource {
    files: BTreeMap<RelPath, Arc<[u8]>>,
}

impl MemorySource {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file. Panics on a path that escapes the root: callers pass literals.
    pub fn with(mut self, path: &str, content: impl AsRef<[u8]>) -> Self {
        self.insert(RelPath::new(path).expect("literal path"), content);
        self
    }

    pub fn insert(&mut self, path: RelPath, content: impl AsRef<[u8]>) {
        self.files.insert(path, Arc::from(content.as_ref()));
    }

    pub fn remove(&mut self, path: &RelPath) {
        self.files.remove(path);
    }
}

impl FileSource for MemorySource {
    fn read(&self, path: &RelPath, max_len: u64) -> Result<Arc<[u8]>, SourceError> {
        match self.files.get(path) {
            Some(c) if c.len() as u64 > max_len => {
                Err(SourceError::TooLarge { path: path.clone(), size: c.len() as u64, limit: max_len })
            }
            Some(c) => Ok(c.clone()),
            None if self.kind(path) == Some(EntryKind::Dir) => Err(SourceError::NotAFile(path.clone())),
            None => Err(SourceError::NotFound(path.clone())),
        }
    }

    fn list(&self, dir: &RelPath) -> Result<Vec<DirEntry>, SourceError> {
        let mut out: BTreeMap<RelPath, EntryKind> = BTreeMap::new();
        for p in self.files.keys() {
            let Some(rest) = p.strip_prefix(dir) else {
                continue;
            };
            if rest.is_empty() {
                continue;
            }
            match rest.split_once('/') {
                Some((first, _)) => {
                    out.insert(dir.join(first).expect("child of a valid path"), EntryKind::Dir);
                }
                None => {
                    out.insert(p.clone(), EntryKind::File);
                }
            }
        }
        Ok(out.into_iter().map(|(path, kind)| DirEntry { path, kind }).collect())
    }

    fn kind(&self, path: &RelPath) -> Option<EntryKind> {
        if self.files.contains_key(path) {
            return Some(EntryKind::File);
        }
        self.files.keys().any(|p| p != path && p.starts_with(path)).then_some(EntryKind::Dir)
    }

    fn describe(&self) -> String {
        "memory".into()
    }
}
