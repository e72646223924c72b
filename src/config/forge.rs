//! The `forge:` section of paved.yaml: GitHub and GitLab connections, HTTP behaviour and
//! webhook limits.
//!
//! Secrets are named, never written: `token_env: GITHUB_TOKEN` or `token_file: /run/secrets/x`.
//! A key that would hold a secret itself (`token:`, `private_key:`, `webhook_secret:` ...) is
//! an error at its line, and so is a value that looks like a credential in any field.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::{RULE, size::parse_size};
use crate::report::Diagnostic;

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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawForge {
    #[serde(default)]
    http: RawHttp,
    #[serde(default)]
    webhooks: RawWebhooks,
    github: Option<RawGitHub>,
    gitlab: Option<RawGitLab>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    timeout: Option<Text>,
    retries: Option<u32>,
    max_retry_wait: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhooks {
    max_payload: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGitHub {
    api_url: Option<Url>,
    token_env: Option<EnvName>,
    token_file: Option<FilePath>,
    app: Option<RawApp>,
    webhook_secret_env: Option<EnvName>,
    webhook_secret_file: Option<FilePath>,
    token: Option<Literal>,
    webhook_secret: Option<Literal>,
    password: Option<Literal>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApp {
    id: u64,
    installation_id: Option<u64>,
    private_key_env: Option<EnvName>,
    private_key_file: Option<FilePath>,
    private_key: Option<Literal>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGitLab {
    url: Option<Url>,
    token_env: Option<EnvName>,
    token_file: Option<FilePath>,
    webhook_token_env: Option<EnvName>,
    webhook_token_file: Option<FilePath>,
    token: Option<Literal>,
    webhook_token: Option<Literal>,
    webhook_secret: Option<Literal>,
    password: Option<Literal>,
}

/// A key that would put a secret in the file. Read (and dropped) so that the check after
/// reading can point at its line; the value is never kept or repeated.
#[derive(Debug)]
struct Literal;

impl<'de> Deserialize<'de> for Literal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Literal)
    }
}

/// An environment variable name, checked after reading.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct EnvName(String);

/// A path to a file holding a secret, checked after reading.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct FilePath(String);

/// A base URL, checked after reading.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct Url(String);

const LITERAL: &str =
    "secrets are never written in paved.yaml: name an environment variable (`..._env`) or a file (`..._file`) instead";

fn env_name(s: &str) -> Result<(), &'static str> {
    if looks_like_secret(s) {
        return Err(LOOKS_SECRET);
    }
    let ok = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.len() <= 128;
    if ok { Ok(()) } else { Err("an environment variable name has only letters, digits and `_` (e.g. GITHUB_TOKEN)") }
}

fn file_path(s: &str) -> Result<(), &'static str> {
    if looks_like_secret(s) {
        return Err(LOOKS_SECRET);
    }
    if s.trim().is_empty() || s.contains('\0') || s.contains('\n') {
        return Err("expected a file path");
    }
    Ok(())
}

fn base_url(s: &str) -> Result<String, &'static str> {
    if looks_like_secret(s) {
        return Err(LOOKS_SECRET);
    }
    match url::Url::parse(s) {
        Ok(u) if !u.username().is_empty() || u.password().is_some() => {
            Err("the URL carries credentials; name them with `token_env` or `token_file` instead")
        }
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
            Ok(s.trim_end_matches('/').to_string())
        }
        _ => Err("expected an http(s) URL"),
    }
}

/// A size or duration, written as text or a number.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Text {
    Number(u64),
    Text(String),
}

const LOOKS_SECRET: &str = "this value looks like a credential; secrets are never written in paved.yaml: name an environment variable (`..._env`) or a file (`..._file`) instead";

