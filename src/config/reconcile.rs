//! The `reconcile` section: which repositories paved reconciles, and the rules an apply must
//! satisfy.

use std::time::Duration;

use serde::Deserialize;

use super::{RULE, duration::parse_duration};
use crate::report::Diagnostic;

/// `reconcile:` in paved.yaml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileConfig {
    /// The branch whose commits are applied. `None`: detected (origin/HEAD, else main/master).
    pub default_branch: Option<String>,
    /// Most atmos commands run at once (independent components only).
    pub parallelism: usize,
    /// Where planfiles are written, relative to the repository root unless absolute.
    pub plan_dir: String,
    /// Lease of a (stack, component) lock while its apply runs; renewed while it runs.
    pub lock_lease: Duration,
    /// Quiet time after the last file change before a watched local repository is reconciled.
    pub debounce: Duration,
    pub apply: ApplyRules,
    pub repositories: Vec<RepositoryConfig>,
}

/// Apply requirements: all must hold before a merged (or `paved apply`'d) change is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyRules {
    /// Approvals the pull request needs.
    pub approvals: u32,
    /// Each affected component needs an approval from a member of its owning Group in the
    /// catalog (`settings.catalog.owner`).
    pub owner_approval: bool,
    /// An open pull request must be mergeable (a merged one was).
    pub mergeable: bool,
    /// The reviewed plan must be younger than this.
    pub max_plan_age: Duration,
    /// Components removed from the stacks are destroyed (otherwise they are reported only).
    pub allow_destroy: bool,
}

/// One repository to reconcile: a local checkout (watched) or a remote (cloned and polled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepositoryConfig {
    /// How runs, locks and notes name it: `owner/name` on the forge, or a local label.
    pub name: String,
    pub source: RepositorySource,
    /// `owner/name` (or GitLab path) on the configured forge, when it has one.
    pub forge_repo: Option<String>,
    /// How often a remote is fetched.
    pub poll: Duration,
    /// The environment variable holding a token for fetching and pushing a `url` repository
    /// over HTTPS. Unset: the forge's token when the forge is configured with one, else none.
    pub token_env: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepositorySource {
    /// A directory, relative to paved.yaml's folder unless absolute.
    Path(String),
    /// A clone URL (https or file).
    Url(String),
}

impl Default for ReconcileConfig {
    fn default() -> Self {
        ReconcileConfig {
            default_branch: None,
            parallelism: 4,
            plan_dir: ".paved/plans".into(),
            lock_lease: Duration::from_secs(600),
            debounce: Duration::from_secs(2),
            apply: ApplyRules::default(),
            repositories: Vec::new(),
        }
    }
}

