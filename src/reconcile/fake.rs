//! Hand-written in-memory fakes of the reconciler's ports, for tests of the engine (and of
//! `paved serve` later): a repository of in-memory commits, notes, a validator, an affected
//! finder and a group directory that answer what the test set.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::ports::{Affected, AffectedFinder, Directory, Notes, PortError, Repo, Revision, Target, Validator};
use crate::config::Config;
use crate::report::{Diagnostic, Report};
use crate::source::{FileSource, MemorySource};

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Debug, Clone)]
struct Commit {
    files: BTreeMap<String, String>,
    parent: Option<String>,
}

/// A repository of in-memory commits with a linear history per branch.
#[derive(Debug, Default)]
pub struct FakeRepo {
    commits: Mutex<BTreeMap<String, Commit>>,
    refs: Mutex<BTreeMap<String, String>>,
}

impl FakeRepo {
    pub fn new() -> FakeRepo {
        FakeRepo::default()
    }

    /// Commits `files` (path → text) on top of `branch` (or as a root) and returns the sha.
    /// `parent` names another branch to start from when `branch` does not exist yet.
    pub fn commit(&self, branch: &str, from: Option<&str>, files: &[(&str, &str)]) -> String {
        let parent = {
            let refs = lock(&self.refs);
            refs.get(branch).or_else(|| from.and_then(|f| refs.get(f))).cloned()
        };
        let mut all = parent.as_ref().map(|p| lock(&self.commits)[p].files.clone()).unwrap_or_default();
        for (path, text) in files {
            if text.is_empty() {
                all.remove(*path);
            } else {
                all.insert(path.to_string(), text.to_string());
            }
        }
        let n = lock(&self.commits).len() + 1;
        let sha = format!("{n:040x}");
        lock(&self.commits).insert(sha.clone(), Commit { files: all, parent });
        lock(&self.refs).insert(branch.to_string(), sha.clone());
        sha
    }

    /// Points `branch` at `sha` (a merge that fast-forwards).
    pub fn set_ref(&self, branch: &str, sha: &str) {
        lock(&self.refs).insert(branch.to_string(), sha.to_string());
    }

    fn revision(&self, sha: &str) -> Option<Revision> {
        let commits = lock(&self.commits);
        let c = commits.get(sha)?;
        let mut src = MemorySource::new();
        for (p, t) in &c.files {
            src = src.with(p, t.as_bytes());
        }
        Some(Revision { sha: sha.to_string(), files: Arc::new(src) })
    }

    fn ancestors(&self, sha: &str) -> Vec<String> {
        let commits = lock(&self.commits);
        let mut out = Vec::new();
        let mut at = Some(sha.to_string());
        while let Some(s) = at {
            at = commits.get(&s).and_then(|c| c.parent.clone());
            out.push(s);
        }
        out
    }
}

#[async_trait]
impl Repo for FakeRepo {
    async fn resolve(&self, git_ref: &str) -> Result<Revision, PortError> {
        let sha = lock(&self.refs).get(git_ref).cloned().unwrap_or_else(|| git_ref.to_string());
        self.revision(&sha).ok_or_else(|| PortError::new(format!("unknown revision `{git_ref}`")))
    }

    async fn base_of(&self, head: &str, base_ref: &str) -> Result<Option<Revision>, PortError> {
        let tip =
            lock(&self.refs).get(base_ref).cloned().ok_or_else(|| PortError::new(format!("no branch {base_ref}")))?;
        let on_base = self.ancestors(&tip);
        let head_line = self.ancestors(head);
        let base = if on_base.contains(&head.to_string()) {
            head_line.get(1).cloned()
        } else {
            head_line.iter().find(|s| on_base.contains(s)).cloned()
        };
        Ok(base.and_then(|s| self.revision(&s)))
    }

    async fn changed_paths(&self, base: &str, head: &str) -> Result<Vec<String>, PortError> {
        let commits = lock(&self.commits);
        let (Some(b), Some(h)) = (commits.get(base), commits.get(head)) else {
            return Err(PortError::new("unknown commit"));
        };
        let mut out: Vec<String> =
            h.files.iter().filter(|(p, t)| b.files.get(*p) != Some(t)).map(|(p, _)| p.clone()).collect();
        out.extend(b.files.keys().filter(|p| !h.files.contains_key(*p)).cloned());
        out.sort();
        Ok(out)
    }

    async fn workdir(&self, sha: &str) -> Result<PathBuf, PortError> {
        Ok(PathBuf::from(format!("/fake/checkouts/{sha}")))
    }
}

/// Notes kept in memory.
#[derive(Debug, Default)]
pub struct MemoryNotes(Mutex<BTreeMap<String, String>>);

impl MemoryNotes {
    pub fn note(&self, sha: &str) -> Option<String> {
        lock(&self.0).get(sha).cloned()
    }
}

#[async_trait]
impl Notes for MemoryNotes {
    async fn add_note(&self, sha: &str, text: &str) -> Result<(), PortError> {
        let mut notes = lock(&self.0);
        let entry = notes.entry(sha.to_string()).or_default();
        if !entry.is_empty() {
            entry.push('\n');
        }
        entry.push_str(text);
        Ok(())
    }

    async fn notes(&self) -> Result<Vec<(String, String)>, PortError> {
        Ok(lock(&self.0).iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }
}

/// Reports the diagnostics it was given, for files that exist in the validated revision.
#[derive(Debug, Default)]
pub struct FakeValidator(pub Mutex<Vec<Diagnostic>>);

impl Validator for FakeValidator {
    fn validate(&self, files: &dyn FileSource, _config: &Config) -> Report {
        let diagnostics = lock(&self.0)
            .iter()
            .filter(|d| crate::source::RelPath::new(&d.file).is_ok_and(|p| files.kind(&p).is_some()))
            .cloned()
            .collect();
        Report { diagnostics, ..Report::default() }
    }
}

/// Targets defined in files: a target is affected when its file changed (or there is no base);
/// a target whose file is gone at the head is deleted.
#[derive(Debug, Default)]
pub struct FakeAffected(pub Mutex<Vec<Target>>);

impl AffectedFinder for FakeAffected {
    fn affected(
        &self,
        base: Option<&dyn FileSource>,
        head: &dyn FileSource,
        changed: &[String],
        _: &Config,
    ) -> Affected {
        let exists =
            |src: &dyn FileSource, file: &str| crate::source::RelPath::new(file).is_ok_and(|p| src.kind(&p).is_some());
        let mut out = Vec::new();
        for t in lock(&self.0).iter() {
            let Some(loc) = &t.location else { continue };
            let at_head = exists(head, &loc.file);
            let at_base = base.is_some_and(|b| exists(b, &loc.file));
            if !at_head && !at_base {
                continue;
            }
            if base.is_none() || changed.contains(&loc.file) {
                let mut t = t.clone();
                t.deleted = !at_head;
                if t.deleted {
                    t.reasons = vec!["deleted".into()];
                }
                out.push(t);
            }
        }
        Ok(out)
    }
}

/// Group members as the test set them.
#[derive(Debug, Default)]
pub struct FakeDirectory(pub Mutex<BTreeMap<String, Vec<String>>>);

impl Directory for FakeDirectory {
    fn members(&self, _files: &dyn FileSource, _config: &Config, group: &str) -> Option<Vec<String>> {
        lock(&self.0).get(group).cloned()
    }
}
