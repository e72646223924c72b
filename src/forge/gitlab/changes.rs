//! Branches, commits and merge requests through the commits API (no clone, no push).
//!
//! Like on GitHub, the branch holds exactly the base head plus one commit with the change set
//! (`force` with `start_sha` resets it), and a branch with commits paved did not make is left
//! alone. Which action each file needs comes from `HEAD .../repository/files/:path`, whose
//! `X-Gitlab-Content-Sha256` lets paved skip files that already match.

use gitlab::api::projects::merge_requests::{
    CreateMergeRequest, EditMergeRequest, MergeRequest, MergeRequestState, MergeRequests,
};
use gitlab::api::projects::repository::commits::{CommitAction, CommitActionType, CreateCommit};
use gitlab::api::projects::repository::files::Encoding;
use http::Method;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{GitLab, Rest, build_error, project};
use crate::changeset::{ChangeRequest, ChangeSet, FileChange, FileMode};
use crate::forge::names::{self, check_branch, check_login};
use crate::forge::{ChangeRequestRef, ForgeError, PullRequest, PullRequestState, RepoId};

#[derive(Deserialize)]
pub(super) struct User {
    pub username: String,
}

#[derive(Deserialize)]
struct Mr {
    iid: u64,
    title: String,
    #[serde(default)]
    description: Option<String>,
    state: String,
    #[serde(default)]
    draft: bool,
    source_branch: String,
    target_branch: String,
    #[serde(default)]
    sha: Option<String>,
    web_url: String,
    #[serde(default)]
    author: Option<User>,
    #[serde(default)]
    merge_commit_sha: Option<String>,
    #[serde(default)]
    squash_commit_sha: Option<String>,
    #[serde(default)]
    merge_user: Option<User>,
    #[serde(default)]
    merged_by: Option<User>,
    #[serde(default)]
    detailed_merge_status: Option<String>,
    #[serde(default)]
    merge_status: Option<String>,
    #[serde(default)]
    labels: Vec<String>,
}

#[derive(Deserialize)]
struct BranchInfo {
    commit: CommitInfo,
}

#[derive(Deserialize)]
struct CommitInfo {
    id: String,
    #[serde(default)]
    parent_ids: Vec<String>,
}

#[derive(Deserialize)]
struct Compare {
    #[serde(default)]
    commits: Vec<CommitInfo>,
    #[serde(default)]
    diffs: Vec<Diff>,
}

#[derive(Deserialize)]
struct Diff {
    new_path: String,
    old_path: String,
}

/// What `HEAD .../files/:path` says about a file.
#[derive(PartialEq, Eq)]
struct FileMeta {
    sha256: String,
    executable: bool,
}

