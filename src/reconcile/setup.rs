//! Building a [`Context`] from paved.yaml: the store, the executor (the dry-run one when atmos
//! is absent), the forge, the repositories. `paved reconcile|plan|apply` and `paved serve` share
//! it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::adapters::{self, GitRepo};
use super::{Context, NullObserver, Observer, RepoHandle, Settings};
use crate::config::{Config, RepositorySource};
use crate::exec::{DryRunExecutor, ExecError, Executor, ProcessExecutor};
use crate::forge::{Forge, RepoId};
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
            replica: format!("paved-{}", std::process::id()),
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
                let remote = crate::git::Remote::new(u.clone(), crate::git::Auth::none());
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
