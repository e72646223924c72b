//! Loading something once for two revisions: a [`Recording`] source notes every question a
//! load asks of the head and the answer it got; when the base answers every one of them the
//! same way, a deterministic load over the base would ask the same questions, get the same
//! answers and build the same result, so the head's result is reused instead of loading again.

use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::source::{DirEntry, EntryKind, FileSource, RelPath, SourceError};

/// One question put to a source, with its answer.
#[derive(Debug, Clone, PartialEq)]
enum Query {
    Read { path: RelPath, max_len: u64, answer: Result<Arc<[u8]>, SourceError> },
    List { dir: RelPath, answer: Result<Vec<DirEntry>, SourceError> },
    Kind { path: RelPath, answer: Option<EntryKind> },
    ContentId { path: RelPath, answer: Option<String> },
}

impl Query {
    /// The same question put to `src`, answered there.
    fn ask(&self, src: &dyn FileSource) -> Query {
        match self {
            Query::Read { path, max_len, .. } => {
                Query::Read { path: path.clone(), max_len: *max_len, answer: src.read(path, *max_len) }
            }
            Query::List { dir, .. } => Query::List { dir: dir.clone(), answer: src.list(dir) },
            Query::Kind { path, .. } => Query::Kind { path: path.clone(), answer: src.kind(path) },
            Query::ContentId { path, .. } => Query::ContentId { path: path.clone(), answer: src.content_id(path) },
        }
    }
}

/// A source that records what is asked of it. `describe` is not recorded: it names the
/// revision, not its content, and loads use it for messages only.
pub struct Recording<'a> {
    inner: &'a dyn FileSource,
    log: Mutex<Vec<Query>>,
}

impl<'a> Recording<'a> {
    pub fn new(inner: &'a dyn FileSource) -> Recording<'a> {
        Recording { inner, log: Mutex::new(Vec::new()) }
    }

    fn note(&self, q: Query) {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).push(q);
    }

    /// Whether `other` answers every recorded question as this source did.
    pub fn same_answers(self, other: &dyn FileSource) -> bool {
        let mut log = self.log.into_inner().unwrap_or_else(|e| e.into_inner());
        // Loads read in parallel and may ask the same thing twice; one answer is enough.
        log.dedup();
        log.par_iter().all(|q| q.ask(other) == *q)
    }
}

impl FileSource for Recording<'_> {
    fn read(&self, path: &RelPath, max_len: u64) -> Result<Arc<[u8]>, SourceError> {
        let answer = self.inner.read(path, max_len);
        self.note(Query::Read { path: path.clone(), max_len, answer: answer.clone() });
        answer
    }

    fn list(&self, dir: &RelPath) -> Result<Vec<DirEntry>, SourceError> {
        let answer = self.inner.list(dir);
        self.note(Query::List { dir: dir.clone(), answer: answer.clone() });
        answer
    }

    fn kind(&self, path: &RelPath) -> Option<EntryKind> {
        let answer = self.inner.kind(path);
        self.note(Query::Kind { path: path.clone(), answer });
        answer
    }

    fn content_id(&self, path: &RelPath) -> Option<String> {
        let answer = self.inner.content_id(path);
        self.note(Query::ContentId { path: path.clone(), answer: answer.clone() });
        answer
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemorySource;

    fn p(s: &str) -> RelPath {
        RelPath::new(s).unwrap()
    }

    #[test]
    fn same_answers_only_when_every_recorded_question_is_answered_the_same() {
        let head = MemorySource::new().with("c/a.yaml", "a").with("c/b.yaml", "b").with("other.txt", "1");
        fn ask(src: &dyn FileSource) -> Recording<'_> {
            let r = Recording::new(src);
            let _ = r.read(&p("c/a.yaml"), 10);
            let _ = r.list(&p("c"));
            let _ = r.kind(&p("missing.yaml"));
            r
        }
        // A change the questions never touched.
        assert!(ask(&head).same_answers(&head.clone().with("other.txt", "2")));
        // A read file's content, a listed folder's entries, a path that appeared.
        assert!(!ask(&head).same_answers(&head.clone().with("c/a.yaml", "A")));
        assert!(!ask(&head).same_answers(&head.clone().with("c/new.yaml", "n")));
        assert!(!ask(&head).same_answers(&head.clone().with("missing.yaml", "m")));
        let mut gone = head.clone();
        gone.remove(&p("c/b.yaml"));
        assert!(!ask(&head).same_answers(&gone));
        // Over the size limit on one side only.
        assert!(!ask(&head).same_answers(&head.clone().with("c/a.yaml", "a".repeat(11))));
    }
}
