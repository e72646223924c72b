//! From checked `forge:` configuration to clients and a webhook receiver, loading secrets on
//! the way.

use std::path::PathBuf;
use std::sync::Arc;

use super::ForgeError;
use super::github::{GitHub, GitHubAuth, GitHubOptions};
use super::gitlab::{GitLab, GitLabOptions};
use super::retry::RetryPolicy;
use super::secret::{Secret, SecretSource};
use super::webhook::{DeliveryLog, Receiver};
use crate::config::{ForgeConfig, GitHubAuthConfig, GitHubConfig, GitLabConfig, HttpConfig, SecretRef};

impl From<&SecretRef> for SecretSource {
    fn from(r: &SecretRef) -> SecretSource {
        match r {
            SecretRef::Env(name) => SecretSource::Env(name.clone()),
            SecretRef::File(path) => SecretSource::File(PathBuf::from(path)),
        }
    }
}

fn load(what: &str, r: &SecretRef) -> Result<Secret, ForgeError> {
    SecretSource::from(r).load().map_err(|e| ForgeError::Setup(format!("{what}: {e}")))
}

/// The retry policy `forge.http` describes.
pub fn retry_policy(http: &HttpConfig) -> RetryPolicy {
    RetryPolicy {
        max_retries: http.retries,
        max_wait: http.max_retry_wait,
        timeout: http.timeout,
        ..RetryPolicy::default()
    }
}

/// GitHub client options, with the token or app key loaded.
pub fn github_options(cfg: &GitHubConfig, http: &HttpConfig) -> Result<GitHubOptions, ForgeError> {
    let auth = match &cfg.auth {
        GitHubAuthConfig::Token(t) => GitHubAuth::Token(load("forge.github token", t)?),
        GitHubAuthConfig::App { id, private_key, installation_id } => GitHubAuth::App {
            app_id: *id,
            private_key: load("forge.github.app private key", private_key)?,
            installation_id: *installation_id,
        },
    };
    Ok(GitHubOptions { api_url: cfg.api_url.clone(), retry: retry_policy(http), ..GitHubOptions::new(auth) })
}

pub fn connect_github(cfg: &GitHubConfig, http: &HttpConfig) -> Result<GitHub, ForgeError> {
    GitHub::new(github_options(cfg, http)?)
}

/// GitLab client options, with the token loaded.
pub fn gitlab_options(cfg: &GitLabConfig, http: &HttpConfig) -> Result<GitLabOptions, ForgeError> {
    let token = load("forge.gitlab token", &cfg.token)?;
    Ok(GitLabOptions { url: cfg.url.clone(), retry: retry_policy(http), ..GitLabOptions::new(token) })
}

/// Connects to GitLab (the `gitlab` crate checks the token when it builds the client).
pub async fn connect_gitlab(cfg: &GitLabConfig, http: &HttpConfig) -> Result<GitLab, ForgeError> {
    GitLab::connect(gitlab_options(cfg, http)?).await
}

/// The webhook receiver for the configured forges, with their secrets loaded.
pub fn receiver(cfg: &ForgeConfig, deliveries: Arc<dyn DeliveryLog>) -> Result<Receiver, ForgeError> {
    let mut r = Receiver::new(deliveries);
    r.max_payload = cfg.webhook_max_payload;
    if let Some(s) = cfg.github.as_ref().and_then(|g| g.webhook_secret.as_ref()) {
        r.github_secret = Some(load("forge.github webhook secret", s)?);
    }
    if let Some(s) = cfg.gitlab.as_ref().and_then(|g| g.webhook_token.as_ref()) {
        r.gitlab_token = Some(load("forge.gitlab webhook token", s)?);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forge::webhook::MemoryDeliveryLog;

    #[test]
    fn loads_secrets_named_in_config() {
        let dir = tempfile::tempdir().unwrap();
        let hook = dir.path().join("hook");
        std::fs::write(&hook, "hook-secret-value\n").unwrap();
        let cfg = crate::config::Config::parse(
            "paved.yaml",
            &format!(
                "forge:\n  webhooks:\n    max_payload: 1KiB\n  github:\n    token_env: PAVED_TEST_SETUP_UNSET\n    webhook_secret_file: {}\n",
                hook.display()
            ),
        )
        .unwrap()
        .forge;
        let r = receiver(&cfg, Arc::new(MemoryDeliveryLog::default())).unwrap();
        assert_eq!(r.max_payload, 1024);
        assert_eq!(r.github_secret.unwrap().expose(), "hook-secret-value");
        let err = github_options(cfg.github.as_ref().unwrap(), &cfg.http).err().unwrap();
        assert_eq!(err.to_string(), "forge.github token: environment variable PAVED_TEST_SETUP_UNSET is not set");
    }
}
