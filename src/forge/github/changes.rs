//! Branches, commits and pull requests through the Git Data API (no clone, no push).
//!
//! The branch always holds exactly the base head plus one commit with the change set, so
//! running again with a changed set leaves no trace of the previous one. When the branch has
//! a commit paved did not make on top, paved refuses rather than overwrite it.

use base64::Engine;
use http::Method;
use octocrab::Octocrab;
use serde::Deserialize;
use serde_json::{Value, json};

use super::GitHub;
use crate::changeset::{ChangeRequest, ChangeSet, FileChange};
use crate::forge::names::{check_branch, check_login, path as enc_path, segment};
use crate::forge::{ChangeRequestRef, ForgeError, PullRequest, PullRequestState, RepoId};

#[derive(Deserialize)]
struct GitRef {
    object: GitObject,
}

#[derive(Deserialize)]
struct GitObject {
    sha: String,
}

#[derive(Deserialize)]
struct GitCommit {
    sha: String,
    tree: GitObject,
    parents: Vec<GitObject>,
}

#[derive(Deserialize)]
struct Created {
    sha: String,
}

#[derive(Deserialize)]
struct Compare {
    status: String,
}

#[derive(Deserialize)]
pub(super) struct Login {
    pub login: String,
}

#[derive(Deserialize)]
struct Branch {
    #[serde(rename = "ref")]
    ref_name: String,
    sha: String,
}

#[derive(Deserialize)]
struct Pull {
    number: u64,
    title: String,
    #[serde(default)]
    body: Option<String>,
    html_url: String,
    state: String,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    merged: Option<bool>,
    #[serde(default)]
    merged_at: Option<String>,
    #[serde(default)]
    mergeable: Option<bool>,
    #[serde(default)]
    merge_commit_sha: Option<String>,
    #[serde(default)]
    merged_by: Option<Login>,
    user: Option<Login>,
    head: Branch,
    base: Branch,
}

impl GitHub {
    pub(super) async fn open_change_request_impl(
        &self,
        repo: &RepoId,
        changes: &ChangeSet,
        req: &ChangeRequest,
    ) -> Result<Option<ChangeRequestRef>, ForgeError> {
        let op = format!("open change request {} on {repo}", req.branch);
        check_branch(&op, &req.branch)?;
        check_branch(&op, &req.base)?;
        if req.branch == req.base {
            return Err(ForgeError::invalid(&op, "the branch and the base are the same"));
        }
        changes.validate().map_err(|e| ForgeError::invalid(&op, e.to_string()))?;
        for r in &req.reviewers {
            check_login(&op, "reviewer", r)?;
        }
        for t in &req.team_reviewers {
            check_login(&op, "team", t)?;
        }
        let c = self.client(repo).await?;

        let base_sha = self.branch_head(&c, repo, &req.base).await?.ok_or_else(|| ForgeError::Http {
            op: format!("read branch {} of {repo}", req.base),
            status: 404,
            message: Some("the base branch does not exist".into()),
        })?;
        let base: GitCommit =
            self.get(&c, &format!("read commit {base_sha}"), &format!("/repos/{repo}/git/commits/{base_sha}")).await?;
        let tree = self.write_tree(&c, repo, changes, &base_sha, &base.tree.sha).await?;
        if tree == base.tree.sha {
            tracing::info!(repo = %repo, branch = %req.branch, "change set leaves the base branch as it is");
            return Ok(None);
        }

        let existing = self.branch_head(&c, repo, &req.branch).await?;
        let (head_sha, committed) = match existing {
            None => {
                let sha = self.commit(&c, repo, req, &tree, &base_sha).await?;
                let body = json!({ "ref": format!("refs/heads/{}", req.branch), "sha": sha });
                self.call(
                    &c,
                    &format!("create branch {} on {repo}", req.branch),
                    Method::POST,
                    &format!("/repos/{repo}/git/refs"),
                    Some(&body),
                )
                .await?;
                (sha, true)
            }
            Some(head) => {
                let op = format!("read commit {head}");
                let commit: GitCommit = self.get(&c, &op, &format!("/repos/{repo}/git/commits/{head}")).await?;
                let parents: Vec<&str> = commit.parents.iter().map(|p| p.sha.as_str()).collect();
                if commit.tree.sha == tree && parents == [base_sha.as_str()] {
                    (commit.sha, false)
                } else {
                    self.check_ours(&c, repo, &req.branch, &base_sha, &parents).await?;
                    let sha = self.commit(&c, repo, req, &tree, &base_sha).await?;
                    let body = json!({ "sha": sha, "force": true });
                    let path = format!("/repos/{repo}/git/refs/heads/{}", enc_path(&req.branch));
                    self.call(
                        &c,
                        &format!("update branch {} on {repo}", req.branch),
                        Method::PATCH,
                        &path,
                        Some(&body),
                    )
                    .await?;
                    (sha, true)
                }
            }
        };

        let (pull, created) = self.upsert_pull(&c, repo, req).await?;
        if !req.labels.is_empty() {
            let body = json!({ "labels": req.labels });
            let op = format!("label pull request #{} on {repo}", pull.number);
            self.call(&c, &op, Method::POST, &format!("/repos/{repo}/issues/{}/labels", pull.number), Some(&body))
                .await?;
        }
        // Asked once: asking again on every update would notify reviewers each time.
        if created && (!req.reviewers.is_empty() || !req.team_reviewers.is_empty()) {
            let body = json!({ "reviewers": req.reviewers, "team_reviewers": req.team_reviewers });
            let op = format!("request reviewers on #{} of {repo}", pull.number);
            let path = format!("/repos/{repo}/pulls/{}/requested_reviewers", pull.number);
            self.call(&c, &op, Method::POST, &path, Some(&body)).await?;
        }
        Ok(Some(ChangeRequestRef { number: pull.number, url: pull.html_url, head_sha, created, committed }))
    }

