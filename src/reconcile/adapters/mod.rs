//! The real ports: git repositories (local and remote) and the capabilities of paved (catalog,
//! stacks, policy) behind the reconciler's traits.

mod capabilities;
mod git;
mod memo;

use std::sync::Arc;

pub use capabilities::{CatalogDirectory, PavedAffected, PavedValidator};
pub use git::GitRepo;

use super::ports::{AffectedFinder, Directory, Validator};

/// The capabilities a reconcile uses.
pub struct Capabilities {
    pub validator: Arc<dyn Validator>,
    pub affected: Arc<dyn AffectedFinder>,
    pub directory: Arc<dyn Directory>,
}

/// paved's own catalog, stacks and policy engines.
pub fn capabilities() -> Capabilities {
    Capabilities {
        validator: Arc::new(PavedValidator::default()),
        affected: Arc::new(PavedAffected::default()),
        directory: Arc::new(CatalogDirectory),
    }
}
