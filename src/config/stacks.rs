//! The `stacks` section: where the Atmos stacks repository is.

use serde::Deserialize;

use super::path_error;
use crate::report::Diagnostic;
use crate::source::RelPath;

/// `stacks:` in paved.yaml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StacksConfig {
    /// The directory holding `atmos.yaml`, relative to the repository root. Stacks are
    /// validated when an atmos.yaml is there (or `enabled: true`).
    pub path: RelPath,
    /// `None`: validate stacks when atmos.yaml exists at `path`.
    pub enabled: Option<bool>,
}

impl Default for StacksConfig {
    fn default() -> Self {
        StacksConfig { path: RelPath::root(), enabled: None }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStacks {
    path: Option<String>,
    enabled: Option<bool>,
}

impl RawStacks {
    pub(super) fn check(self, file: &str, errs: &mut Vec<Diagnostic>) -> StacksConfig {
        let mut cfg = StacksConfig { enabled: self.enabled, ..StacksConfig::default() };
        if let Some(p) = self.path {
            match RelPath::new(&p) {
                Ok(p) => cfg.path = p,
                Err(e) => errs.push(path_error(file, "stacks.path", e)),
            }
        }
        cfg
    }
}
