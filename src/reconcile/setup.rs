//! Building a [`Context`] from paved.yaml: the store, the executor (the dry-run one when atmos
//! is absent), the forge, the repositories. `paved reconcile|plan|apply` and `paved serve` share
//! it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::adapters::{self, GitRepo};
use super::{Context, NullObserver, Observer, RepoHandle, Settings};
use crate::config::{Config, ForgeConfig, GitHubAuthConfig, GitHubConfig, RepositoryConfig, RepositorySource};
use crate::exec::{DryRunExecutor, ExecError, Executor, ProcessExecutor};
use crate::forge::secret::SecretSource;
use crate::forge::{Forge, RepoId};
use crate::git::Auth;
use crate::git::remote::redact;
use crate::store::{self, Clock, StoreTarget, SystemClock};

/// What to build.
pub struct SetupOptions {
    /// Only print the atmos commands.
    pub dry_run: bool,
    /// `--config FILE`: used instead of each base branch's paved.yaml.
    pub config_override: Option<Config>,
    pub replica: String,
    pub observer: Arc<dyn Observer>,
    /// `DATABASE_URL`, when set.
    pub database_url: Option<String>,
}

impl Default for SetupOptions {
    fn default() -> Self {
        SetupOptions {
            dry_run: false,
            config_override: None,
            replica: crate::server::default_replica(),
            observer: Arc::new(NullObserver),
            database_url: None,
        }
    }
}

/// How atmos commands are run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecutorKind {
    Atmos(PathBuf),
    /// Printed only; the reason (`--dry-run`, or atmos not found).
    DryRun(String),
}

/// A built context and what was chosen on the way.
pub struct Setup {
    pub ctx: Context,
    pub executor: ExecutorKind,
    /// The dry-run executor, to list the commands it was given.
    pub dry_run: Option<Arc<DryRunExecutor>>,
    pub store: StoreTarget,
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("repository {name}: {message}")]
    Repo { name: String, message: String },
    #[error("forge: {0}")]
    Forge(#[from] crate::forge::ForgeError),
}

/// Builds the context for the repository at `root` (whose paved.yaml is `config`).
pub async fn build(root: &Path, config: &Config, opts: SetupOptions) -> Result<Setup, SetupError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let target = StoreTarget::resolve(&config.store, opts.database_url.as_deref(), root)?;
    let store = store::open(&target, clock.clone()).await?;

    let (executor, kind, dry): (Arc<dyn Executor>, ExecutorKind, Option<Arc<DryRunExecutor>>) =
        match (opts.dry_run, ProcessExecutor::from_config(&config.atmos)) {
            (false, Ok(p)) => {
                let path = p.program().to_path_buf();
                (Arc::new(p), ExecutorKind::Atmos(path), None)
            }
            (dry, found) => {
                let why = match (dry, found) {
                    (true, _) => "--dry-run".to_string(),
                    (false, Err(e @ (ExecError::NotOnPath { .. } | ExecError::NotAt { .. }))) => e.to_string(),
                    (false, Err(e)) => format!("atmos cannot be used: {e}"),
                    (false, Ok(_)) => unreachable!("matched above"),
                };
                let d = Arc::new(DryRunExecutor::new());
                (d.clone(), ExecutorKind::DryRun(why), Some(d))
            }
        };

    let forge = connect_forge(config).await?;
    let paved_dir = root.join(".paved");
    let mut repos = BTreeMap::new();
    let list = if config.reconcile.repositories.is_empty() {
        vec![crate::config::RepositoryConfig {
            name: repo_name(root),
            source: RepositorySource::Path(".".into()),
            forge_repo: None,
            poll: std::time::Duration::from_secs(60),
            token_env: None,
        }]
    } else {
        config.reconcile.repositories.clone()
    };
    for r in &list {
        let fail = |message: String| SetupError::Repo { name: r.name.clone(), message };
        let checkouts = paved_dir.join("checkouts").join(slug(&r.name));
        let git = match &r.source {
            RepositorySource::Path(p) => GitRepo::local(&root.join(p), checkouts),
            RepositorySource::Url(u) => {
                let remote = crate::git::Remote::new(u.clone(), remote_auth(r, u, &config.forge)?);
                GitRepo::remote(remote, &paved_dir.join("repos").join(slug(&r.name)), checkouts)
            }
        }
        .map_err(|e| fail(e.message))?;
        let default_branch = match &config.reconcile.default_branch {
            Some(b) => b.clone(),
            None => git.default_branch().map_err(|e| fail(e.message))?,
        };
        let forge_repo = r.forge_repo.as_deref().map(RepoId::parse).transpose().map_err(|e| fail(e.to_string()))?;
        let git = Arc::new(git);
        repos.insert(r.name.clone(), RepoHandle { repo: git.clone(), notes: git, forge_repo, default_branch });
    }

    let caps = adapters::capabilities();
    let plan_root = if Path::new(&config.reconcile.plan_dir).is_absolute() {
        PathBuf::from(&config.reconcile.plan_dir)
    } else {
        root.join(&config.reconcile.plan_dir)
    };
    let plan_root = std::path::absolute(&plan_root).unwrap_or(plan_root);
    let mut settings = Settings::new(opts.replica, plan_root);
    settings.config_override = opts.config_override;
    settings.dry_run = dry.is_some();
    let ctx = Context {
        store,
        executor,
        forge,
        repos,
        validator: caps.validator,
        affected: caps.affected,
        directory: caps.directory,
        clock,
        observer: opts.observer,
        cancels: Default::default(),
        settings,
    };
    Ok(Setup { ctx, executor: kind, dry_run: dry, store: target })
}

