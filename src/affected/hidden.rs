//! A file source with some files hidden from listings (still readable), so a loader that
//! finds its inputs by globbing skips them: `affected` describes only the base's stacks a
//! change can reach.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::source::{DirEntry, EntryKind, FileSource, RelPath, SourceError};

pub struct Hiding<'a> {
    inner: &'a dyn FileSource,
    hidden: BTreeSet<RelPath>,
}

impl<'a> Hiding<'a> {
    pub fn new(inner: &'a dyn FileSource, hidden: BTreeSet<RelPath>) -> Hiding<'a> {
        Hiding { inner, hidden }
    }
}

impl FileSource for Hiding<'_> {
    fn read(&self, path: &RelPath, max_len: u64) -> Result<Arc<[u8]>, SourceError> {
        self.inner.read(path, max_len)
    }

    fn list(&self, dir: &RelPath) -> Result<Vec<DirEntry>, SourceError> {
        let mut entries = self.inner.list(dir)?;
        entries.retain(|e| !self.hidden.contains(&e.path));
        Ok(entries)
    }

    fn kind(&self, path: &RelPath) -> Option<EntryKind> {
        self.inner.kind(path)
    }

    fn content_id(&self, path: &RelPath) -> Option<String> {
        self.inner.content_id(path)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{MemorySource, glob};

    #[test]
    fn hidden_files_are_not_listed_but_stay_readable() {
        let src = MemorySource::new().with("s/a.yaml", "a").with("s/b.yaml", "b");
        let hidden = BTreeSet::from([RelPath::new("s/a.yaml").unwrap()]);
        let h = Hiding::new(&src, hidden);
        assert_eq!(glob(&h, &["s/*.yaml".into()]).unwrap(), vec![RelPath::new("s/b.yaml").unwrap()]);
        assert_eq!(&*h.read(&RelPath::new("s/a.yaml").unwrap(), 10).unwrap(), b"a");
    }
}
