//! Walking and globbing over any [`FileSource`].

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::{EntryKind, FileSource, RelPath, SourceError};

/// Directories never worth descending into.
const SKIP_DIRS: &[&str] = &[".git", "node_modules", "target", ".terraform", ".paved"];

/// Every file under `dir` (recursively), sorted. Symlinks and submodules are not followed.
pub fn walk_files(src: &dyn FileSource, dir: &RelPath) -> Result<Vec<RelPath>, SourceError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for e in src.list(&d)? {
            match e.kind {
                EntryKind::File => out.push(e.path),
                EntryKind::Dir if !SKIP_DIRS.contains(&e.path.file_name()) => stack.push(e.path),
                _ => {}
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Compiles doublestar glob patterns (`**` crosses directories, `*` does not).
pub fn compile_globs(patterns: &[String]) -> Result<GlobSet, globset::Error> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(GlobBuilder::new(p.trim_start_matches("./")).literal_separator(true).build()?);
    }
    b.build()
}

/// Files under the root matching any of `patterns`, sorted.
pub fn glob(src: &dyn FileSource, patterns: &[String]) -> Result<Vec<RelPath>, GlobError> {
    let set = compile_globs(patterns).map_err(|e| GlobError::Pattern(e.to_string()))?;
    // Walk only from the longest literal prefix shared by the patterns, not the whole tree.
    let base = patterns.iter().map(|p| literal_dir(p)).reduce(|a, b| common_dir(&a, &b)).unwrap_or_default();
    let base = RelPath::new(&base).map_err(|e| GlobError::Pattern(e.to_string()))?;
    let files = walk_files(src, &base)?;
    Ok(files.into_iter().filter(|f| set.is_match(f.as_str())).collect())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GlobError {
    #[error("invalid glob: {0}")]
    Pattern(String),
    #[error(transparent)]
    Source(#[from] SourceError),
}

fn literal_dir(pattern: &str) -> String {
    let p = pattern.trim_start_matches("./");
    let mut dirs = Vec::new();
    let segs: Vec<&str> = p.split('/').collect();
    for seg in &segs[..segs.len().saturating_sub(1)] {
        if seg.contains(['*', '?', '[', '{']) {
            break;
        }
        dirs.push(*seg);
    }
    dirs.join("/")
}

fn common_dir(a: &str, b: &str) -> String {
    a.split('/').zip(b.split('/')).take_while(|(x, y)| x == y).map(|(x, _)| x).collect::<Vec<_>>().join("/")
}

/// Checks that a glob pattern compiles.
pub fn glob_is_valid(pattern: &str) -> Result<(), String> {
    compile_globs(&[pattern.to_string()]).map(|_| ()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemorySource;

    #[test]
    fn globs_and_walks() {
        let src = MemorySource::new()
            .with("catalog-info.yaml", "a")
            .with("services/a/catalog-info.yaml", "b")
            .with("services/b/catalog-info.yml", "c")
            .with("node_modules/x/catalog-info.yaml", "d");
        let all = walk_files(&src, &RelPath::root()).unwrap();
        assert_eq!(all.len(), 3);
        let g = glob(&src, &["services/*/catalog-info.yaml".into()]).unwrap();
        assert_eq!(g, vec![RelPath::new("services/a/catalog-info.yaml").unwrap()]);
        let g = glob(&src, &["**/catalog-info.y*ml".into()]).unwrap();
        assert_eq!(g.len(), 3);
    }
}