async fn connect_forge(config: &Config) -> Result<Option<Arc<dyn Forge>>, SetupError> {
    let f = &config.forge;
    if let Some(gh) = &f.github {
        crate::forge::install_crypto_provider();
        return Ok(Some(Arc::new(crate::forge::setup::connect_github(gh, &f.http)?)));
    }
    if let Some(gl) = &f.gitlab {
        crate::forge::install_crypto_provider();
        return Ok(Some(Arc::new(crate::forge::setup::connect_gitlab(gl, &f.http).await?)));
    }
    Ok(None)
}

/// The credentials for fetching from and pushing notes to the remote `url`: its own
/// `token_env`, else the forge's token when `url` is on the forge's host, else none. The token
/// only ever reaches git2's credential callback; errors name the variable, never the value.
fn remote_auth(r: &RepositoryConfig, url: &str, forge: &ForgeConfig) -> Result<Auth, SetupError> {
    let host = |u: &str| url::Url::parse(u).ok().and_then(|u| u.host_str().map(str::to_ascii_lowercase));
    let repo_host = host(url);
    let on = |forge_url: &str| {
        let h = host(forge_url).map(|h| if h == "api.github.com" { "github.com".to_string() } else { h });
        repo_host.is_some() && h == repo_host
    };
    let (source, user) = match (&r.token_env, &forge.github, &forge.gitlab) {
        (Some(var), _, gitlab) => {
            (Some(SecretSource::Env(var.clone())), if gitlab.is_some() { "oauth2" } else { "x-access-token" })
        }
        (None, Some(GitHubConfig { auth: GitHubAuthConfig::Token(t), api_url, .. }), _) if on(api_url) => {
            (Some(SecretSource::from(t)), "x-access-token")
        }
        (None, _, Some(gl)) if on(&gl.url) => (Some(SecretSource::from(&gl.token)), "oauth2"),
        _ => (None, ""),
    };
    match source {
        None => Ok(Auth::none()),
        Some(s) => s.load().map(|t| Auth::token(user, t)).map_err(|e| SetupError::Repo {
            name: r.name.clone(),
            message: format!("the token for {}: {e}", redact(url, None)),
        }),
    }
}

/// A repository's name when paved.yaml lists none: its folder's name.
pub fn repo_name(root: &Path) -> String {
    std::path::absolute(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "local".into())
}

fn slug(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(token_env: Option<&str>) -> RepositoryConfig {
        RepositoryConfig {
            name: "infra".into(),
            source: RepositorySource::Url("https://github.com/acme/infra.git".into()),
            forge_repo: None,
            poll: std::time::Duration::from_secs(60),
            token_env: token_env.map(Into::into),
        }
    }

    const URL: &str = "https://github.com/acme/infra.git";

    #[test]
    fn remote_tokens_come_from_the_environment_and_stay_on_their_host() {
        let none = ForgeConfig::default();
        assert!(remote_auth(&repo(None), URL, &none).unwrap().token.is_none());
        // HOME is set wherever tests run; its value stands in for a token.
        let auth = remote_auth(&repo(Some("HOME")), URL, &none).unwrap();
        assert_eq!(auth.username, "x-access-token");
        assert_eq!(auth.token.unwrap().expose(), std::env::var("HOME").unwrap());
        let err = remote_auth(&repo(Some("PAVED_TEST_NO_SUCH_TOKEN")), URL, &none).unwrap_err().to_string();
        assert!(err.contains("PAVED_TEST_NO_SUCH_TOKEN is not set"), "{err}");

        // The forge's token is reused on the forge's host only: never sent elsewhere.
        let gh = |api: &str| ForgeConfig {
            github: Some(GitHubConfig {
                api_url: api.into(),
                auth: GitHubAuthConfig::Token(crate::config::SecretRef::Env("HOME".into())),
                webhook_secret: None,
            }),
            ..ForgeConfig::default()
        };
        assert!(remote_auth(&repo(None), URL, &gh("https://api.github.com")).unwrap().token.is_some());
        let other = "https://git.example.com/acme/infra.git";
        assert!(remote_auth(&repo(None), other, &gh("https://api.github.com")).unwrap().token.is_none());
        let ghes = gh("https://git.example.com/api/v3");
        assert!(remote_auth(&repo(None), other, &ghes).unwrap().token.is_some());
    }
}
