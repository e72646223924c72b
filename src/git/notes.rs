//! Git notes under a ref: the reconciler records what it applied on the merged commit
//! (under [`super::AUDIT_NOTES_REF`]) without rewriting history.

use git2::{ErrorCode, Oid, Signature};

use super::{GitError, Repo};

/// One note: the commit it annotates and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub target: Oid,
    pub message: String,
}

impl Repo {
    /// The note on `target` under `notes_ref`, if any.
    pub fn read_note(&self, notes_ref: &str, target: Oid) -> Result<Option<String>, GitError> {
        match self.raw().find_note(Some(notes_ref), target) {
            Ok(n) => Ok(Some(n.message().map(str::to_string).unwrap_or_default())),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(GitError::git(format!("reading the note on {target}"), e)),
        }
    }

    /// Sets the note on `target`, replacing any earlier one. Returns the note blob's id.
    pub fn write_note(&self, notes_ref: &str, target: Oid, message: &str) -> Result<Oid, GitError> {
        let sig = self.signature();
        self.raw()
            .note(&sig, &sig, Some(notes_ref), target, message, true)
            .map_err(|e| GitError::git(format!("writing the note on {target}"), e))
    }

    /// Adds `message` after the existing note on `target` (a blank line between), as
    /// `git notes append` does: several runs on one commit each leave a record.
    pub fn append_note(&self, notes_ref: &str, target: Oid, message: &str) -> Result<Oid, GitError> {
        let text = match self.read_note(notes_ref, target)? {
            Some(old) if !old.trim().is_empty() => format!("{}\n\n{}", old.trim_end(), message),
            _ => message.to_string(),
        };
        self.write_note(notes_ref, target, &text)
    }

    /// Every note under `notes_ref`, sorted by target. An absent ref has no notes.
    pub fn list_notes(&self, notes_ref: &str) -> Result<Vec<Note>, GitError> {
        let iter = match self.raw().notes(Some(notes_ref)) {
            Ok(it) => it,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(GitError::git("listing notes", e)),
        };
        let mut out = Vec::new();
        for item in iter {
            let (_, target) = item.map_err(|e| GitError::git("listing notes", e))?;
            if let Some(message) = self.read_note(notes_ref, target)? {
                out.push(Note { target, message });
            }
        }
        out.sort_by_key(|n| n.target);
        Ok(out)
    }

    /// The configured identity, else paved's own (a CI runner often has no user.name).
    fn signature(&self) -> Signature<'static> {
        self.raw()
            .signature()
            .or_else(|_| Signature::now("paved", "paved@localhost"))
            .unwrap_or_else(|_| Signature::new("paved", "paved@localhost", &git2::Time::new(0, 0)).expect("static"))
    }
}
