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
    /// The root opened as a directory handle, for opening files beneath it in one system
    /// call (Linux); `None` elsewhere or when it cannot be opened.
    handle: Option<Arc<beneath::Root>>,
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
        let handle = beneath::Root::new(&root).map(Arc::new);
        Ok(WorkTree { root, handle })
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

    /// Opens `p` for reading with its metadata, refusing links that leave the root.
    fn open(&self, p: &RelPath) -> Result<(fs::File, fs::Metadata), SourceError> {
        // The kernel resolves the path without leaving the root, links inside it included:
        // one system call instead of `canonicalize`'s one per path component. What it will
        // not judge (a link with an absolute target, one that leaves) takes the portable path.
        if let Some(root) = self.handle.as_deref()
            && !p.is_root()
        {
            match root.open(p.as_str()) {
                beneath::Opened::File(f) => {
                    let meta = f.metadata().map_err(|e| io_err(p, e))?;
                    if !meta.is_file() {
                        return Err(SourceError::NotAFile(p.clone()));
                    }
                    return Ok((f, meta));
                }
                beneath::Opened::Failed(e) => return Err(io_err(p, e)),
                beneath::Opened::Unsure => {}
            }
        }
        let real = self.resolve(p)?;
        let meta = fs::metadata(&real).map_err(|e| io_err(p, e))?;
        if !meta.is_file() {
            return Err(SourceError::NotAFile(p.clone()));
        }
        let f = fs::File::open(&real).map_err(|e| io_err(p, e))?;
        Ok((f, meta))
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
        let (f, meta) = self.open(path)?;
        if meta.len() > max_len {
            return Err(SourceError::TooLarge { path: path.clone(), size: meta.len(), limit: max_len });
        }
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

    /// One `lstat` instead of reading the parent directory. Where that fails for another
    /// reason than a missing entry, the listing decides (and reports the error). Linux only:
    /// where file systems usually ignore case (macOS, Windows), `lstat` would find
    /// `Catalog-Info.yaml` under the name `catalog-info.yaml`, which a listing does not.
    #[cfg(target_os = "linux")]
    fn entry_kind(&self, path: &RelPath) -> Result<Option<EntryKind>, SourceError> {
        match fs::symlink_metadata(self.abs(path)) {
            Ok(meta) => {
                // As `list` classifies a directory entry (its file type, links not followed).
                let ft = meta.file_type();
                Ok(if ft.is_symlink() {
                    Some(EntryKind::Symlink)
                } else if ft.is_dir() {
                    Some(EntryKind::Dir)
                } else if ft.is_file() {
                    Some(EntryKind::File)
                } else {
                    None
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(_) => Ok(self.list(&path.parent())?.into_iter().find(|e| e.path == *path).map(|e| e.kind)),
        }
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

/// `openat2(2)` with `RESOLVE_BENEATH`: the kernel follows links but fails the open when the
/// path would leave the directory, so nothing can slip out between a check and the open.
#[cfg(target_os = "linux")]
mod beneath {
    use std::ffi::CString;
    use std::fs::File;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    #[derive(Debug)]
    pub struct Root(OwnedFd);

    pub enum Opened {
        File(File),
        /// A plain answer: not found, not permitted, not a directory on the way.
        Failed(std::io::Error),
        /// The kernel refused to judge (a link leaving or with an absolute target, no
        /// openat2 on this kernel, a sandbox that blocks it): decide the portable way.
        Unsure,
    }

    impl Root {
        pub fn new(dir: &Path) -> Option<Root> {
            let c = CString::new(dir.as_os_str().as_bytes()).ok()?;
            // SAFETY: a valid C string; the returned descriptor is owned below.
            let fd = unsafe { libc::open(c.as_ptr(), libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC) };
            // SAFETY: `fd` is a fresh descriptor nobody else owns.
            (fd >= 0).then(|| Root(unsafe { OwnedFd::from_raw_fd(fd) }))
        }

        pub fn open(&self, rel: &str) -> Opened {
            let Ok(c) = CString::new(rel) else { return Opened::Unsure };
            // SAFETY: open_how is plain data; zeroed is its documented default.
            let mut how: libc::open_how = unsafe { std::mem::zeroed() };
            // O_NONBLOCK: a FIFO named like a descriptor must not hang the run.
            how.flags = (libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NOCTTY | libc::O_NONBLOCK) as u64;
            how.resolve = libc::RESOLVE_BENEATH | libc::RESOLVE_NO_MAGICLINKS;
            // SAFETY: valid descriptor, C string and struct with its exact size.
            let fd = unsafe {
                libc::syscall(
                    libc::SYS_openat2,
                    self.0.as_raw_fd(),
                    c.as_ptr(),
                    &how as *const libc::open_how,
                    std::mem::size_of::<libc::open_how>(),
                )
            };
            if fd >= 0 {
                // SAFETY: a fresh descriptor nobody else owns.
                return Opened::File(unsafe { File::from_raw_fd(fd as i32) });
            }
            let e = std::io::Error::last_os_error();
            match e.raw_os_error() {
                Some(libc::ENOENT | libc::ENOTDIR | libc::EACCES) => Opened::Failed(e),
                _ => Opened::Unsure,
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod beneath {
    use std::fs::File;
    use std::path::Path;

    #[derive(Debug)]
    pub struct Root;

    pub enum Opened {
        File(File),
        Failed(std::io::Error),
        Unsure,
    }

    impl Root {
        pub fn new(_: &Path) -> Option<Root> {
            None
        }

        pub fn open(&self, _: &str) -> Opened {
            Opened::Unsure
        }
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

    #[cfg(unix)]
    #[test]
    fn links_inside_the_root_are_followed_and_links_out_refused() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.yaml"), "x: 1").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/c.yaml"), "c: 1").unwrap();
        // Absolute and relative links inside the root, and out of it.
        symlink(root.join("a"), root.join("inner")).unwrap();
        symlink("b/c.yaml", root.join("a/rel.yaml")).unwrap();
        symlink("../../..", root.join("a/b/up")).unwrap();
        symlink(outside.path(), root.join("a/out")).unwrap();
        symlink("../../../../../../../../../etc/hostname", root.join("a/far.yaml")).unwrap();
        std::fs::create_dir(root.join("a/b/folder.yaml")).unwrap();
        let wt = WorkTree::new(root).unwrap();
        let read = |p: &str| wt.read(&RelPath::new(p).unwrap(), 100);
        assert_eq!(&*read("a/b/c.yaml").unwrap(), b"c: 1");
        assert_eq!(&*read("inner/b/c.yaml").unwrap(), b"c: 1");
        assert_eq!(&*read("a/rel.yaml").unwrap(), b"c: 1");
        assert!(matches!(read("a/out/secret.yaml"), Err(SourceError::OutsideRoot(_))));
        assert!(matches!(read("a/far.yaml"), Err(SourceError::OutsideRoot(_) | SourceError::NotFound(_))));
        assert!(matches!(read("a/b/up/secret.yaml"), Err(SourceError::OutsideRoot(_) | SourceError::NotFound(_))));
        assert!(matches!(read("a/b/folder.yaml"), Err(SourceError::NotAFile(_))));
        assert!(matches!(read("a/b/none.yaml"), Err(SourceError::NotFound(_))));
        assert!(matches!(read("a/none/x.yaml"), Err(SourceError::NotFound(_))));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_not_a_file_and_does_not_block() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.yaml");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid C string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let wt = WorkTree::new(dir.path()).unwrap();
        assert!(matches!(wt.read(&RelPath::new("pipe.yaml").unwrap(), 100), Err(SourceError::NotAFile(_))));
    }
}
