//! A golden path folder as a value: every file with its bytes and mode.
//!
//! Rendering reads only this value, so no template can reach a file outside its folder. It is
//! filled from disk ([`TemplateDir::load`]) or, for older versions, from a git tree by the CLI.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::changeset::FileMode;
use crate::source::RelPath;

/// Largest file a template may hold.
pub const MAX_FILE: u64 = 16 << 20;
/// Most files a template may hold.
pub const MAX_FILES: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFile {
    pub content: Arc<[u8]>,
    pub mode: FileMode,
    /// The content compiled as a handlebars template, filled on first use: a golden path
    /// rendered again (a server, a benchmark, both sides of an upgrade sharing files) compiles
    /// each file once.
    pub(crate) compiled: Compiled,
}

/// A lazily compiled template; not part of a file's identity.
#[derive(Clone, Default)]
pub(crate) struct Compiled(pub(crate) Arc<OnceLock<Result<handlebars::Template, CompileError>>>);

/// Why a file's content is not a valid template: the message and the position.
#[derive(Debug, Clone)]
pub(crate) struct CompileError {
    pub(crate) message: String,
    pub(crate) pos: Option<(usize, usize)>,
}

impl PartialEq for Compiled {
    fn eq(&self, _: &Compiled) -> bool {
        true
    }
}

impl Eq for Compiled {}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "Compiled(yes)" } else { "Compiled(no)" })
    }
}

/// The files of a template folder, by path relative to the folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateDir {
    pub files: BTreeMap<RelPath, TemplateFile>,
}

/// Why a template folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0} is a symbolic link; templates may not contain links")]
    Symlink(String),
    #[error("{path} is {size} bytes, over the limit of {MAX_FILE}")]
    TooLarge { path: String, size: u64 },
    #[error("the template has more than {MAX_FILES} files")]
    TooMany,
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

impl TemplateDir {
    pub fn insert(&mut self, path: RelPath, content: impl Into<Arc<[u8]>>, mode: FileMode) {
        self.files.insert(path, TemplateFile { content: content.into(), mode, compiled: Compiled::default() });
    }

    /// A file as text, if present and UTF-8.
    pub fn text(&self, path: &str) -> Option<&str> {
        let p = RelPath::new(path).ok()?;
        self.files.get(&p).and_then(|f| std::str::from_utf8(&f.content).ok())
    }

    /// Files under `dir`, with their paths relative to it.
    pub fn under<'a>(&'a self, dir: &'a RelPath) -> impl Iterator<Item = (&'a str, &'a TemplateFile)> + 'a {
        self.files.iter().filter_map(move |(p, f)| {
            if dir.is_root() { Some((p.as_str(), f)) } else { p.strip_prefix(dir).map(|rest| (rest, f)) }
        })
    }

    /// Reads a folder from disk. `.git` is skipped; links are refused, not followed.
    pub fn load(root: &Path) -> Result<TemplateDir, LoadError> {
        let mut out = TemplateDir::default();
        let walker = walkdir::WalkDir::new(root).follow_links(false).sort_by_file_name().into_iter();
        for entry in walker.filter_entry(|e| e.file_name() != ".git") {
            let entry = entry.map_err(|e| LoadError::Io {
                path: e.path().map(|p| p.display().to_string()).unwrap_or_default(),
                source: e.into(),
            })?;
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            let shown = rel.display().to_string();
            let ft = entry.file_type();
            if ft.is_symlink() {
                return Err(LoadError::Symlink(shown));
            }
            if !ft.is_file() {
                continue;
            }
            let meta = entry.metadata().map_err(|e| LoadError::Io { path: shown.clone(), source: e.into() })?;
            if meta.len() > MAX_FILE {
                return Err(LoadError::TooLarge { path: shown, size: meta.len() });
            }
            if out.files.len() >= MAX_FILES {
                return Err(LoadError::TooMany);
            }
            let bytes = std::fs::read(entry.path()).map_err(|e| LoadError::Io { path: shown.clone(), source: e })?;
            let Some(rel) = rel.to_str().and_then(|s| RelPath::new(s).ok()) else { continue };
            out.insert(rel, bytes, mode_of(&meta));
        }
        Ok(out)
    }
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> FileMode {
    use std::os::unix::fs::PermissionsExt;
    if meta.permissions().mode() & 0o111 != 0 { FileMode::Executable } else { FileMode::Regular }
}

#[cfg(not(unix))]
fn mode_of(_: &std::fs::Metadata) -> FileMode {
    FileMode::Regular
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn loads_modes_and_refuses_links() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("skeleton/bin")).unwrap();
        std::fs::write(d.path().join("template.yaml"), "x").unwrap();
        let script = d.path().join("skeleton/bin/run.sh");
        std::fs::write(&script, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::create_dir_all(d.path().join(".git")).unwrap();
        std::fs::write(d.path().join(".git/HEAD"), "x").unwrap();
        let t = TemplateDir::load(d.path()).unwrap();
        let paths: Vec<_> = t.files.keys().map(|p| p.as_str()).collect();
        assert_eq!(paths, ["skeleton/bin/run.sh", "template.yaml"]);
        assert_eq!(t.files[&RelPath::new("skeleton/bin/run.sh").unwrap()].mode, FileMode::Executable);
        std::os::unix::fs::symlink("/etc/passwd", d.path().join("skeleton/passwd")).unwrap();
        assert!(matches!(TemplateDir::load(d.path()), Err(LoadError::Symlink(p)) if p == "skeleton/passwd"));
    }
}