    async fn branch_head(&self, c: &Octocrab, repo: &RepoId, branch: &str) -> Result<Option<String>, ForgeError> {
        let op = format!("read branch {branch} of {repo}");
        match self.get::<GitRef>(c, &op, &format!("/repos/{repo}/git/ref/heads/{}", enc_path(branch))).await {
            Ok(r) => Ok(Some(r.object.sha)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The base tree with the change set applied. Text goes inline in the tree request; other
    /// bytes become blobs first. Deleting a path the base lacks is dropped (GitHub refuses it).
    async fn write_tree(
        &self,
        c: &Octocrab,
        repo: &RepoId,
        changes: &ChangeSet,
        base_sha: &str,
        base_tree: &str,
    ) -> Result<String, ForgeError> {
        let mut entries = Vec::new();
        for (path, change) in &changes.files {
            match change {
                FileChange::Write { content, mode } => {
                    match std::str::from_utf8(content) {
                        Ok(text) => entries.push(
                            json!({ "path": path.as_str(), "mode": mode.git_mode(), "type": "blob", "content": text }),
                        ),
                        Err(_) => {
                            let body = json!({
                                "content": base64::engine::general_purpose::STANDARD.encode(content),
                                "encoding": "base64",
                            });
                            let op = format!("write blob {path} on {repo}");
                            let blob: Created =
                                self.send(c, &op, Method::POST, &format!("/repos/{repo}/git/blobs"), &body).await?;
                            entries.push(json!({ "path": path.as_str(), "mode": mode.git_mode(), "type": "blob", "sha": blob.sha }));
                        }
                    }
                }
                FileChange::Delete => {
                    let op = format!("look up {path} on {repo}");
                    let at = format!("/repos/{repo}/contents/{}?ref={base_sha}", enc_path(path.as_str()));
                    match self.call(c, &op, Method::GET, &at, None).await {
                        Ok(_) => entries.push(
                            json!({ "path": path.as_str(), "mode": "100644", "type": "blob", "sha": Value::Null }),
                        ),
                        Err(e) if e.is_not_found() => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        if entries.is_empty() {
            return Ok(base_tree.to_string());
        }
        let body = json!({ "base_tree": base_tree, "tree": entries });
        let tree: Created = self
            .send(c, &format!("write tree on {repo}"), Method::POST, &format!("/repos/{repo}/git/trees"), &body)
            .await?;
        Ok(tree.sha)
    }

    async fn commit(
        &self,
        c: &Octocrab,
        repo: &RepoId,
        req: &ChangeRequest,
        tree: &str,
        parent: &str,
    ) -> Result<String, ForgeError> {
        let body = json!({ "message": req.commit_message, "tree": tree, "parents": [parent] });
        let commit: Created = self
            .send(c, &format!("write commit on {repo}"), Method::POST, &format!("/repos/{repo}/git/commits"), &body)
            .await?;
        Ok(commit.sha)
    }

    /// The branch may be reset only when it is one commit on top of some earlier base head.
    async fn check_ours(
        &self,
        c: &Octocrab,
        repo: &RepoId,
        branch: &str,
        base_sha: &str,
        parents: &[&str],
    ) -> Result<(), ForgeError> {
        let op = format!("update branch {branch} on {repo}");
        let conflict = || ForgeError::Conflict {
            op: op.clone(),
            reason: "the branch has commits paved did not make; not overwriting them".into(),
        };
        let [parent] = parents else { return Err(conflict()) };
        if *parent == base_sha {
            return Ok(());
        }
        let cmp: super::changes::Compare = self
            .get(
                c,
                &format!("compare {parent} with {base_sha}"),
                &format!("/repos/{repo}/compare/{base_sha}...{parent}"),
            )
            .await?;
        // `behind`: the parent is an ancestor of the base head.
        if cmp.status == "behind" || cmp.status == "identical" { Ok(()) } else { Err(conflict()) }
    }

    /// Finds the open pull request from the branch and brings title and body up to date, or
    /// opens one.
    async fn upsert_pull(&self, c: &Octocrab, repo: &RepoId, req: &ChangeRequest) -> Result<(Pull, bool), ForgeError> {
        let head = format!("{}:{}", repo.owner(), req.branch);
        let op = format!("find pull request from {} on {repo}", req.branch);
        let found: Vec<Pull> =
            self.list(c, &op, &format!("/repos/{repo}/pulls?state=open&head={}", segment(&head))).await?;
        if let Some(pull) = found.into_iter().find(|p| p.head.ref_name == req.branch) {
            if pull.title == req.title
                && pull.body.as_deref().unwrap_or("") == req.body
                && pull.base.ref_name == req.base
            {
                return Ok((pull, false));
            }
            let body = json!({ "title": req.title, "body": req.body, "base": req.base });
            let op = format!("update pull request #{} on {repo}", pull.number);
            let updated: Pull =
                self.send(c, &op, Method::PATCH, &format!("/repos/{repo}/pulls/{}", pull.number), &body).await?;
            return Ok((updated, false));
        }
        let body =
            json!({ "title": req.title, "head": req.branch, "base": req.base, "body": req.body, "draft": req.draft });
        let op = format!("open pull request from {} on {repo}", req.branch);
        let pull: Pull = self.send(c, &op, Method::POST, &format!("/repos/{repo}/pulls"), &body).await?;
        Ok((pull, true))
    }

    pub(super) async fn pull_request_impl(&self, repo: &RepoId, number: u64) -> Result<PullRequest, ForgeError> {
        let c = self.client(repo).await?;
        let op = format!("read pull request #{number} of {repo}");
        let p: Pull = self.get(&c, &op, &format!("/repos/{repo}/pulls/{number}")).await?;
        let merged = p.merged.unwrap_or(false) || p.merged_at.is_some();
        Ok(PullRequest {
            number: p.number,
            title: p.title,
            author: p.user.map(|u| u.login).unwrap_or_default(),
            state: match (p.state.as_str(), merged) {
                (_, true) => PullRequestState::Merged,
                ("open", _) => PullRequestState::Open,
                _ => PullRequestState::Closed,
            },
            draft: p.draft,
            head_ref: p.head.ref_name,
            head_sha: p.head.sha,
            base_ref: p.base.ref_name,
            mergeable: p.mergeable,
            merge_sha: if merged { p.merge_commit_sha } else { None },
            merged_by: p.merged_by.map(|u| u.login),
            url: p.html_url,
        })
    }
}
