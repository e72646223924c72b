//! A file source that shows a change set applied on top of another source, so the edits of
//! later steps and the validators see the rendered result before anything is written.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::changeset::{ChangeSet, FileChange};
use crate::source::{DirEntry, EntryKind, FileSource, RelPath, SourceError};

pub struct Overlay<'a> {
    pub base: &'a dyn FileSource,
    pub changes: &'a ChangeSet,
}

impl FileSource for Overlay<'_> {
    fn read(&self, path: &RelPath, max_len: u64) -> Result<Arc<[u8]>, SourceError> {
        match self.changes.files.get(path) {
            Some(FileChange::Write { content, .. }) if content.len() as u64 > max_len => {
                Err(SourceError::TooLarge { path: path.clone(), size: content.len() as u64, limit: max_len })
            }
            Some(FileChange::Write { content, .. }) => Ok(Arc::from(content.as_slice())),
            Some(FileChange::Delete) => Err(SourceError::NotFound(path.clone())),
            None => self.base.read(path, max_len),
        }
    }

    fn list(&self, dir: &RelPath) -> Result<Vec<DirEntry>, SourceError> {
        let mut out: BTreeMap<RelPath, EntryKind> =
            self.base.list(dir)?.into_iter().map(|e| (e.path, e.kind)).collect();
        for (p, change) in &self.changes.files {
            let Some(rest) = p.strip_prefix(dir).filter(|r| !r.is_empty()) else { continue };
            match (rest.split_once('/'), change) {
                (Some((first, _)), FileChange::Write { .. }) => {
                    if let Ok(d) = dir.join(first) {
                        out.insert(d, EntryKind::Dir);
                    }
                }
                (None, FileChange::Write { .. }) => {
                    out.insert(p.clone(), EntryKind::File);
                }
                (None, FileChange::Delete) => {
                    out.remove(p);
                }
                (Some(_), FileChange::Delete) => {}
            }
        }
        Ok(out.into_iter().map(|(path, kind)| DirEntry { path, kind }).collect())
    }

    fn kind(&self, path: &RelPath) -> Option<EntryKind> {
        match self.changes.files.get(path) {
            Some(FileChange::Write { .. }) => Some(EntryKind::File),
            Some(FileChange::Delete) => None,
            None => self.base.kind(path).or_else(|| {
                let written = self
                    .changes
                    .files
                    .iter()
                    .any(|(p, c)| matches!(c, FileChange::Write { .. }) && p != path && p.starts_with(path));
                written.then_some(EntryKind::Dir)
            }),
        }
    }

    fn describe(&self) -> String {
        format!("{} with the rendered changes", self.base.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changeset::FileMode;
    use crate::source::{MemorySource, walk_files};

    #[test]
    fn changes_show_through() {
        let base = MemorySource::new().with("a.yaml", "a").with("old/x.yaml", "x").with("keep.txt", "k");
        let mut cs = ChangeSet::new();
        cs.write(RelPath::new("new/dir/b.yaml").unwrap(), "b", FileMode::Regular).unwrap();
        cs.write(RelPath::new("a.yaml").unwrap(), "A", FileMode::Regular).unwrap();
        cs.delete(RelPath::new("keep.txt").unwrap()).unwrap();
        let o = Overlay { base: &base, changes: &cs };
        let files: Vec<_> = walk_files(&o, &RelPath::root()).unwrap().into_iter().map(|p| p.to_string()).collect();
        assert_eq!(files, ["a.yaml", "new/dir/b.yaml", "old/x.yaml"]);
        assert_eq!(&*o.read(&RelPath::new("a.yaml").unwrap(), 10).unwrap(), b"A");
        assert!(o.read(&RelPath::new("keep.txt").unwrap(), 10).is_err());
        assert_eq!(o.kind(&RelPath::new("new").unwrap()), Some(EntryKind::Dir));
    }
}
