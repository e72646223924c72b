//! GitHub (github.com and GitHub Enterprise Server) through `octocrab`.
//!
//! octocrab provides the HTTP client, the base URL, personal-token auth and GitHub App auth
//! (a JWT signed with the app's key, exchanged for installation tokens that it caches and
//! renews 30 seconds before they expire). Requests go through its raw `_get`/`_post`/...
//! methods so that one loop ([`send_with_retry`]) sees every status and header: typed
//! octocrab calls drop `Retry-After` and the rate-limit headers paved needs. octocrab's own
//! retry layer is off for the same reason.

mod access;
mod changes;
mod checks;
mod comments;
mod issues;

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use http::Method;
use octocrab::Octocrab;
use octocrab::models::{AppId, InstallationId};
use octocrab::service::middleware::retry::RetryConfig;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::retry::{AttemptError, Clock, RawResponse, RetryPolicy, TokioClock, send_with_retry};
use super::secret::{Redactor, Secret};
use super::{
    Approval, ChangeRequestRef, Check, CheckRef, CommentRef, Forge, ForgeError, ForgeKind, IssueRef, IssueSpec,
    Permission, PullRequest, RepoId, comment,
};
use crate::changeset::{ChangeRequest, ChangeSet};

/// The public GitHub API.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// How paved authenticates to GitHub.
#[derive(Debug, Clone)]
pub enum GitHubAuth {
    /// A personal access token (classic or fine-grained) or a workflow's `GITHUB_TOKEN`.
    Token(Secret),
    /// A GitHub App: its id and RSA private key (PEM). The installation is looked up per
    /// repository owner unless pinned.
    App { app_id: u64, private_key: Secret, installation_id: Option<u64> },
}

/// Everything needed to build a [`GitHub`].
#[derive(Clone)]
pub struct GitHubOptions {
    /// `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server.
    pub api_url: String,
    pub auth: GitHubAuth,
    pub retry: RetryPolicy,
    pub clock: Arc<dyn Clock>,
    /// Characters per comment before a sticky comment is split.
    pub comment_limit: usize,
}

impl GitHubOptions {
    pub fn new(auth: GitHubAuth) -> GitHubOptions {
        GitHubOptions {
            api_url: DEFAULT_API_URL.to_string(),
            auth,
            retry: RetryPolicy::default(),
            clock: Arc::new(TokioClock),
            comment_limit: comment::GITHUB_LIMIT,
        }
    }
}

// Shared, not cloned: cloning an Octocrab copies its installation-token cache.
enum Auth {
    Token(Arc<Octocrab>),
    App { app: Arc<Octocrab>, pinned: Option<u64>, installations: Mutex<HashMap<String, Arc<Octocrab>>> },
}

/// The GitHub [`Forge`].
pub struct GitHub {
    auth: Auth,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
    redactor: Redactor,
    comment_limit: usize,
    /// Set once the checks API refused a token: publish commit statuses from then on.
    checks_unavailable: AtomicBool,
}

