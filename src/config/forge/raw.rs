//! The `forge:` section as written, and its checks.

use serde::Deserialize;

use super::values::{EnvName, FilePath, LITERAL, Literal, Text, Url, base_url, env_name, file_path};
use super::{ForgeConfig, GitHubAuthConfig, GitHubConfig, GitLabConfig, SecretRef};
use crate::config::{RULE, parse_duration, size::parse_size};
use crate::report::Diagnostic;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::config) struct RawForge {
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
    timeout: Option<String>,
    retries: Option<u32>,
    max_retry_wait: Option<String>,
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

impl RawForge {
    pub(in crate::config) fn check(
        self,
        file: &str,
        locate: &dyn Fn(&str) -> (u32, u32),
    ) -> (ForgeConfig, Vec<Diagnostic>) {
        let mut errs = Vec::new();
        let mut err = |pointer: &str, msg: String| {
            let (line, col) = locate(pointer);
            errs.push(Diagnostic::error(RULE, msg).in_file(file).at(line, col));
        };
        let mut cfg = ForgeConfig::default();

        if let Some(t) = self.http.timeout {
            match parse_duration(&t) {
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
            match parse_duration(&t) {
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
