//! The `server` section: how `paved serve` listens, names itself, and schedules drift checks.

use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;

use super::{RULE, SecretRef, parse_duration};
use crate::report::Diagnostic;

/// `server:` in paved.yaml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// This replica's name in locks and claims. `None`: host name and process id.
    pub replica: Option<String>,
    /// Bearer token for admin endpoints; `None` disables them.
    pub admin_token: Option<SecretRef>,
    /// Reconcile requests worked on at once by this replica.
    pub workers: usize,
    /// How often every enabled component is planned for drift; `None`: never.
    pub drift_interval: Option<Duration>,
    /// Most drift issues open at once (the rest are counted in the run summary).
    pub drift_max_open_issues: usize,
    /// How long a claimed request stays this replica's without renewal: when a replica dies,
    /// another takes its request over after this.
    pub claim_lease: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
            replica: None,
            admin_token: None,
            workers: 2,
            drift_interval: None,
            drift_max_open_issues: 20,
            claim_lease: Duration::from_secs(120),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServer {
    listen: Option<String>,
    replica: Option<String>,
    admin_token_env: Option<String>,
    admin_token_file: Option<String>,
    /// Read only to refuse it: a token never sits in paved.yaml.
    admin_token: Option<serde::de::IgnoredAny>,
    workers: Option<usize>,
    #[serde(default)]
    drift: RawDrift,
    #[serde(default)]
    claim_lease: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDrift {
    interval: Option<String>,
    max_open_issues: Option<usize>,
}

impl RawServer {
    pub(super) fn check(self, file: &str, errs: &mut Vec<Diagnostic>) -> ServerConfig {
        let mut err = |msg: String| errs.push(Diagnostic::error(RULE, msg).in_file(file));
        let mut cfg = ServerConfig::default();
        if let Some(listen) = self.listen {
            match listen.parse() {
                Ok(addr) => cfg.listen = addr,
                Err(_) => err("server.listen: expected an address and port such as 0.0.0.0:8080".into()),
            }
        }
        if let Some(replica) = self.replica {
            let ok = !replica.is_empty()
                && replica.len() <= 100
                && replica.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if ok {
                cfg.replica = Some(replica);
            } else {
                err("server.replica: use letters, digits, `-`, `_` and `.` (at most 100)".into());
            }
        }
        if self.admin_token.is_some() {
            err("server.admin_token: secrets are never written in paved.yaml: use admin_token_env or admin_token_file"
                .into());
        }
        cfg.admin_token = match (self.admin_token_env, self.admin_token_file) {
            (Some(_), Some(_)) => {
                err("server: give admin_token_env or admin_token_file, not both".into());
                None
            }
            (Some(env), None) => {
                let ok = env.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && env.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !ok {
                    err("server.admin_token_env: an environment variable name (e.g. PAVED_ADMIN_TOKEN)".into());
                }
                ok.then_some(SecretRef::Env(env))
            }
            (None, Some(path)) => Some(SecretRef::File(path)),
            (None, None) => None,
        };
        match self.workers {
            Some(0) => err("server.workers must be at least 1".into()),
            Some(n) => cfg.workers = n.min(64),
            None => {}
        }
        if let Some(interval) = self.drift.interval {
            match parse_duration(&interval) {
                Ok(d) if d >= Duration::from_secs(60) => cfg.drift_interval = Some(d),
                Ok(_) => err("server.drift.interval: at least 1m".into()),
                Err(e) => err(format!("server.drift.interval: {e}")),
            }
        }
        if let Some(n) = self.drift.max_open_issues {
            cfg.drift_max_open_issues = n;
        }
        if let Some(lease) = self.claim_lease {
            match parse_duration(&lease) {
                Ok(d) if d >= Duration::from_secs(1) => cfg.claim_lease = d,
                Ok(_) => err("server.claim_lease: at least 1s".into()),
                Err(e) => err(format!("server.claim_lease: {e}")),
            }
        }
        cfg
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn parse(text: &str) -> Result<Config, Vec<crate::report::Diagnostic>> {
        Config::parse("paved.yaml", text)
    }

    #[test]
    fn defaults_and_values() {
        let cfg = parse("").unwrap();
        assert_eq!(cfg.server.listen.to_string(), "0.0.0.0:8080");
        let cfg = parse(
            "server:\n  listen: 127.0.0.1:9000\n  replica: paved-0\n  admin_token_env: PAVED_ADMIN\n  workers: 4\n  drift:\n    interval: 6h\n    max_open_issues: 5\n",
        )
        .unwrap();
        assert_eq!(cfg.server.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(cfg.server.admin_token, Some(super::SecretRef::Env("PAVED_ADMIN".into())));
        assert_eq!(cfg.server.drift_interval, Some(std::time::Duration::from_secs(6 * 3600)));
        assert_eq!((cfg.server.workers, cfg.server.drift_max_open_issues), (4, 5));
    }

    #[test]
    fn a_literal_token_and_bad_values_are_errors_that_never_echo_the_token() {
        let errs = parse("server:\n  admin_token: s3cr3t-value\n  listen: nowhere\n  workers: 0\n").unwrap_err();
        let text = format!("{errs:?}");
        assert!(!text.contains("s3cr3t-value"), "{text}");
        assert!(text.contains("admin_token_env") && text.contains("server.listen") && text.contains("workers"));
        let errs = parse("server:\n  colour: blue\n").unwrap_err();
        assert_eq!(errs[0].line, 2, "unknown keys point at their line: {errs:?}");
    }
}
