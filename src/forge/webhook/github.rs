//! GitHub webhook payloads → [`Event`].
//!
//! Only the fields paved acts on are read, so payload additions (and GitHub Enterprise
//! versions that lack newer fields) do not break intake.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{Event, EventKind, WebhookError, git_ref, repo, sha};
use crate::forge::ForgeKind;

#[derive(Deserialize)]
struct Common {
    repository: Option<Repository>,
    sender: Option<Login>,
    installation: Option<Installation>,
}

#[derive(Deserialize)]
struct Repository {
    full_name: String,
}

#[derive(Deserialize)]
struct Login {
    login: String,
}

#[derive(Deserialize)]
struct Installation {
    id: u64,
}

#[derive(Deserialize)]
struct PullRequestEvent {
    action: String,
    pull_request: Pull,
}

#[derive(Deserialize)]
struct Pull {
    number: u64,
    head: GitRef,
    base: GitRef,
    #[serde(default)]
    merged: Option<bool>,
    #[serde(default)]
    merge_commit_sha: Option<String>,
}

#[derive(Deserialize)]
struct GitRef {
    #[serde(rename = "ref")]
    ref_name: String,
    sha: String,
}

#[derive(Deserialize)]
struct PushEvent {
    #[serde(rename = "ref")]
    ref_name: String,
    before: String,
    after: String,
    #[serde(default)]
    deleted: bool,
}

#[derive(Deserialize)]
struct IssueCommentEvent {
    action: String,
    issue: Issue,
    comment: Comment,
}

