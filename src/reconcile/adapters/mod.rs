//! The real ports: git repositories (local and remote) and the capabilities of paved (catalog,
//! stacks, policy) behind the reconciler's traits.

mod git;

use std::sync::Arc;

pub use git::GitRepo;

use super::ports::{Affected, AffectedFinder, Directory, Validator};
use crate::config::Config;
use crate::report::{Diagnostic, Report};
use crate::source::FileSource;

/// The capabilities a reconcile uses.
pub struct Capabilities {
    pub validator: Arc<dyn Validator>,
    pub affected: Arc<dyn AffectedFinder>,
    pub directory: Arc<dyn Directory>,
}

/// paved's own catalog, stacks and policy engines.
pub fn capabilities() -> Capabilities {
    Capabilities { validator: Arc::new(Pending), affected: Arc::new(Pending), directory: Arc::new(Pending) }
}

/// Stands in until the stacks engine is wired in.
struct Pending;

impl Validator for Pending {
    fn validate(&self, _: &dyn FileSource, _: &Config) -> Report {
        Report::default()
    }
}

impl AffectedFinder for Pending {
    fn affected(&self, _: Option<&dyn FileSource>, _: &dyn FileSource, _: &[String], _: &Config) -> Affected {
        Err(vec![Diagnostic::error("reconcile/no-stacks-engine", "this build of paved has no stacks engine")])
    }
}

impl Directory for Pending {
    fn members(&self, _: &dyn FileSource, _: &Config, _: &str) -> Option<Vec<String>> {
        None
    }
}
