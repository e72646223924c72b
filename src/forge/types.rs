//! Values that cross the [`Forge`](super::Forge) port.

use std::fmt;

use crate::report::{Diagnostic, Severity};

/// Which forge a value or event comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ForgeKind {
    GitHub,
    GitLab,
}

impl ForgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ForgeKind::GitHub => "github",
            ForgeKind::GitLab => "gitlab",
        }
    }
}

impl fmt::Display for ForgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A repository's full path: `owner/name` on GitHub, `group/subgroup/project` on GitLab.
///
/// Checked on construction so that names from webhooks can be put in URLs safely.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoIdError {
    #[error("repository `{0}` is not of the form owner/name")]
    Shape(String),
    #[error("repository `{0}` has a segment with characters other than letters, digits, `-`, `_` and `.`")]
    Characters(String),
}

impl RepoId {
    pub fn parse(full: &str) -> Result<RepoId, RepoIdError> {
        let segs: Vec<&str> = full.split('/').collect();
        if segs.len() < 2 || segs.iter().any(|s| s.is_empty() || *s == "." || *s == "..") {
            return Err(RepoIdError::Shape(full.chars().take(200).collect()));
        }
        let ok =
            |s: &str| s.len() <= 255 && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !segs.iter().all(|s| ok(s)) {
            return Err(RepoIdError::Characters(full.chars().take(200).collect()));
        }
        Ok(RepoId(full.to_string()))
    }

    /// Everything before the last `/`: the GitHub owner, or the GitLab namespace.
    pub fn owner(&self) -> &str {
        self.0.rsplit_once('/').map_or("", |(o, _)| o)
    }

    pub fn name(&self) -> &str {
        self.0.rsplit_once('/').map_or(&self.0, |(_, n)| n)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RepoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The pull/merge request a change set went into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRequestRef {
    pub number: u64,
    pub url: String,
    /// The branch head after this call.
    pub head_sha: String,
    /// The request was opened by this call (not found open already).
    pub created: bool,
    /// A new commit was written to the branch (false when it already held the changes).
    pub committed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullRequestState {
    Open,
    Closed,
    Merged,
}

/// What the apply requirements and the audit trail need to know about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    pub title: String,
    pub author: String,
    pub state: PullRequestState,
    pub draft: bool,
    pub head_ref: String,
    pub head_sha: String,
    pub base_ref: String,
    /// `None` while the forge is still computing it.
    pub mergeable: Option<bool>,
    pub merge_sha: Option<String>,
    pub merged_by: Option<String>,
    pub url: String,
}

/// The sticky comment after an upsert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRef {
    /// The id of the first part.
    pub id: u64,
    pub url: Option<String>,
    /// How many comments the body took.
    pub parts: usize,
    /// The first part did not exist before.
    pub created: bool,
}

/// How bad an annotation is (GitHub's `annotation_level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AnnotationLevel {
    Notice,
    Warning,
    Failure,
}

impl AnnotationLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AnnotationLevel::Notice => "notice",
            AnnotationLevel::Warning => "warning",
            AnnotationLevel::Failure => "failure",
        }
    }
}

/// A finding placed on file lines of the checked commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Repository-relative, `/`-separated.
    pub path: String,
    /// 1-based.
    pub start_line: u32,
    pub end_line: u32,
    pub level: AnnotationLevel,
    pub title: Option<String>,
    pub message: String,
}

impl From<&Diagnostic> for Annotation {
    fn from(d: &Diagnostic) -> Annotation {
        let start_line = d.line.max(1);
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\n\n");
            message.push_str(help);
        }
        Annotation {
            path: d.file.clone(),
            start_line,
            end_line: d.end_line.unwrap_or(start_line).max(start_line),
            level: match d.severity {
                Severity::Error => AnnotationLevel::Failure,
                Severity::Warning => AnnotationLevel::Warning,
                Severity::Note => AnnotationLevel::Notice,
            },
            title: Some(d.rule.clone()),
            message,
        }
    }
}

/// Where a check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckStatus {
    Queued,
    InProgress,
    Completed(CheckConclusion),
}

/// How a completed check ended (GitHub's conclusions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckConclusion {
    Success,
    Failure,
    Neutral,
    Cancelled,
    Skipped,
    TimedOut,
    ActionRequired,
}

impl CheckConclusion {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckConclusion::Success => "success",
            CheckConclusion::Failure => "failure",
            CheckConclusion::Neutral => "neutral",
            CheckConclusion::Cancelled => "cancelled",
            CheckConclusion::Skipped => "skipped",
            CheckConclusion::TimedOut => "timed_out",
            CheckConclusion::ActionRequired => "action_required",
        }
    }
}

