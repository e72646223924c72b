//! Webhook intake: verify, parse into one [`Event`] type, drop replays.
//!
//! Pure functions ([`verify_github`], [`parse_github`], [`verify_gitlab`], [`parse_gitlab`])
//! do the work; [`Receiver`] strings them together in the order a server needs (size, then
//! signature, then parse, then the delivery log) so `paved serve` only moves bytes.

mod delivery;
mod github;
mod gitlab;
mod verify;

use std::sync::Arc;

use http::HeaderMap;

pub use delivery::{DeliveryLog, DeliveryLogError, MemoryDeliveryLog, StoreDeliveryLog};
pub use github::parse_github;
pub use gitlab::parse_gitlab;
pub use verify::{verify_github, verify_gitlab};

use super::secret::Secret;
use super::{ForgeKind, RepoId};

/// GitHub caps payloads at 25 MiB; paved's default follows.
pub const DEFAULT_MAX_PAYLOAD: usize = 25 * 1024 * 1024;

/// What happened, whichever forge said it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    PullRequestOpened,
    /// New commits on the request's branch (GitHub `synchronize`, GitLab `update` with
    /// `oldrev`), or a draft marked ready.
    PullRequestUpdated,
    PullRequestReopened,
    /// Closed without merging.
    PullRequestClosed,
    PullRequestMerged,
    /// Commits pushed to a branch.
    Push,
    /// A comment on a request (ChatOps).
    Comment,
    /// Someone asked GitHub to re-run paved's check.
    CheckRerequested,
    /// A GitHub merge queue wants checks on a merge group.
    MergeGroup,
}

/// One forge event, reduced to what the reconciler acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub forge: ForgeKind,
    /// The forge's id for this delivery (GitHub `X-GitHub-Delivery`, GitLab
    /// `Idempotency-Key` or `X-Gitlab-Event-UUID`); the same on a redelivery.
    pub delivery_id: String,
    pub repo: RepoId,
    pub kind: EventKind,
    /// Pull request number / merge request IID.
    pub number: Option<u64>,
    pub head_sha: Option<String>,
    /// Branch name (without `refs/heads/`).
    pub head_ref: Option<String>,
    pub base_sha: Option<String>,
    pub base_ref: Option<String>,
    /// The merge commit of a merged request.
    pub merge_sha: Option<String>,
    /// Who caused it.
    pub sender: Option<String>,
    /// The comment text, for [`EventKind::Comment`].
    pub comment: Option<String>,
    /// The GitHub App installation that received it.
    pub installation_id: Option<u64>,
}

impl Event {
    pub(crate) fn new(forge: ForgeKind, delivery_id: &str, repo: RepoId, kind: EventKind) -> Event {
        Event {
            forge,
            delivery_id: delivery_id.to_string(),
            repo,
            kind,
            number: None,
            head_sha: None,
            head_ref: None,
            base_sha: None,
            base_ref: None,
            merge_sha: None,
            sender: None,
            comment: None,
            installation_id: None,
        }
    }
}

