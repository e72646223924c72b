//! Sticky merge request notes and checks (a commit status plus a note).

use gitlab::api::common::SortOrder;
use gitlab::api::projects::merge_requests::notes::{
    CreateMergeRequestNote, EditMergeRequestNote, MergeRequestNotes, NoteOrderBy,
};
use gitlab::api::projects::repository::commits::{CommitStatusState, CreateCommitStatus};
use http::Method;
use serde::Deserialize;

use super::{GitLab, Rest, build_error, project};
use crate::forge::check::{STATUS_CONTEXT_LIMIT, gitlab_status_state, note_body, one_line, status_description};
use crate::forge::comment_sync::{Step, plan};
use crate::forge::names::{check_marker_key, check_sha};
use crate::forge::types::CheckKind;
use crate::forge::{Check, CheckRef, CommentRef, ForgeError, RepoId, comment};

#[derive(Deserialize)]
struct Note {
    id: u64,
    #[serde(default)]
    body: String,
    #[serde(default)]
    system: bool,
}

#[derive(Deserialize)]
struct Status {
    id: u64,
    #[serde(default)]
    target_url: Option<String>,
}

impl GitLab {
    pub(super) async fn upsert_note(
        &self,
        repo: &RepoId,
        iid: u64,
        purpose: &str,
        body: &str,
    ) -> Result<CommentRef, ForgeError> {
        let op = format!("upsert {purpose} note on !{iid} of {repo}");
        check_marker_key(&op, "comment purpose", purpose)?;
        let list_op = format!("list notes on !{iid} of {repo}");
        let list = MergeRequestNotes::builder()
            .project(repo.as_str())
            .merge_request(iid)
            .order_by(NoteOrderBy::CreatedAt)
            .sort(SortOrder::Ascending)
            .build()
            .map_err(|e| build_error(&list_op, e))?;
        let notes: Vec<Note> = self.list(&list_op, &list).await?;
        let parts = comment::split(purpose, body, self.comment_limit);
        let plan = plan(purpose, &parts, notes.into_iter().filter(|n| !n.system).map(|n| (n.id, n.body, None)));

        let mut first = None;
        for step in &plan.steps {
            let id = match step {
                Step::Keep { id, .. } => *id,
                Step::Edit { id, body } => {
                    let op = format!("edit note {id} on !{iid} of {repo}");
                    let edit = EditMergeRequestNote::builder()
                        .project(repo.as_str())
                        .merge_request(iid)
                        .note(*id)
                        .body(body.as_str())
                        .build()
                        .map_err(|e| build_error(&op, e))?;
                    self.json::<Note, _>(&op, &edit).await?.id
                }
                Step::Create { body } => {
                    let op = format!("add note on !{iid} of {repo}");
                    let create = CreateMergeRequestNote::builder()
                        .project(repo.as_str())
                        .merge_request(iid)
                        .body(body.as_str())
                        .build()
                        .map_err(|e| build_error(&op, e))?;
                    self.json::<Note, _>(&op, &create).await?.id
                }
            };
            first.get_or_insert(id);
        }
        for id in &plan.delete {
            let op = format!("delete stale note {id} on !{iid} of {repo}");
            let del = Rest::new(Method::DELETE, format!("projects/{}/merge_requests/{iid}/notes/{id}", project(repo)));
            match self.call(&op, &del, None).await {
                Ok(_) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        let id = first.expect("split always yields one part");
        Ok(CommentRef { id, url: None, parts: parts.len(), created: plan.created_first })
    }

    pub(super) async fn publish_check_impl(&self, repo: &RepoId, check: &Check) -> Result<CheckRef, ForgeError> {
        let op = format!("set commit status {} on {repo}", check.name);
        check_sha(&op, &check.head_sha)?;
        if check.name.trim().is_empty() {
            return Err(ForgeError::invalid(&op, "a check needs a name"));
        }
        let state = match gitlab_status_state(check.status) {
            "pending" => CommitStatusState::Pending,
            "running" => CommitStatusState::Running,
            "success" => CommitStatusState::Success,
            "canceled" => CommitStatusState::Canceled,
            _ => CommitStatusState::Failed,
        };
        let name = one_line(&check.name, STATUS_CONTEXT_LIMIT);
        let description = status_description(check);
        let mut status = CreateCommitStatus::builder();
        status
            .project(repo.as_str())
            .commit(check.head_sha.as_str())
            .state(state)
            .name(name.as_str())
            .description(description.as_str());
        if let Some(url) = &check.details_url {
            status.target_url(url.as_str());
        }
        let status = status.build().map_err(|e| build_error(&op, e))?;
        let published = match self.json::<Status, _>(&op, &status).await {
            Ok(s) => CheckRef { kind: CheckKind::CommitStatus, id: s.id, url: s.target_url, comment: None },
            // GitLab refuses to move a status to the state it is already in.
            Err(ForgeError::Http { status: 400, message: Some(m), .. }) if m.contains("Cannot transition status") => {
                CheckRef { kind: CheckKind::CommitStatus, id: 0, url: check.details_url.clone(), comment: None }
            }
            Err(e) => return Err(e),
        };
        let comment = match check.change_request {
            Some(iid) => Some(self.upsert_note(repo, iid, &check_purpose(&check.name), &note_body(check)).await?),
            None => None,
        };
        Ok(CheckRef { comment, ..published })
    }
}

/// The sticky note purpose for a check: `check-` and the name with anything but letters,
/// digits, `.`, `_` and `/` turned into `-`.
fn check_purpose(name: &str) -> String {
    let mut out = String::from("check-");
    let mut dash = false;
    for c in name.chars().take(100) {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/') {
            out.push(c);
            dash = false;
        } else if !dash {
            out.push('-');
            dash = true;
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn check_purposes_are_marker_safe() {
        assert_eq!(super::check_purpose("paved/plan"), "check-paved/plan");
        assert_eq!(super::check_purpose("paved -- plan <x>"), "check-paved-plan-x");
        assert!(crate::forge::types::marker_safe(&super::check_purpose("a b--c")));
    }
}