/// Masks anything credential-shaped in a message from the YAML reader, which can quote
/// values (`invalid type: string "ghp_..."`): a quoted value that holds one is dropped
/// whole (a PEM key spans lines), then any remaining credential-shaped word.
pub(super) fn mask_credentials(msg: &str) -> String {
    let mut quoted = String::with_capacity(msg.len());
    let mut parts = msg.split('"');
    quoted.push_str(parts.next().unwrap_or(""));
    for (i, part) in parts.enumerate() {
        quoted.push('"');
        // Odd pieces sit inside quotes.
        quoted.push_str(if i % 2 == 0 && looks_like_secret(part) { "***" } else { part });
    }
    let mut out = String::with_capacity(quoted.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(if looks_like_secret(word) { "***" } else { word.as_str() });
        word.clear();
    };
    for c in quoted.chars() {
        if c.is_whitespace() || matches!(c, '"' | '`' | '\'') {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Shapes of GitHub and GitLab credentials and private keys.
fn looks_like_secret(s: &str) -> bool {
    let s = s.trim();
    const PREFIXES: &[&str] = &[
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "glpat-",
        "gldt-",
        "glptt-",
        "glrt-",
        "gloas-",
        "glcbt-",
    ];
    PREFIXES.iter().any(|p| s.contains(p)) || s.contains("-----BEGIN") || s.contains("PRIVATE KEY")
}

impl RawForge {
    pub(super) fn check(self, file: &str, locate: &dyn Fn(&str) -> (u32, u32)) -> (ForgeConfig, Vec<Diagnostic>) {
        let mut errs = Vec::new();
        let mut err = |pointer: &str, msg: String| {
            let (line, col) = locate(pointer);
            errs.push(Diagnostic::error(RULE, msg).in_file(file).at(line, col));
        };
        let mut cfg = ForgeConfig::default();

        if let Some(t) = self.http.timeout {
            match duration(&t) {
                Ok(d) if !d.is_zero() => cfg.http.timeout = d,
                Ok(_) => err("/forge/http/timeout", "forge.http.timeout must be more than zero".into()),
                Err(e) => err("/forge/http/timeout", format!("forge.http.timeout: {e}")),
            }
        }
        if let Some(r) = self.http.retries {
            if r > 20 {
                err("/forge/http/retries", "forge.http.retries must be at most 20".into());
            } else {
                cfg.http.retries = r;
            }
        }
        if let Some(t) = self.http.max_retry_wait {
            match duration(&t) {
                Ok(d) => cfg.http.max_retry_wait = d,
                Err(e) => err("/forge/http/max_retry_wait", format!("forge.http.max_retry_wait: {e}")),
            }
        }
        if let Some(t) = self.webhooks.max_payload {
            let size = match t {
                Text::Number(n) => Ok(n),
                Text::Text(s) => parse_size(&s),
            };
            match size {
                Ok(n) if n > 0 && n <= 1 << 30 => cfg.webhook_max_payload = n as usize,
                Ok(_) => err(
                    "/forge/webhooks/max_payload",
                    "forge.webhooks.max_payload must be between 1 byte and 1GiB".into(),
                ),
                Err(e) => err("/forge/webhooks/max_payload", format!("forge.webhooks.max_payload: {e}")),
            }
        }

        if let Some(gh) = self.github {
            for (key, present) in [
                ("token", gh.token.is_some()),
                ("webhook_secret", gh.webhook_secret.is_some()),
                ("password", gh.password.is_some()),
            ] {
                if present {
                    err(&format!("/forge/github/{key}"), format!("forge.github.{key}: {LITERAL}"));
                }
            }
            let api_url = match gh.api_url {
                Some(u) => {
                    base_url(&u.0).map_err(|e| err("/forge/github/api_url", format!("forge.github.api_url: {e}"))).ok()
                }
                None => Some("https://api.github.com".to_string()),
            };
            let token = pair(&mut err, "/forge/github", "token", gh.token_env, gh.token_file);
            let auth = match (token, gh.app) {
                (Pair::Bad, _) => None,
                (Pair::Set(_), Some(_)) => {
                    err(
                        "/forge/github/app",
                        "forge.github: use either a token (`token_env`/`token_file`) or `app`, not both".into(),
                    );
                    None
                }
                (Pair::Set(t), None) => Some(GitHubAuthConfig::Token(t)),
                (Pair::Unset, Some(app)) => {
                    let literal = app.private_key.is_some();
                    if literal {
                        err("/forge/github/app/private_key", format!("forge.github.app.private_key: {LITERAL}"));
                    }
                    match pair(&mut err, "/forge/github/app", "private_key", app.private_key_env, app.private_key_file)
                    {
                        Pair::Set(key) => Some(GitHubAuthConfig::App {
                            id: app.id,
                            private_key: key,
                            installation_id: app.installation_id,
                        }),
                        Pair::Unset if literal => None,
                        Pair::Unset => {
                            err(
                                "/forge/github/app",
                                "forge.github.app needs `private_key_env` or `private_key_file`".into(),
                            );
                            None
                        }
                        Pair::Bad => None,
                    }
                }
                (Pair::Unset, None) => {
                    if gh.token.is_none() {
                        err("/forge/github", "forge.github needs `token_env`, `token_file` or `app`".into());
                    }
                    None
                }
            };
            let webhook_secret =
                pair(&mut err, "/forge/github", "webhook_secret", gh.webhook_secret_env, gh.webhook_secret_file).ok();
            if let (Some(auth), Some(api_url)) = (auth, api_url) {
                cfg.github = Some(GitHubConfig { api_url, auth, webhook_secret });
            }
        }

        if let Some(gl) = self.gitlab {
            for (key, present) in [
                ("token", gl.token.is_some()),
                ("webhook_token", gl.webhook_token.is_some()),
                ("webhook_secret", gl.webhook_secret.is_some()),
                ("password", gl.password.is_some()),
            ] {
                if present {
                    err(&format!("/forge/gitlab/{key}"), format!("forge.gitlab.{key}: {LITERAL}"));
                }
            }
            let url = match gl.url {
                Some(u) => base_url(&u.0).map_err(|e| err("/forge/gitlab/url", format!("forge.gitlab.url: {e}"))).ok(),
                None => Some("https://gitlab.com".to_string()),
            };
            let token = match pair(&mut err, "/forge/gitlab", "token", gl.token_env, gl.token_file) {
                Pair::Set(t) => Some(t),
                Pair::Unset => {
                    if gl.token.is_none() {
                        err("/forge/gitlab", "forge.gitlab needs `token_env` or `token_file`".into());
                    }
                    None
                }
                Pair::Bad => None,
            };
            let webhook_token =
                pair(&mut err, "/forge/gitlab", "webhook_token", gl.webhook_token_env, gl.webhook_token_file).ok();
            if let (Some(token), Some(url)) = (token, url) {
                cfg.gitlab = Some(GitLabConfig { url, token, webhook_token });
            }
        }
        (cfg, errs)
    }
}

enum Pair {
    Unset,
    Set(SecretRef),
    /// Both set, or a value is invalid (already reported).
    Bad,
}

impl Pair {
    fn ok(self) -> Option<SecretRef> {
        match self {
            Pair::Set(s) => Some(s),
            _ => None,
        }
    }
}

/// Reads `<key>_env` / `<key>_file` under `at`: at most one, each valid.
fn pair(err: &mut dyn FnMut(&str, String), at: &str, key: &str, env: Option<EnvName>, file: Option<FilePath>) -> Pair {
    let section = at.trim_start_matches('/').replace('/', ".");
    match (env, file) {
        (Some(_), Some(_)) => {
            err(&format!("{at}/{key}_file"), format!("{section}: set one of `{key}_env` and `{key}_file`"));
            Pair::Bad
        }
        (Some(EnvName(e)), None) => match env_name(&e) {
            Ok(()) => Pair::Set(SecretRef::Env(e)),
            Err(m) => {
                err(&format!("{at}/{key}_env"), format!("{section}.{key}_env: {m}"));
                Pair::Bad
            }
        },
        (None, Some(FilePath(f))) => match file_path(&f) {
            Ok(()) => Pair::Set(SecretRef::File(f)),
            Err(m) => {
                err(&format!("{at}/{key}_file"), format!("{section}.{key}_file: {m}"));
                Pair::Bad
            }
        },
        (None, None) => Pair::Unset,
    }
}

/// `500ms`, `30s`, `5m`, `1h`, or a number of seconds.
fn duration(t: &Text) -> Result<Duration, String> {
    let s = match t {
        Text::Number(n) => return Ok(Duration::from_secs(*n)),
        Text::Text(s) => s.trim(),
    };
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| format!("`{s}` is not a duration (e.g. 30s, 5m)"))?;
    let d = match unit.trim() {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        u => return Err(format!("unknown duration unit `{u}` (use ms, s, m or h)")),
    };
    Ok(d)
}

#[cfg(test)]
mod tests;
