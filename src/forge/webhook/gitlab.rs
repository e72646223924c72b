//! GitLab webhook payloads → [`Event`].

use serde::Deserialize;

use super::github::decode;
use super::{Event, EventKind, WebhookError, git_ref, repo, sha};
use crate::forge::ForgeKind;

#[derive(Deserialize)]
struct Project {
    path_with_namespace: String,
}

#[derive(Deserialize)]
struct User {
    username: String,
}

#[derive(Deserialize)]
struct LastCommit {
    id: String,
}

#[derive(Deserialize)]
struct MergeRequestHook {
    project: Project,
    #[serde(default)]
    user: Option<User>,
    object_attributes: MrAttributes,
    #[serde(default)]
    changes: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct MrAttributes {
    iid: u64,
    #[serde(default)]
    action: Option<String>,
    source_branch: String,
    target_branch: String,
    #[serde(default)]
    last_commit: Option<LastCommit>,
    #[serde(default)]
    merge_commit_sha: Option<String>,
    #[serde(default)]
    oldrev: Option<String>,
}

#[derive(Deserialize)]
struct PushHook {
    project: Project,
    #[serde(rename = "ref")]
    ref_name: String,
    before: String,
    after: String,
    #[serde(default)]
    user_username: Option<String>,
}

#[derive(Deserialize)]
struct NoteHook {
    project: Project,
    #[serde(default)]
    user: Option<User>,
    object_attributes: NoteAttributes,
    #[serde(default)]
    merge_request: Option<NoteMr>,
}

#[derive(Deserialize)]
struct NoteAttributes {
    note: String,
    noteable_type: String,
    #[serde(default)]
    action: Option<String>,
}

#[derive(Deserialize)]
struct NoteMr {
    iid: u64,
    source_branch: String,
    target_branch: String,
    #[serde(default)]
    last_commit: Option<LastCommit>,
}

/// Parses a delivery given its `X-Gitlab-Event` header and delivery id. `Ok(None)` for
/// events and actions paved does not act on.
pub fn parse_gitlab(event: &str, delivery: &str, body: &[u8]) -> Result<Option<Event>, WebhookError> {
    match event {
        "Merge Request Hook" => {
            let h: MergeRequestHook = decode(event, body)?;
            let a = h.object_attributes;
            // `update` fires for title and label edits too; only new commits (`oldrev`) or a
            // draft marked ready call for a new plan.
            let ready =
                h.changes.as_ref().and_then(|c| c.pointer("/draft/current")).and_then(|v| v.as_bool()) == Some(false);
            let kind = match a.action.as_deref() {
                Some("open") => EventKind::PullRequestOpened,
                Some("reopen") => EventKind::PullRequestReopened,
                Some("update") if a.oldrev.is_some() || ready => EventKind::PullRequestUpdated,
                Some("merge") => EventKind::PullRequestMerged,
                Some("close") => EventKind::PullRequestClosed,
                _ => return Ok(None),
            };
            let mut ev = Event::new(ForgeKind::GitLab, delivery, repo(event, &h.project.path_with_namespace)?, kind);
            ev.number = Some(a.iid);
            ev.sender = h.user.map(|u| u.username);
            ev.head_ref = Some(git_ref(event, "source_branch", &a.source_branch)?);
            ev.base_ref = Some(git_ref(event, "target_branch", &a.target_branch)?);
            ev.head_sha = a.last_commit.map(|c| sha(event, "last_commit.id", &c.id)).transpose()?;
            if kind == EventKind::PullRequestMerged {
                ev.merge_sha = a.merge_commit_sha.as_deref().map(|s| sha(event, "merge_commit_sha", s)).transpose()?;
            }
            Ok(Some(ev))
        }
        "Push Hook" => {
            let h: PushHook = decode(event, body)?;
            let Some(branch) = h.ref_name.strip_prefix("refs/heads/") else { return Ok(None) };
            if h.after.bytes().all(|b| b == b'0') {
                return Ok(None);
            }
            let mut ev =
                Event::new(ForgeKind::GitLab, delivery, repo(event, &h.project.path_with_namespace)?, EventKind::Push);
            ev.head_ref = Some(git_ref(event, "ref", branch)?);
            ev.head_sha = Some(sha(event, "after", &h.after)?);
            if !h.before.bytes().all(|b| b == b'0') {
                ev.base_sha = Some(sha(event, "before", &h.before)?);
            }
            ev.sender = h.user_username;
            Ok(Some(ev))
        }
        "Note Hook" => {
            let h: NoteHook = decode(event, body)?;
            let a = h.object_attributes;
            if a.noteable_type != "MergeRequest" || a.action.as_deref().is_some_and(|x| x != "create") {
                return Ok(None);
            }
            let Some(mr) = h.merge_request else {
                return Err(WebhookError::payload(event, "a merge request note without merge_request"));
            };
            let mut ev = Event::new(
                ForgeKind::GitLab,
                delivery,
                repo(event, &h.project.path_with_namespace)?,
                EventKind::Comment,
            );
            ev.number = Some(mr.iid);
            ev.comment = Some(a.note);
            ev.sender = h.user.map(|u| u.username);
            ev.head_ref = Some(git_ref(event, "merge_request.source_branch", &mr.source_branch)?);
            ev.base_ref = Some(git_ref(event, "merge_request.target_branch", &mr.target_branch)?);
            ev.head_sha = mr.last_commit.map(|c| sha(event, "merge_request.last_commit.id", &c.id)).transpose()?;
            Ok(Some(ev))
        }
        _ => Ok(None),
    }
}