impl GitHub {
    /// Builds the client. Does no IO: credentials are first used by the first call.
    pub fn new(opts: GitHubOptions) -> Result<GitHub, ForgeError> {
        super::install_crypto_provider();
        let url = url::Url::parse(&opts.api_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                ForgeError::Setup(format!("forge.github.api_url `{}` is not an http(s) URL", opts.api_url))
            })?;
        let builder = Octocrab::builder()
            .base_uri(url.as_str().trim_end_matches('/'))
            .map_err(|_| ForgeError::Setup(format!("forge.github.api_url `{url}` is not a valid base URL")))?
            .add_retry_config(RetryConfig::None)
            .set_connect_timeout(Some(opts.retry.timeout))
            .set_read_timeout(Some(opts.retry.timeout))
            .add_header(http::HeaderName::from_static("x-github-api-version"), "2022-11-28".to_string())
            .add_header(http::header::ACCEPT, "application/vnd.github+json".to_string());
        let (auth, secrets) = match &opts.auth {
            GitHubAuth::Token(token) => {
                // octocrab would panic on a header value it cannot build.
                if token.is_empty() || !token.expose().bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(ForgeError::Setup(
                        "the GitHub token is empty or has characters not allowed in an HTTP header".into(),
                    ));
                }
                let client = builder
                    .personal_token(token.expose().to_string())
                    .build()
                    .map_err(|_| ForgeError::Setup("cannot build the GitHub client".into()))?;
                (Auth::Token(Arc::new(client)), vec![token.clone()])
            }
            GitHubAuth::App { app_id, private_key, installation_id } => {
                let client = builder
                    .app_from_rsa_pem(AppId(*app_id), private_key.expose().as_bytes())
                    .map_err(|_| {
                        ForgeError::Setup("the GitHub App private key is not an RSA key in PEM format".into())
                    })?
                    .build()
                    .map_err(|_| ForgeError::Setup("cannot build the GitHub App client".into()))?;
                let auth = Auth::App {
                    app: Arc::new(client),
                    pinned: *installation_id,
                    installations: Mutex::new(HashMap::new()),
                };
                (auth, vec![private_key.clone()])
            }
        };
        Ok(GitHub {
            auth,
            retry: opts.retry,
            clock: opts.clock,
            redactor: Redactor::new(secrets),
            comment_limit: opts.comment_limit,
            checks_unavailable: AtomicBool::new(false),
        })
    }

    fn is_app(&self) -> bool {
        matches!(self.auth, Auth::App { .. })
    }

    /// The client for `repo`: the token client, or the app's installation on the owner.
    async fn client(&self, repo: &RepoId) -> Result<Arc<Octocrab>, ForgeError> {
        let (app, pinned, installations) = match &self.auth {
            Auth::Token(c) => return Ok(c.clone()),
            Auth::App { app, pinned, installations } => (app, pinned, installations),
        };
        let owner = repo.owner().to_ascii_lowercase();
        if let Some(c) = installations.lock().expect("lock").get(&owner) {
            return Ok(c.clone());
        }
        let id = match pinned {
            Some(id) => *id,
            None => {
                #[derive(Deserialize)]
                struct Installation {
                    id: u64,
                }
                let op = format!("find the GitHub App installation for {repo}");
                let path = format!("/repos/{repo}/installation");
                let resp = self.call(app, &op, Method::GET, &path, None).await?;
                decode::<Installation>(&op, &resp)?.id
            }
        };
        let client = Arc::new(
            app.installation(InstallationId(id))
                .map_err(|_| ForgeError::Setup(format!("cannot use GitHub App installation {id}")))?,
        );
        installations.lock().expect("lock").insert(owner, client.clone());
        Ok(client)
    }

    /// One API call with retries. `path` is relative to the API URL (`/repos/...`), so
    /// octocrab attaches the credentials and the base URL.
    async fn call(
        &self,
        client: &Octocrab,
        op: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<RawResponse, ForgeError> {
        let idempotent = method != Method::POST;
        tracing::debug!(op, %method, path, "github request");
        send_with_retry(&self.retry, &*self.clock, &self.redactor, op, idempotent, || async {
            let sent = match method {
                Method::GET => client._get(path).await,
                Method::POST => client._post(path, body).await,
                Method::PATCH => client._patch(path, body).await,
                Method::PUT => client._put(path, body).await,
                Method::DELETE => client._delete(path, body).await,
                _ => return Err(AttemptError::Fatal(ForgeError::invalid(op, format!("unsupported method {method}")))),
            };
            let resp = match sent {
                Ok(r) => r,
                Err(e) => return octocrab_failure(op, e),
            };
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let text =
                client.body_to_string(resp).await.map_err(|e| AttemptError::Transport(first_line(&e.to_string())))?;
            Ok(RawResponse { status, headers, body: text.into_bytes() })
        })
        .await
    }

    async fn get<T: DeserializeOwned>(&self, client: &Octocrab, op: &str, path: &str) -> Result<T, ForgeError> {
        let resp = self.call(client, op, Method::GET, path, None).await?;
        decode(op, &resp)
    }

    async fn send<T: DeserializeOwned>(
        &self,
        client: &Octocrab,
        op: &str,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<T, ForgeError> {
        let resp = self.call(client, op, method, path, Some(body)).await?;
        decode(op, &resp)
    }

    /// Every item of a paginated list (`per_page=100`, following `Link: rel="next"`).
    async fn list<T: DeserializeOwned>(&self, client: &Octocrab, op: &str, path: &str) -> Result<Vec<T>, ForgeError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut out = Vec::new();
        for page in 1..=MAX_PAGES {
            let resp =
                self.call(client, op, Method::GET, &format!("{path}{sep}per_page=100&page={page}"), None).await?;
            let items: Vec<T> = decode(op, &resp)?;
            let empty = items.is_empty();
            out.extend(items);
            if empty || !resp.header("link").is_some_and(|l| l.contains("rel=\"next\"")) {
                break;
            }
        }
        Ok(out)
    }
}

/// Enough for 10,000 comments or reviews; a longer list is a runaway.
const MAX_PAGES: usize = 100;

/// octocrab reports a failed installation-token exchange as an error; turn it back into the
/// response it was, so the retry loop classifies the status like any other. Errors that
/// another try cannot fix are not retried.
fn octocrab_failure(op: &str, e: octocrab::Error) -> Result<RawResponse, AttemptError> {
    match e {
        octocrab::Error::GitHub { source, .. } => Ok(RawResponse {
            status: source.status_code.as_u16(),
            headers: source.headers.clone().unwrap_or_default(),
            body: serde_json::json!({ "message": format!("GitHub App installation token: {}", source.message) })
                .to_string()
                .into_bytes(),
        }),
        octocrab::Error::JWT { .. } => {
            Err(AttemptError::Fatal(ForgeError::Setup("cannot sign a GitHub App JWT with the configured key".into())))
        }
        octocrab::Error::Json { .. } | octocrab::Error::Serde { .. } => Err(AttemptError::Fatal(ForgeError::decode(
            op,
            "the GitHub App installation token response is not what GitHub documents",
        ))),
        octocrab::Error::Installation { .. } | octocrab::Error::InstallationTokenInvalidAuth { .. } => {
            Err(AttemptError::Fatal(ForgeError::Setup("GitHub App installation auth is misconfigured".into())))
        }
        other => Err(AttemptError::Transport(first_line(&other.to_string()))),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

/// Decodes a JSON body. The error names the kind and position only: serde's message can quote
/// the offending value.
pub(crate) fn decode<T: DeserializeOwned>(op: &str, resp: &RawResponse) -> Result<T, ForgeError> {
    let body: &[u8] = if resp.body.is_empty() { b"null" } else { &resp.body };
    serde_json::from_slice(body).map_err(|e| {
        ForgeError::decode(op, format!("{:?} error at line {} column {}", e.classify(), e.line(), e.column()))
    })
}

#[async_trait]
impl Forge for GitHub {
    fn kind(&self) -> ForgeKind {
        ForgeKind::GitHub
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
        self.upsert_comment_impl(repo, number, purpose, body).await
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
