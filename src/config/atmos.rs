//! The `atmos` section: how paved runs the Atmos CLI.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::{RULE, duration::parse_duration};
use crate::report::Diagnostic;

/// `atmos:` in paved.yaml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtmosConfig {
    /// The executable: a bare name looked up on `PATH`, or a path.
    pub path: String,
    /// Longest a single atmos command may run before it is stopped.
    pub timeout: Duration,
    /// Time between SIGTERM and SIGKILL when a command is stopped: Terraform uses it to
    /// release its state lock.
    pub kill_grace: Duration,
    /// Extra environment for every atmos command (on top of paved's own environment). Keep
    /// secrets out of paved.yaml: the process environment is inherited.
    pub env: BTreeMap<String, String>,
}

impl Default for AtmosConfig {
    fn default() -> Self {
        AtmosConfig {
            path: "atmos".into(),
            timeout: Duration::from_secs(3600),
            kill_grace: Duration::from_secs(30),
            env: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAtmos {
    path: Option<String>,
    timeout: Option<String>,
    kill_grace: Option<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
}

impl RawAtmos {
    pub(super) fn check(self, file: &str, errs: &mut Vec<Diagnostic>) -> AtmosConfig {
        let mut cfg = AtmosConfig::default();
        let mut err = |msg: String| errs.push(Diagnostic::error(RULE, msg).in_file(file));
        if let Some(p) = self.path {
            if p.trim().is_empty() || p.contains('\0') {
                err("atmos.path: must name an executable".into());
            } else {
                cfg.path = p;
            }
        }
        for (key, text, slot) in
            [("timeout", self.timeout, &mut cfg.timeout), ("kill_grace", self.kill_grace, &mut cfg.kill_grace)]
        {
            match text.map(|t| parse_duration(&t)) {
                Some(Ok(d)) if d.is_zero() => err(format!("atmos.{key}: must be longer than zero")),
                Some(Ok(d)) => *slot = d,
                Some(Err(e)) => err(format!("atmos.{key}: {e}")),
                None => {}
            }
        }
        for name in self.env.keys() {
            if !is_env_name(name) {
                err(format!("atmos.env: `{name}` is not an environment variable name (letters, digits and _)"));
            }
        }
        cfg.env = self.env;
        cfg
    }
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