enum Action<'a> {
    Create(&'a str, &'a [u8]),
    Update(&'a str, &'a [u8]),
    Chmod(&'a str, bool),
    Delete(&'a str),
}

impl GitLab {
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

        let base_sha = self.branch(repo, &req.base).await?.map(|c| c.id).ok_or_else(|| ForgeError::Http {
            op: format!("read branch {} of {repo}", req.base),
            status: 404,
            message: Some("the base branch does not exist".into()),
        })?;
        let mut actions = Vec::new();
        for (path, change) in &changes.files {
            let path = path.as_str();
            let at_base = self.file_meta(repo, path, &base_sha).await?;
            match (change, at_base) {
                (FileChange::Write { content, mode }, None) => {
                    actions.push(Action::Create(path, content));
                    if *mode == FileMode::Executable {
                        actions.push(Action::Chmod(path, true));
                    }
                }
                (FileChange::Write { content, mode }, Some(meta)) => {
                    if meta.sha256 != sha256(content) {
                        actions.push(Action::Update(path, content));
                    }
                    let exec = *mode == FileMode::Executable;
                    if meta.executable != exec {
                        actions.push(Action::Chmod(path, exec));
                    }
                }
                (FileChange::Delete, Some(_)) => actions.push(Action::Delete(path)),
                (FileChange::Delete, None) => {}
            }
        }
        if actions.is_empty() {
            tracing::info!(repo = %repo, branch = %req.branch, "change set leaves the base branch as it is");
            return Ok(None);
        }

        let existing = self.branch(repo, &req.branch).await?;
        let unchanged = match &existing {
            Some(head) => self.branch_holds(repo, req, changes, &base_sha, head).await?,
            None => false,
        };
        let (head_sha, committed) = match existing {
            Some(head) if unchanged => (head.id, false),
            _ => (self.commit(repo, req, &base_sha, &actions).await?, true),
        };
        let (mr, created) = self.upsert_mr(repo, req).await?;
        Ok(Some(ChangeRequestRef { number: mr.iid, url: mr.web_url, head_sha, created, committed }))
    }

    async fn branch(&self, repo: &RepoId, branch: &str) -> Result<Option<CommitInfo>, ForgeError> {
        let op = format!("read branch {branch} of {repo}");
        let endpoint = gitlab::api::projects::repository::branches::Branch::builder()
            .project(repo.as_str())
            .branch(branch)
            .build()
            .map_err(|e| build_error(&op, e))?;
        match self.json::<BranchInfo, _>(&op, &endpoint).await {
            Ok(b) => Ok(Some(b.commit)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn file_meta(&self, repo: &RepoId, path: &str, at: &str) -> Result<Option<FileMeta>, ForgeError> {
        let op = format!("look up {path} on {repo}");
        let mut head =
            Rest::new(Method::HEAD, format!("projects/{}/repository/files/{}", project(repo), names::segment(path)));
        head.query.push(("ref", at.to_string()));
        match self.call(&op, &head, None).await {
            Ok(resp) => Ok(Some(FileMeta {
                sha256: resp.header("x-gitlab-content-sha256").unwrap_or_default().to_ascii_lowercase(),
                executable: resp.header("x-gitlab-execute-filemode") == Some("true"),
            })),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether the existing branch is already base + exactly this change set. Errors when the
    /// branch carries commits paved did not make.
    async fn branch_holds(
        &self,
        repo: &RepoId,
        req: &ChangeRequest,
        changes: &ChangeSet,
        base_sha: &str,
        head: &CommitInfo,
    ) -> Result<bool, ForgeError> {
        let op = format!("compare {} with {}", req.branch, req.base);
        let endpoint = gitlab::api::projects::repository::commits::CompareCommits::builder()
            .project(repo.as_str())
            .from(base_sha)
            .to(head.id.as_str())
            .build()
            .map_err(|e| build_error(&op, e))?;
        let cmp: Compare = self.json(&op, &endpoint).await?;
        if cmp.commits.len() > 1 {
            return Err(ForgeError::Conflict {
                op: format!("update branch {} on {repo}", req.branch),
                reason: "the branch has commits paved did not make; not overwriting them".into(),
            });
        }
        if cmp.commits.len() != 1 || head.parent_ids != [base_sha] {
            return Ok(false);
        }
        let touched = |p: &str| changes.files.keys().any(|k| k.as_str() == p);
        if !cmp.diffs.iter().all(|d| touched(&d.new_path) && touched(&d.old_path)) {
            return Ok(false);
        }
        for (path, change) in &changes.files {
            let meta = self.file_meta(repo, path.as_str(), &head.id).await?;
            let matches = match (change, meta) {
                (FileChange::Write { content, mode }, Some(m)) => {
                    m.sha256 == sha256(content) && m.executable == (*mode == FileMode::Executable)
                }
                (FileChange::Delete, None) => true,
                _ => false,
            };
            if !matches {
                return Ok(false);
            }
        }
        Ok(true)
    }

    async fn commit(
        &self,
        repo: &RepoId,
        req: &ChangeRequest,
        base_sha: &str,
        actions: &[Action<'_>],
    ) -> Result<String, ForgeError> {
        let op = format!("write commit to {} on {repo}", req.branch);
        let actions = actions
            .iter()
            .map(|a| {
                let mut b = CommitAction::builder();
                match a {
                    Action::Create(p, c) => {
                        b.action(CommitActionType::Create).file_path(*p).content(*c).encoding(Encoding::Base64)
                    }
                    Action::Update(p, c) => {
                        b.action(CommitActionType::Update).file_path(*p).content(*c).encoding(Encoding::Base64)
                    }
                    Action::Chmod(p, x) => b.action(CommitActionType::Chmod).file_path(*p).execute_filemode(*x),
                    Action::Delete(p) => b.action(CommitActionType::Delete).file_path(*p),
                };
                b.build().map_err(|e| build_error(&op, e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // `force` with `start_sha` resets an existing branch onto the base head; on a new
        // branch it simply starts there.
        let endpoint = CreateCommit::builder()
            .project(repo.as_str())
            .branch(req.branch.as_str())
            .commit_message(req.commit_message.as_str())
            .start_sha(base_sha)
            .force(true)
            .actions(actions)
            .build()
            .map_err(|e| build_error(&op, e))?;
        #[derive(Deserialize)]
        struct Created {
            id: String,
        }
        let created: Created = self.json(&op, &endpoint).await?;
        Ok(created.id)
    }

    async fn upsert_mr(&self, repo: &RepoId, req: &ChangeRequest) -> Result<(Mr, bool), ForgeError> {
        let op = format!("find merge request from {} on {repo}", req.branch);
        let list = MergeRequests::builder()
            .project(repo.as_str())
            .state(MergeRequestState::Opened)
            .source_branch(req.branch.as_str())
            .build()
            .map_err(|e| build_error(&op, e))?;
        let found: Vec<Mr> = self.list(&op, &list).await?;
        if let Some(mr) = found.into_iter().find(|m| m.source_branch == req.branch) {
            // Keep a draft a draft, and a request someone marked ready, ready.
            let title = if mr.draft { draft_title(&req.title) } else { req.title.clone() };
            let missing: Vec<&str> = req.labels.iter().filter(|l| !mr.labels.contains(l)).map(String::as_str).collect();
            if mr.title == title
                && mr.description.as_deref().unwrap_or("") == req.body
                && mr.target_branch == req.base
                && missing.is_empty()
            {
                return Ok((mr, false));
            }
            let op = format!("update merge request !{} on {repo}", mr.iid);
            let mut edit = EditMergeRequest::builder();
            edit.project(repo.as_str())
                .merge_request(mr.iid)
                .title(title.as_str())
                .description(req.body.as_str())
                .target_branch(req.base.as_str());
            if !missing.is_empty() {
                for l in &missing {
                    edit.add_label(*l);
                }
            }
            let edit = edit.build().map_err(|e| build_error(&op, e))?;
            let updated: Mr = self.json(&op, &edit).await?;
            return Ok((updated, false));
        }
        let op = format!("open merge request from {} on {repo}", req.branch);
        let mut reviewers = Vec::new();
        for r in &req.reviewers {
            match self.user_id(&op, r).await? {
                Some(id) => reviewers.push(id),
                None => tracing::warn!(reviewer = %r, "no GitLab user by that name; not asking them to review"),
            }
        }
        let title = if req.draft { draft_title(&req.title) } else { req.title.clone() };
        let mut create = CreateMergeRequest::builder();
        create
            .project(repo.as_str())
            .source_branch(req.branch.as_str())
            .target_branch(req.base.as_str())
            .title(title.as_str())
            .description(req.body.as_str())
            .remove_source_branch(true);
        if !req.labels.is_empty() {
            create.labels(req.labels.iter().map(String::as_str));
        }
        if !reviewers.is_empty() {
            create.reviewers(reviewers.into_iter());
        }
        let create = create.build().map_err(|e| build_error(&op, e))?;
        let mr: Mr = self.json(&op, &create).await?;
        Ok((mr, true))
    }

    pub(super) async fn pull_request_impl(&self, repo: &RepoId, number: u64) -> Result<PullRequest, ForgeError> {
        let op = format!("read merge request !{number} of {repo}");
        let endpoint = MergeRequest::builder()
            .project(repo.as_str())
            .merge_request(number)
            .build()
            .map_err(|e| build_error(&op, e))?;
        let mr: Mr = self.json(&op, &endpoint).await?;
        let state = match mr.state.as_str() {
            "merged" => PullRequestState::Merged,
            "opened" | "locked" => PullRequestState::Open,
            _ => PullRequestState::Closed,
        };
        let status = mr.detailed_merge_status.as_deref().or(mr.merge_status.as_deref()).unwrap_or("");
        let mergeable = match status {
            "mergeable" | "can_be_merged" => Some(true),
            "checking" | "unchecked" | "preparing" | "approvals_syncing" | "cannot_be_merged_recheck" | "" => None,
            _ => Some(false),
        };
        Ok(PullRequest {
            number: mr.iid,
            title: mr.title,
            author: mr.author.map(|u| u.username).unwrap_or_default(),
            state,
            draft: mr.draft,
            head_ref: mr.source_branch,
            head_sha: mr.sha.clone().unwrap_or_default(),
            base_ref: mr.target_branch,
            mergeable: if state == PullRequestState::Open { mergeable } else { None },
            merge_sha: if state == PullRequestState::Merged {
                mr.merge_commit_sha.or(mr.squash_commit_sha).or(mr.sha.clone())
            } else {
                None
            },
            merged_by: mr.merge_user.or(mr.merged_by).map(|u| u.username),
            url: mr.web_url,
        })
    }
}

fn draft_title(title: &str) -> String {
    if title.starts_with("Draft:") { title.to_string() } else { format!("Draft: {title}") }
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