impl Default for ApplyRules {
    fn default() -> Self {
        ApplyRules {
            approvals: 1,
            owner_approval: true,
            mergeable: true,
            max_plan_age: Duration::from_secs(7 * 86_400),
            allow_destroy: false,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReconcile {
    default_branch: Option<String>,
    parallelism: Option<usize>,
    plan_dir: Option<String>,
    lock_lease: Option<String>,
    debounce: Option<String>,
    #[serde(default)]
    apply: RawApply,
    #[serde(default)]
    repositories: Vec<RawRepository>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApply {
    approvals: Option<u32>,
    owner_approval: Option<bool>,
    mergeable: Option<bool>,
    max_plan_age: Option<String>,
    allow_destroy: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRepository {
    name: Option<String>,
    path: Option<String>,
    url: Option<String>,
    forge_repo: Option<String>,
    poll: Option<String>,
    token_env: Option<String>,
}

impl RawReconcile {
    pub(super) fn check(self, file: &str, errs: &mut Vec<Diagnostic>) -> ReconcileConfig {
        let mut cfg = ReconcileConfig::default();
        let mut err = |msg: String| errs.push(Diagnostic::error(RULE, msg).in_file(file));
        if let Some(b) = self.default_branch {
            if b.trim().is_empty() || b.starts_with('-') || b.contains("..") {
                err(format!("reconcile.default_branch: `{b}` is not a branch name"));
            } else {
                cfg.default_branch = Some(b);
            }
        }
        match self.parallelism {
            Some(0) => err("reconcile.parallelism: must be at least 1".into()),
            Some(n) if n > 256 => err("reconcile.parallelism: at most 256".into()),
            Some(n) => cfg.parallelism = n,
            None => {}
        }
        if let Some(p) = self.plan_dir {
            if p.trim().is_empty() { err("reconcile.plan_dir: must name a folder".into()) } else { cfg.plan_dir = p }
        }
        duration("lock_lease", self.lock_lease, &mut cfg.lock_lease, &mut err);
        duration("debounce", self.debounce, &mut cfg.debounce, &mut err);
        duration("apply.max_plan_age", self.apply.max_plan_age, &mut cfg.apply.max_plan_age, &mut err);
        let a = &mut cfg.apply;
        a.approvals = self.apply.approvals.unwrap_or(a.approvals);
        a.owner_approval = self.apply.owner_approval.unwrap_or(a.owner_approval);
        a.mergeable = self.apply.mergeable.unwrap_or(a.mergeable);
        a.allow_destroy = self.apply.allow_destroy.unwrap_or(a.allow_destroy);

        for (i, r) in self.repositories.into_iter().enumerate() {
            let source = match (r.path, r.url) {
                (Some(p), None) => RepositorySource::Path(p),
                (None, Some(u)) => RepositorySource::Url(u),
                _ => {
                    err(format!("reconcile.repositories[{i}]: give exactly one of `path` and `url`"));
                    continue;
                }
            };
            let name = match (&r.name, &r.forge_repo, &source) {
                (Some(n), _, _) => n.clone(),
                (None, Some(f), _) => f.clone(),
                (None, None, RepositorySource::Path(p)) => p.clone(),
                (None, None, RepositorySource::Url(u)) => u.trim_end_matches(".git").to_string(),
            };
            let mut poll = Duration::from_secs(60);
            duration("repositories.poll", r.poll, &mut poll, &mut err);
            // Only the variable's name lives in paved.yaml, never the token.
            if let Some(v) = &r.token_env
                && (v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            {
                err(format!("reconcile.repositories[{i}].token_env: `{v}` is not an environment variable name"));
            }
            let token_env = r.token_env;
            cfg.repositories.push(RepositoryConfig { name, source, forge_repo: r.forge_repo, poll, token_env });
        }
        cfg
    }
}

fn duration(key: &str, text: Option<String>, slot: &mut Duration, err: &mut dyn FnMut(String)) {
    match text.map(|t| parse_duration(&t)) {
        Some(Ok(d)) if d.is_zero() => err(format!("reconcile.{key}: must be longer than zero")),
        Some(Ok(d)) => *slot = d,
        Some(Err(e)) => err(format!("reconcile.{key}: {e}")),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let cfg = Config::parse("paved.yaml", "").unwrap();
        assert_eq!(cfg.reconcile, ReconcileConfig::default());
        let text = "reconcile:\n  parallelism: 2\n  apply:\n    approvals: 2\n    owner_approval: false\n    max_plan_age: 2h\n    allow_destroy: true\n  repositories:\n    - path: .\n    - url: https://example.com/acme/infra.git\n      forge_repo: acme/infra\n      poll: 30s\n      token_env: INFRA_TOKEN\n";
        let cfg = Config::parse("paved.yaml", text).unwrap().reconcile;
        assert_eq!(cfg.parallelism, 2);
        assert_eq!(
            cfg.apply,
            ApplyRules {
                approvals: 2,
                owner_approval: false,
                mergeable: true,
                max_plan_age: Duration::from_secs(7200),
                allow_destroy: true
            }
        );
        assert_eq!(cfg.repositories[0].name, ".");
        assert_eq!(cfg.repositories[1].name, "acme/infra");
        assert_eq!(cfg.repositories[1].poll, Duration::from_secs(30));
        assert_eq!(cfg.repositories[1].token_env.as_deref(), Some("INFRA_TOKEN"));
        assert!(
            Config::parse("paved.yaml", "reconcile:\n  repositories:\n    - url: u\n      token_env: ghp_x-y\n")
                .is_err()
        );
    }

    #[test]
    fn every_problem_is_reported() {
        let text = "reconcile:\n  parallelism: 0\n  lock_lease: 10\n  repositories:\n    - name: x\n";
        let errs = Config::parse("paved.yaml", text).unwrap_err();
        let msgs: Vec<_> = errs.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(errs.len(), 3, "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("parallelism")));
        assert!(msgs.iter().any(|m| m.contains("lock_lease")));
        assert!(msgs.iter().any(|m| m.contains("exactly one of")));
        assert!(Config::parse("paved.yaml", "reconcile:\n  apply:\n    aprovals: 1\n").is_err());
    }
}
