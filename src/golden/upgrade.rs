//! `paved upgrade`: the old and the new template version are rendered with the recorded
//! answers (both against the project as it is now), and the difference between the two renders
//! is merged into the project's files, as copier's update does.

use crate::changeset::{ChangeSet, FileChange};
use crate::source::{FileSource, RelPath, SourceError};

use super::fetch::is_binary;
use super::merge3::merge3;

/// What an upgrade does to the project.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Upgrade {
    pub changes: ChangeSet,
    /// Files written with conflict markers.
    pub conflicts: Vec<RelPath>,
    /// Files the template changed that the user had deleted: they stay deleted.
    pub kept_deleted: Vec<RelPath>,
    /// Files the new version drops but the user changed: they stay.
    pub kept_modified: Vec<RelPath>,
    /// Binary files both sides changed: the project's copy stays.
    pub kept_binary: Vec<RelPath>,
}

/// Largest project file the merge reads.
const MAX_FILE: u64 = 64 << 20;

/// Plans the upgrade of `current` from the `old` render to the `new` one.
pub fn plan(
    old: &ChangeSet,
    new: &ChangeSet,
    current: &dyn FileSource,
    new_label: &str,
) -> Result<Upgrade, SourceError> {
    let mut up = Upgrade::default();
    let paths: std::collections::BTreeSet<&RelPath> = old.files.keys().chain(new.files.keys()).collect();
    for path in paths {
        let o = written(old, path);
        let n = written(new, path);
        if o == n {
            continue; // the template did not change this file
        }
        let c = match current.read(path, MAX_FILE) {
            Ok(b) => Some(b.to_vec()),
            Err(SourceError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        let mode = match new.files.get(path) {
            Some(FileChange::Write { mode, .. }) => *mode,
            _ => Default::default(),
        };
        match (o, n, c.as_deref()) {
            (Some(_), _, None) => up.kept_deleted.push(path.clone()),
            (None, Some(n), None) => {
                let _ = up.changes.write(path.clone(), n.to_vec(), mode);
            }
            (Some(o), None, Some(c)) => {
                if c == o {
                    let _ = up.changes.delete(path.clone());
                } else {
                    up.kept_modified.push(path.clone());
                }
            }
            (None, None, _) => {}
            (o, Some(n), Some(c)) => {
                let o = o.unwrap_or_default();
                if c == n {
                    continue;
                }
                if c == o {
                    let _ = up.changes.write(path.clone(), n.to_vec(), mode);
                    continue;
                }
                if is_binary(o) || is_binary(n) || is_binary(c) {
                    up.kept_binary.push(path.clone());
                    continue;
                }
                let (o, n, c) = (lossy(o), lossy(n), lossy(c));
                let merged = merge3(&o, &c, &n, "your changes", new_label);
                if merged.conflicts > 0 {
                    up.conflicts.push(path.clone());
                }
                let _ = up.changes.write(path.clone(), merged.text.into_bytes(), mode);
            }
        }
    }
    Ok(up)
}

fn written<'a>(cs: &'a ChangeSet, path: &RelPath) -> Option<&'a [u8]> {
    match cs.files.get(path) {
        Some(FileChange::Write { content, .. }) => Some(content),
        _ => None,
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changeset::FileMode;
    use crate::source::MemorySource;

    fn cs(files: &[(&str, &str)]) -> ChangeSet {
        let mut c = ChangeSet::new();
        for (p, t) in files {
            c.write(RelPath::new(p).unwrap(), *t, FileMode::Regular).unwrap();
        }
        c
    }

    #[test]
    fn merges_keeps_deletions_and_reports_conflicts() {
        let old =
            cs(&[("a", "1\n2\n3\n4\n"), ("gone", "x\n"), ("dropped", "d\n"), ("edited-drop", "e\n"), ("c", "k\n")]);
        let new = cs(&[("a", "1\n2\n3\n4 new\n"), ("gone", "x2\n"), ("added", "n\n"), ("c", "template\n")]);
        let current = MemorySource::new()
            .with("a", "1 mine\n2\n3\n4\n")
            .with("dropped", "d\n")
            .with("edited-drop", "e mine\n")
            .with("c", "mine\n");
        let up = plan(&old, &new, &current, "v2").unwrap();
        let text = |p: &str| match &up.changes.files[&RelPath::new(p).unwrap()] {
            FileChange::Write { content, .. } => String::from_utf8(content.clone()).unwrap(),
            FileChange::Delete => "<deleted>".into(),
        };
        assert_eq!(text("a"), "1 mine\n2\n3\n4 new\n");
        assert_eq!(text("added"), "n\n");
        assert_eq!(text("dropped"), "<deleted>");
        assert_eq!(text("c"), "<<<<<<< your changes\nmine\n=======\ntemplate\n>>>>>>> v2\n");
        assert_eq!(up.conflicts, [RelPath::new("c").unwrap()]);
        assert_eq!(up.kept_deleted, [RelPath::new("gone").unwrap()]);
        assert_eq!(up.kept_modified, [RelPath::new("edited-drop").unwrap()]);
        assert!(!up.changes.files.contains_key(&RelPath::new("gone").unwrap()));
    }
}
