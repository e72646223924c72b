//! [`MemoryForge`]: an in-memory [`Forge`] that records every call, for tests of the layers
//! above (reconciler, server). It keeps comments, checks, issues and change requests the way
//! a forge would (one sticky comment per purpose, issues found again by key), answers
//! approvals, permissions and membership from what the test set, and can be told to fail.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;

use super::{
    Approval, ChangeRequestRef, Check, CheckKind, CheckRef, CommentRef, Forge, ForgeError, ForgeKind, IssueRef,
    IssueSpec, Permission, PullRequest, PullRequestState, RepoId,
};
use crate::changeset::{ChangeRequest, ChangeSet};

/// One call to the fake, with its inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    OpenChangeRequest { repo: RepoId, branch: String, files: usize },
    PullRequest { repo: RepoId, number: u64 },
    UpsertComment { repo: RepoId, number: u64, purpose: String, body: String },
    PublishCheck { repo: RepoId, check: Check },
    Approvals { repo: RepoId, number: u64 },
    Permission { repo: RepoId, user: String },
    IsMember { repo: RepoId, team: String, user: String },
    UpsertIssue { repo: RepoId, issue: IssueSpec },
    CloseIssue { repo: RepoId, key: String, comment: Option<String> },
}

impl Call {
    /// The trait method's name.
    pub fn method(&self) -> &'static str {
        match self {
            Call::OpenChangeRequest { .. } => "open_change_request",
            Call::PullRequest { .. } => "pull_request",
            Call::UpsertComment { .. } => "upsert_comment",
            Call::PublishCheck { .. } => "publish_check",
            Call::Approvals { .. } => "approvals",
            Call::Permission { .. } => "permission",
            Call::IsMember { .. } => "is_member",
            Call::UpsertIssue { .. } => "upsert_issue",
            Call::CloseIssue { .. } => "close_issue",
        }
    }
}

/// A request opened through the fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChange {
    pub reference: ChangeRequestRef,
    pub changes: ChangeSet,
    pub request: ChangeRequest,
}

#[derive(Default)]
struct State {
    calls: Vec<Call>,
    next_id: u64,
    comments: BTreeMap<(RepoId, u64, String), (u64, String)>,
    checks: Vec<(RepoId, Check)>,
    issues: BTreeMap<(RepoId, String), (IssueRef, IssueSpec, bool)>,
    changes: BTreeMap<(RepoId, String), StoredChange>,
    approvals: HashMap<(RepoId, u64), Vec<Approval>>,
    permissions: HashMap<(RepoId, String), Permission>,
    members: HashSet<(String, String)>,
    pulls: HashMap<(RepoId, u64), PullRequest>,
    failures: HashMap<&'static str, u16>,
}

/// The in-memory forge.
pub struct MemoryForge {
    kind: ForgeKind,
    state: Mutex<State>,
}

impl MemoryForge {
    pub fn new(kind: ForgeKind) -> MemoryForge {
        MemoryForge { kind, state: Mutex::new(State { next_id: 1, ..State::default() }) }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().expect("MemoryForge lock"))
    }

    /// Makes every later call of `method` (e.g. `"publish_check"`) fail with HTTP `status`.
    pub fn fail(&self, method: &'static str, status: u16) {
        self.with(|s| s.failures.insert(method, status));
    }

    /// Undoes [`MemoryForge::fail`].
    pub fn heal(&self, method: &'static str) {
        self.with(|s| s.failures.remove(method));
    }

    pub fn set_approvals(&self, repo: &RepoId, number: u64, users: &[&str]) {
        let list =
            users.iter().map(|u| Approval { user: u.to_string(), commit_sha: None, submitted_at: None }).collect();
        self.with(|s| s.approvals.insert((repo.clone(), number), list));
    }

    pub fn set_permission(&self, repo: &RepoId, user: &str, permission: Permission) {
        self.with(|s| s.permissions.insert((repo.clone(), user.to_string()), permission));
    }

    pub fn add_member(&self, team: &str, user: &str) {
        self.with(|s| s.members.insert((team.to_string(), user.to_string())));
    }

    pub fn set_pull_request(&self, repo: &RepoId, pr: PullRequest) {
        self.with(|s| s.pulls.insert((repo.clone(), pr.number), pr));
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.with(|s| s.calls.clone())
    }

    /// The current body of the sticky comment for `purpose`.
    pub fn comment(&self, repo: &RepoId, number: u64, purpose: &str) -> Option<String> {
        self.with(|s| s.comments.get(&(repo.clone(), number, purpose.to_string())).map(|(_, b)| b.clone()))
    }

    /// Checks published on `repo`, oldest first.
    pub fn checks(&self, repo: &RepoId) -> Vec<Check> {
        self.with(|s| s.checks.iter().filter(|(r, _)| r == repo).map(|(_, c)| c.clone()).collect())
    }

    /// Open issues on `repo`, by key.
    pub fn open_issues(&self, repo: &RepoId) -> Vec<IssueSpec> {
        self.with(|s| {
            s.issues
                .iter()
                .filter(|((r, _), (_, _, open))| r == repo && *open)
                .map(|(_, (_, i, _))| i.clone())
                .collect()
        })
    }

    /// The request opened from `branch`.
    pub fn change_request(&self, repo: &RepoId, branch: &str) -> Option<StoredChange> {
        self.with(|s| s.changes.get(&(repo.clone(), branch.to_string())).cloned())
    }

    /// Records the call and fails it when told to.
    fn enter(&self, call: Call) -> Result<(), ForgeError> {
        self.with(|s| {
            let method = call.method();
            s.calls.push(call);
            match s.failures.get(method) {
                Some(status) => {
                    Err(ForgeError::Http { op: format!("{method} (fake)"), status: *status, message: None })
                }
                None => Ok(()),
            }
        })
    }
}

