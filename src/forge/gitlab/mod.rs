//! GitLab (gitlab.com and self-managed) through the `gitlab` crate.
//!
//! Requests are the crate's typed endpoints where it models them (merge requests, notes,
//! commits, commit statuses, issues, members) and small [`Rest`] endpoints where it does not
//! (HEAD on a file, deleting a note, group membership). paved sends them itself through the
//! crate's `AsyncClient::rest_async`, which attaches the token, so that one retry loop sees
//! every status and header.

mod access;
mod changes;
mod issues;
mod notes;

use std::borrow::Cow;
use std::sync::Arc;

use async_trait::async_trait;
use gitlab::api::{AsyncClient, BodyError, Endpoint, JsonParams, QueryParams};
use gitlab::{AsyncGitlab, GitlabBuilder};
use http::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::github::decode;
use super::retry::{AttemptError, Clock, RawResponse, RetryPolicy, TokioClock, send_with_retry};
use super::secret::{Redactor, Secret};
use super::{
    Approval, ChangeRequestRef, Check, CheckRef, CommentRef, Forge, ForgeError, ForgeKind, IssueRef, IssueSpec,
    Permission, PullRequest, RepoId, comment, names,
};
use crate::changeset::{ChangeRequest, ChangeSet};

/// gitlab.com.
pub const DEFAULT_URL: &str = "https://gitlab.com";

/// Everything needed to build a [`GitLab`].
#[derive(Clone)]
pub struct GitLabOptions {
    /// The instance URL (`https://gitlab.example.com`, or with a relative root such as
    /// `https://example.com/gitlab`); the API is under `/api/v4`.
    pub url: String,
    /// A personal, project or group access token (`api` scope).
    pub token: Secret,
    pub retry: RetryPolicy,
    pub clock: Arc<dyn Clock>,
    /// Characters per note before a sticky note is split.
    pub comment_limit: usize,
}

impl GitLabOptions {
    pub fn new(token: Secret) -> GitLabOptions {
        GitLabOptions {
            url: DEFAULT_URL.to_string(),
            token,
            retry: RetryPolicy::default(),
            clock: Arc::new(TokioClock),
            comment_limit: comment::GITLAB_LIMIT,
        }
    }
}

/// The GitLab [`Forge`].
pub struct GitLab {
    client: AsyncGitlab,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
    redactor: Redactor,
    comment_limit: usize,
}

impl GitLab {
    /// Builds the client. The `gitlab` crate checks the token against `/api/v4/user` here.
    pub async fn connect(opts: GitLabOptions) -> Result<GitLab, ForgeError> {
        super::install_crypto_provider();
        let url = url::Url::parse(&opts.url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| ForgeError::Setup(format!("forge.gitlab.url `{}` is not an http(s) URL", opts.url)))?;
        let mut host = url.host_str().unwrap_or_default().to_string();
        if let Some(port) = url.port() {
            host.push_str(&format!(":{port}"));
        }
        host.push_str(url.path().trim_end_matches('/'));
        let mut builder = GitlabBuilder::new(host, opts.token.expose());
        if url.scheme() == "http" {
            builder.insecure();
        }
        let redactor = Redactor::new([opts.token.clone()]);
        let client = match tokio::time::timeout(opts.retry.timeout, builder.build_async()).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                return Err(ForgeError::Setup(format!(
                    "cannot connect to GitLab at {url}: {}",
                    redactor.one_line(&e.to_string(), 200)
                )));
            }
            Err(_) => return Err(ForgeError::Setup(format!("cannot connect to GitLab at {url}: no response"))),
        };
        Ok(GitLab { client, retry: opts.retry, clock: opts.clock, redactor, comment_limit: opts.comment_limit })
    }

    /// Sends one endpoint with retries. `page` adds `page`/`per_page` for list endpoints.
    async fn call<E: Endpoint + Sync>(
        &self,
        op: &str,
        endpoint: &E,
        page: Option<u32>,
    ) -> Result<RawResponse, ForgeError> {
        let method = endpoint.method();
        let mut url = endpoint.url_base().endpoint_for(&self.client, &endpoint.endpoint()).map_err(|e| {
            ForgeError::Invalid { op: op.to_string(), reason: self.redactor.one_line(&e.to_string(), 200) }
        })?;
        endpoint.parameters().add_to_url(&mut url);
        if let Some(page) = page {
            url.query_pairs_mut().append_pair("per_page", "100").append_pair("page", &page.to_string());
        }
        let uri: http::Uri =
            url.as_str().parse().map_err(|_| ForgeError::invalid(op, "the request URL is not valid"))?;
        let body = endpoint.body().map_err(|e| ForgeError::invalid(op, e.to_string()))?;
        let idempotent = method != Method::POST;
        tracing::debug!(op, %method, path = url.path(), "gitlab request");
        send_with_retry(&self.retry, &*self.clock, &self.redactor, op, idempotent, || async {
            let mut req = http::Request::builder().method(method.clone()).uri(uri.clone());
            let data = match &body {
                Some((mime, data)) => {
                    req = req.header(http::header::CONTENT_TYPE, *mime);
                    data.clone()
                }
                None => Vec::new(),
            };
            let resp = self.client.rest_async(req, data).await.map_err(|e| AttemptError::Transport(e.to_string()))?;
            Ok(RawResponse {
                status: resp.status().as_u16(),
                headers: resp.headers().clone(),
                body: resp.body().to_vec(),
            })
        })
        .await
    }

    async fn json<T: DeserializeOwned, E: Endpoint + Sync>(&self, op: &str, endpoint: &E) -> Result<T, ForgeError> {
        let resp = self.call(op, endpoint, None).await?;
        decode(op, &resp)
    }

    /// Every item of a list endpoint, following `x-next-page`.
    async fn list<T: DeserializeOwned, E: Endpoint + Sync>(
        &self,
        op: &str,
        endpoint: &E,
    ) -> Result<Vec<T>, ForgeError> {
        let mut out = Vec::new();
        let mut page = 1u32;
        for _ in 0..MAX_PAGES {
            let resp = self.call(op, endpoint, Some(page)).await?;
            let items: Vec<T> = decode(op, &resp)?;
            let empty = items.is_empty();
            out.extend(items);
            match resp.header("x-next-page").and_then(|p| p.parse::<u32>().ok()) {
                Some(next) if !empty && next > page => page = next,
                _ => break,
            }
        }
        Ok(out)
    }

    /// The numeric id of a user, by username.
    async fn user_id(&self, op: &str, username: &str) -> Result<Option<u64>, ForgeError> {
        names::check_login(op, "user", username)?;
        #[derive(serde::Deserialize)]
        struct User {
            id: u64,
            username: String,
        }
        let endpoint =
            gitlab::api::users::Users::builder().username(username).build().map_err(|e| build_error(op, e))?;
        let users: Vec<User> = self.json(op, &endpoint).await?;
        Ok(users.into_iter().find(|u| u.username.eq_ignore_ascii_case(username)).map(|u| u.id))
    }
}