/// A check to publish on a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The check's name (GitHub check run name, commit status context / GitLab status name).
    pub name: String,
    pub head_sha: String,
    pub status: CheckStatus,
    /// One line (GitHub's output title; the commit status description is cut from it).
    pub title: String,
    /// Markdown.
    pub summary: String,
    /// Markdown details below the summary.
    pub text: Option<String>,
    pub annotations: Vec<Annotation>,
    /// A link to the run (paved serve's run page).
    pub details_url: Option<String>,
    /// paved's run id, echoed back by GitHub in check_run events.
    pub external_id: Option<String>,
    /// The request the commit belongs to: GitLab posts the summary as a sticky note there.
    pub change_request: Option<u64>,
}

impl Check {
    pub fn new(name: impl Into<String>, head_sha: impl Into<String>, status: CheckStatus) -> Check {
        Check {
            name: name.into(),
            head_sha: head_sha.into(),
            status,
            title: String::new(),
            summary: String::new(),
            text: None,
            annotations: Vec::new(),
            details_url: None,
            external_id: None,
            change_request: None,
        }
    }
}

/// How a check was published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    CheckRun,
    CommitStatus,
}

/// A published check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRef {
    pub kind: CheckKind,
    /// The check run id or commit status id.
    pub id: u64,
    pub url: Option<String>,
    /// The sticky note GitLab checks also post.
    pub comment: Option<CommentRef>,
}

/// A reviewer who approves a request.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Approval {
    pub user: String,
    /// The commit the approval was given on (GitHub), so stale approvals can be told apart.
    pub commit_sha: Option<String>,
    /// RFC 3339, when the forge reports it.
    pub submitted_at: Option<String>,
}

/// A user's role on a repository, weakest first (GitLab access levels map onto it: Guest and
/// Planner → read, Reporter → triage, Developer → write, Maintainer → maintain, Owner → admin).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    None,
    Read,
    Triage,
    Write,
    Maintain,
    Admin,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::None => "none",
            Permission::Read => "read",
            Permission::Triage => "triage",
            Permission::Write => "write",
            Permission::Maintain => "maintain",
            Permission::Admin => "admin",
        }
    }
}

/// An issue paved keeps (e.g. one per drifted stack and component).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueSpec {
    /// Identifies the issue across runs (written as a hidden marker in its body), e.g.
    /// `drift:plat-ue2-dev/vpc`.
    pub key: String,
    pub title: String,
    pub body: String,
    /// Labels set on the issue; the first one also narrows the search for it.
    pub labels: Vec<String>,
}

/// An issue after an upsert or close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueRef {
    pub number: u64,
    pub url: String,
    /// Opened by this call.
    pub created: bool,
}

/// Whether `key` can sit inside an HTML comment marker: no line breaks, no `<`/`>`, no `--`.
pub(crate) fn marker_safe(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && !key.contains("--")
        && key.chars().all(|c| !c.is_control() && c != '<' && c != '>' && c != ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_ids() {
        let r = RepoId::parse("acme/infra").unwrap();
        assert_eq!((r.owner(), r.name()), ("acme", "infra"));
        let g = RepoId::parse("platform/team-a/stacks").unwrap();
        assert_eq!((g.owner(), g.name()), ("platform/team-a", "stacks"));
        assert!(RepoId::parse("acme/.github").is_ok());
        for bad in ["acme", "acme/", "/x", "a/../b", "a/b c", "a/b?x=1", "a/b#", "a/%2e%2e", "a//b"] {
            assert!(RepoId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn annotation_from_diagnostic() {
        let d = Diagnostic::warning("stacks/unknown-key", "unknown key").in_file("stacks/a.yaml").at(4, 3);
        let a = Annotation::from(&d.clone().with_help("remove it"));
        assert_eq!((a.start_line, a.end_line, a.level), (4, 4, AnnotationLevel::Warning));
        assert_eq!(a.message, "unknown key\n\nremove it");
        assert_eq!(a.title.as_deref(), Some("stacks/unknown-key"));
        let whole_file = Annotation::from(&Diagnostic::error("x", "y").in_file("f"));
        assert_eq!((whole_file.start_line, whole_file.level), (1, AnnotationLevel::Failure));
    }

    #[test]
    fn permissions_order() {
        assert!(Permission::Admin > Permission::Maintain && Permission::Write > Permission::Triage);
        assert!(Permission::Read > Permission::None);
        assert!(marker_safe("drift:plat-ue2-dev/vpc") && !marker_safe("a-->b") && !marker_safe("a\nb"));
    }
}
