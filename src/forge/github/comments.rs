//! Sticky pull request comments.

use http::Method;
use serde::Deserialize;
use serde_json::json;

use super::GitHub;
use crate::forge::names::check_marker_key;
use crate::forge::{CommentRef, ForgeError, RepoId, comment};

#[derive(Deserialize)]
pub(super) struct IssueComment {
    pub id: u64,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
}

impl GitHub {
    pub(super) async fn upsert_comment_impl(
        &self,
        repo: &RepoId,
        number: u64,
        purpose: &str,
        body: &str,
    ) -> Result<CommentRef, ForgeError> {
        let op = format!("upsert {purpose} comment on #{number} of {repo}");
        check_marker_key(&op, "comment purpose", purpose)?;
        let c = self.client(repo).await?;
        let existing: Vec<IssueComment> = self
            .list(
                &c,
                &format!("list comments on #{number} of {repo}"),
                &format!("/repos/{repo}/issues/{number}/comments"),
            )
            .await?;
        let parts = comment::split(purpose, body, self.comment_limit);
        let plan = super::super::comment_sync::plan(
            purpose,
            &parts,
            existing.into_iter().map(|c| (c.id, c.body.unwrap_or_default(), c.html_url)),
        );

        let mut first: Option<(u64, Option<String>)> = None;
        for step in &plan.steps {
            use super::super::comment_sync::Step;
            let (id, url) = match step {
                Step::Keep { id, url } => (*id, url.clone()),
                Step::Edit { id, body } => {
                    let c2: IssueComment = self
                        .send(
                            &c,
                            &format!("edit comment {id} on {repo}"),
                            Method::PATCH,
                            &format!("/repos/{repo}/issues/comments/{id}"),
                            &json!({ "body": body }),
                        )
                        .await?;
                    (c2.id, c2.html_url)
                }
                Step::Create { body } => {
                    let c2: IssueComment = self
                        .send(
                            &c,
                            &format!("comment on #{number} of {repo}"),
                            Method::POST,
                            &format!("/repos/{repo}/issues/{number}/comments"),
                            &json!({ "body": body }),
                        )
                        .await?;
                    (c2.id, c2.html_url)
                }
            };
            first.get_or_insert((id, url));
        }
        for id in &plan.delete {
            let op = format!("delete stale comment {id} on {repo}");
            match self.call(&c, &op, Method::DELETE, &format!("/repos/{repo}/issues/comments/{id}"), None).await {
                Ok(_) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        let (id, url) = first.expect("split always yields one part");
        Ok(CommentRef { id, url, parts: parts.len(), created: plan.created_first })
    }
}