const MAX_PAGES: usize = 100;

/// A builder refused its input (a paved bug or an invalid name).
fn build_error(op: &str, e: impl std::fmt::Display) -> ForgeError {
    ForgeError::invalid(op, e.to_string())
}

/// An endpoint the `gitlab` crate does not model.
pub(crate) struct Rest {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub json: Option<Value>,
}

impl Rest {
    pub fn new(method: Method, path: String) -> Rest {
        Rest { method, path, query: Vec::new(), json: None }
    }
}

impl Endpoint for Rest {
    fn method(&self) -> Method {
        self.method.clone()
    }

    fn endpoint(&self) -> Cow<'static, str> {
        Cow::Owned(self.path.clone())
    }

    fn parameters(&self) -> QueryParams<'_> {
        let mut p = QueryParams::default();
        for (k, v) in &self.query {
            p.push(*k, v.as_str());
        }
        p
    }

    fn body(&self) -> Result<Option<(&'static str, Vec<u8>)>, BodyError> {
        match &self.json {
            Some(v) => JsonParams::into_body(v),
            None => Ok(None),
        }
    }
}

/// The URL form of a project path (`group%2Fproject`), as the crate's `NameOrId` writes it.
fn project(repo: &RepoId) -> String {
    names::segment(repo.as_str())
}

#[async_trait]
impl Forge for GitLab {
    fn kind(&self) -> ForgeKind {
        ForgeKind::GitLab
    }

    async fn open_change_request(
        &self,
        repo: &RepoId,
        changes: &ChangeSet,
        request: &ChangeRequest,
    ) -> Result<Option<ChangeRequestRef>, ForgeError> {
        self.open_change_request_impl(repo, changes, request).await
    }

    async fn pull_request(&self, repo: &RepoId, number: u64) -> Result<PullRequest, ForgeError> {
        self.pull_request_impl(repo, number).await
    }

    async fn upsert_comment(
        &self,
        repo: &RepoId,
        number: u64,
        purpose: &str,
        body: &str,
    ) -> Result<CommentRef, ForgeError> {
        self.upsert_note(repo, number, purpose, body).await
    }

    async fn publish_check(&self, repo: &RepoId, check: &Check) -> Result<CheckRef, ForgeError> {
        self.publish_check_impl(repo, check).await
    }

    async fn approvals(&self, repo: &RepoId, number: u64) -> Result<Vec<Approval>, ForgeError> {
        self.approvals_impl(repo, number).await
    }

    async fn permission(&self, repo: &RepoId, user: &str) -> Result<Permission, ForgeError> {
        self.permission_impl(repo, user).await
    }

    async fn is_member(&self, repo: &RepoId, team: &str, user: &str) -> Result<bool, ForgeError> {
        self.is_member_impl(repo, team, user).await
    }

    async fn upsert_issue(&self, repo: &RepoId, issue: &IssueSpec) -> Result<IssueRef, ForgeError> {
        self.upsert_issue_impl(repo, issue).await
    }

    async fn close_issue(
        &self,
        repo: &RepoId,
        key: &str,
        comment: Option<&str>,
    ) -> Result<Option<IssueRef>, ForgeError> {
        self.close_issue_impl(repo, key, comment).await
    }
}