#[derive(Deserialize)]
struct Issue {
    number: u64,
    #[serde(default)]
    pull_request: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Comment {
    body: String,
    user: Option<Login>,
}

#[derive(Deserialize)]
struct CheckRunEvent {
    action: String,
    check_run: CheckRun,
}

#[derive(Deserialize)]
struct CheckRun {
    head_sha: String,
    #[serde(default)]
    check_suite: Option<CheckSuite>,
    #[serde(default)]
    pull_requests: Vec<CheckPull>,
}

#[derive(Deserialize)]
struct CheckSuite {
    #[serde(default)]
    head_branch: Option<String>,
}

#[derive(Deserialize)]
struct CheckPull {
    number: u64,
    base: GitRef,
}

#[derive(Deserialize)]
struct MergeGroupEvent {
    action: String,
    merge_group: MergeGroup,
}

#[derive(Deserialize)]
struct MergeGroup {
    head_sha: String,
    head_ref: String,
    base_sha: String,
    base_ref: String,
}

/// Parses a delivery given its `X-GitHub-Event` and `X-GitHub-Delivery` headers. `Ok(None)`
/// for events and actions paved does not act on.
pub fn parse_github(event: &str, delivery: &str, body: &[u8]) -> Result<Option<Event>, WebhookError> {
    let kind_known = matches!(event, "pull_request" | "push" | "issue_comment" | "check_run" | "merge_group");
    if !kind_known {
        return Ok(None);
    }
    let common: Common = decode(event, body)?;
    let Some(repository) = common.repository else {
        return Err(WebhookError::payload(event, "no repository"));
    };
    let new = |kind| -> Result<Event, WebhookError> {
        let mut ev = Event::new(ForgeKind::GitHub, delivery, repo(event, &repository.full_name)?, kind);
        ev.sender = common.sender.as_ref().map(|s| s.login.clone());
        ev.installation_id = common.installation.as_ref().map(|i| i.id);
        Ok(ev)
    };
    match event {
        "pull_request" => {
            let p: PullRequestEvent = decode(event, body)?;
            let kind = match p.action.as_str() {
                "opened" => EventKind::PullRequestOpened,
                "synchronize" | "ready_for_review" => EventKind::PullRequestUpdated,
                "reopened" => EventKind::PullRequestReopened,
                "closed" if p.pull_request.merged == Some(true) => EventKind::PullRequestMerged,
                "closed" => EventKind::PullRequestClosed,
                _ => return Ok(None),
            };
            let pr = p.pull_request;
            let mut ev = new(kind)?;
            ev.number = Some(pr.number);
            ev.head_sha = Some(sha(event, "pull_request.head.sha", &pr.head.sha)?);
            ev.head_ref = Some(git_ref(event, "pull_request.head.ref", &pr.head.ref_name)?);
            ev.base_sha = Some(sha(event, "pull_request.base.sha", &pr.base.sha)?);
            ev.base_ref = Some(git_ref(event, "pull_request.base.ref", &pr.base.ref_name)?);
            if kind == EventKind::PullRequestMerged {
                ev.merge_sha = pr.merge_commit_sha.as_deref().map(|s| sha(event, "merge_commit_sha", s)).transpose()?;
            }
            Ok(Some(ev))
        }
        "push" => {
            let p: PushEvent = decode(event, body)?;
            // Tags and deleted branches are not changes to reconcile.
            let Some(branch) = p.ref_name.strip_prefix("refs/heads/") else { return Ok(None) };
            if p.deleted || p.after.bytes().all(|b| b == b'0') {
                return Ok(None);
            }
            let mut ev = new(EventKind::Push)?;
            ev.head_ref = Some(git_ref(event, "ref", branch)?);
            ev.head_sha = Some(sha(event, "after", &p.after)?);
            if !p.before.bytes().all(|b| b == b'0') {
                ev.base_sha = Some(sha(event, "before", &p.before)?);
            }
            Ok(Some(ev))
        }
        "issue_comment" => {
            let c: IssueCommentEvent = decode(event, body)?;
            if c.action != "created" || c.issue.pull_request.is_none() {
                return Ok(None);
            }
            let mut ev = new(EventKind::Comment)?;
            ev.number = Some(c.issue.number);
            ev.comment = Some(c.comment.body);
            if let Some(u) = c.comment.user {
                ev.sender = Some(u.login);
            }
            Ok(Some(ev))
        }
        "check_run" => {
            let c: CheckRunEvent = decode(event, body)?;
            if c.action != "rerequested" {
                return Ok(None);
            }
            let run = c.check_run;
            let mut ev = new(EventKind::CheckRerequested)?;
            ev.head_sha = Some(sha(event, "check_run.head_sha", &run.head_sha)?);
            if let Some(branch) = run.check_suite.and_then(|s| s.head_branch) {
                ev.head_ref = Some(git_ref(event, "check_suite.head_branch", &branch)?);
            }
            if let Some(pr) = run.pull_requests.into_iter().next() {
                ev.number = Some(pr.number);
                ev.base_ref = Some(git_ref(event, "pull_requests.base.ref", &pr.base.ref_name)?);
                ev.base_sha = Some(sha(event, "pull_requests.base.sha", &pr.base.sha)?);
            }
            Ok(Some(ev))
        }
        "merge_group" => {
            let m: MergeGroupEvent = decode(event, body)?;
            if m.action != "checks_requested" {
                return Ok(None);
            }
            let g = m.merge_group;
            let strip = |r: &str| r.strip_prefix("refs/heads/").unwrap_or(r).to_string();
            let mut ev = new(EventKind::MergeGroup)?;
            ev.head_sha = Some(sha(event, "merge_group.head_sha", &g.head_sha)?);
            ev.head_ref = Some(git_ref(event, "merge_group.head_ref", &strip(&g.head_ref))?);
            ev.base_sha = Some(sha(event, "merge_group.base_sha", &g.base_sha)?);
            ev.base_ref = Some(git_ref(event, "merge_group.base_ref", &strip(&g.base_ref))?);
            Ok(Some(ev))
        }
        _ => Ok(None),
    }
}

/// Decodes a payload. Errors give serde's category and position, not its message, which can
/// quote payload text.
pub(crate) fn decode<T: DeserializeOwned>(event: &str, body: &[u8]) -> Result<T, WebhookError> {
    serde_json::from_slice(body).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => "a field is missing or has the wrong type",
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "not valid JSON",
            serde_json::error::Category::Io => "unreadable",
        };
        WebhookError::payload(event, format!("{what} (line {} column {})", e.line(), e.column()))
    })
}
