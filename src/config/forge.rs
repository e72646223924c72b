//! The `forge:` section of paved.yaml: GitHub and GitLab connections, HTTP behaviour and
//! webhook limits.
//!
//! Secrets are named, never written: `token_env: GITHUB_TOKEN` or `token_file: /run/secrets/x`.
//! A key that would hold a secret itself (`token:`, `private_key:`, `webhook_secret:` ...) is
//! an error at its line, and so is a value that looks like a credential in any field.

mod raw;
mod values;

use std::time::Duration;

pub(super) use raw::RawForge;
pub(super) use values::mask_credentials;

/// Checked `forge:` configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgeConfig {
    pub github: Option<GitHubConfig>,
    pub gitlab: Option<GitLabConfig>,
    pub http: HttpConfig,
    /// Largest webhook payload accepted, in bytes.
    pub webhook_max_payload: usize,
}

impl Default for ForgeConfig {
    fn default() -> Self {
        ForgeConfig { github: None, gitlab: None, http: HttpConfig::default(), webhook_max_payload: 25 * 1024 * 1024 }
    }
}

/// How forge calls behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpConfig {
    /// Limit on each attempt.
    pub timeout: Duration,
    /// Attempts after the first on 5xx, 429 and rate limits.
    pub retries: u32,
    /// The longest paved waits for a rate limit to reset before giving up on the call.
    pub max_retry_wait: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig { timeout: Duration::from_secs(30), retries: 5, max_retry_wait: Duration::from_secs(120) }
    }
}

/// Where a secret is read from when paved starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// An environment variable's name.
    Env(String),
    /// A file path.
    File(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHubConfig {
    /// `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server.
    pub api_url: String,
    pub auth: GitHubAuthConfig,
    pub webhook_secret: Option<SecretRef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitHubAuthConfig {
    Token(SecretRef),
    App { id: u64, private_key: SecretRef, installation_id: Option<u64> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitLabConfig {
    /// The instance URL, e.g. `https://gitlab.example.com`.
    pub url: String,
    pub token: SecretRef,
    pub webhook_token: Option<SecretRef>,
}

#[cfg(test)]
mod tests;
