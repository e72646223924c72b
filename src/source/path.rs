//! Repository-relative paths that cannot escape the repository.

use std::fmt;

/// A normalised, `/`-separated path inside a repository: no leading `/`, no `.` or `..`
/// segments, no NUL. The empty path is the repository root.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RelPath(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelPathError {
    #[error("path `{0}` leaves the repository")]
    Escapes(String),
    #[error("path `{0}` is absolute")]
    Absolute(String),
    #[error("path contains a NUL byte")]
    Nul,
}

impl RelPath {
    pub fn root() -> RelPath {
        RelPath(String::new())
    }

    /// Normalises `path` (`a/./b/../c` → `a/c`), refusing absolute paths and any `..` that
    /// would climb above the root.
    pub fn new(path: &str) -> Result<RelPath, RelPathError> {
        if path.contains('\0') {
            return Err(RelPathError::Nul);
        }
        let unified = path.replace('\\', "/");
        if unified.starts_with('/') || has_drive(&unified) {
            return Err(RelPathError::Absolute(path.to_string()));
        }
        let mut parts: Vec<&str> = Vec::new();
        for seg in unified.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Err(RelPathError::Escapes(path.to_string()));
                    }
                }
                s => parts.push(s),
            }
        }
        Ok(RelPath(parts.join("/")))
    }

    /// Resolves `rel` against this path taken as a directory.
    pub fn join(&self, rel: &str) -> Result<RelPath, RelPathError> {
        if self.0.is_empty() {
            RelPath::new(rel)
        } else {
            if rel.starts_with('/') {
                return Err(RelPathError::Absolute(rel.to_string()));
            }
            RelPath::new(&format!("{}/{}", self.0, rel))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The directory holding this path (the root for a top-level name).
    pub fn parent(&self) -> RelPath {
        match self.0.rfind('/') {
            Some(i) => RelPath(self.0[..i].to_string()),
            None => RelPath::root(),
        }
    }

    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or("")
    }

    /// Whether `self` is `dir` or lies under it.
    pub fn starts_with(&self, dir: &RelPath) -> bool {
        dir.0.is_empty()
            || self.0 == dir.0
            || (self.0.starts_with(&dir.0) && self.0.as_bytes().get(dir.0.len()) == Some(&b'/'))
    }

    /// This path relative to `dir`, when it lies under it.
    pub fn strip_prefix(&self, dir: &RelPath) -> Option<&str> {
        if dir.0.is_empty() {
            return Some(&self.0);
        }
        if self.0 == dir.0 {
            return Some("");
        }
        self.0.strip_prefix(&dir.0).and_then(|r| r.strip_prefix('/'))
    }
}

fn has_drive(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic()
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() { f.write_str(".") } else { f.write_str(&self.0) }
    }
}

impl AsRef<str> for RelPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_refuses_escapes() {
        assert_eq!(RelPath::new("a/./b/../c").unwrap().as_str(), "a/c");
        assert_eq!(RelPath::new("./x.yaml").unwrap().as_str(), "x.yaml");
        assert!(matches!(RelPath::new("../x"), Err(RelPathError::Escapes(_))));
        assert!(matches!(RelPath::new("a/../../x"), Err(RelPathError::Escapes(_))));
        assert!(matches!(RelPath::new("/etc/passwd"), Err(RelPathError::Absolute(_))));
        assert!(matches!(RelPath::new("C:/x"), Err(RelPathError::Absolute(_))));
        assert!(matches!(RelPath::new("a\0b"), Err(RelPathError::Nul)));
        let d = RelPath::new("a/b").unwrap();
        assert_eq!(d.join("../c").unwrap().as_str(), "a/c");
        assert_eq!(d.parent().as_str(), "a");
        assert!(RelPath::new("a/b/c").unwrap().starts_with(&d));
        assert!(!RelPath::new("a/bc").unwrap().starts_with(&d));
        assert_eq!(RelPath::new("a/b/c").unwrap().strip_prefix(&d), Some("c"));
    }
}
