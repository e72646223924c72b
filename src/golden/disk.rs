//! Writing a change set into a folder on disk: the one place golden paths touch the file
//! system after loading a template. Paths are refused when they pass through a symbolic link;
//! files are written to a temporary name and renamed, so a link at the destination is replaced,
//! never followed.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::changeset::{ChangeSet, FileChange, FileMode};
use crate::source::RelPath;

#[derive(Debug, thiserror::Error)]
pub enum DiskError {
    #[error("{0} passes through a symbolic link")]
    Symlink(RelPath),
    #[error("{path}: {source}")]
    Io { path: RelPath, source: std::io::Error },
}

fn io(path: &RelPath) -> impl FnOnce(std::io::Error) -> DiskError + '_ {
    move |source| DiskError::Io { path: path.clone(), source }
}

/// The absolute path of `rel` under `root`, refused when a folder on the way (or the file
/// itself) is a symbolic link.
pub fn safe_path(root: &Path, rel: &RelPath) -> Result<PathBuf, DiskError> {
    let mut p = root.to_path_buf();
    for seg in rel.as_str().split('/') {
        p.push(seg);
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => return Err(DiskError::Symlink(rel.clone())),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
            Err(e) => return Err(io(rel)(e)),
        }
    }
    Ok(root.join(rel.as_str()))
}

/// Paths the change set writes that already exist under `root`.
pub fn existing(root: &Path, changes: &ChangeSet) -> Result<Vec<RelPath>, DiskError> {
    let mut out = Vec::new();
    for (p, c) in &changes.files {
        if matches!(c, FileChange::Write { .. }) && safe_path(root, p)?.exists() {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// The current text of every file the change set touches (`None` when absent or binary).
pub fn current(root: &Path, rel: &RelPath) -> Result<Option<Vec<u8>>, DiskError> {
    let p = safe_path(root, rel)?;
    match std::fs::read(&p) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(rel)(e)),
    }
}

/// Writes every change under `root` (created when missing).
pub fn write(root: &Path, changes: &ChangeSet) -> Result<(), DiskError> {
    std::fs::create_dir_all(root).map_err(io(&RelPath::root()))?;
    for (rel, change) in &changes.files {
        let dest = safe_path(root, rel)?;
        match change {
            FileChange::Delete => match std::fs::remove_file(&dest) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(rel)(e)),
                _ => {}
            },
            FileChange::Write { content, mode } => {
                let dir = dest.parent().unwrap_or(root);
                std::fs::create_dir_all(dir).map_err(io(rel))?;
                // create_dir_all may have met a link made meanwhile: check again.
                safe_path(root, rel)?;
                let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io(rel))?;
                tmp.write_all(content).map_err(io(rel))?;
                set_mode(tmp.as_file(), *mode).map_err(io(rel))?;
                tmp.persist(&dest).map_err(|e| io(rel)(e.error))?;
            }
        }
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(f: &std::fs::File, mode: FileMode) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let bits = match mode {
        FileMode::Executable => 0o755,
        FileMode::Regular => 0o644,
    };
    f.set_permissions(std::fs::Permissions::from_mode(bits))
}

#[cfg(not(unix))]
fn set_mode(_: &std::fs::File, _: FileMode) -> std::io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn p(s: &str) -> RelPath {
        RelPath::new(s).unwrap()
    }

    #[test]
    fn writes_modes_and_refuses_links() {
        let d = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let mut cs = ChangeSet::new();
        cs.write(p("a/b/run.sh"), "#!/bin/sh\n", FileMode::Executable).unwrap();
        cs.write(p("a/readme"), "r", FileMode::Regular).unwrap();
        write(d.path(), &cs).unwrap();
        let m = std::fs::metadata(d.path().join("a/b/run.sh")).unwrap().permissions().mode();
        assert_eq!(m & 0o777, 0o755);
        assert_eq!(existing(d.path(), &cs).unwrap().len(), 2);

        std::os::unix::fs::symlink(outside.path(), d.path().join("out")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("f"), d.path().join("f")).unwrap();
        for bad in ["out/x", "f"] {
            let mut cs = ChangeSet::new();
            cs.write(p(bad), "x", FileMode::Regular).unwrap();
            assert!(matches!(write(d.path(), &cs), Err(DiskError::Symlink(_))), "{bad}");
        }
        assert!(std::fs::read_dir(outside.path()).unwrap().next().is_none());
        let mut cs = ChangeSet::new();
        cs.delete(p("a/readme")).unwrap();
        write(d.path(), &cs).unwrap();
        assert!(!d.path().join("a/readme").exists());
    }
}
