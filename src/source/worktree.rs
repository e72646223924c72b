//! Files on disk under a root directory.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{DirEntry, EntryKind, FileSource, RelPath, SourceError};

/// A directory on disk. Symbolic links are followed only when they stay inside the root.
#[derive(Debug, Clone)]
pub struct WorkTree {
    root: PathBuf,
}

impl WorkTree {
    /// Opens `root`, which must be a directory.
    pub fn new(root: impl AsRef<Path>) -> std::io::Result<WorkTree> {
        let root = fs::canonicalize(root.as_ref())?;
        if !root.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                format!("{} is not a directory", root.display()),
            ));
        }
        Ok(WorkTree { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn abs(&self, p: &RelPath) -> PathBuf {
        if p.is_root() { self.root.clone() } else { self.root.join(p.as_str()) }
    }

    /// The real path of `p` after following links, refused when it leaves the root.
    fn resolve(&self, p: &RelPath) -> Result<PathBuf, SourceError> {
        let abs = self.abs(p);
        let real = fs::canonicalize(&abs).map_err(|e| io_err(p, e))?;
        if !real.starts_with(&self.root) {
            return Err(SourceError::OutsideRoot(p.clone()));
        }
        Ok(real)
    }
}

fn io_err(p: &RelPath, e: std::io::Error) -> SourceError {
    match e.kind() {
        std::io::ErrorKind::NotFound => SourceError::NotFound(p.clone()),
        _ => SourceError::Io { path: p.clone(), message: e.to_string() },
    }
}

impl FileSource for WorkTree {
    fn read(&self, path: &RelPath, max_len: u64) -> Result<Arc<[u8]>, SourceError> {
        let real = self.resolve(path)?;
        let meta = fs::metadata(&real).map_err(|e| io_err(path, e))?;
        if !meta.is_file() {
            return Err(SourceError::NotAFile(path.clone()));
        }
        if meta.len() > max_len {
            return Err(SourceError::TooLarge { path: path.clone(), size: meta.len(), limit: max_len });
        }
        let f = fs::File::open(&real).map_err(|e| io_err(path, e))?;
        let mut buf = Vec::with_capacity(meta.len() as usize);
        // The file may grow between stat and read: never read past the limit.
        f.take(max_len.saturating_add(1)).read_to_end(&mut buf).map_err(|e| io_err(path, e))?;
        if buf.len() as u64 > max_len {
            return Err(SourceError::TooLarge { path: path.clone(), size: buf.len() as u64, limit: max_len });
        }
        Ok(Arc::from(buf))
    }

    fn list(&self, dir: &RelPath) -> Result<Vec<DirEntry>, SourceError> {
        let abs = self.abs(dir);
        let rd = match fs::read_dir(&abs) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err(dir, e)),
        };
        let mut out = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|e| io_err(dir, e))?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let Ok(path) = dir.join(&name) else { continue };
            let ft = entry.file_type().map_err(|e| io_err(&path, e))?;
            let kind = if ft.is_symlink() {
                EntryKind::Symlink
            } else if ft.is_dir() {
                EntryKind::Dir
            } else if ft.is_file() {
                EntryKind::File
            } else {
                continue;
            };
            out.push(DirEntry { path, kind });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    fn kind(&self, path: &RelPath) -> Option<EntryKind> {
        let meta = fs::symlink_metadata(self.abs(path)).ok()?;
        let ft = meta.file_type();
        Some(if ft.is_symlink() {
            // A link inside the root counts as what it points at.
            match self.resolve(path).ok().and_then(|r| fs::metadata(r).ok()) {
                Some(m) if m.is_dir() => EntryKind::Dir,
                Some(m) if m.is_file() => EntryKind::File,
                _ => EntryKind::Symlink,
            }
        } else if ft.is_dir() {
            EntryKind::Dir
        } else {
            EntryKind::File
        })
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_symlinks_out_of_the_root_and_large_files() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.yaml"), "x: 1").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ok.yaml"), "a: 1").unwrap();
        std::fs::write(dir.path().join("big.yaml"), vec![b'a'; 100]).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path().join("secret.yaml"), dir.path().join("link.yaml")).unwrap();
        let wt = WorkTree::new(dir.path()).unwrap();
        assert_eq!(&*wt.read(&RelPath::new("ok.yaml").unwrap(), 10).unwrap(), b"a: 1");
        assert!(matches!(wt.read(&RelPath::new("big.yaml").unwrap(), 10), Err(SourceError::TooLarge { .. })));
        #[cfg(unix)]
        assert!(matches!(wt.read(&RelPath::new("link.yaml").unwrap(), 10), Err(SourceError::OutsideRoot(_))));
        assert!(matches!(wt.read(&RelPath::new("nope.yaml").unwrap(), 10), Err(SourceError::NotFound(_))));
        let names: Vec<_> = wt.list(&RelPath::root()).unwrap().into_iter().map(|e| e.path.to_string()).collect();
        assert_eq!(names, vec!["big.yaml", "link.yaml", "ok.yaml"]);
    }
}