/// Why a delivery was refused. Never includes the secret or the signature.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("payload of {size} bytes is over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("no webhook secret is configured for {0}; refusing unsigned deliveries")]
    NotConfigured(ForgeKind),
    #[error("missing {0} header")]
    MissingHeader(&'static str),
    #[error("malformed {0} header")]
    MalformedHeader(&'static str),
    #[error("signature does not match the payload")]
    BadSignature,
    #[error("webhook token does not match")]
    BadToken,
    #[error("{event} payload: {reason}")]
    Payload { event: String, reason: String },
    #[error("delivery log: {0}")]
    Log(#[from] DeliveryLogError),
}

impl WebhookError {
    /// The HTTP status a server should answer with.
    pub fn http_status(&self) -> u16 {
        match self {
            WebhookError::TooLarge { .. } => 413,
            WebhookError::NotConfigured(_)
            | WebhookError::MissingHeader(_)
            | WebhookError::BadSignature
            | WebhookError::BadToken => 401,
            WebhookError::MalformedHeader(_) | WebhookError::Payload { .. } => 400,
            WebhookError::Log(_) => 500,
        }
    }

    pub(crate) fn payload(event: &str, reason: impl Into<String>) -> WebhookError {
        WebhookError::Payload { event: event.chars().take(64).collect(), reason: reason.into() }
    }
}

/// What became of a verified delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Something to act on.
    Event(Box<Event>),
    /// A kind or action paved does not act on (`ping`, a label change ...).
    Ignored { event: String, delivery_id: String },
    /// A delivery id seen before: dropped.
    Duplicate { delivery_id: String },
}

/// Turns raw deliveries into events: size limit, signature, parse, replay check.
pub struct Receiver {
    pub github_secret: Option<Secret>,
    pub gitlab_token: Option<Secret>,
    pub max_payload: usize,
    pub deliveries: Arc<dyn DeliveryLog>,
}

impl Receiver {
    pub fn new(deliveries: Arc<dyn DeliveryLog>) -> Receiver {
        Receiver { github_secret: None, gitlab_token: None, max_payload: DEFAULT_MAX_PAYLOAD, deliveries }
    }

    /// A delivery to `/webhooks/github`.
    pub async fn github(&self, headers: &HeaderMap, body: &[u8]) -> Result<Received, WebhookError> {
        check_size(body.len(), self.max_payload)?;
        let secret = self.github_secret.as_ref().ok_or(WebhookError::NotConfigured(ForgeKind::GitHub))?;
        verify_github(secret, headers, body)?;
        let event = header(headers, "x-github-event")?;
        let delivery = header(headers, "x-github-delivery")?;
        self.dedupe(parse_github(event, delivery, body)?, ForgeKind::GitHub, event, delivery).await
    }

    /// A delivery to `/webhooks/gitlab`.
    pub async fn gitlab(&self, headers: &HeaderMap, body: &[u8]) -> Result<Received, WebhookError> {
        check_size(body.len(), self.max_payload)?;
        let token = self.gitlab_token.as_ref().ok_or(WebhookError::NotConfigured(ForgeKind::GitLab))?;
        verify_gitlab(token, headers)?;
        let event = header(headers, "x-gitlab-event")?;
        let delivery = gitlab_delivery_id(headers, body);
        self.dedupe(parse_gitlab(event, &delivery, body)?, ForgeKind::GitLab, event, &delivery).await
    }

    async fn dedupe(
        &self,
        parsed: Option<Event>,
        forge: ForgeKind,
        event: &str,
        delivery: &str,
    ) -> Result<Received, WebhookError> {
        let Some(ev) = parsed else {
            return Ok(Received::Ignored { event: event.to_string(), delivery_id: delivery.to_string() });
        };
        if self.deliveries.record(forge, delivery).await? {
            Ok(Received::Event(Box::new(ev)))
        } else {
            tracing::info!(%forge, delivery, "dropping a repeated webhook delivery");
            Ok(Received::Duplicate { delivery_id: delivery.to_string() })
        }
    }
}

/// Refuses a payload over `limit` bytes (call it with `Content-Length` before reading, too).
pub fn check_size(size: usize, limit: usize) -> Result<(), WebhookError> {
    if size > limit { Err(WebhookError::TooLarge { size, limit }) } else { Ok(()) }
}

fn header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, WebhookError> {
    let v = headers.get(name).ok_or(WebhookError::MissingHeader(name))?;
    let s = v.to_str().map_err(|_| WebhookError::MalformedHeader(name))?.trim();
    if s.is_empty() || s.len() > 200 {
        return Err(WebhookError::MalformedHeader(name));
    }
    Ok(s)
}

/// GitLab's id for a delivery: `Idempotency-Key` (the same across retries), else
/// `X-Gitlab-Event-UUID`, else (older instances) a digest of the body.
pub fn gitlab_delivery_id(headers: &HeaderMap, body: &[u8]) -> String {
    for name in ["idempotency-key", "x-gitlab-event-uuid"] {
        if let Ok(v) = header(headers, name) {
            return v.to_string();
        }
    }
    use sha2::{Digest, Sha256};
    format!("sha256:{}", hex::encode(Sha256::digest(body)))
}

/// A git ref name from a payload: refused when git itself would refuse it, so hostile names
/// stop here.
pub(crate) fn git_ref(event: &str, what: &str, name: &str) -> Result<String, WebhookError> {
    let bad = name.is_empty()
        || name.len() > 255
        || name.starts_with(['-', '/'])
        || name.ends_with(['/', '.'])
        || name.ends_with(".lock")
        || name.contains("..")
        || name.contains("@{")
        || name.contains("//")
        || name.chars().any(|c| c.is_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\'));
    if bad {
        Err(WebhookError::payload(event, format!("{what} is not a valid git ref name")))
    } else {
        Ok(name.to_string())
    }
}

pub(crate) fn sha(event: &str, what: &str, s: &str) -> Result<String, WebhookError> {
    if (7..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(WebhookError::payload(event, format!("{what} is not a commit id")))
    }
}

pub(crate) fn repo(event: &str, full: &str) -> Result<RepoId, WebhookError> {
    RepoId::parse(full).map_err(|e| WebhookError::payload(event, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_names() {
        assert_eq!(git_ref("e", "ref", "feature/x").unwrap(), "feature/x");
        for bad in ["", "-x", "a..b", "a b", "a\u{7}", "x.lock", "a:b", "$(rm -rf /)", "a/"] {
            assert!(git_ref("e", "ref", bad).is_err(), "{bad:?}");
        }
        assert!(sha("e", "sha", "6dcb09b5b57875f334f61aebed695e2e4193db5e").is_ok());
        assert!(sha("e", "sha", "HEAD").is_err());
    }

    #[test]
    fn statuses() {
        assert_eq!(WebhookError::BadSignature.http_status(), 401);
        assert_eq!(WebhookError::TooLarge { size: 2, limit: 1 }.http_status(), 413);
        assert_eq!(WebhookError::payload("push", "x").http_status(), 400);
    }
}