fn next(s: &mut State) -> u64 {
    let id = s.next_id;
    s.next_id += 1;
    id
}

#[async_trait]
impl Forge for MemoryForge {
    fn kind(&self) -> ForgeKind {
        self.kind
    }

    async fn open_change_request(
        &self,
        repo: &RepoId,
        changes: &ChangeSet,
        request: &ChangeRequest,
    ) -> Result<Option<ChangeRequestRef>, ForgeError> {
        self.enter(Call::OpenChangeRequest {
            repo: repo.clone(),
            branch: request.branch.clone(),
            files: changes.len(),
        })?;
        if changes.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.with(|s| {
            let key = (repo.clone(), request.branch.clone());
            let reference = match s.changes.get(&key).cloned() {
                Some(old) => {
                    let changed = old.changes != *changes;
                    ChangeRequestRef {
                        created: false,
                        committed: changed,
                        head_sha: if changed { format!("{:040x}", next(s)) } else { old.reference.head_sha.clone() },
                        ..old.reference
                    }
                }
                None => {
                    let n = next(s);
                    ChangeRequestRef {
                        number: n,
                        url: format!("memory://{repo}/pull/{n}"),
                        head_sha: format!("{:040x}", next(s)),
                        created: true,
                        committed: true,
                    }
                }
            };
            s.changes.insert(
                key,
                StoredChange { reference: reference.clone(), changes: changes.clone(), request: request.clone() },
            );
            reference
        })))
    }

    async fn pull_request(&self, repo: &RepoId, number: u64) -> Result<PullRequest, ForgeError> {
        self.enter(Call::PullRequest { repo: repo.clone(), number })?;
        self.with(|s| {
            if let Some(pr) = s.pulls.get(&(repo.clone(), number)) {
                return Ok(pr.clone());
            }
            s.changes
                .values()
                .find(|c| c.reference.number == number)
                .map(|c| PullRequest {
                    number,
                    title: c.request.title.clone(),
                    author: "paved".into(),
                    state: PullRequestState::Open,
                    draft: c.request.draft,
                    head_ref: c.request.branch.clone(),
                    head_sha: c.reference.head_sha.clone(),
                    base_ref: c.request.base.clone(),
                    mergeable: Some(true),
                    merge_sha: None,
                    merged_by: None,
                    url: c.reference.url.clone(),
                })
                .ok_or_else(|| ForgeError::Http {
                    op: format!("read pull request #{number} (fake)"),
                    status: 404,
                    message: None,
                })
        })
    }

    async fn upsert_comment(
        &self,
        repo: &RepoId,
        number: u64,
        purpose: &str,
        body: &str,
    ) -> Result<CommentRef, ForgeError> {
        self.enter(Call::UpsertComment { repo: repo.clone(), number, purpose: purpose.into(), body: body.into() })?;
        Ok(self.with(|s| {
            let key = (repo.clone(), number, purpose.to_string());
            let (id, created) = match s.comments.get(&key) {
                Some((id, _)) => (*id, false),
                None => (next(s), true),
            };
            s.comments.insert(key, (id, body.to_string()));
            CommentRef { id, url: None, parts: 1, created }
        }))
    }

    async fn publish_check(&self, repo: &RepoId, check: &Check) -> Result<CheckRef, ForgeError> {
        self.enter(Call::PublishCheck { repo: repo.clone(), check: check.clone() })?;
        Ok(self.with(|s| {
            s.checks.push((repo.clone(), check.clone()));
            let kind = if self.kind == ForgeKind::GitHub { CheckKind::CheckRun } else { CheckKind::CommitStatus };
            CheckRef { kind, id: next(s), url: check.details_url.clone(), comment: None }
        }))
    }

    async fn approvals(&self, repo: &RepoId, number: u64) -> Result<Vec<Approval>, ForgeError> {
        self.enter(Call::Approvals { repo: repo.clone(), number })?;
        Ok(self.with(|s| s.approvals.get(&(repo.clone(), number)).cloned().unwrap_or_default()))
    }

    async fn permission(&self, repo: &RepoId, user: &str) -> Result<Permission, ForgeError> {
        self.enter(Call::Permission { repo: repo.clone(), user: user.into() })?;
        Ok(self.with(|s| s.permissions.get(&(repo.clone(), user.to_string())).copied().unwrap_or(Permission::None)))
    }

    async fn is_member(&self, repo: &RepoId, team: &str, user: &str) -> Result<bool, ForgeError> {
        self.enter(Call::IsMember { repo: repo.clone(), team: team.into(), user: user.into() })?;
        Ok(self.with(|s| s.members.contains(&(team.to_string(), user.to_string()))))
    }

    async fn upsert_issue(&self, repo: &RepoId, issue: &IssueSpec) -> Result<IssueRef, ForgeError> {
        self.enter(Call::UpsertIssue { repo: repo.clone(), issue: issue.clone() })?;
        Ok(self.with(|s| {
            let key = (repo.clone(), issue.key.clone());
            let reference = match s.issues.get(&key) {
                Some((r, _, true)) => IssueRef { created: false, ..r.clone() },
                _ => {
                    let n = next(s);
                    IssueRef { number: n, url: format!("memory://{repo}/issues/{n}"), created: true }
                }
            };
            s.issues.insert(key, (reference.clone(), issue.clone(), true));
            reference
        }))
    }

    async fn close_issue(
        &self,
        repo: &RepoId,
        key: &str,
        comment: Option<&str>,
    ) -> Result<Option<IssueRef>, ForgeError> {
        self.enter(Call::CloseIssue { repo: repo.clone(), key: key.into(), comment: comment.map(Into::into) })?;
        Ok(self.with(|s| match s.issues.get_mut(&(repo.clone(), key.to_string())) {
            Some((r, _, open)) if *open => {
                *open = false;
                Some(IssueRef { created: false, ..r.clone() })
            }
            _ => None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forge::CheckStatus;

    #[tokio::test]
    async fn behaves_like_a_forge() {
        // The port is object safe: the reconciler holds an `Arc<dyn Forge>`.
        let _: std::sync::Arc<dyn Forge> = std::sync::Arc::new(MemoryForge::new(ForgeKind::GitLab));
        let f = MemoryForge::new(ForgeKind::GitHub);
        let repo = RepoId::parse("acme/infra").unwrap();
        let a = f.upsert_comment(&repo, 7, "plan", "one").await.unwrap();
        let b = f.upsert_comment(&repo, 7, "plan", "two").await.unwrap();
        assert!(a.created && !b.created && a.id == b.id);
        assert_eq!(f.comment(&repo, 7, "plan").as_deref(), Some("two"));

        f.fail("publish_check", 502);
        let err =
            f.publish_check(&repo, &Check::new("paved/plan", "abc1234", CheckStatus::InProgress)).await.unwrap_err();
        assert_eq!(err.status(), Some(502));
        f.heal("publish_check");
        f.publish_check(&repo, &Check::new("paved/plan", "abc1234", CheckStatus::InProgress)).await.unwrap();
        assert_eq!(f.checks(&repo).len(), 1);

        let spec = IssueSpec { key: "drift:dev/vpc".into(), title: "Drift".into(), body: "x".into(), labels: vec![] };
        let i1 = f.upsert_issue(&repo, &spec).await.unwrap();
        let i2 = f.upsert_issue(&repo, &spec).await.unwrap();
        assert!(i1.created && !i2.created && i1.number == i2.number);
        assert!(f.close_issue(&repo, "drift:dev/vpc", None).await.unwrap().is_some());
        assert!(f.close_issue(&repo, "drift:dev/vpc", None).await.unwrap().is_none());
        assert!(f.open_issues(&repo).is_empty());

        f.add_member("platform", "alice");
        assert!(f.is_member(&repo, "platform", "alice").await.unwrap());
        assert!(!f.is_member(&repo, "platform", "bob").await.unwrap());
        assert_eq!(f.calls().iter().map(Call::method).filter(|m| *m == "publish_check").count(), 2);
    }
}
