//! The `policy` section: where Rego policies live and how long one evaluation may take.

use std::time::Duration;

use serde::Deserialize;

use super::{RULE, duration::parse_duration, path_error};
use crate::report::Diagnostic;
use crate::source::RelPath;

/// `policy:` in paved.yaml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyConfig {
    /// Directories or `.rego` files to load (default `policies`). A missing default directory
    /// means "no policies"; a missing configured path is an error.
    pub paths: Vec<RelPath>,
    /// Whether `paths` was written in paved.yaml (missing paths are then errors).
    pub paths_configured: bool,
    /// The waiver file (default `policies/waivers.yaml`; absent means no waivers).
    pub waivers: RelPath,
    /// Longest one evaluation (one policy set over one input) may take.
    pub timeout: Duration,
    /// Most messages kept from one evaluation; the rest are summarised in one diagnostic.
    pub max_messages: usize,
    /// Also run the starter policies built into paved (loaded before `paths`).
    pub starter: bool,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            paths: vec![RelPath::new("policies").expect("literal")],
            paths_configured: false,
            waivers: RelPath::new("policies/waivers.yaml").expect("literal"),
            timeout: Duration::from_secs(5),
            max_messages: 100,
            starter: false,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    paths: Option<Vec<String>>,
    waivers: Option<String>,
    timeout: Option<String>,
    max_messages: Option<usize>,
    #[serde(default)]
    starter: bool,
}

impl RawPolicy {
    pub(super) fn check(self, file: &str, errs: &mut Vec<Diagnostic>) -> PolicyConfig {
        let mut cfg = PolicyConfig { starter: self.starter, ..PolicyConfig::default() };
        if let Some(paths) = self.paths {
            cfg.paths_configured = true;
            cfg.paths = paths
                .iter()
                .filter_map(|p| RelPath::new(p).map_err(|e| errs.push(path_error(file, "policy.paths", e))).ok())
                .collect();
        }
        if let Some(w) = self.waivers {
            match RelPath::new(&w) {
                Ok(p) => cfg.waivers = p,
                Err(e) => errs.push(path_error(file, "policy.waivers", e)),
            }
        }
        match self.timeout.map(|t| parse_duration(&t)) {
            Some(Ok(d)) if d.is_zero() => {
                errs.push(Diagnostic::error(RULE, "policy.timeout: must be longer than zero").in_file(file))
            }
            Some(Ok(d)) => cfg.timeout = d,
            Some(Err(e)) => errs.push(Diagnostic::error(RULE, format!("policy.timeout: {e}")).in_file(file)),
            None => {}
        }
        match self.max_messages {
            Some(0) => errs.push(Diagnostic::error(RULE, "policy.max_messages: must be at least 1").in_file(file)),
            Some(n) => cfg.max_messages = n,
            None => {}
        }
        cfg
    }
}
