//! Issues paved keeps open while something is wrong (drift), found again by a hidden marker.

use http::Method;
use octocrab::Octocrab;
use serde::Deserialize;
use serde_json::json;

use super::GitHub;
use crate::forge::names::{check_marker_key, segment};
use crate::forge::{ForgeError, IssueRef, IssueSpec, RepoId, issue_body, issue_marker};

#[derive(Deserialize)]
struct Issue {
    number: u64,
    html_url: String,
    title: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    labels: Vec<Label>,
    /// Present on pull requests, which the issues API lists too.
    #[serde(default)]
    pull_request: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Label {
    name: String,
}

impl GitHub {
    pub(super) async fn upsert_issue_impl(&self, repo: &RepoId, spec: &IssueSpec) -> Result<IssueRef, ForgeError> {
        let op = format!("upsert issue {} on {repo}", spec.key);
        check_marker_key(&op, "issue key", &spec.key)?;
        let c = self.client(repo).await?;
        let body = issue_body(spec);
        match self.find_issue(&c, repo, &spec.key, spec.labels.first()).await? {
            Some(issue) => {
                let mut have: Vec<&str> = issue.labels.iter().map(|l| l.name.as_str()).collect();
                have.sort_unstable();
                let mut want: Vec<&str> = spec.labels.iter().map(String::as_str).collect();
                want.sort_unstable();
                if issue.title != spec.title || issue.body.as_deref() != Some(body.as_str()) || have != want {
                    let patch = json!({ "title": spec.title, "body": body, "labels": spec.labels });
                    let op = format!("update issue #{} on {repo}", issue.number);
                    self.call(&c, &op, Method::PATCH, &format!("/repos/{repo}/issues/{}", issue.number), Some(&patch))
                        .await?;
                }
                Ok(IssueRef { number: issue.number, url: issue.html_url, created: false })
            }
            None => {
                let new = json!({ "title": spec.title, "body": body, "labels": spec.labels });
                let issue: Issue = self
                    .send(
                        &c,
                        &format!("open issue {} on {repo}", spec.key),
                        Method::POST,
                        &format!("/repos/{repo}/issues"),
                        &new,
                    )
                    .await?;
                Ok(IssueRef { number: issue.number, url: issue.html_url, created: true })
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
        let c = self.client(repo).await?;
        let Some(issue) = self.find_issue(&c, repo, key, None).await? else { return Ok(None) };
        if let Some(text) = comment {
            let op = format!("comment on issue #{} of {repo}", issue.number);
            let body = json!({ "body": text });
            self.call(&c, &op, Method::POST, &format!("/repos/{repo}/issues/{}/comments", issue.number), Some(&body))
                .await?;
        }
        let patch = json!({ "state": "closed", "state_reason": "completed" });
        self.call(&c, &op, Method::PATCH, &format!("/repos/{repo}/issues/{}", issue.number), Some(&patch)).await?;
        Ok(Some(IssueRef { number: issue.number, url: issue.html_url, created: false }))
    }

    /// The open issue carrying `key`'s marker, searched among issues with `label` if given.
    async fn find_issue(
        &self,
        c: &Octocrab,
        repo: &RepoId,
        key: &str,
        label: Option<&String>,
    ) -> Result<Option<Issue>, ForgeError> {
        let marker = issue_marker(key);
        let mut path = format!("/repos/{repo}/issues?state=open");
        if let Some(l) = label {
            path.push_str(&format!("&labels={}", segment(l)));
        }
        let issues: Vec<Issue> = self.list(c, &format!("list issues on {repo}"), &path).await?;
        Ok(issues
            .into_iter()
            .find(|i| i.pull_request.is_none() && i.body.as_deref().is_some_and(|b| b.contains(&marker))))
    }
}
