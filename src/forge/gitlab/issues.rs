//! Issues paved keeps open while something is wrong (drift), found again by a hidden marker.

use gitlab::api::projects::issues::notes::CreateIssueNote;
use gitlab::api::projects::issues::{CreateIssue, EditIssue, IssueState, IssueStateEvent, Issues};
use serde::Deserialize;

use super::{GitLab, build_error};
use crate::forge::names::check_marker_key;
use crate::forge::{ForgeError, IssueRef, IssueSpec, RepoId, issue_body, issue_marker};

#[derive(Deserialize)]
struct Issue {
    iid: u64,
    web_url: String,
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    labels: Vec<String>,
}

impl GitLab {
    pub(super) async fn upsert_issue_impl(&self, repo: &RepoId, spec: &IssueSpec) -> Result<IssueRef, ForgeError> {
        let op = format!("upsert issue {} on {repo}", spec.key);
        check_marker_key(&op, "issue key", &spec.key)?;
        let body = issue_body(spec);
        match self.find_issue(repo, &spec.key, spec.labels.first()).await? {
            Some(issue) => {
                let mut have = issue.labels.clone();
                have.sort();
                let mut want = spec.labels.clone();
                want.sort();
                if issue.title != spec.title || issue.description.as_deref() != Some(body.as_str()) || have != want {
                    let op = format!("update issue #{} on {repo}", issue.iid);
                    let mut edit = EditIssue::builder();
                    edit.project(repo.as_str()).issue(issue.iid).title(spec.title.as_str()).description(body.as_str());
                    if spec.labels.is_empty() {
                        edit.clear_labels();
                    } else {
                        edit.labels(spec.labels.iter().map(String::as_str));
                    }
                    let edit = edit.build().map_err(|e| build_error(&op, e))?;
                    self.call(&op, &edit, None).await?;
                }
                Ok(IssueRef { number: issue.iid, url: issue.web_url, created: false })
            }
            None => {
                let op = format!("open issue {} on {repo}", spec.key);
                let mut create = CreateIssue::builder();
                create.project(repo.as_str()).title(spec.title.as_str()).description(body.as_str());
                if !spec.labels.is_empty() {
                    create.labels(spec.labels.iter().map(String::as_str));
                }
                let create = create.build().map_err(|e| build_error(&op, e))?;
                let issue: Issue = self.json(&op, &create).await?;
                Ok(IssueRef { number: issue.iid, url: issue.web_url, created: true })
            }
        }
    }

    pub(super) async fn close_issue_impl(
        &self,
        repo: &RepoId,
        key: &str,
        comment: Option<&str>,
    ) -> Result<Option<IssueRef>, ForgeError> {
        let op = format!("close issue {key} on {repo}");
        check_marker_key(&op, "issue key", key)?;
        let Some(issue) = self.find_issue(repo, key, None).await? else { return Ok(None) };
        if let Some(text) = comment {
            let op = format!("comment on issue #{} of {repo}", issue.iid);
            let note = CreateIssueNote::builder()
                .project(repo.as_str())
                .issue(issue.iid)
                .body(text)
                .build()
                .map_err(|e| build_error(&op, e))?;
            self.call(&op, &note, None).await?;
        }
        let close = EditIssue::builder()
            .project(repo.as_str())
            .issue(issue.iid)
            .state_event(IssueStateEvent::Close)
            .build()
            .map_err(|e| build_error(&op, e))?;
        self.call(&op, &close, None).await?;
        Ok(Some(IssueRef { number: issue.iid, url: issue.web_url, created: false }))
    }

    async fn find_issue(&self, repo: &RepoId, key: &str, label: Option<&String>) -> Result<Option<Issue>, ForgeError> {
        let op = format!("list issues on {repo}");
        let marker = issue_marker(key);
        let mut list = Issues::builder();
        list.project(repo.as_str()).state(IssueState::Opened);
        if let Some(l) = label {
            list.label(l.as_str());
        }
        let list = list.build().map_err(|e| build_error(&op, e))?;
        let issues: Vec<Issue> = self.list(&op, &list).await?;
        Ok(issues.into_iter().find(|i| i.description.as_deref().is_some_and(|d| d.contains(&marker))))
    }
}
